"""Block test of rtl/ring_producer.v with a Python stand-in for the AXI writer.

Checks against the rules in ring_producer.v's header, cycle by cycle: chunk k of an unthrottled
stream starts in stream cycle k*period + 1 at ring_base + (k mod slots)*size; flow control holds
a due chunk while the ring is full and counts each such cycle; free-running mode overwrites and
captures the first overwrite; chunks due while the writer is busy collapse; invalid settings and
a consumer index ahead of the producer are refused."""

from __future__ import annotations

from dataclasses import dataclass, field

import cocotb
from cocotb.triggers import ClockCycles, FallingEdge, RisingEdge

from tb.block.common import start

BASE = 0x10000


@dataclass
class Writer:
    """Takes chunk_start, stays busy `latency` cycles, then pulses chunk_done."""
    dut: object
    latency: int
    starts: list[tuple[int, int, int]] = field(default_factory=list)   # (cycle, addr, seq)
    cycle: int = 0
    busy_left: int = 0

    async def run(self) -> None:
        d = self.dut
        d.chunk_busy.value = 0
        d.chunk_done.value = 0
        while True:
            await RisingEdge(d.clk)
            self.cycle += 1
            d.chunk_done.value = 0
            if self.busy_left:
                self.busy_left -= 1
                if self.busy_left == 0:
                    d.chunk_busy.value = 0
                    d.chunk_done.value = 1
            await FallingEdge(d.clk)
            if int(d.chunk_start.value):
                assert not self.busy_left, "chunk_start while the writer is busy"
                # `cycle` has already advanced past the cycle in which the start was decided
                self.starts.append((int(d.cycle.value) - 1, int(d.chunk_addr.value), int(d.chunk_seq.value)))
                self.busy_left = self.latency
                d.chunk_busy.value = 1


async def begin(dut, latency: int) -> Writer:
    """Idle inputs (a previous test may have left enable high), reset, start the writer model."""
    dut.enable.value = 0
    dut.cons_wr.value = 0
    dut.msi_sent.value = 0
    await start(dut)
    w = Writer(dut, latency=latency)
    cocotb.start_soon(w.run())
    return w


async def configure(dut, slots: int, size: int = 256, period: int = 50, limit: int = 0, flow: bool = False) -> None:
    dut.enable.value = 0
    dut.flowctl.value = int(flow)
    dut.chunk_period.value = period
    dut.ring_base.value = BASE
    dut.slot_count.value = slots
    dut.slot_size.value = size
    dut.chunk_limit.value = limit
    dut.cons_wr.value = 0
    dut.cons_wr_data.value = 0
    dut.msi_sent.value = 0
    await ClockCycles(dut.clk, 2)


async def enable(dut) -> None:
    dut.enable.value = 1
    await ClockCycles(dut.clk, 1)


async def write_cons(dut, value: int) -> None:
    await FallingEdge(dut.clk)
    dut.cons_wr.value = 1
    dut.cons_wr_data.value = value
    await FallingEdge(dut.clk)
    dut.cons_wr.value = 0


@cocotb.test()
async def unthrottled_chunks_start_on_schedule_at_their_slots(dut) -> None:
    w = await begin(dut, 20)
    slots, size, period = 4, 256, 50
    await configure(dut, slots, size, period, limit=10)
    await enable(dut)
    for k in range(10):
        await write_cons(dut, k)                      # the host keeps up
        await ClockCycles(dut.clk, period - 2)
    await ClockCycles(dut.clk, 100)
    assert [s[2] for s in w.starts] == list(range(10))
    for k, (cyc, addr, seq) in enumerate(w.starts):
        assert cyc == k * period + 1, f"chunk {k} started in stream cycle {cyc}"
        assert addr == BASE + (k % slots) * size
    assert int(dut.prod_idx.value) == 10 and int(dut.done.value) == 1
    assert int(dut.cnt_overwrite.value) == 0 and int(dut.overrun.value) == 0


@cocotb.test()
async def flow_control_holds_and_counts_stall_cycles(dut) -> None:
    w = await begin(dut, 10)
    slots, period = 3, 40
    await configure(dut, slots, period=period, flow=True)
    await enable(dut)
    await ClockCycles(dut.clk, period * 6)
    assert len(w.starts) == slots
    stalled = int(dut.cnt_stall.value)
    # the 4th chunk became due at stream cycle 3*period and has waited since
    assert stalled == int(dut.cycle.value) - 3 * period - 1
    assert int(dut.stalled.value) == 1
    await write_cons(dut, 1)
    await ClockCycles(dut.clk, 3)
    assert len(w.starts) == slots + 1 and w.starts[-1][1] == BASE      # slot 0 reused once freed
    assert int(dut.cnt_overwrite.value) == 0


@cocotb.test()
async def free_running_overwrites_and_captures_the_first(dut) -> None:
    w = await begin(dut, 10)
    slots, period = 2, 30
    await configure(dut, slots, period=period, limit=6)
    await enable(dut)
    await ClockCycles(dut.clk, period * 8)
    assert [s[2] for s in w.starts] == list(range(6))
    assert int(dut.cnt_overwrite.value) == 4
    assert int(dut.overrun.value) == 1
    assert int(dut.overrun_seq.value) == 2
    assert int(dut.overrun_cycle.value) == 2 * period + 1


@cocotb.test()
async def chunks_due_while_the_writer_is_busy_collapse(dut) -> None:
    w = await begin(dut, 70)                         # slower than the period
    await configure(dut, 64, period=20, limit=0)
    await enable(dut)
    await ClockCycles(dut.clk, 600)
    starts = [c for c, _, _ in w.starts]
    assert len(starts) >= 5
    # busy 70 cycles, then chunk_done and the collapsed due chunk start on the same edge
    assert all(b - a == 71 for a, b in zip(starts, starts[1:])), starts


@cocotb.test()
async def invalid_settings_and_a_consumer_ahead_are_refused(dut) -> None:
    await begin(dut, 5)
    for field_name, bad in (("slot_count", 0), ("slot_count", 65536), ("slot_size", 0), ("slot_size", 12),
                            ("slot_size", 262152), ("ring_base", BASE + 4), ("chunk_period", 0)):
        await configure(dut, 4)
        getattr(dut, field_name).value = bad
        pulses = 0
        dut.enable.value = 1
        for _ in range(4):
            await RisingEdge(dut.clk)
            await FallingEdge(dut.clk)
            pulses += int(dut.ev_cfgerr.value)
        assert pulses == 1 and int(dut.cfg_error.value) == 1, f"{field_name}={bad} accepted"
        assert int(dut.running.value) == 0
    await configure(dut, 4, period=30)
    await enable(dut)
    await ClockCycles(dut.clk, 100)
    prod = int(dut.prod_idx.value)
    await write_cons(dut, prod + 1)
    await ClockCycles(dut.clk, 2)
    assert int(dut.cfg_error.value) == 1 and int(dut.cons_idx.value) == 0
