"""Your own device in the loop, the cocotb side: the host model attached to your device in your own
cocotb test (docs/own-device.md).

    regs = register_map(Path("minidma.rdl"))            # irqloop.device: your SystemRDL, irqloop's generator
    host = attach(dut, regs, HostSettings(seed=run_seed(), dpc_latency_us=3))
    await host.reset()
    bus = host.msi_bus()                                 # one MSI, programmed into MSI_ADDR_LO/HI, MSI_DATA
    driver = MyDriver(host.kernel, regs)                 # a hostmodel.kmdf.KmdfDriver
    await host.start(driver, bus)                        # PnP start: PrepareHardware, D0Entry, ...
    await host.run_until(lambda: driver.done, timeout_us=2000)
    host.write_report(Path("."), {"lost": [...]})        # report.json and trace.json
    host.close()

``dut`` is the wrapper irqloop generated around your top (irqloop/device.py): its clock, reset,
MMIO master, host memory with the MSI window and activity signals are the harness's; your top is
``dut.dut``. What :class:`Host` gives:

- host memory (``host.memory``, bytes at host physical addresses: your DMA lands there) and the
  write bursts the device made (``host.new_bursts()``), both read from C without a callback;
- register access by name for the testbench (``await host.read("STATUS")``), and for the driver
  through the kernel model (``KmdfDriver.read``), as real AXI4-Lite transactions;
- message delivery: every MSI write into the window reaches the kernel model's interrupt
  controller, through the fault injector (``HostSettings.msi_faults``: drop, dup, delay);
- the Windows kernel model with DPC latency (base, jitter, spikes), CPU costs and interference
  from other drivers (``HostSettings.interference``);
- the waveform activity probe (``HostSettings.waves``: only when the simulator records waves);
- the report (``host.report()``): what the host saw, the same bytes for the same seed under
  Verilator and under Icarus.

Nothing here wakes Python per clock or per bus beat: the platform sleeps on timers and on the C
host's one-shot hooks (tb/sim/cocotb_platform.py).
"""

from __future__ import annotations

import functools
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np
from cocotb.triggers import Timer

from irqloop.device import SEED_ENV, WAVES_ENV
from irqloop.hostmodel.interference import InterferenceStats, start_interference
from irqloop.hostmodel.kernel import CpuCosts, Kernel, KernelSettings
from irqloop.hostmodel.kmdf import X86_MSI_ADDRESS, KmdfDriver, MsiBus
from irqloop.hostmodel.latency import DpcLatencyModel, LatencySpike
from irqloop.hostmodel.latency_replay import LatencyReplay
from irqloop.hostmodel.pnp import BusDriver, start_device
from irqloop.hostmodel.regmap import RegisterMap
from irqloop.tb.board import CLOCK_PS, HOSTMEM_BYTES, MSI_ADDR, US
from irqloop.tb.models.msi_faults import MsiFaultInjector, parse_faults
from irqloop.tb.sim.cocotb_platform import CocotbPlatform
from irqloop.tb.sim.probe import HostActivityProbe
from irqloop.tb.sim.timeline import Timeline
from irqloop.tb.streaming import interference_rule_sources, parse_interference, replay_of

assert MSI_ADDR == X86_MSI_ADDRESS, "the HDL host's MSI window and the bus driver's message address differ"

__all__ = ["CLOCK_PS", "HOSTMEM_BYTES", "Host", "HostSettings", "attach", "run_seed"]

RESET_CYCLES = 10          #: cycles the harness holds rst high (the contract's reset)


def run_seed() -> int:
    """The seed the runner gave this run (irqloop/device.py run(seed=...)); 1 outside it."""
    return int(os.environ.get(SEED_ENV, "1"))


@dataclass(frozen=True)
class HostSettings:
    """The host the device runs against. Every random choice follows ``seed``."""
    seed: int = 1
    cpus: int = 4
    dpc_latency_us: float = 2.0          #: interrupt-to-DPC latency, every DPC
    jitter_us: float = 0.0               #: plus a uniform draw in [0, jitter_us]
    #: other drivers' DPCs and ISRs: ``kind:rate_per_s:service_us[:cpu=N][:pareto=ALPHA]`` separated by ';'
    interference: str = "none"
    #: MSI faults: ``drop|dup|delay=T[:vec=N][:nth=I,..][:every=N][:p=P]`` separated by ';' (vec: MessageID)
    msi_faults: str = "none"
    copy_ns_per_kib: float = 100.0       #: the CPU's memcpy
    mmio_read_us: float = 0.0            #: a register read's round trip beyond the simulated bus
    #: drive the activity signals (dut.u_act) for the waveform; they are driven anyway when the run records one
    waves: bool = False
    #: your measured DPC start latencies, replayed in order, one per DPC run (the n-th DPC the
    #: dispatcher takes waits the n-th value; after the last, dpc_latency_us): a plain file, a WPA
    #: DPC/ISR export, xperf -a dpcisr or LatencyMon (hostmodel/traces.py; docs/day.md); a relative
    #: path is taken from the current folder. latency_module: your driver's module in a WPA trace
    latency_file: Optional[str] = None
    latency_format: str = "auto"
    latency_module: Optional[str] = None

    def __post_init__(self) -> None:
        parse_interference(self.interference, self.cpus)       # ValueError in one line
        parse_faults(self.msi_faults)
        if self.dpc_latency_us < 0 or self.jitter_us < 0:
            raise ValueError("dpc_latency_us and jitter_us must be >= 0")
        if self.latency_file is not None:
            self.replayed_latencies_ps                           # a file that cannot be used: one line now

    @functools.cached_property
    def replayed_latencies_ps(self) -> list[int]:
        """The DPC start latencies of ``latency_file`` (ps), in order, read once; [] without one."""
        if self.latency_file is None:
            return []
        replay = replay_of({"latency_file": self.latency_file, "latency_format": self.latency_format,
                            "latency_module": self.latency_module or "none"})
        return list(replay["dpc_latency_ps"]) if replay else []


class Host:
    """The host model attached to a device (see :func:`attach`)."""

    clock_ps = CLOCK_PS                  #: the harness's clock period
    memory_bytes = HOSTMEM_BYTES         #: host memory, from address 0

    def __init__(self, dut: Any, regs: RegisterMap, settings: HostSettings) -> None:
        self.dut, self.regs, self.settings = dut, regs, settings
        self.platform = CocotbPlatform(dut)
        self.memory: np.ndarray = self.platform.memory
        replayed = settings.replayed_latencies_ps
        self.latency: DpcLatencyModel = \
            LatencyReplay(replayed, then_ps=round(settings.dpc_latency_us * US)) if replayed else \
            DpcLatencyModel(base_ps=round(settings.dpc_latency_us * US), jitter_ps=round(settings.jitter_us * US),
                            seed=settings.seed)
        self.kernel = Kernel(self.platform, latency=self.latency, settings=KernelSettings(cpus=settings.cpus),
                             costs=CpuCosts(copy_ps_per_kib=round(settings.copy_ns_per_kib * 1000),
                                            mmio_read_extra_ps=round(settings.mmio_read_us * US)))
        self.bus: Optional[MsiBus] = None
        self.faults: Optional[MsiFaultInjector] = None
        self.interference: Optional[InterferenceStats] = None
        self.started_ps: Optional[int] = None
        self.timeline = Timeline()

    # ---- the device ----
    async def reset(self) -> None:
        """Clear host memory and the logs, then hold the device in reset for RESET_CYCLES."""
        self.platform.reset_host()
        self.dut.rst.value = 1
        await Timer(RESET_CYCLES * CLOCK_PS, unit="ps")
        self.dut.rst.value = 0
        await Timer(2 * CLOCK_PS, unit="ps")

    async def read(self, name: str) -> int:
        """The testbench's read of register ``name`` (no CPU time: not the driver's access)."""
        return await self.platform.mmio_read(self.regs.offset(name))

    async def write(self, name: str, value: int) -> None:
        await self.platform.mmio_write(self.regs.offset(name), value)

    def new_bursts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(address, bytes, time in ns of the last beat) of the device's data bursts into host
        memory since the last call, in order (MSIs are not among them)."""
        return self.platform.bridge.new_bursts()

    # ---- the host ----
    def msi_bus(self, address_lo: str = "MSI_ADDR_LO", address_hi: Optional[str] = "MSI_ADDR_HI",
                data: str = "MSI_DATA", messages: int = 1) -> MsiBus:
        """The bus driver for a device with plain MSI whose message registers have these names."""
        return MsiBus(self.kernel, self.regs, address_lo, address_hi, data, messages, msi_address=MSI_ADDR)

    def add_spike(self, at_us: float, extra_us: float) -> None:
        """The first DPC queued at or after ``at_us`` (simulation time) starts ``extra_us`` later."""
        self.latency.add_spike(LatencySpike(at_ps=round(at_us * US), extra_ps=round(extra_us * US)))

    async def start(self, driver: KmdfDriver, bus: BusDriver, interference_until_us: Optional[float] = None) -> None:
        """Start delivering messages (through the fault injector), start the interference, then
        bring the device up as the PnP manager and KMDF do (hostmodel/pnp.py start_device)."""
        s = self.settings
        self.bus = bus if isinstance(bus, MsiBus) else None
        vector_of = self.bus.message_of_data if self.bus is not None else (lambda data: data)
        self.faults = MsiFaultInjector(parse_faults(s.msi_faults), s.seed, vector_of=vector_of)
        self.platform.spawn(self.platform.msi_monitor(self.kernel.deliver_msi, self.faults))
        if s.waves or os.environ.get(WAVES_ENV) == "1":
            HostActivityProbe(self.dut.u_act, self.kernel).refresh()
        sources = interference_rule_sources(s.interference, s.cpus)
        until = round(interference_until_us * US) if interference_until_us is not None else None
        self.interference = start_interference(self.kernel, sources, s.seed, until_ps=until)
        self.started_ps = self.now_ps()
        await start_device(bus, driver)

    def now_ps(self) -> int:
        return self.platform.now_ps()

    async def wait_us(self, us: float) -> None:
        await Timer(round(us * US), unit="ps")

    async def run_until(self, done: Callable[[], bool], timeout_us: float, poll_us: float = 50.0) -> bool:
        """Let the simulation run until ``done()`` and the kernel is idle (looked at every
        ``poll_us``, a timer: nothing runs per clock), or ``timeout_us`` passes; True if done."""
        end = self.now_ps() + round(timeout_us * US)
        while self.now_ps() < end:
            await Timer(round(poll_us * US), unit="ps")
            if done() and self.kernel.idle():
                return True
        return False

    # ---- the report ----
    def report(self, extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
        """What the host saw, deterministic for a seed: the settings, the kernel's counts and
        worst times, the messages and the faults injected, the interference, the bus traffic;
        ``extra`` is the testbench's own (its verdict, what its oracle found)."""
        k = self.kernel
        intrs = k.interrupts()
        dpcs = sorted({e.info["dpc"] for e in k.trace if e.kind == "dpc_start"})
        return {
            "settings": asdict(self.settings),
            "clock_ps": CLOCK_PS,
            "started_ps": self.started_ps,
            "end_ps": self.now_ps(),
            "kernel": {
                "interrupts": {i.name: {"message": i.MessageId, "isr_count": i.isr_count, "collapsed_at_cpu": i.collapsed,
                                        "isr_run_max_ps": max(i.run_times_ps, default=0)} for i in intrs},
                "dpc_runs": {d: sum(1 for e in k.trace if e.kind == "dpc_start" and e.info["dpc"] == d) for d in dpcs},
                "dpc_latency_max_ps": max((e.info["latency_ps"] for e in k.trace if e.kind == "dpc_start"), default=0),
                "unknown_messages": k.unknown_messages,
                "dispatch_or_above_ps": k.dispatch_or_above_ps,
                "warnings": k.warnings[:10],
            },
            "msi": {"delivered": sum(1 for e in k.trace if e.kind == "msi"),
                    "faults": [asdict(rec) for rec in (self.faults.log if self.faults else [])]},
            "interference": {"arrivals": self.interference.arrivals, "busy_ps": self.interference.busy_ps}
            if self.interference else {},
            "mmio_transactions": self.platform.mmio_transactions,
            "mmio_errors": self.platform.bridge.mmio_errors,
            "host_bad_writes": self.platform.bridge.bad_writes,
            "testbench": extra or {},
        }

    def write_report(self, directory: Path, extra: Optional[dict[str, Any]] = None, name: str = "run") -> dict[str, Any]:
        """report.json (:meth:`report`) and trace.json (the CPUs' ISRs, DPCs and locks for
        Perfetto) in ``directory``; the report."""
        r = self.report(extra)
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "report.json").write_text(json.dumps(r, indent=1, sort_keys=True) + "\n")
        self.timeline.add_run(name, self.kernel)
        (directory / "trace.json").write_text(self.timeline.to_json())
        return r

    def close(self) -> None:
        """End this host's tasks and unhook the C side (before another attach in the same test)."""
        self.platform.cancel_tasks()
        self.platform.bridge.close()


def attach(dut: Any, regs: RegisterMap, settings: HostSettings = HostSettings()) -> Host:
    """The host model on the running simulation of ``dut`` (the wrapper irqloop generated)."""
    return Host(dut, regs, settings)
