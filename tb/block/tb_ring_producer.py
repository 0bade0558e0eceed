"""Block test of rtl/ring_producer.v with a Python stand-in for the AXI writer.

Checks against the rules in ring_producer.v's header, cycle by cycle: chunk k of an unthrottled
stream starts in stream cycle k*period + 1 at ring_base + (k mod slots)*size; flow control holds
a due chunk while the ring is full and counts each such cycle; free-running mode overwrites and
captures the first overwrite; chunks due while the writer is busy collapse; invalid settings and
a consumer index ahead of the producer are refused; and, against a cycle-level model that counts
started chunks, a chunk in flight occupies its slot under flow control."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

import cocotb
from cocotb.triggers import ClockCycles, FallingEdge, RisingEdge

from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start

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


# ---- flow control with a chunk in flight ----------------------------------------------------
#
# Rule (issue 13; ring_producer.v's `fill`, "slots holding unconsumed or in-flight chunks"): a chunk
# whose DMA has started but not finished occupies its slot. (The module header's "PROD_IDX -
# CONS_IDX == SLOT_COUNT" counts finished chunks only: read literally, it is the bug tested here.) With slots - 1 written-but-unfreed chunks and one in flight the ring is full,
# so the next due chunk must wait, also in the cycle the in-flight chunk completes (PROD_IDX has
# not counted it yet then) and when that is the very cycle the next chunk becomes due.


@dataclass
class StartedChunksModel:
    """Reference model of ring_producer's source and ring occupancy, one step per clock cycle.

    Occupancy counts chunks *started* minus chunks freed; a model that counted finished chunks
    (PROD_IDX) would see a free slot while a chunk is still being written. Each step takes what
    the device sees in cycle t and says what it must do at the edge that ends it."""
    slots: int
    period: int
    flow: bool
    started: int = 0          # chunk_start pulses seen
    written: int = 0          # chunk_done pulses seen (PROD_IDX)
    freed: int = 0            # CONS_IDX as the device holds it
    due: bool = False
    became_due_now: bool = False   # due rose at the edge that began this cycle
    full_at_edge: bool = False     # the ring was full at the last edge stepped over
    at_edge: str = ""              # its occupancy, in words
    stall_cycles: int = 0
    overwrites: int = 0
    # boundary cases met (the test asserts it met them, so it cannot pass vacuously)
    done_while_full_and_due: int = 0      # in-flight chunk completes, a due chunk waits, ring full
    done_as_next_becomes_due: int = 0     # ... and that chunk became due in this very cycle

    def occupied(self) -> int:
        return self.started - self.freed

    def step(self, cycle: int, chunk_start: bool, busy: bool, done: bool, cons_write: int | None) -> bool:
        """Cycle ``cycle`` (the device's stream cycle) with these writer and host inputs; returns
        whether a chunk must start at the edge ending it (chunk_start in the next cycle)."""
        full = self.occupied() >= self.slots
        can_start = self.due and not busy and not chunk_start
        # what the device must have counted at this edge, for the message if it starts anyway
        self.at_edge = (f"{self.written - self.freed} written and unfreed + {self.started - self.written} in flight"
                        + (" (completing in this cycle" + (", the cycle the next chunk became due)"
                                                          if self.became_due_now else ")") if done else "")
                        + f" = {self.occupied()} of {self.slots} slots occupied")
        self.full_at_edge = full
        if done and self.due and full and self.written - self.freed < self.slots:
            self.done_while_full_and_due += 1
            if self.became_due_now:
                self.done_as_next_becomes_due += 1
        start_next = can_start and not (self.flow and full)
        if can_start and full and self.flow:
            self.stall_cycles += 1
        if start_next and full:
            self.overwrites += 1
        was_due = self.due
        self.due = False if start_next else (self.due or cycle % self.period == 0)
        self.became_due_now = self.due and not was_due
        if done:
            self.written += 1
        if cons_write is not None:
            self.freed = cons_write
        return start_next


async def run_against_started_chunks_model(dut: Any, slots: int, flow: bool, period: int, cycles: int,
                                           rng: random.Random) -> StartedChunksModel:
    """Drive the producer with a writer whose latency sits around the period and a host that
    keeps slots - 1 written chunks unfreed, and compare it with the model every cycle."""
    dut.chunk_busy.value = 0
    dut.chunk_done.value = 0
    await configure(dut, slots, period=period, flow=flow)     # enable 0 -> 1: a new stream
    dut.enable.value = 1
    await FallingEdge(dut.clk)
    while not int(dut.running.value):
        await FallingEdge(dut.clk)

    model = StartedChunksModel(slots, period, flow)
    expect_start = False
    busy_left = 0            # writer: cycles until the chunk in flight completes
    free_at: list[tuple[int, int]] = []   # host: (cycle, value) CONS_IDX writes it has planned
    planned_free = 0
    for n in range(cycles):
        if n:
            await FallingEdge(dut.clk)
        cycle = int(dut.cycle.value)
        assert cycle == n, f"stream cycle {cycle}, expected {n}"
        chunk_start = bool(int(dut.chunk_start.value))
        done = bool(int(dut.chunk_done.value))
        if chunk_start and flow and model.full_at_edge:
            raise AssertionError(
                f"flow control overwrote an unfreed slot: chunk {model.started} started at the edge ending stream "
                f"cycle {cycle - 1} into slot {model.started % slots}, which was not free: {model.at_edge}")
        assert chunk_start == expect_start, \
            f"stream cycle {cycle}: chunk_start={int(chunk_start)}, model says {int(expect_start)} " \
            f"(at the edge before: {model.at_edge}; due={int(model.due)})"
        assert int(dut.cnt_stall.value) == model.stall_cycles, f"cycle {cycle}: CNT_STALL"
        assert int(dut.cnt_overwrite.value) == model.overwrites, f"cycle {cycle}: CNT_OVERWRITE"
        assert int(dut.prod_idx.value) == model.written and int(dut.cons_idx.value) == model.freed
        if chunk_start:
            model.started += 1
            # the writer finishes around the next chunk's due cycle, so completions and dues meet
            busy_left = rng.choice([period - 3, period - 2, period - 1, period, period + 1, 3])
            dut.chunk_busy.value = 1
        cons_write = None
        if free_at and free_at[0][0] <= cycle:
            cons_write = free_at.pop(0)[1]
        dut.cons_wr.value = int(cons_write is not None)
        dut.cons_wr_data.value = cons_write or 0
        expect_start = model.step(cycle, chunk_start, busy_left > 0, done, cons_write)
        if done:
            # the host frees all but slots - 1 written chunks (sometimes all), a few cycles later
            keep = rng.choice([slots - 1, slots - 1, slots - 1, 0])
            planned_free = max(planned_free, model.written - keep)
            free_at.append((cycle + rng.choice([1, 1, 2, 4, 9]), planned_free))
        await RisingEdge(dut.clk)
        dut.chunk_done.value = 0
        if busy_left:
            busy_left -= 1
            if busy_left == 0:
                dut.chunk_busy.value = 0
                dut.chunk_done.value = 1
    return model


@cocotb.test()
async def flow_control_counts_a_chunk_in_flight_as_occupying_its_slot(dut: Any) -> None:
    dut.enable.value = 0
    dut.cons_wr.value = 0
    dut.msi_sent.value = 0
    await start(dut)
    rng = stream(int(cocotb.RANDOM_SEED), "ring_producer.in_flight")
    for slots in (1, 2, 3):
        for flow in (True, False):
            model = await run_against_started_chunks_model(dut, slots, flow, period=16, cycles=900, rng=rng)
            mode = "flow" if flow else "free"
            assert model.started > 20, f"{mode} slots={slots}: only {model.started} chunks"
            assert model.done_while_full_and_due > 0 and model.done_as_next_becomes_due > 0, \
                f"{mode} slots={slots}: boundary not reached ({model})"
            if flow:
                assert model.stall_cycles > 0 and model.overwrites == 0
            else:
                assert model.overwrites > 0
            dut._log.info("%s slots=%d: %d chunks, %d stall cycles, %d overwrites, in-flight completions with a "
                          "due chunk and a full ring: %d (%d in the cycle it became due)", mode, slots,
                          model.started, model.stall_cycles, model.overwrites, model.done_while_full_and_due,
                          model.done_as_next_becomes_due)
