"""Unit tests of hostmodel.kernel on the pure-Python event simulator (no HDL simulator).

Each test names the documented rule it checks (../shared/references.md, "Windows DPCs")."""

from __future__ import annotations

from typing import Any

import pytest

from irqloop.hostmodel.eventsim import EventSim, EventSimPlatform
from irqloop.hostmodel.kernel import CpuCosts, Irql, Kernel
from irqloop.hostmodel.latency import DpcLatencyModel, LatencySpike

US = 1_000_000
NO_COST = CpuCosts(isr_dispatch_ps=0, isr_exit_ps=0, dpc_dispatch_ps=0, copy_ps_per_kib=0, per_chunk_ps=0)


def make(latency_ps: int = 0, costs: CpuCosts = NO_COST, mmio_ps: int = 0) -> tuple[EventSim, Kernel]:
    sim = EventSim()
    plat = EventSimPlatform(sim, memory_bytes=4096, mmio_ps=mmio_ps)
    return sim, Kernel(plat, latency=DpcLatencyModel(base_ps=latency_ps), costs=costs)


def test_KeInsertQueueDpc_returns_false_when_already_queued() -> None:
    """Rule: KeInsertQueueDpc does nothing and returns FALSE if the DPC is already queued."""
    sim, k = make(latency_ps=10 * US)
    runs: list[int] = []

    async def routine(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        runs.append(k.now())

    dpc = k.KeInitializeDpc(routine)
    k.IoConnectInterruptEx(0, lambda i, c: None)  # starts the dispatcher
    sim.run(until=0)
    assert k.KeInsertQueueDpc(dpc) is True
    assert k.KeInsertQueueDpc(dpc) is False
    assert k.KeInsertQueueDpc(dpc) is False
    sim.run()
    assert runs == [10 * US]
    assert (dpc.insert_attempts, dpc.inserts, dpc.runs) == (3, 1, 1)


def test_dpc_queueable_again_once_dequeued_before_routine_runs() -> None:
    """Rule: a DPC becomes queueable again when removed from the queue, before its routine runs."""
    sim, k = make(latency_ps=1 * US)
    results: list[bool] = []

    async def routine(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        if dpc.runs == 1:
            results.append(k.KeInsertQueueDpc(dpc))   # while the routine runs
        await k.execute(5 * US)

    dpc = k.KeInitializeDpc(routine)
    k.IoConnectInterruptEx(0, lambda i, c: None)
    sim.run(until=0)
    k.KeInsertQueueDpc(dpc)
    sim.run()
    assert results == [True]
    assert dpc.runs == 2


def test_isr_runs_several_times_before_the_dpc() -> None:
    """Rule (EvtInterruptDpc): the ISR might be called several times before the DPC runs."""
    sim, k = make(latency_ps=50 * US)
    queued: list[bool] = []
    copied: list[int] = []
    work = {"pending": 0}

    async def isr(intr: Any, ctx: Any) -> bool:
        work["pending"] += 1
        queued.append(k.KeInsertQueueDpc(dpc))
        return True

    async def routine(d: Any, ctx: Any, a1: Any, a2: Any) -> None:
        copied.append(work["pending"])     # handles all outstanding work
        work["pending"] = 0

    dpc = k.KeInitializeDpc(routine)
    k.IoConnectInterruptEx(7, isr)
    for t in range(5):
        sim.call_at(t * 10 * US, lambda: k.deliver_msi(7))
    sim.run()
    assert queued == [True, False, False, False, False]
    assert copied == [5]
    assert dpc.runs == 1


def test_isr_preempts_dpc_and_delays_it_by_its_run_time() -> None:
    """Rule: a device interrupt (DIRQL > 2) preempts an ordinary DPC on the same CPU."""
    costs = CpuCosts(isr_dispatch_ps=3 * US, isr_exit_ps=0, dpc_dispatch_ps=0, copy_ps_per_kib=0, per_chunk_ps=0)
    sim, k = make(latency_ps=0, costs=costs)
    ends: list[int] = []
    levels: list[Irql] = []

    async def isr(intr: Any, ctx: Any) -> bool:
        levels.append(k.irql)
        return True

    async def routine(d: Any, ctx: Any, a1: Any, a2: Any) -> None:
        await k.execute(10 * US)
        ends.append(k.now())

    dpc = k.KeInitializeDpc(routine)
    k.IoConnectInterruptEx(1, isr)
    sim.run(until=0)
    k.KeInsertQueueDpc(dpc)
    sim.call_at(4 * US, lambda: k.deliver_msi(1))
    sim.run()
    assert levels == [Irql.DIRQL]
    assert ends == [13 * US]            # 10 us of work + 3 us of ISR


def test_interrupt_waits_for_the_mmio_instruction_in_flight() -> None:
    """An interrupt is taken at an instruction boundary: after the DPC's MMIO read completes."""
    sim, k = make(latency_ps=0, mmio_ps=2 * US)
    isr_starts: list[int] = []

    async def isr(intr: Any, ctx: Any) -> bool:
        isr_starts.append(k.now())
        return True

    async def routine(d: Any, ctx: Any, a1: Any, a2: Any) -> None:
        await k.READ_REGISTER_ULONG(0)

    dpc = k.KeInitializeDpc(routine)
    k.IoConnectInterruptEx(1, isr)
    sim.run(until=0)
    k.KeInsertQueueDpc(dpc)
    sim.call_at(1 * US, lambda: k.deliver_msi(1))
    sim.run()
    assert isr_starts == [2 * US]


def test_one_interrupt_objects_isr_never_runs_twice_at_once_and_pending_collapses() -> None:
    """Rule: one interrupt object's ISR never runs on two CPUs at once; a message arriving while the
    same message is already pending at the CPU collapses into it (one IRR bit per vector)."""
    costs = CpuCosts(isr_dispatch_ps=5 * US, isr_exit_ps=0, dpc_dispatch_ps=0, copy_ps_per_kib=0, per_chunk_ps=0)
    sim, k = make(costs=costs)
    active = {"n": 0, "max": 0}

    async def isr(intr: Any, ctx: Any) -> bool:
        active["n"] += 1
        active["max"] = max(active["max"], active["n"])
        await k.execute(1 * US)
        active["n"] -= 1
        return True

    intr = k.IoConnectInterruptEx(3, isr)
    for t in (0, 1, 2, 3):                  # one running, one pending, two collapse
        sim.call_at(t * US, lambda: k.deliver_msi(3))
    sim.run()
    assert active["max"] == 1
    assert intr.isr_count == 2
    assert intr.collapsed == 2


def test_latency_spike_applies_once_to_first_dpc_queued_at_or_after_its_time() -> None:
    m = DpcLatencyModel(base_ps=2 * US, spikes=[LatencySpike(at_ps=100 * US, extra_ps=60_000 * US)])
    assert m.sample(99 * US) == 2 * US
    assert m.sample(100 * US) == 2 * US + 60_000 * US
    assert m.sample(200 * US) == 2 * US
    assert len(m.applied) == 1


def test_latency_jitter_is_reproducible_from_the_seed() -> None:
    a = [DpcLatencyModel(base_ps=0, jitter_ps=10 * US, seed=7).sample(0) for _ in range(1)]
    m1 = DpcLatencyModel(base_ps=0, jitter_ps=10 * US, seed=7)
    m2 = DpcLatencyModel(base_ps=0, jitter_ps=10 * US, seed=7)
    m3 = DpcLatencyModel(base_ps=0, jitter_ps=10 * US, seed=8)
    s1 = [m1.sample(0) for _ in range(20)]
    assert s1 == [m2.sample(0) for _ in range(20)]
    assert s1 != [m3.sample(0) for _ in range(20)]
    assert a[0] == s1[0]
    assert all(0 <= x <= 10 * US for x in s1)


def test_bad_latency_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="latency"):
        DpcLatencyModel(base_ps=-1)
    with pytest.raises(ValueError, match="negative"):
        DpcLatencyModel(spikes=[LatencySpike(at_ps=0, extra_ps=-5)])
