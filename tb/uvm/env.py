"""The irqloop environment: CSR agent with the register model and its predictor, the MSI and
DMA monitors, the device scoreboard and functional coverage.

The host model is the driver side of the device: it programs the device and consumes what the
device writes, through the same platform the monitors watch. Every scenario runs inside this
environment (tb/sim/test_scenario.py starts a test from tb/uvm/tests.py); the environment attaches
to each platform a scenario creates (``CocotbPlatform.observers``), so the scenarios need not
know it is there.
"""

from __future__ import annotations

from typing import Any

from pyuvm import ConfigDB, uvm_env, uvm_subscriber

from irqloop.tb.sim.cocotb_platform import CocotbPlatform
from irqloop.tb.uvm.csr_agent import CsrAdapter, CsrAgent, CsrPredictor
from irqloop.tb.uvm.items import CsrAccess, MsiItem
from irqloop.tb.uvm.monitors import DmaMonitor, MsiMonitor
from irqloop.tb.uvm.regmodel import IrqloopRegBlock
from irqloop.tb.uvm.scoreboard import DeviceScoreboard


class EnvCoverage(uvm_subscriber):
    """Functional coverage the monitors see directly (the rest comes from the run's report,
    irqloop/fcov.py): vectors that fired, pending bits read while masked, queues that wrapped."""

    def build_phase(self) -> None:
        self.bins: dict[str, int] = {}
        self.msi_export = uvm_subscriber.uvm_AnalysisImp("msi_export", self, self.write_msi)
        self.regs: IrqloopRegBlock | None = None

    def hit(self, name: str) -> None:
        self.bins[name] = self.bins.get(name, 0) + 1

    def write(self, item: CsrAccess) -> None:      # the CSR monitor
        if item.write or self.regs is None:
            return
        name = self.regs.name_of(item.addr)
        if (name == "MSI_PENDING" or name.startswith("PBA")) and item.data:
            self.hit("msi.pending_while_masked")

    def write_msi(self, m: MsiItem) -> None:
        self.hit("msi.fired")

    def finish(self, sb: DeviceScoreboard) -> dict[str, int]:
        vecs = {int(v) for v in sb.msi_by_vector}
        if 0 in vecs:
            self.hit("msi.vector.data")
        if 1 in vecs:
            self.hit("msi.vector.error")
        if any(v >= 2 for v in vecs):
            self.hit("msi.vector.cq")
        if len(vecs) >= 8:
            self.hit("msi.vectors.8+")
        wraps = sb.wraps_max
        if wraps and all(wraps.get(q, 0) >= 1 for q in sb.entries_total if sb.entries_total[q]):
            self.hit("cq.phase_wrap.every_queue")
        if sb.chunks_checked:
            self.hit("dma.chunks_checked")
        return dict(sorted(self.bins.items()))


_CURRENT: list["IrqloopEnv"] = []


def current_env() -> "IrqloopEnv":
    """The environment of the running UVM test (for a scenario that drives the CSR agent itself)."""
    if not _CURRENT:
        raise RuntimeError("no irqloop environment: run the scenario through tb/sim/test_scenario.py (make sim)")
    return _CURRENT[-1]


class IrqloopEnv(uvm_env):
    def build_phase(self) -> None:
        num_cq = 32
        try:
            num_cq = ConfigDB().get(self, "", "num_cq")
        except Exception:  # noqa: BLE001 - pyuvm raises its own not-found error
            pass
        self.regs = IrqloopRegBlock("regs", num_cq=num_cq)
        self.csr = CsrAgent.create("csr", self)
        self.predictor = CsrPredictor.create("predictor", self)
        self.msi = MsiMonitor.create("msi", self)
        self.dma = DmaMonitor.create("dma", self)
        self.scoreboard = DeviceScoreboard.create("scoreboard", self)
        self.coverage = EnvCoverage.create("coverage", self)
        self.adapter = CsrAdapter()

    def connect_phase(self) -> None:
        self.predictor.regs = self.dma.regs = self.scoreboard.regs = self.coverage.regs = self.regs
        if self.csr.get_is_active():
            self.regs.map.set_sequencer(self.csr.seqr, self.adapter)
        # the mirror must be up to date before the scoreboard sees the same access
        self.csr.monitor.ap.connect(self.predictor.analysis_export)
        self.csr.monitor.ap.connect(self.scoreboard.csr_export)
        self.csr.monitor.ap.connect(self.coverage.analysis_export)
        self.msi.ap.connect(self.scoreboard.msi_export)
        self.msi.ap.connect(self.coverage.msi_export)
        self.dma.cq_ap.connect(self.scoreboard.cq_export)
        self.dma.chunk_ap.connect(self.scoreboard.chunk_export)
        CocotbPlatform.observers.append(self.attach)
        _CURRENT.append(self)

    def attach(self, platform: CocotbPlatform) -> None:
        """A scenario created a platform: watch it."""
        self.platform = platform
        self.csr.monitor.attach(platform)
        self.msi.attach(platform)
        self.dma.attach(platform)
        platform.reset_listeners.append(self.scoreboard.reset_model)    # after the DMA monitor's drain
        platform.reset_listeners.append(self.regs.reset)                # the device's registers reset too
        if self.csr.get_is_active():
            self.csr.driver.platform = platform

    def finish(self) -> dict[str, Any]:
        """Stop watching; the scoreboard's summary and the coverage bins (JSON-ready)."""
        if self.attach in CocotbPlatform.observers:
            CocotbPlatform.observers.remove(self.attach)
        if self in _CURRENT:
            _CURRENT.remove(self)
        self.dma.detach()
        summary = self.scoreboard.summary()
        summary["coverage"] = self.coverage.finish(self.scoreboard)
        summary["csr_accesses"] = self.csr.monitor.count
        summary["unmapped_csr"] = [str(i) for i in self.predictor.unmapped[:5]]
        summary["bursts"] = self.dma.bursts
        return summary
