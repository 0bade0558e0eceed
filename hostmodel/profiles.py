"""Host profiles: what a machine's caches, locks, interrupts and PCIe reads cost (picoseconds).

A profile gives the topology (sockets, dies per socket, the socket the device hangs off) and the
figures the cache model (:mod:`hostmodel.caches`) charges by state: a line this CPU holds, a
line another core of its die, another die or another socket holds, the first read of a line the
device wrote by DMA (on the device's socket or across), the locked instruction itself, the
interrupts-off window of ``ExInterlocked*List``, the PCIe round trip of a register read and
interrupt entry and exit. Contended figures are derived, not given: a contended lock acquire is
the locked instruction plus the transfer of the lock's line from the CPU that held it last.

The built-in profiles are estimates from vendor optimisation manuals and published measurements;
docs/host-profiles.md gives each figure's source. ``fixed`` is not a machine: it is the constant
costs irqloop charged before profiles existed (hostmodel.kernel ``CpuCosts``), which follow no
state; it stays the default so that reports of earlier runs stay comparable.

A user's own profile is a TOML file (``profile=my.toml``)::

    name = "my-box"
    sockets = 2
    dies_per_socket = 1
    device_socket = 0
    [ns]                      # every figure in nanoseconds
    line_hit = 1.0
    line_same_die = 50
    ...

Every figure of :data:`FIGURES` must be given; a missing or unknown key is an error naming the
valid keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: the profile of the constant costs (no state followed); the default
FIXED = "fixed"

#: each figure of a profile, with what it is
FIGURES: dict[str, str] = {
    "line_hit": "access to a cache line this CPU already holds (L1/L2 hit)",
    "line_same_die": "a line another core of the same die holds: core-to-core transfer through the shared L3",
    "line_cross_die": "a line a core of another die of the same socket holds (another CCD / tile)",
    "line_cross_socket": "a line a core of the other socket holds (transfer over the socket link)",
    "dma_local": "first read of a line the device has just written by DMA, from a CPU on the device's socket",
    "dma_remote": "the same from a CPU of another socket (remote LLC / NUMA node)",
    "locked_op": "the locked read-modify-write itself (LOCK CMPXCHG/OR/XCHG) on a line held exclusively: "
                 "an uncontended lock acquire or interlocked operation",
    "interrupts_off": "cli ... popf around an ExInterlocked*List operation",
    "mmio_read": "a register read's PCIe round trip beyond the simulated device bus (root complex, link)",
    "isr_entry": "interrupt entry: vectoring, the kernel's ISR wrapper up to the driver's routine",
    "isr_exit": "interrupt exit: EOI and return",
}


@dataclass(frozen=True)
class HostProfile:
    """One machine: topology and figures in picoseconds (:data:`FIGURES`)."""
    name: str
    sockets: int
    dies_per_socket: int
    device_socket: int
    line_hit_ps: int
    line_same_die_ps: int
    line_cross_die_ps: int
    line_cross_socket_ps: int
    dma_local_ps: int
    dma_remote_ps: int
    locked_op_ps: int
    interrupts_off_ps: int
    mmio_read_ps: int
    isr_entry_ps: int
    isr_exit_ps: int

    def place(self, cpu: int) -> tuple[int, int]:
        """(socket, die) of the run's CPU ``cpu``: the CPUs are spread evenly, socket first
        (CPU i on socket i mod sockets), then over the dies of that socket."""
        socket = cpu % self.sockets
        return socket, (cpu // self.sockets) % self.dies_per_socket

    def transfer_ps(self, to_cpu: int, from_cpu: int) -> int:
        """A line moving from ``from_cpu``'s cache to ``to_cpu``'s."""
        if to_cpu == from_cpu:
            return self.line_hit_ps
        (s1, d1), (s2, d2) = self.place(to_cpu), self.place(from_cpu)
        if s1 != s2:
            return self.line_cross_socket_ps
        return self.line_same_die_ps if d1 == d2 else self.line_cross_die_ps

    def dma_ps(self, cpu: int) -> int:
        """First read of a line the device wrote, by ``cpu``."""
        return self.dma_local_ps if self.place(cpu)[0] == self.device_socket else self.dma_remote_ps

    def contended_acquire_ps(self, to_cpu: int, from_cpu: int) -> int:
        """A lock (or interlocked target) whose line ``from_cpu`` held last, taken by ``to_cpu``."""
        return self.locked_op_ps + self.transfer_ps(to_cpu, from_cpu)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HostProfile:
        return cls(**data)


def _ns(name: str, sockets: int, dies: int, **ns: float) -> HostProfile:
    return HostProfile(name=name, sockets=sockets, dies_per_socket=dies, device_socket=0,
                       **{f"{k}_ps": round(v * 1000) for k, v in ns.items()})


#: the built-in machines (figures in ns; sources in docs/host-profiles.md)
PROFILES: dict[str, HostProfile] = {p.name: p for p in (
    # a client CPU with one monolithic die (Intel Core, ring bus); DMA lands in DRAM
    _ns("desktop", 1, 1, line_hit=1.0, line_same_die=40, line_cross_die=40, line_cross_socket=40,
        dma_local=80, dma_remote=80, locked_op=5, interrupts_off=5, mmio_read=800, isr_entry=400, isr_exit=200),
    # one socket of two dies (AMD Ryzen / Threadripper CCDs): cheap inside a CCX, dear across dies
    _ns("workstation", 1, 2, line_hit=1.0, line_same_die=20, line_cross_die=80, line_cross_socket=80,
        dma_local=90, dma_remote=90, locked_op=4, interrupts_off=5, mmio_read=900, isr_entry=400, isr_exit=200),
    # two sockets (Intel Xeon Scalable, UPI), the device on socket 0 with DDIO: its writes land in
    # socket 0's LLC
    _ns("server2s", 2, 1, line_hit=1.5, line_same_die=55, line_cross_die=55, line_cross_socket=130,
        dma_local=60, dma_remote=190, locked_op=8, interrupts_off=6, mmio_read=1000, isr_entry=500, isr_exit=250),
)}


class ProfileError(ValueError):
    """A bad profile name or file: one line naming the problem and the valid choices."""


def choices_text() -> str:
    return f"{FIXED} (default), {', '.join(PROFILES)}, or a .toml file (docs/host-profiles.md)"


def is_file_name(text: str) -> bool:
    return text.endswith(".toml") or "/" in text


def resolve(text: str) -> HostProfile | None:
    """The profile named ``text`` (None: ``fixed``), or read from the TOML file ``text``."""
    if text in ("", FIXED):
        return None
    if text in PROFILES:
        return PROFILES[text]
    if not is_file_name(text):
        raise ProfileError(f"profile={text!r} is not a profile; choose {choices_text()}")
    return load(Path(text))


def load(path: Path) -> HostProfile:
    """A profile from a TOML file (see the module doc)."""
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ProfileError(f"profile file {path} does not exist; choose {choices_text()}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"profile file {path} cannot be read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"profile file {path} is not TOML: {exc}") from None
    top = {"name", "sockets", "dies_per_socket", "device_socket", "ns"}
    unknown = sorted(set(data) - top)
    if unknown:
        raise ProfileError(f"profile file {path}: unknown key {unknown[0]!r}; keys: {', '.join(sorted(top))}")
    ns = data.get("ns")
    if not isinstance(ns, dict):
        raise ProfileError(f"profile file {path}: no [ns] table; it needs {', '.join(FIGURES)}")
    bad = sorted(set(ns) - set(FIGURES))
    missing = [f for f in FIGURES if f not in ns]
    if bad or missing:
        what = f"unknown figure {bad[0]!r}" if bad else f"figure {missing[0]!r} missing"
        raise ProfileError(f"profile file {path}: {what} in [ns]; figures: {', '.join(FIGURES)}")
    for key, value in ns.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1e6:
            raise ProfileError(f"profile file {path}: [ns] {key} = {value!r}; expected a number of ns in 0..1000000")
    layout = {"sockets": data.get("sockets", 1), "dies_per_socket": data.get("dies_per_socket", 1),
              "device_socket": data.get("device_socket", 0)}
    for key, value in layout.items():
        lo = 0 if key == "device_socket" else 1
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= 64:
            raise ProfileError(f"profile file {path}: {key} = {value!r}; expected an integer in {lo}..64")
    if layout["device_socket"] >= layout["sockets"]:
        raise ProfileError(f"profile file {path}: device_socket = {layout['device_socket']} but the machine has "
                           f"sockets 0..{layout['sockets'] - 1}")
    name = data.get("name", path.stem)
    if not isinstance(name, str) or not name:
        raise ProfileError(f"profile file {path}: name = {name!r}; expected text")
    return HostProfile(name=name, **layout, **{f"{k}_ps": round(float(v) * 1000) for k, v in ns.items()})


def to_toml(p: HostProfile) -> str:
    """``p`` as a profile file (what a user starts their own from)."""
    lines = [f'name = "{p.name}"', f"sockets = {p.sockets}", f"dies_per_socket = {p.dies_per_socket}",
             f"device_socket = {p.device_socket}", "", "[ns]"]
    lines += [f"{f} = {getattr(p, f + '_ps') / 1000:g}    # {doc}" for f, doc in FIGURES.items()]
    return "\n".join(lines) + "\n"

