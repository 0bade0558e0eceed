"""The streaming driver (hostmodel.driver) against the device reference model, no HDL simulator.

Checks the driver rules from the seeds and references.md: the DPC handles all outstanding work
(every ready slot, not one per interrupt); MSIs while masked stay pending and the unmask
re-sends one; a DPC later than the ring's headroom loses exactly the overwritten chunks."""

from __future__ import annotations

import pytest

from irqloop.hostmodel.cyclic import CyclicBuffer
from irqloop.hostmodel.driver import Consumer, StreamConfig, StreamDriver
from irqloop.hostmodel.eventsim import EventSim, EventSimPlatform
from irqloop.hostmodel.kernel import Kernel
from irqloop.hostmodel.latency import DpcLatencyModel, LatencySpike
from irqloop.hostmodel.pci import PciBus
from irqloop.hostmodel.pnp import start_device
from irqloop.tb.models.refmodel import StreamDeviceModel
from irqloop.tb.models.stream_scoreboard import StreamScoreboard

US = 1_000_000
PERIOD = 10 * US


def run(slots: int = 8, chunks: int = 40, spike_at: int | None = None, spike_us: int = 0,
        flow: bool = False, base_latency: int = 2 * US) -> tuple[StreamDriver, StreamDeviceModel, StreamScoreboard, Kernel]:
    sim = EventSim()
    plat = EventSimPlatform(sim, memory_bytes=1 << 21)
    latency = DpcLatencyModel(base_ps=base_latency)
    k = Kernel(plat, latency=latency)
    dev = StreamDeviceModel(plat.memory, k.deliver_msi)
    plat.read_hook, plat.write_hook = dev.read, dev.write
    cfg = StreamConfig(slot_count=slots, slot_bytes=256, chunks=chunks, flow_control=flow)
    cyc = CyclicBuffer(4096)
    sb = StreamScoreboard(cfg.slot_bytes // 4, cfg.pattern_key, slots, 4000)
    k.trace_consumers.append(sb.consume)
    drv = StreamDriver(k, cfg, cyc)
    cons = Consumer(k, cyc, period_ps=20 * US)
    sim.spawn(start_device(PciBus(k, vectors=2), drv))
    sim.run()
    t0 = sim.now
    if spike_at is not None:
        latency.add_spike(LatencySpike(at_ps=t0 + spike_at * PERIOD, extra_ps=spike_us * US))

    def tick() -> None:          # the device's source: one chunk due per period; held while flow-stalled
        if not dev.can_produce():
            return
        dev.produce_chunk()
        sim.call_at(sim.now + PERIOD, tick)

    def tick_flow() -> None:
        if not dev.can_produce():
            return
        if not dev.produce_chunk():
            sim.call_at(sim.now + US, tick_flow)      # stalled: try again shortly
            return
        sim.call_at(sim.now + PERIOD, tick_flow)

    sim.call_at(t0, tick_flow if flow else tick)
    sim.spawn(cons.run())
    sim.run(until=t0 + chunks * PERIOD + spike_us * US + 2000 * US)
    cons.drain()
    return drv, dev, sb, k


def test_dpc_copies_every_ready_slot_not_one_per_interrupt() -> None:
    """Rule (EvtInterruptDpc, seed 2): the DPC handles all outstanding work."""
    drv, dev, sb, k = run(chunks=40, spike_at=10, spike_us=50)     # 50 us < 80 us headroom
    res = sb.result(dev.regs["CNT_CHUNKS"])
    assert res.clean and res.delivered == 40
    assert max(drv.stats.per_dpc_chunks) >= 5                      # one DPC run caught up on many chunks
    assert drv.dpc.runs < 40


def test_masked_data_vector_stays_pending_and_unmask_resends_it() -> None:
    """Rule (PCIe 6.1.4): an event while masked sets Pending; unmask with Pending sends one message."""
    drv, dev, sb, k = run(chunks=30, spike_at=5, spike_us=60)
    # chunks completing while the late DPC had the vector masked produced no MSI of their own
    assert drv.data_interrupt.isr_count < 30
    assert dev.regs["CNT_IRQS"] == drv.data_interrupt.isr_count + drv.error_interrupt.isr_count
    assert sb.result(30).clean


def test_late_dpc_beyond_headroom_loses_exactly_the_overwritten_chunks() -> None:
    drv, dev, sb, k = run(slots=8, chunks=60, spike_at=20, spike_us=200)
    res = sb.result(dev.regs["CNT_CHUNKS"])
    assert res.lost and res.lost[0] == 20
    assert res.lost == list(range(20, 20 + len(res.lost)))
    assert dev.regs["OVERRUN_SEQ"] == 28
    assert dev.regs["CNT_OVERWRITE"] == len(res.lost) == drv.stats.chunks_lost_ring
    assert not res.duplicates and not res.out_of_order


def test_flow_control_never_loses() -> None:
    drv, dev, sb, k = run(slots=8, chunks=60, spike_at=20, spike_us=200, flow=True)
    res = sb.result(dev.regs["CNT_CHUNKS"])
    assert res.clean and res.delivered == 60
    assert dev.regs["CNT_OVERWRITE"] == 0


def test_scoreboard_classifies_an_overwritten_slot() -> None:
    from irqloop.tb.models.pattern import chunk_words
    sb = StreamScoreboard(64, 0x1234, 8, 4000)
    assert sb.dpc_copied(3, chunk_words(3, 64, 0x1234), 0)
    assert not sb.dpc_copied(4, chunk_words(12, 64, 0x1234), 8000)
    d = sb.divergences[0]
    assert (d.kind, d.seq_observed, d.slot, d.cycle) == ("overwritten", 12, 4, 2)
    torn = chunk_words(5, 64, 0x1234)
    torn[:8] = chunk_words(13, 64, 0x1234)[:8]
    assert not sb.dpc_copied(5, torn, 0)
    assert sb.divergences[1].kind == "torn"


@pytest.mark.parametrize("bad,why", [("SLOT_COUNT", "slot count"), ("SLOT_SIZE", "slot size"),
                                     ("CHUNK_PERIOD", "chunk period")])
def test_reference_model_refuses_invalid_settings(bad: str, why: str) -> None:
    import numpy as np
    from irqloop.hostmodel.regs import REG
    msis: list[int] = []
    dev = StreamDeviceModel(np.zeros(1 << 16, np.uint8), msis.append)
    for n, v in (("SLOT_COUNT", 4), ("SLOT_SIZE", 64), ("CHUNK_PERIOD", 100), ("INT_ENABLE", 3), ("MSI_DATA", 0x40)):
        dev.write(getattr(REG, n), v)
    dev.write(getattr(REG, bad), 0)
    assert dev.config_error() == why
    dev.write(REG.CTRL, 1)
    assert dev.read(REG.STATUS) >> REG.bit("ST_CFG_ERROR") & 1
    assert not dev.read(REG.STATUS) >> REG.bit("ST_RUNNING") & 1
    assert msis == [0x41]                              # the error vector


def test_the_pci_layer_not_the_driver_writes_the_message_registers() -> None:
    """Bring-up as on Windows: the bus driver programs MSI and the MSI-X table, the driver receives
    message IDs; the message writes come between EvtDeviceD0Entry and the stream's start."""
    from irqloop.hostmodel.regs import REG
    message_regs = {REG.MSI_ADDR_LO, REG.MSI_ADDR_HI, REG.MSI_DATA, REG.MSIX_CTRL} | {
        REG.array("VT", v, f) for v in (0, 1) for f in ("ADDR_LO", "ADDR_HI", "DATA")}
    sim = EventSim()
    plat = EventSimPlatform(sim, memory_bytes=1 << 21)
    k = Kernel(plat)
    dev = StreamDeviceModel(plat.memory, k.deliver_msi)

    class RecordingBus(PciBus):
        writing = False

        async def program_messages(self) -> None:
            self.writing = True
            await super().program_messages()
            self.writing = False

    bus = RecordingBus(k, vectors=2, msix_single_message=True)
    writes: list[tuple[bool, int]] = []
    original = plat.mmio_write

    async def mmio_write(offset: int, value: int) -> None:
        writes.append((bus.writing, offset))
        await original(offset, value)

    plat.mmio_write = mmio_write      # type: ignore[method-assign]
    plat.read_hook, plat.write_hook = dev.read, dev.write
    drv = StreamDriver(k, StreamConfig(slot_count=8, slot_bytes=256, chunks=4), CyclicBuffer(64))
    sim.spawn(start_device(bus, drv))
    sim.run()
    assert {off for writing, off in writes if writing} == message_regs
    assert not {off for writing, off in writes if not writing} & message_regs
    assert writes[-1][1] == REG.CTRL                       # the stream starts after the messages
    # one MSI-X message for both vectors: one interrupt object, its ISR told message 0
    assert drv.error_interrupt is None and drv.data_interrupt.MessageId == bus.first_data
