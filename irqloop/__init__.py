"""irqloop: the device RTL under Verilator and cocotb against a model of the Windows interrupt path.

One namespace: ``irqloop`` itself is the runner side (build, run, report, regress, compare,
coverage, lint, bench: it never imports cocotb), ``irqloop.tb`` the simulator side and the
scenarios' specifications, ``irqloop.hostmodel`` the host (kernel, PCI bus, drivers, latency).

An installed package holds them all under irqloop/. In a checkout the testbench and the host
model stay in the top-level folders tb/ and hostmodel/ beside this one, and this package's path
includes the checkout's root so that ``irqloop.tb`` and ``irqloop.hostmodel`` are those folders
(the same names as installed, with or without `pip install -e`). Standard library only: the
bootstrap reads irqloop.toolchain with the system Python before the virtual environment exists.
"""

from pathlib import Path as _Path

__version__ = "0.1.0"

_here = _Path(__file__).resolve().parent
if not (_here / "tb").is_dir() and (_here.parent / "tb" / "__init__.py").is_file() \
        and (_here.parent / "hostmodel" / "__init__.py").is_file():
    __path__.append(str(_here.parent))  # noqa: F821  (a package's __path__)
