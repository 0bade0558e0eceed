"""End-to-end runs of the RTL completion queues against a completion-queue driver (cocotb side).

One call of :func:`run_cq` resets the device, sets up the traffic generator (the stimulus), has
a driver strategy (hostmodel/strategies.py) on a fresh host model start the device as KMDF
would (:func:`hostmodel.pnp.start_device`: the PCI bus, :class:`hostmodel.pci.MsixPciBus`,
programs the MSI-X table; the driver its queues, interrupt moderation and mapping table, all
through real AXI4-Lite MMIO), starts the generator, and lets the driver consume the completions
until all are consumed, the stream stalls (watchdog) or a deadline passes. Several strategies
run one after the other in one simulation on the same traffic and seed (the device is reset in
between).
"""

from __future__ import annotations

import time
from dataclasses import asdict
from typing import Any, Callable, Optional

from cocotb.triggers import RisingEdge, Timer

from irqloop.hostmodel import metrics
from irqloop.hostmodel.interference import InterferenceSource, start_interference
from irqloop.hostmodel.kernel import Kernel, KernelSettings, TraceEvent
from irqloop.hostmodel.latency import DpcLatencyModel, LatencySpike
from irqloop.hostmodel.pci import MsixPciBus
from irqloop.hostmodel.pnp import start_device
from irqloop.hostmodel.profiles import HostProfile
from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.strategies import DRIVERS, CompletionQueueDriver, CqLayout
from irqloop.tb.board import CLOCK_PS, CQ_AREA, MSI_ADDR, US
from irqloop.tb.models.cq_scoreboard import CqScoreboard
from irqloop.tb.models.msi_faults import MsiFaultInjector, parse_faults
from irqloop.tb.plans import CqSetup
from irqloop.tb.run_request import current
from irqloop.tb.sim.cocotb_platform import CocotbPlatform
from irqloop.tb.sim.e2e import reset
from irqloop.tb.sim.timeline import TIMELINE

MESSAGE_BASE = 0x100                 #: queue q's MSI-X message data is MESSAGE_BASE + q
HW_COUNTERS = ("CNT_CQ_ENTRY", "CNT_IRQS", "CNT_COALESCED", "CNT_COAL_THR", "CNT_COAL_TIME", "CNT_CQ_STALL",
               "CNT_DB_ERROR", "CQ_FULL")


def vector_of(setup: CqSetup, q: int) -> int:
    return setup.vector_of[q] if setup.vector_of else REG.bit("VEC_CQ0") + q


def rtl_layout(setup: CqSetup) -> CqLayout:
    """The RTL device as the strategies reach it (its register map), where its queues are, and
    the interrupt moderation the setup asks the driver to set."""
    def arm(q: int, vector: int, on: bool) -> tuple[int, int]:
        return REG.array("CQ", q, "IV"), REG.pack("CQ_IV", VECTOR=vector, IEN=int(on))

    def queue_registers(q: int) -> tuple[int, int, int]:
        return REG.array("CQ", q, "BASE_LO"), REG.array("CQ", q, "BASE_HI"), REG.array("CQ", q, "SIZE")

    def moderation_registers(vector: int) -> tuple[int, int]:
        return REG.array("IV", vector, "COAL"), REG.array("IV", vector, "RATE")

    def settings_refused(status: int) -> bool:
        return bool(REG.unpack("STATUS", status)["CFG_ERROR"])

    heads = [REG.array("CQ", q, "HEAD") for q in range(setup.queues)]     # rung after every drain
    return CqLayout(bases=[CQ_AREA + q * setup.entries * 16 for q in range(setup.queues)], entries=setup.entries,
                    doorbell=heads.__getitem__, arm=arm, flush_reg=REG.ID,
                    queue_registers=queue_registers, moderation_registers=moderation_registers,
                    coalescing={int(v): value for v, value in setup.coal.items()},
                    rate={int(v): value for v, value in setup.rate.items()},
                    status_register=REG.STATUS, settings_refused=settings_refused,
                    entry_read_ps=setup.entry_read_ps, per_completion_ps=setup.per_completion_ps,
                    dpc_cpu=setup.dpc_cpu)


def rtl_bus(k: Kernel, setup: CqSetup) -> MsixPciBus:
    """The platform's side of the device's interrupts: queue q on its vector, its message (data
    MESSAGE_BASE + q) delivered to CPU q mod cpus, or every message to the setup's irq_cpu."""
    return MsixPciBus(k, [vector_of(setup, q) for q in range(setup.queues)],
                      cpu_of_queue=[q % setup.cpus if setup.irq_cpu is None else setup.irq_cpu
                                    for q in range(setup.queues)],
                      msi_address=MSI_ADDR, first_data=MESSAGE_BASE)


class MessageRouter:
    """The MSI monitor of a simulation lives across runs; each run's kernel takes the messages."""

    def __init__(self) -> None:
        self.target: Optional[Callable[[int], None]] = None

    def __call__(self, data: int) -> None:
        if self.target is not None:
            self.target(data)


class PollMonitor:
    """What the NAPI-style drivers log about their polling (``Kernel.trace_consumers``): when a
    DPC stayed in polling mode, and per queue the last time a DPC run started looking at it and
    the last time a DPC enabled its interrupt again. Other drivers log none of it."""

    def __init__(self) -> None:
        self.requeued_at_ps: list[int] = []
        self.last_check_ps: dict[int, int] = {}
        self.rearmed_at_ps: dict[int, int] = {}

    def consume(self, event: TraceEvent) -> None:
        if event.kind == "poll_requeued":
            self.requeued_at_ps.append(event.t_ps)
        elif event.kind == "poll_checked":
            self.last_check_ps[event.info["queue"]] = event.t_ps
        elif event.kind == "interrupt_rearmed":
            self.rearmed_at_ps[event.info["queue"]] = event.t_ps


async def configure_traffic(k: Kernel, setup: CqSetup) -> None:
    """The testbench's stimulus: each queue's burst period and size, the completions per queue and
    the error injection of the device's traffic generator, which stays stopped until TG_CTRL.

    Written before the driver brings the device up, as one batch with its bring-up writes: the
    generator's registers act only once it runs, so where they sit among the bring-up writes
    does not matter to the device, and the bus sees the same writes before the driver's STATUS read."""
    w = k.WRITE_REGISTER_ULONG
    for q in range(setup.queues):
        await w(REG.array("CQ", q, "TG_PERIOD"), setup.period_cycles[q])
        await w(REG.array("CQ", q, "TG_BURST"), setup.burst[q])
    await w(REG.TG_LIMIT, setup.per_queue)
    await w(REG.TG_ERR_EVERY, setup.err_every)


async def run_cq(dut: Any, platform: CocotbPlatform, router: MessageRouter, setup: CqSetup, strategy: str,
                 seed: int, driver_factory: Optional[Callable[[Kernel, CqLayout], CompletionQueueDriver]] = None
                 ) -> dict[str, Any]:
    """One strategy on the setup's traffic; returns the observation (JSON-ready)."""
    platform.reset_host()
    await reset(dut)
    latency = DpcLatencyModel(base_ps=setup.dpc_latency_ps, jitter_ps=setup.jitter_ps, seed=seed)
    profile = HostProfile.from_json(setup.profile) if setup.profile is not None else None
    k = Kernel(platform, latency=latency, settings=KernelSettings(cpus=setup.cpus), profile=profile)
    layout = rtl_layout(setup)
    bus = rtl_bus(k, setup)
    drv = driver_factory(k, layout) if driver_factory else DRIVERS[strategy](k, layout)
    sb = CqScoreboard(list(range(setup.queues)), dict(enumerate(setup.period_cycles)), dict(enumerate(setup.burst)),
                      setup.per_queue, CLOCK_PS, errors_possible=setup.err_every > 0,
                      burst_phases=[tuple(x) for x in setup.burst_phases])
    polls = PollMonitor()
    k.trace_consumers += [sb.consume, polls.consume]    # they judge and watch what the driver logs
    faults = MsiFaultInjector(parse_faults(setup.msi_faults), seed, vector_of=lambda data: data - bus.first_data)
    router.target = k.deliver_msi
    platform.spawn(platform.msi_monitor(router, faults))
    if current().waves:     # the driver's activity in the waveform
        from irqloop.tb.sim.probe import HostActivityProbe
        HostActivityProbe(dut.u_act, k).refresh()

    await configure_traffic(k, setup)
    await start_device(bus, drv)
    tg = dut.dut.u_tg
    await k.WRITE_REGISTER_ULONG(REG.TG_CTRL, 1)
    await RisingEdge(tg.run_d)
    t0 = platform.now_ps()                     # the edge at which the generator starts (its cycle 0)
    sb.start_ps = t0
    for at, extra in setup.spikes:
        latency.add_spike(LatencySpike(at_ps=t0 + at, extra_ps=extra))
    last_due = max(sb.due_ps(q, setup.per_queue - 1) for q in range(setup.queues))
    if setup.interference:
        start_interference(k, [InterferenceSource(**src) for src in setup.interference], seed, until_ps=last_due)
    if setup.burst_phases:
        platform.spawn(_burst_phases(k, setup, t0))

    poll_ps = 20 * US
    deadline = last_due + 4 * setup.watchdog_ps + max((e for _, e in setup.spikes), default=0)
    watchdog: Optional[dict[str, Any]] = None      # the first queue found stalled
    stalled: dict[int, int] = {}
    wall0 = time.perf_counter()
    while True:
        await Timer(poll_ps, unit="ps")
        now = platform.now_ps()
        if sb.consumed() >= sb.expected_total() and k.idle():
            break
        # a queue whose oldest unconsumed completion has been due for watchdog_ps is stalled
        waiting = {q: sb.due_ps(q, sb.next_index[q]) for q in range(setup.queues) if sb.next_index[q] < setup.per_queue}
        for q, due in waiting.items():
            if now - due >= setup.watchdog_ps and q not in stalled:
                stalled[q] = now
                if watchdog is None:
                    last = sb.consumed_at_ps[q][-1] if sb.consumed_at_ps[q] else None
                    watchdog = {"queue": q, "fired_ps": now, "due_ps": due, "index": sb.next_index[q],
                                "last_consumed_ps": last}
        if waiting and all(now - due >= setup.watchdog_ps for due in waiting.values()) and now > last_due:
            break                                   # nothing left that can still progress
        if now > deadline:
            break
    wall = time.perf_counter() - wall0
    end_ps = platform.now_ps()
    unfinished = k.unfinished_routines()         # before the tasks are cancelled
    router.target = None
    hw = {name: await platform.mmio_read(getattr(REG, name)) for name in HW_COUNTERS}
    hw["tail"] = [await platform.mmio_read(REG.array("CQ", q, "TAIL")) for q in range(setup.queues)]
    hw["head"] = [await platform.mmio_read(REG.array("CQ", q, "HEAD")) for q in range(setup.queues)]
    platform.cancel_tasks()

    res = sb.result()
    late = sum(1 for lat in sb.latencies_ps if lat > setup.late_ps)
    intr_locks = {id(lk): lk for lk in drv.locks} | {id(i.SpinLock): i.SpinLock for i in drv.interrupts
                                                      if i.SpinLock.holds_ps}
    m = metrics.collect(k, end_ps - t0, dpcs=drv.dpcs, locks=list(intr_locks.values()),
                        completion_latencies_ps=sb.latencies_ps, per_dpc_run=drv.per_dpc_run,
                        extra={"lost": res["lost"], "late": late, "strategy": strategy})
    chain = explain_first_missing(sb, k, polls, bus, faults, setup, hw) if res["lost"] else []
    spans = metrics.run_spans(k)                # for the trace file and the observation's timeline
    TIMELINE.add_run(f"{strategy} ({setup.queues} queues)", k, spans=spans)
    observed = {
        "strategy": strategy,
        # loss: completions never consumed (or wrong); stall: all consumed, but a queue waited
        # watchdog_ps or more for its driver at least once; clean: neither
        "outcome": "loss" if res["lost"] or res["divergences"] else ("stall" if watchdog else "clean"),
        "start_ps": t0,
        "end_ps": end_ps,
        "watchdog": watchdog,
        "stalled_queues": sorted(stalled),
        "scoreboard": res,
        "late": late,
        "hardware": hw,
        "metrics": m,
        "msi_faults": [asdict(r) for r in faults.log],
        "msi_delivered": sum(1 for e in k.trace if e.kind == "msi"),
        "chain": chain,
        "latencies_us": [round(x / 1e6, 3) for x in sb.latencies_ps],
        "consumed_us": sorted(round((t - t0) / 1e6, 3) for ts in sb.consumed_at_ps.values() for t in ts),
        "timeline": timeline(spans, t0),
        "unknown_messages": k.unknown_messages,
        "warnings": k.warnings[:10],
        "polls_requeued": len(polls.requeued_at_ps),
        "poll_requeues_us": [round((t - t0) / 1e6, 3) for t in polls.requeued_at_ps],
        "mmio_transactions": platform.mmio_transactions,
        "timing": {"wall_s": wall, "cycles": (end_ps - t0) // CLOCK_PS},
    }
    if k.caches is not None:
        # under a host profile: how the shared lines' accesses went, and the DPCs' own CPU time
        # (their run times include the ISRs that preempted them, which the ISR time counts too)
        observed["caches"] = asdict(k.caches.stats)
        observed["dpc_own_cpu_us"] = round(sum(d.own_run_ps for d in drv.dpcs) / 1e6, 3)
    if unfinished:      # only when there are some: runs whose routines all returned keep their observations
        observed["unfinished_routines"] = unfinished
    return observed


async def _burst_phases(k: Kernel, setup: CqSetup, t0: int) -> None:
    """Change every queue's burst size for the bursts from number b on. The generator reads
    TG_BURST at each burst, so the write is issued half a period before burst b: it lands long
    before that burst and long after the one before, and the schedule stays exact."""
    period_ps = setup.period_cycles[0] * CLOCK_PS
    for b, size in setup.burst_phases:
        at = t0 + b * period_ps - period_ps // 2
        if at > k.now():
            await k.platform.sleep(at - k.now())
        for q in range(setup.queues):
            await k.WRITE_REGISTER_ULONG(REG.array("CQ", q, "TG_BURST"), size)


def timeline(spans: list[metrics.RunSpan], t0: int, limit: int = 20000) -> list[list[Any]]:
    """ISR and DPC runs per CPU (``metrics.run_spans``) as [cpu, kind, start_us, end_us] (for the
    per-CPU timeline plot)."""
    return [[s.cpu, s.kind, round((s.start_ps - t0) / 1e6, 3), round((s.end_ps - t0) / 1e6, 3)]
            for s in spans[:limit]]


def explain_first_missing(sb: CqScoreboard, k: Kernel, polls: PollMonitor, bus: MsixPciBus,
                          faults: MsiFaultInjector, setup: CqSetup, hw: dict[str, Any]) -> list[str]:
    """The chain of events behind the earliest completion that never reached the driver."""
    fm = sb.first_missing()
    if fm is None:
        return []
    q, n = fm
    due = sb.due_ps(q, n)
    t0 = sb.start_ps
    rel = lambda ps: f"{(ps - t0) / 1e6:.3f} us (stream cycle {(ps - t0) // CLOCK_PS})"  # noqa: E731
    msg = bus.message_of_queue(q).data
    out = [f"queue {q} completion #{n} (slot {n % setup.entries}) was due at {rel(due)}; the driver never consumed it"]
    written = (hw["tail"][q] - hw["head"][q]) % setup.entries
    out.append(f"at the end the device's queue {q} holds {written} unconsumed entries (HEAD {hw['head'][q]}, "
               f"TAIL {hw['tail'][q]}); {sb.limit - n} completions of it never reached the driver")
    consumed = sb.consumed_at_ps[q]
    if consumed:
        out.append(f"the driver last consumed from queue {q} at {rel(consumed[-1])} (completion #{n - 1})")
    checked, armed = polls.last_check_ps.get(q), polls.rearmed_at_ps.get(q)
    if checked is not None and armed is not None and armed >= checked:
        inside = checked <= due <= armed + 1 * US
        out.append(f"the DPC of queue {q} last looked at it at {rel(checked)} and enabled its interrupt (IEN) at "
                   f"{rel(armed)}" + ("; the completion was due in between: it landed while IEN was off, so the "
                                       "device never signalled it (lost wakeup)" if inside else ""))
    msis = [e.t_ps for e in k.trace if e.kind == "msi" and e.info["message"] == msg]
    after = [t for t in msis if t >= due]
    before = [t for t in msis if t < due]
    if before:
        out.append(f"message {msg:#x} (vector {bus.vector_of_queue[q]}) last reached the CPU before it at "
                   f"{rel(before[-1])}")
    out.append(f"after it was due, message {msg:#x} reached the CPU {len(after)} times"
               + (f", first at {rel(after[0])}" if after else ""))
    dropped = [r for r in faults.log if r.data == msg and r.time_ps >= due - 10 * US]
    for r in dropped[:3]:
        out.append(f"fault injection at {rel(r.time_ps)}: {r.action} of message {r.data:#x}")
    ends = [e for e in k.trace if e.kind == "dpc_end" and e.t_ps >= due]
    starts = [e for e in k.trace if e.kind == "dpc_start" and e.t_ps >= due]
    if starts:
        out.append(f"DPCs ran {len(starts)} times after it was due (first: {starts[0].info['dpc']} on CPU "
                   f"{starts[0].info['cpu']} at {rel(starts[0].t_ps)}, latency "
                   f"{starts[0].info['latency_ps'] / 1e6:.3f} us); none of them took it")
    elif not ends:
        out.append("no DPC ran after it was due")
    return out
