"""Builds a driver writer's C file against irqloop's WDK shim (include/irqloop_wdk.h and
hostmodel/cdriver/shim.c) into a shared library the host model runs (hostmodel/cdriver).

The library goes to WORK/build/cdriver/, never beside the source. A build error is one line the
user can act on: gcc's ``file:line:col: error: ...`` of the first error, or for a call of a DDI the
shim does not declare, ``file:line: <name> is not provided by irqloop's WDK shim``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from irqloop import toolchain

INCLUDE = toolchain.SOURCE / "include"
SHIM = toolchain.SOURCE / "hostmodel" / "cdriver" / "shim.c"
EXAMPLES = toolchain.SOURCE / "examples" / "drivers"
#: the example a plain driver=c runs: the second seed thread's streaming driver in C
DEFAULT_DRIVER = EXAMPLES / "stream.c"

CFLAGS = ["-std=gnu11", "-O2", "-g", "-fPIC", "-shared", "-pthread", "-Wall", "-Wno-multichar", "-Wno-unused-function",
          # a DDI the shim does not declare must stop the build, not become an int-returning guess
          "-Werror=implicit-function-declaration", "-Werror=incompatible-pointer-types",
          "-Wl,--no-undefined"]

_IMPLICIT = re.compile(r"^(?P<where>[^:\n]+:\d+):\d+: error: implicit declaration of function '(?P<name>[^']+)'", re.M)
_UNDEFINED = re.compile(r"undefined reference to [`'](?P<name>[^`']+)'")
_ERROR = re.compile(r"^(?P<line>[^:\n]+:\d+(?::\d+)?: (?:fatal )?error: .*)$", re.M)


class CDriverBuildError(ValueError):
    """The driver does not build; the message is one line (the front ends exit 2: bad input)."""


#: the shim's device queries: which one a driver calls says which device it is written for
DEVICE_QUERIES = {"IrqloopQueryStreamParameters": "stream", "IrqloopQueryCompletionQueueParameters": "completion_queues"}
_REFERENCE = re.compile(r": reference to (?P<name>\w+)$", re.M)


@dataclass(frozen=True)
class BuiltDriver:
    source: Path          #: the driver's C file, absolute
    sha256: str           #: of its text, as built
    library: Path         #: the shared library, under WORK/build/cdriver
    #: the devices whose parameters the driver asks for (DEVICE_QUERIES; the linker's trace)
    devices: frozenset[str] = frozenset()


def _shown(path: str) -> str:
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd()))
    except ValueError:
        return path


def explain(stderr: str, source: Path) -> str:
    """gcc's and ld's output as one line: what the user must change, and where."""
    m = _IMPLICIT.search(stderr)
    if m:
        return (f"{_shown(m['where'].split(':')[0])}:{m['where'].split(':')[1]}: {m['name']} is not provided by "
                "irqloop's WDK shim (include/irqloop_wdk.h; docs/c-driver.md lists what is)")
    m = _ERROR.search(stderr)
    if m:
        more = len(_ERROR.findall(stderr)) - 1
        line = m["line"]
        path, _, rest = line.partition(":")
        return f"{_shown(path)}:{rest}" + (f" (and {more} more error{'s' * (more > 1)})" if more > 0 else "")
    m = _UNDEFINED.search(stderr)
    if m:
        if m["name"] == "IrqloopDriverCallbacks":
            return (f"{_shown(str(source))}: names no callbacks: add IRQLOOP_DRIVER(EvtDevicePrepareHardware or NULL, "
                    "EvtInterruptIsr, EvtInterruptDpc) (docs/c-driver.md)")
        return (f"{_shown(str(source))}: {m['name']} is called but defined nowhere: not in the driver and not "
                "provided by irqloop's WDK shim (docs/c-driver.md lists what is)")
    tail = [line for line in stderr.strip().splitlines() if line.strip()][-1:] or ["gcc failed without a message"]
    return f"{_shown(str(source))}: {tail[0]}"


def build(source: Path, out_dir: Optional[Path] = None) -> BuiltDriver:
    """Compile ``source`` with the shim into a shared library; CDriverBuildError if it does not build."""
    source = Path(source).resolve()
    if not source.is_file():
        raise CDriverBuildError(f"driver_file={_shown(str(source))}: no such file")
    toolchain.require_system("a C driver (driver_file=)", ("cmd:gcc=gcc",))
    text = source.read_bytes()
    sha = hashlib.sha256(text).hexdigest()
    out = out_dir if out_dir is not None else toolchain.WORK / "build" / "cdriver"
    out.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(text + str(source).encode() + SHIM.read_bytes() + " ".join(CFLAGS).encode()).hexdigest()[:12]
    library = out / f"{source.stem}-{key}.so"
    # always rebuilt: a header the driver includes may have changed (gcc takes ~0.3 s); built under a
    # temporary name and renamed, so parallel runs never load a half-written library
    fd, tmp = tempfile.mkstemp(dir=out, prefix=f".{source.stem}-", suffix=".so")
    os.close(fd)
    # the linker names the objects that call a device query (only the driver's: the shim defines them)
    trace = [f"-Wl,--trace-symbol={name}" for name in DEVICE_QUERIES]
    cmd = ["gcc", *CFLAGS, *trace, f"-I{INCLUDE / 'wdk'}", f"-I{INCLUDE}", "-o", tmp, str(SHIM), str(source)]
    # the C locale: ASCII quotes around names in the messages that explain() reads
    r = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    if r.returncode != 0:
        with contextlib.suppress(FileNotFoundError):      # the linker removes its output on failure
            os.unlink(tmp)
        raise CDriverBuildError(explain(r.stderr, source))
    os.replace(tmp, library)
    devices = frozenset(DEVICE_QUERIES[m["name"]] for m in _REFERENCE.finditer(r.stdout + r.stderr)
                        if m["name"] in DEVICE_QUERIES)
    return BuiltDriver(source, sha, library, devices)
