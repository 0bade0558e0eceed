"""The day model (irqloop/daymodel.py) against the host model it abstracts.

The reference is the pure-Python host model on the event simulator: hostmodel.kernel (ISRs,
KeInsertQueueDpc, the DPC dispatcher), hostmodel.driver.StreamDriver (mask in the ISR, copy every
ready slot, free, unmask) and the device reference model tb/models/refmodel.py, with the device's
source ticking every period and a flow-held chunk starting when CONS_IDX frees a slot. Both take the
same latency sequence (hostmodel.latency_replay.LatencyReplay), and must lose exactly the same
chunks, overwrite first the same chunk at the same time, and stall for the same time."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np
import pytest

from irqloop.daymodel import (DayModelError, LatencyResample, LatencySequence, StreamSettings, StreamTiming,
                              simulate)
from irqloop.hostmodel.cyclic import CyclicBuffer
from irqloop.hostmodel.driver import StreamConfig, StreamDriver
from irqloop.hostmodel.eventsim import EventSim, EventSimPlatform
from irqloop.hostmodel.kernel import CpuCosts, Kernel
from irqloop.hostmodel.latency_replay import LatencyReplay
from irqloop.hostmodel.pci import PciBus
from irqloop.hostmodel.pnp import start_device
from irqloop.hostmodel.regs import REG
from irqloop.tb.models.refmodel import StreamDeviceModel
from irqloop.tb.models.stream_scoreboard import StreamScoreboard

US = 1_000_000
CLOCK_PS = 4000
SLOW_COPY = CpuCosts(copy_ps_per_kib=2_000_000)      # ~0.5 GB/s: an uncached common buffer


def run_reference(slots: int, period_ps: int, chunks: int, latencies: list[int], flow: bool = False,
                  slot_bytes: int = 256, costs: Optional[CpuCosts] = None) -> dict[str, Any]:
    """The stream on the event-simulated host model; what the day model reports, observed there."""
    sim = EventSim()
    plat = EventSimPlatform(sim, memory_bytes=0x10_0000 + slots * slot_bytes + 4096)
    replay = LatencyReplay(latencies)
    kernel = Kernel(plat, latency=replay, costs=costs)
    dev = StreamDeviceModel(plat.memory, kernel.deliver_msi)
    cfg = StreamConfig(slot_count=slots, slot_bytes=slot_bytes, chunks=chunks, flow_control=flow,
                       chunk_period_cycles=period_ps // CLOCK_PS)
    sb = StreamScoreboard(slot_bytes // 4, cfg.pattern_key, slots, CLOCK_PS)
    kernel.trace_consumers.append(sb.consume)
    driver = StreamDriver(kernel, cfg, CyclicBuffer(chunks + 1))
    source: dict[str, Any] = {"held_since": None, "stall_ps": 0, "stalled": 0, "first_ps": None}

    def produce() -> bool:
        before = dev.regs["CNT_OVERWRITE"]
        started = dev.produce_chunk((sim.now - t0) // CLOCK_PS)
        if started and before == 0 and dev.regs["CNT_OVERWRITE"] == 1:
            source["first_ps"] = sim.now - t0
        return started

    def next_tick() -> None:            # ticks every period; a held chunk used up the ticks it waited
        if dev.can_produce():
            sim.call_at(t0 + ((sim.now - t0) // period_ps + 1) * period_ps, tick)

    def tick() -> None:
        if not dev.can_produce():
            return
        if not produce():               # flow control holds it until a slot is freed
            source["held_since"] = sim.now
            return
        next_tick()

    def mmio_write(offset: int, value: int) -> None:
        dev.write(offset, value)
        if offset == REG.CONS_IDX and source["held_since"] is not None and not dev.ring_full():
            source["stall_ps"] += sim.now - source["held_since"]
            source["stalled"] += 1
            source["held_since"] = None
            assert produce()
            next_tick()

    plat.read_hook, plat.write_hook = dev.read, mmio_write
    sim.spawn(start_device(PciBus(kernel, vectors=2), driver))
    sim.run()
    t0 = sim.now                        # stream cycle 0
    sim.call_at(t0, tick)
    sim.run()
    produced = dev.regs["CNT_CHUNKS"]
    return {"produced": produced, "lost": [s for s in range(produced) if s not in sb.copied_ok],
            "first_overwrite_seq": dev.regs["OVERRUN_SEQ"] if dev.overrun else None,
            "first_overwrite_ps": source["first_ps"], "overwrites": dev.regs["CNT_OVERWRITE"],
            "stalled_chunks": source["stalled"], "stall_ps": source["stall_ps"], "dpc_runs": driver.dpc.runs,
            "isrs": sum(i.isr_count for i in kernel.interrupts()), "skipped": driver.stats.chunks_lost_ring,
            "latencies_used": replay.used, "end_ps": sim.now - t0}


def drawn_latencies(seed: int, n: int, headroom_ps: int, p_spike: float) -> list[int]:
    """0.5-4 us in picoseconds, and with probability p_spike a spike of up to 3 x the headroom."""
    rng = np.random.default_rng(seed)
    base = rng.integers(500_000, 4_000_000, n)
    spike = np.where(rng.random(n) < p_spike, rng.integers(0, 3 * headroom_ps, n), 0)
    return [int(x) for x in base + spike]


# (name, seed, slots, period_ps, flow, slot_bytes, costs, p_spike or a constant latency in ps)
SETTINGS = [
    ("free-8x10us", 1, 8, 10 * US, False, 256, None, 0.02),
    ("flow-8x10us", 2, 8, 10 * US, True, 256, None, 0.02),
    ("free-1-slot", 3, 1, 10 * US, False, 256, None, 0.02),
    ("flow-2x5us", 4, 2, 5 * US, True, 256, None, 0.02),
    ("free-16x3us", 5, 16, 3 * US, False, 256, None, 0.02),
    ("free-batched-dpcs-8x2us", 15, 8, 2 * US, False, 256, None, 0.3),
    ("free-slow-copy-torn", 11, 4, 5 * US, False, 2048, SLOW_COPY, 0.02),
    ("flow-slow-copy", 12, 4, 5 * US, True, 2048, SLOW_COPY, 0.02),
    ("free-64x10us-4KiB-pieces", 17, 64, 10 * US, False, 4096, SLOW_COPY, 0.01),
    ("flow-5x3us-1KiB", 18, 5, 3 * US, True, 1024, SLOW_COPY, 0.2),
    ("free-constant-latency-ties", 0, 4, 10 * US, False, 256, None, 40 * US - 1_080_000),
    ("flow-constant-latency-ties", 0, 4, 10 * US, True, 256, None, 40 * US - 1_080_000),
]


@pytest.mark.parametrize("name,seed,slots,period_ps,flow,slot_bytes,costs,spikes", SETTINGS, ids=[s[0] for s in SETTINGS])
def test_day_model_loses_exactly_the_chunks_the_host_model_loses(name: str, seed: int, slots: int, period_ps: int,
                                                                 flow: bool, slot_bytes: int,
                                                                 costs: Optional[CpuCosts], spikes: float) -> None:
    chunks = 10_000
    if isinstance(spikes, int):
        latencies = [spikes] * (3 * chunks)
    else:
        latencies = drawn_latencies(seed, 3 * chunks, slots * period_ps, spikes)
    ref = run_reference(slots, period_ps, chunks, latencies, flow=flow, slot_bytes=slot_bytes, costs=costs)
    fast = simulate(StreamSettings(slots, period_ps, chunks, flow_control=flow),
                    StreamTiming.from_costs(slot_bytes, costs), LatencySequence(latencies))
    # the case exercises what it is about: loss when free-running, stalls under flow control
    assert ref["produced"] == fast.produced == chunks
    assert (len(ref["lost"]) > 0) if not flow else (ref["stalled_chunks"] > 0 and not ref["lost"])
    assert fast.lost_seqs == ref["lost"]
    assert (fast.first_overwrite_seq, fast.first_overwrite_ps) == (ref["first_overwrite_seq"], ref["first_overwrite_ps"])
    assert fast.overwrites == ref["overwrites"]
    assert fast.skipped == ref["skipped"]
    assert (fast.stalled_chunks, fast.stall_ps) == (ref["stalled_chunks"], ref["stall_ps"])
    assert (fast.dpc_runs, fast.latencies_used, fast.isrs) == (ref["dpc_runs"], ref["latencies_used"], ref["isrs"])
    assert fast.end_ps == ref["end_ps"]
    assert fast.stranded == 0


def test_one_late_dpc_loses_the_chunks_the_overrun_scenario_predicts() -> None:
    """The overrun scenario's rule (tb/scenarios/overrun.py predict): the DPC queued for chunk
    s = 20 starts 200 us late, more than the 8 x 10 us headroom: chunks from s on are lost, the
    first overwrite is chunk s + slots = 28 at stream cycle (s + slots) x period + 1 = 70001 (the
    RTL starts a chunk one cycle after its tick). The DPC runs once per chunk before the spike, so
    the 21st latency is the late one: queued at 200.004 + 0.74 us (the ISR), it starts 200 + 0.3 us
    (dispatch) later and reads PROD_IDX = 41 (chunk 40 started at 400.004 us): of the 21 chunks
    since its last copy, the 13 beyond the 8 slots (20-32) were overwritten."""
    latencies = [2 * US] * 200
    latencies[20] = 200 * US
    timing = StreamTiming.from_costs(256, start_offset_ps=CLOCK_PS)
    r = simulate(StreamSettings(8, 10 * US, 60), timing, LatencySequence(latencies), trace_capacity=64)
    assert r.lost_ranges == ((20, 13),)
    assert (r.first_overwrite_seq, r.first_overwrite_cycle(CLOCK_PS)) == (28, 70001)
    assert r.dpc_trace[20].tolist() == [200_744_000, 401_044_000, 41, 8]     # queued, started, PROD_IDX, copied
    flow = simulate(StreamSettings(8, 10 * US, 60, flow_control=True), timing, LatencySequence(latencies))
    # chunk 28 is held from its start time 280.004 us until CONS_IDX lands at 401.724 us
    assert (flow.lost, flow.stalled_chunks, flow.stall_ps) == (0, 1, 121_720_000)


def test_resampled_latencies_are_deterministic_from_the_seed() -> None:
    pool = [2 * US] * 99 + [150 * US]
    run = lambda seed: simulate(StreamSettings(8, 10 * US, 20_000), StreamTiming.from_costs(1024),  # noqa: E731
                                LatencyResample(pool, seed))
    a, b, c = run(7), run(7), run(8)
    assert a.lost_ranges == b.lost_ranges and a.lost > 0
    assert a.lost_ranges != c.lost_ranges
    assert a.max_latency_ps == 150 * US and a.latencies_used == a.dpc_runs


def test_bad_input_gets_one_line() -> None:
    with pytest.raises(DayModelError, match=r"^the latency sequence ran out after 3 DPC runs \(4 of 10 chunks produced\); "
                                            r"give more values or cycle=True$"):
        simulate(StreamSettings(8, 10 * US, 10), StreamTiming.from_costs(256), LatencySequence([US] * 3))
    cycled = simulate(StreamSettings(8, 10 * US, 10), StreamTiming.from_costs(256), LatencySequence([US] * 3, cycle=True))
    assert cycled.dpc_runs == cycled.latencies_used == 10
    with pytest.raises(ValueError, match="slots=0: the device takes 1..65535"):
        StreamSettings(0, 10 * US, 10)
    with pytest.raises(ValueError, match="a DPC latency of -1 ps is negative"):
        simulate(StreamSettings(8, 10 * US, 10), StreamTiming.from_costs(256), LatencySequence([-1]))


def test_lost_ranges_past_the_capacity_are_counted_and_refused_as_a_list() -> None:
    latencies = [2 * US if i % 10 else 100 * US for i in range(2000)]
    run = lambda ranges: simulate(StreamSettings(4, 10 * US, 1000), StreamTiming.from_costs(256),  # noqa: E731
                                  LatencySequence(latencies), max_ranges=ranges)
    r, whole = run(2), run(1000)
    assert whole.lost_ranges_total == len(whole.lost_ranges) > 2
    assert r.lost_ranges == whole.lost_ranges[:2] and r.lost_ranges_total == whole.lost_ranges_total
    assert r.lost == whole.lost == len(whole.lost_seqs)
    with pytest.raises(ValueError, match="lost ranges, 2 kept: ask for more"):
        r.lost_seqs
