"""Multi-CPU rules of hostmodel.kernel (references.md, "Windows DPCs"), on the event simulator."""

from __future__ import annotations

from typing import Any

import pytest

from irqloop.hostmodel.eventsim import EventSim, EventSimPlatform
from irqloop.hostmodel.kernel import (KDPC_IMPORTANCE, CpuCosts, DpcWatchdogViolation, Irql, Kernel,
                                      KernelSettings)
from irqloop.hostmodel.latency import DpcLatencyModel

US = 1_000_000
TICK = 100 * US
NO_COST = CpuCosts(isr_dispatch_ps=0, isr_exit_ps=0, dpc_dispatch_ps=0, copy_ps_per_kib=0, per_chunk_ps=0,
                   spinlock_ps=0)
Low, Medium, High, MediumHigh = (KDPC_IMPORTANCE.LowImportance, KDPC_IMPORTANCE.MediumImportance,
                                 KDPC_IMPORTANCE.HighImportance, KDPC_IMPORTANCE.MediumHighImportance)


def make(cpus: int = 4, **settings: Any) -> tuple[EventSim, Kernel]:
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=4096, mmio_ps=0), latency=DpcLatencyModel(base_ps=0),
               costs=NO_COST, settings=KernelSettings(cpus=cpus, clock_tick_ps=TICK, **settings))
    return sim, k


def recorder(k: Kernel, log: list[tuple[str, int, int]], work_ps: int = 0) -> Any:
    async def routine(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        log.append((dpc.name, k.KeGetCurrentProcessorNumber(), k.now()))
        await k.execute(work_ps)
    return routine


def insert_on(k: Kernel, cpu: int, *dpcs: Any) -> None:
    async def thread() -> None:
        for d in dpcs:
            k.KeInsertQueueDpc(d)
    k.run_on(cpu, thread())


def test_high_importance_goes_to_the_head_others_to_the_tail() -> None:
    """Rule: Low, Medium and MediumHigh are inserted at the queue's tail, High at its head."""
    sim, k = make()
    log: list[tuple[str, int, int]] = []
    blocker = k.KeInitializeDpc(recorder(k, log, 10 * US), name="blocker")
    dpcs = {n: k.KeInitializeDpc(recorder(k, log), name=n) for n in ("m1", "mh", "hi", "m2")}
    k.KeSetImportanceDpc(dpcs["mh"], MediumHigh)
    k.KeSetImportanceDpc(dpcs["hi"], High)
    insert_on(k, 0, blocker)
    sim.run(until=1 * US)                        # blocker runs; the rest queue behind it
    insert_on(k, 0, dpcs["m1"], dpcs["mh"], dpcs["hi"], dpcs["m2"])
    sim.run()
    assert [name for name, _, _ in log] == ["blocker", "hi", "m1", "mh", "m2"]


def test_dpc_runs_on_the_cpu_that_queued_it_unless_targeted() -> None:
    """Rule: by default a DPC runs on the CPU that queued it; KeSetTargetProcessorDpc picks the queue."""
    sim, k = make()
    log: list[tuple[str, int, int]] = []
    a = k.KeInitializeDpc(recorder(k, log), name="a")
    b = k.KeInitializeDpc(recorder(k, log), name="b")
    k.KeSetTargetProcessorDpc(b, 3)
    k.KeSetImportanceDpc(b, High)               # starts at once even on another CPU
    insert_on(k, 2, a, b)
    sim.run()
    assert sorted((n, c) for n, c, _ in log) == [("a", 2), ("b", 3)]


def test_medium_dpc_for_another_cpu_waits_for_that_cpus_clock_tick() -> None:
    """Rule: Medium starts queue processing at once only on the current CPU; MediumHigh and High
    start it at once even on another CPU."""
    sim, k = make()
    log: list[tuple[str, int, int]] = []
    local = k.KeInitializeDpc(recorder(k, log), name="local")
    remote = {imp: k.KeInitializeDpc(recorder(k, log), name=imp.name) for imp in (Medium, MediumHigh, High)}
    for imp, d in remote.items():
        k.KeSetImportanceDpc(d, imp)
        k.KeSetTargetProcessorDpc(d, 1 + list(remote).index(imp))
    sim.call_at(5 * US, lambda: insert_on(k, 0, local, *remote.values()))
    sim.run()
    start = {n: t for n, _, t in log}
    assert start["local"] == 5 * US
    assert start["MediumHighImportance"] == 5 * US and start["HighImportance"] == 5 * US
    assert start["MediumImportance"] == TICK


def test_low_importance_waits_unless_the_queue_is_deep_or_the_rate_low() -> None:
    """Rule: Low waits for the tick unless the queue is deep or the DPC rate is low
    (ReactOS defaults: maximum depth 4, minimum rate 3 per tick; settings here)."""
    sim, k = make(minimum_dpc_rate=0)            # a "busy" CPU: the low-rate exception never applies
    log: list[tuple[str, int, int]] = []
    lows = [k.KeInitializeDpc(recorder(k, log), name=f"low{i}") for i in range(4)]
    for d in lows:
        k.KeSetImportanceDpc(d, Low)
    sim.call_at(5 * US, lambda: insert_on(k, 0, lows[0]))
    sim.run(until=50 * US)
    assert log == []                             # waits for the tick
    insert_on(k, 0, *lows[1:])                   # the 4th makes the queue deep: processed at once
    sim.run(until=60 * US)
    assert [n for n, _, _ in log] == ["low0", "low1", "low2", "low3"] and log[0][2] == 50 * US

    sim2, k2 = make()                            # default minimum rate 3: an idle CPU runs Low at once
    log2: list[tuple[str, int, int]] = []
    d = k2.KeInitializeDpc(recorder(k2, log2), name="low")
    k2.KeSetImportanceDpc(d, Low)
    sim2.call_at(5 * US, lambda: insert_on(k2, 0, d))
    sim2.run()
    assert log2 == [("low", 0, 5 * US)]


def test_second_run_starts_on_another_cpu_while_the_first_still_runs() -> None:
    """Rule: a DPC is queueable once dequeued, so a second run can start on another CPU while the
    first runs (WdfInterruptQueueDpcForIsr: it "might even run before the first one completes")."""
    sim, k = make()
    log: list[tuple[str, int, int]] = []
    d = k.KeInitializeDpc(recorder(k, log, 20 * US), name="d")
    insert_on(k, 0, d)
    sim.call_at(5 * US, lambda: insert_on(k, 1, d))
    sim.run()
    assert log == [("d", 0, 0), ("d", 1, 5 * US)]
    assert d.max_concurrent == 2 and d.runs == 2


def test_target_processor_has_no_effect_on_a_queued_dpc() -> None:
    """Rule: KeSetTargetProcessorDpc has no effect on a DPC that is already queued."""
    sim, k = make(minimum_dpc_rate=0)
    log: list[tuple[str, int, int]] = []
    d = k.KeInitializeDpc(recorder(k, log), name="d")
    k.KeSetImportanceDpc(d, Low)                 # stays queued until the tick
    insert_on(k, 2, d)
    sim.run(until=1 * US)
    k.KeSetTargetProcessorDpc(d, 3)
    sim.run()
    assert log == [("d", 2, TICK)]


def test_interrupt_spin_lock_keeps_the_isr_off_every_cpu_and_records_hold_times() -> None:
    """Rule: the interrupt spin lock raises to DIRQL and is the lock the ISR runs under: the ISR
    cannot run while it is held, on any CPU."""
    sim, k = make()
    isr_at: list[tuple[int, int]] = []
    levels: list[Irql] = []

    async def isr(intr: Any, ctx: Any) -> bool:
        isr_at.append((k.KeGetCurrentProcessorNumber(), k.now()))
        return True

    intr = k.IoConnectInterruptEx(9, isr, affinity=(1,))

    async def dpc_routine(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        old = await k.KeAcquireInterruptSpinLock(intr)
        levels.append(k.irql)
        await k.execute(30 * US)
        await k.KeReleaseInterruptSpinLock(intr, old)

    d = k.KeInitializeDpc(dpc_routine, name="d")
    insert_on(k, 0, d)
    sim.call_at(10 * US, lambda: k.deliver_msi(9))
    sim.run()
    assert levels == [Irql.DIRQL]
    assert isr_at == [(1, 30 * US)]              # CPU 1 spun until CPU 0 released the lock
    assert intr.SpinLock.holds_ps[0] == 30 * US
    assert intr.SpinLock.waits_ps[-1] == 20 * US


def test_one_interrupt_objects_isr_never_runs_on_two_cpus_at_once() -> None:
    """Rule: the system holds the interrupt object's spin lock around its ISR."""
    costs = CpuCosts(isr_dispatch_ps=0, isr_exit_ps=0, dpc_dispatch_ps=0, spinlock_ps=0)
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=4096), latency=DpcLatencyModel(base_ps=0), costs=costs,
               settings=KernelSettings(cpus=2))
    spans: list[tuple[int, int, int]] = []

    async def isr(intr: Any, ctx: Any) -> bool:
        t0 = k.now()
        await k.execute(10 * US)
        spans.append((k.KeGetCurrentProcessorNumber(), t0, k.now()))
        return True

    k.IoConnectInterruptEx(4, isr, affinity=(0, 1))      # delivered to CPU 0, 1, 0, ... in turn
    sim.call_at(0, lambda: k.deliver_msi(4))
    sim.call_at(1 * US, lambda: k.deliver_msi(4))
    sim.run()
    assert spans == [(0, 0, 10 * US), (1, 10 * US, 20 * US)]


def test_watchdog_guidance_warnings_and_violations() -> None:
    """Rule (bug check 0x133): parameter 1 = 0 for one DPC or ISR over its allotment, 1 for
    cumulative time at DISPATCH_LEVEL or above; guidance: DPC < 100 us, ISR < 25 us."""
    sim, k = make(dpc_watchdog_single_ps=150 * US, dpc_watchdog_cumulative_ps=250 * US)
    log: list[tuple[str, int, int]] = []
    long_dpc = k.KeInitializeDpc(recorder(k, log, 120 * US), name="long")
    longer = k.KeInitializeDpc(recorder(k, log, 160 * US), name="longer")
    insert_on(k, 0, long_dpc, longer)            # one drain: 280 us at DISPATCH_LEVEL
    sim.run()
    assert any("DPC long ran 120.0 us (> 100 us guidance)" in w for w in k.warnings)
    params = [v.parameter1 for v in k.violations]
    assert params == [0, 1]
    assert isinstance(k.violations[0], DpcWatchdogViolation)
    assert "longer ran 160.0 us" in str(k.violations[0]) and "280.0 us" in str(k.violations[1])


def test_bad_kernel_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one CPU"):
        make(cpus=0)
    sim, k = make(cpus=2)
    with pytest.raises(ValueError, match=r"CPUs outside 0\.\.1"):
        k.IoConnectInterruptEx(1, lambda i, c: None, affinity=(2,))
    with pytest.raises(ValueError, match="CPU 5 does not exist"):
        k.KeSetTargetProcessorDpc(k.KeInitializeDpc(recorder(k, [])), 5)
    sim.run()


def test_interlocked_list_holds_interrupts_off_on_the_calling_cpu() -> None:
    """Rule (ExInterlockedInsertTailList, as ReactOS implements it): interrupts are disabled on the
    caller's CPU while the list's spin lock is held; an interrupt arriving then waits."""
    costs = CpuCosts(isr_dispatch_ps=0, isr_exit_ps=0, dpc_dispatch_ps=0, spinlock_ps=0,
                     interlocked_list_ps=3 * US)
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=4096), latency=DpcLatencyModel(base_ps=0), costs=costs,
               settings=KernelSettings(cpus=2))
    from irqloop.hostmodel.kernel import INTERLOCKED_LIST
    head = INTERLOCKED_LIST("work")
    isr_at: list[int] = []

    async def isr(intr: Any, ctx: Any) -> bool:
        isr_at.append(k.now())
        await k.ExInterlockedInsertTailList(head, "from-isr")
        return True

    k.IoConnectInterruptEx(1, isr, affinity=(0,))
    got: list[Any] = []

    async def dpc_routine(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        got.append(await k.ExInterlockedRemoveHeadList(head))
        got.append(await k.ExInterlockedRemoveHeadList(head))

    d = k.KeInitializeDpc(dpc_routine)
    head.items.append("first")
    insert_on(k, 0, d)
    sim.call_at(1 * US, lambda: k.deliver_msi(1))
    sim.run()
    assert isr_at == [3 * US]                   # held off until the first removal finished
    assert got == ["first", "from-isr"]
    assert head.interrupts_off_ps == [3 * US, 3 * US, 3 * US]


def test_interlocked_or_returns_the_old_value_and_exchange_takes_all() -> None:
    """Rule (InterlockedOr): atomic *p |= v returning the old value: a lock-free pending bitmap."""
    sim, k = make()
    from irqloop.hostmodel.kernel import LONG
    bitmap = LONG()
    out: list[int] = []

    async def thread() -> None:
        out.append(await k.InterlockedOr(bitmap, 1 << 3))
        out.append(await k.InterlockedOr(bitmap, 1 << 5))
        out.append(await k.InterlockedExchange(bitmap, 0))

    k.run_on(1, thread())
    sim.run()
    assert out == [0, 1 << 3, (1 << 3) | (1 << 5)] and bitmap.value == 0 and bitmap.operations == 3
