"""A model of the Windows kernel's interrupt path: CPUs, IRQL, ISRs, DPC queues.

Names follow the Windows documentation so a driver writer recognises them. The semantics
modelled here come from ../shared/references.md; each is named by a unit test
(tests/test_kernel.py):

- ``KeInsertQueueDpc`` returns False and does nothing if the DPC object is already queued; one
  DPC object is in at most one queue.
- A DPC is dequeued just before its routine runs; from then on it can be queued again, so a
  second run can start on another CPU while the first still runs.
- Importance: High goes to the head of the queue, the others to the tail. Queue processing starts
  at once for Medium, MediumHigh and High on the current CPU and for MediumHigh and High on
  another CPU; a Medium DPC for another CPU, and a Low one, wait for that CPU's next clock tick
  unless its queue is deep or its DPC request rate is low (ReactOS thresholds: settings).
- ``KeSetTargetProcessorDpc`` chooses the queue; by default the DPC runs on the CPU that queued it.
- The current CPU (``KeGetCurrentProcessorNumber``, and the default target of a DPC) is the CPU
  whose ISR task, DPC dispatcher task or ``run_on`` thread is running.
- An ISR runs at DIRQL and preempts DPC-level work on its CPU, delaying it by exactly the ISR's
  run time. An interrupt arriving during an MMIO read, or while the CPU holds an interrupt spin
  lock or has interrupts disabled, is taken when that ends. One interrupt object's ISR never runs
  on two CPUs at once (the system holds its spin lock around the ISR); a message that arrives
  while the same message is already pending at the CPU collapses into it (one IRR bit).
- MMIO writes are posted: the CPU does not wait for them. A read waits for its completion, which
  the bus delivers after every earlier write (PCIe ordering).
- Run-time accounting against the DPC watchdog: per DPC and ISR run, and each CPU's contiguous
  time at DISPATCH_LEVEL or above, with warnings at the 100 us / 25 us guidance and a
  ``DpcWatchdogViolation`` at configurable limits.

Driver code must await only kernel services (``READ_REGISTER_ULONG``, ``execute``,
``KeAcquireInterruptSpinLock`` ...) so that preemption is accounted for.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import IntEnum
from typing import Any, Awaitable, Callable, Coroutine, Optional

from irqloop.hostmodel.caches import CacheModel
from irqloop.hostmodel.latency import DpcLatencyModel
from irqloop.hostmodel.platform import Platform
from irqloop.hostmodel.profiles import HostProfile


class Irql(IntEnum):
    PASSIVE_LEVEL = 0
    APC_LEVEL = 1
    DISPATCH_LEVEL = 2
    DIRQL = 5   #: the device's interrupt level


class KDPC_IMPORTANCE(IntEnum):
    LowImportance = 0
    MediumImportance = 1
    HighImportance = 2
    MediumHighImportance = 3


#: guidance from the DPC_WATCHDOG_VIOLATION (0x133) page
DPC_GUIDANCE_PS = 100_000_000
ISR_GUIDANCE_PS = 25_000_000


class DpcWatchdogViolation(RuntimeError):
    """Bug check 0x133. Parameter1 = 0: one DPC or ISR over its allotment; 1: cumulative time at
    DISPATCH_LEVEL or above on one CPU over its allotment."""

    def __init__(self, parameter1: int, what: str) -> None:
        super().__init__(f"DPC_WATCHDOG_VIOLATION (0x133), parameter 1 = {parameter1}: {what}")
        self.parameter1 = parameter1


@dataclass
class CpuCosts:
    """Time the CPU spends, in picoseconds; MMIO costs what the bus takes. Without a host profile
    (the ``fixed`` one) locks, interlocked operations and memory reads cost these constants
    whatever the state; with one (:mod:`hostmodel.profiles`), they follow the state of their cache
    lines (:mod:`hostmodel.caches`) and interrupt entry, exit and the MMIO round trip come from
    the profile."""
    isr_dispatch_ps: int = 500_000      #: interrupt entry: vectoring and the kernel's ISR wrapper
    isr_exit_ps: int = 200_000          #: EOI and return (charged with the entry, before the routine)
    dpc_dispatch_ps: int = 300_000      #: the dispatcher's call into the DPC routine
    copy_ps_per_kib: int = 100_000      #: memcpy at ~10 GB/s
    per_chunk_ps: int = 50_000          #: driver bookkeeping per chunk
    spinlock_ps: int = 40_000           #: acquire or release of an uncontended spin lock
    interlocked_list_ps: int = 100_000  #: ExInterlocked*List: interrupts off, lock, two pointers
    interlocked_op_ps: int = 20_000     #: InterlockedOr / InterlockedExchange on one cache line
    #: what a register read costs beyond the simulated bus: the PCIe link's non-posted round trip
    #: (root complex, switches, the link itself), which the RTL testbench does not model; 0 by
    #: default, ~1 us on real machines
    mmio_read_extra_ps: int = 0

    def copy_ps(self, nbytes: int) -> int:
        """memcpy of ``nbytes``; cumulative, so the pieces of a copy add up to the whole copy."""
        return nbytes * self.copy_ps_per_kib // 1024

    def chunk_copy_ps(self, slot_bytes: int) -> int:
        """What a DPC spends on one chunk: the copy of its slot and the per-chunk bookkeeping."""
        return self.copy_ps(slot_bytes) + self.per_chunk_ps


@dataclass
class KernelSettings:
    """Undocumented or machine-specific numbers (ReactOS defaults where Windows documents none)."""
    cpus: int = 4
    clock_tick_ps: int = 15_625_000_000          #: 15.625 ms, the default timer resolution
    maximum_dpc_queue_depth: int = 4             #: ReactOS KiMaximumDpcQueueDepth
    minimum_dpc_rate: int = 3                    #: ReactOS KiMinimumDpcRate (requests per tick)
    dpc_watchdog_single_ps: Optional[int] = None       #: limit of one DPC or ISR run (None: off)
    dpc_watchdog_cumulative_ps: Optional[int] = None   #: limit of contiguous time >= DISPATCH


@dataclass(slots=True)
class TraceEvent:
    t_ps: int
    kind: str
    info: dict[str, Any] = field(default_factory=dict)


@dataclass(eq=False)
class INTERLOCKED_LIST:
    """A LIST_ENTRY head used with ExInterlocked*List and its spin lock."""
    name: str = "list"
    items: list[Any] = field(default_factory=list)
    lock: KSPIN_LOCK = field(default_factory=lambda: KSPIN_LOCK("list"))
    interrupts_off_ps: list[int] = field(default_factory=list)   #: per operation, on its CPU


@dataclass(eq=False)
class LONG:
    """A 32-bit variable for the Interlocked* functions."""
    value: int = 0
    operations: int = 0


DeferredRoutine = Callable[["KDPC", Any, Any, Any], Awaitable[None]]
ServiceRoutine = Callable[["KINTERRUPT", Any], Awaitable[bool]]


@dataclass(eq=False)
class KDPC:
    DeferredRoutine: DeferredRoutine
    DeferredContext: Any = None
    name: str = "dpc"
    Importance: KDPC_IMPORTANCE = KDPC_IMPORTANCE.MediumImportance
    target_cpu: Optional[int] = None    #: KeSetTargetProcessorDpc; None: the CPU that queues it
    SystemArgument1: Any = None
    SystemArgument2: Any = None
    inserted: bool = False              #: in a DPC queue now
    queued_cpu: Optional[int] = None
    queued_at_ps: int = 0
    insert_attempts: int = 0
    inserts: int = 0
    runs: int = 0
    running: int = 0                    #: routine invocations in progress (on any CPU)
    max_concurrent: int = 0
    latencies_ps: list[int] = field(default_factory=list)
    run_times_ps: list[int] = field(default_factory=list)
    own_run_ps: int = 0                 #: the runs' time without the ISRs that preempted them


@dataclass(eq=False)
class KSPIN_LOCK:
    """A spin lock with its hold and wait times recorded (picoseconds)."""
    name: str = "lock"
    owner: Optional[int] = None         #: CPU holding it
    acquired_at_ps: int = 0
    holds_ps: list[int] = field(default_factory=list)
    waits_ps: list[int] = field(default_factory=list)
    _free: Any = None                   #: platform event, set while the lock is free


@dataclass(eq=False)
class KINTERRUPT:
    ServiceRoutine: ServiceRoutine
    ServiceContext: Any
    MessageId: int
    name: str = "isr"
    affinity: tuple[int, ...] = (0,)    #: CPUs the message is delivered to, in turn
    SpinLock: KSPIN_LOCK = field(default_factory=lambda: KSPIN_LOCK("interrupt"))
    isr_count: int = 0
    not_claimed: int = 0
    collapsed: int = 0                  #: messages merged into one already pending at a CPU
    run_times_ps: list[int] = field(default_factory=list)
    _next: int = 0


@dataclass(eq=False)
class KTIMER:
    """A timer set with KeSetTimerEx: its DPC is queued at each expiry."""
    dpc: KDPC
    period_ps: int = 0
    expirations: int = 0
    cancelled: bool = False
    task: Any = None


class Cpu:
    """One processor: its DPC queue, the interrupt it is servicing, and what blocks interrupts."""

    def __init__(self, kernel: "Kernel", number: int) -> None:
        self.kernel = kernel
        self.number = number
        p = kernel.platform
        self.dpc_queue: list[KDPC] = []
        self.irr: list[KINTERRUPT] = []           # messages waiting for this CPU, in order
        self.isr_active: Optional[KINTERRUPT] = None
        self.dpc_active: Optional[KDPC] = None
        self.interrupts_blocked = 0               # MMIO read in flight, DIRQL lock held, cli
        self.dirql_raised = 0                     # interrupt spin locks held by DPC-level code
        self.dpc_requested = False
        self.draining = False                     # retiring its DPC queue (at DISPATCH_LEVEL)
        self._tick_armed: Optional[int] = None
        self.requests_this_tick = 0
        self.requests_last_tick = 0
        self.tick_index = 0
        self._queue_event = p.event()
        self._isr_idle = p.event()
        self._isr_idle.set()
        self._unblocked = p.event()
        self._unblocked.set()
        self._isr_start_ps = 0
        self._dpc_start_ps = 0
        self.isr_busy_ps = 0
        self.dispatch_or_above_ps = 0
        self._elevated_since: Optional[int] = None
        self.max_elevated_ps = 0

    @property
    def irql(self) -> Irql:
        if self.isr_active is not None or self.dirql_raised:
            return Irql.DIRQL
        if self.dpc_active is not None or self.draining:
            return Irql.DISPATCH_LEVEL
        return Irql.PASSIVE_LEVEL

    def isr_time_now(self) -> int:
        extra = self.kernel.now() - self._isr_start_ps if self.isr_active is not None else 0
        return self.isr_busy_ps + extra

    async def wait_isr_idle(self) -> None:
        while self.isr_active is not None:
            self._isr_idle.clear()
            await self._isr_idle.wait()

    # elevated-IRQL accounting for the cumulative watchdog
    def _enter_elevated(self) -> None:
        if self._elevated_since is None:
            self._elevated_since = self.kernel.now()

    def _leave_elevated(self) -> None:
        if self._elevated_since is None or self.isr_active is not None or self.dpc_active is not None \
                or self.draining or self.interrupts_blocked:
            return
        span = self.kernel.now() - self._elevated_since
        self._elevated_since = None
        self.dispatch_or_above_ps += span
        self.max_elevated_ps = max(self.max_elevated_ps, span)
        self.kernel._check_cumulative(self, span)


class Kernel:
    """The CPUs, their DPC queues and interrupt dispatch."""

    def __init__(self, platform: Platform, latency: Optional[DpcLatencyModel] = None,
                 costs: Optional[CpuCosts] = None, settings: Optional[KernelSettings] = None,
                 profile: Optional[HostProfile] = None) -> None:
        self.platform = platform
        self.latency = latency if latency is not None else DpcLatencyModel()
        self.costs = costs if costs is not None else CpuCosts()
        #: the state of shared cache lines when a host profile is chosen; None: the fixed costs
        self.caches: Optional[CacheModel] = None
        if profile is not None:
            self.caches = CacheModel(profile, platform.memory)
            self.costs = replace(self.costs, isr_dispatch_ps=profile.isr_entry_ps, isr_exit_ps=profile.isr_exit_ps,
                                 mmio_read_extra_ps=profile.mmio_read_ps)
        self.settings = settings if settings is not None else KernelSettings()
        if self.settings.cpus < 1:
            raise ValueError(f"cpus={self.settings.cpus}: a machine has at least one CPU")
        self.cpus = [Cpu(self, n) for n in range(self.settings.cpus)]
        # the CPU each running task belongs to: ISR tasks, each CPU's DPC dispatcher, run_on
        # threads. cocotb runs every task in one context (no contextvars), so the platform's
        # current task is the key.
        self._task_cpu: dict[int, Cpu] = {}
        self.trace: list[TraceEvent] = []
        #: called with each trace event as it is logged, like the consumers of an ETW real-time
        #: session: how a testbench observes drivers that never call it (scoreboards, monitors)
        self.trace_consumers: list[Callable[[TraceEvent], None]] = []
        self.warnings: list[str] = []
        self.violations: list[DpcWatchdogViolation] = []
        self._interrupts: dict[int, KINTERRUPT] = {}
        self.unknown_messages = 0
        self._started = False
        #: called with no arguments after every change of CPU, ISR, DPC or lock state (waveform probes)
        self.observers: list[Callable[[], None]] = []
        self.locks_seen: dict[int, KSPIN_LOCK] = {}    # every spin lock acquired so far
        #: the platform's clock in picoseconds (``now()``), bound once: the model's most frequent call
        self.now: Callable[[], int] = platform.now_ps

    # ---- time and context ----

    def log(self, kind: str, **info: Any) -> None:
        """A trace event (the model's TraceLoggingWrite): kept in ``trace`` and handed at once to
        every consumer, in the same simulated instant the driver logged it."""
        event = TraceEvent(self.now(), kind, info)
        # the trace keeps what happened, not the payloads (a chunk's bytes): the consumers get those
        # as it happens, and a long run would otherwise hold every chunk it copied
        self.trace.append(event if "data" not in info else
                          TraceEvent(event.t_ps, kind, {k: v for k, v in info.items() if k != "data"}))
        for consume in self.trace_consumers:
            consume(event)

    def _changed(self) -> None:
        for observer in self.observers:
            observer()

    def KeGetCurrentProcessorNumber(self) -> int:
        return self._cpu().number

    def _cpu(self) -> Cpu:
        return self._task_cpu.get(id(self.platform.current_task()), self.cpus[0])

    @property
    def irql(self) -> Irql:
        """KeGetCurrentIrql of the calling code."""
        return self._cpu().irql

    @property
    def dispatch_or_above_ps(self) -> int:
        return sum(c.dispatch_or_above_ps for c in self.cpus)

    def idle(self) -> bool:
        """No ISR or DPC running or queued on any CPU."""
        return all(c.isr_active is None and c.dpc_active is None and not c.dpc_queue and not c.irr
                   for c in self.cpus)

    def _start(self) -> None:
        if not self._started:
            self._started = True
            for c in self.cpus:
                self.platform.spawn(self._dpc_dispatcher(c))

    # ---- DPC objects ----
    def KeInitializeDpc(self, routine: DeferredRoutine, context: Any = None, name: str = "dpc") -> KDPC:
        self._start()
        return KDPC(DeferredRoutine=routine, DeferredContext=context, name=name)

    def KeSetImportanceDpc(self, dpc: KDPC, importance: KDPC_IMPORTANCE) -> None:
        dpc.Importance = KDPC_IMPORTANCE(importance)

    def KeSetTargetProcessorDpc(self, dpc: KDPC, number: int) -> None:
        if not 0 <= number < len(self.cpus):
            raise ValueError(f"CPU {number} does not exist (cpus={len(self.cpus)})")
        dpc.target_cpu = number    # used by the next insertion; a queued DPC stays where it is

    def KeInsertQueueDpc(self, dpc: KDPC, arg1: Any = None, arg2: Any = None) -> bool:
        """Queue ``dpc``; False (and nothing else) if it is already queued."""
        dpc.insert_attempts += 1
        if dpc.inserted:
            self.log("dpc_insert", dpc=dpc.name, queued=False)
            return False
        here = self._cpu()
        cpu = self.cpus[dpc.target_cpu] if dpc.target_cpu is not None else here
        dpc.inserted = True
        dpc.inserts += 1
        dpc.queued_cpu = cpu.number
        dpc.queued_at_ps = self.now()
        dpc.SystemArgument1, dpc.SystemArgument2 = arg1, arg2
        imp = dpc.Importance
        if imp == KDPC_IMPORTANCE.HighImportance:
            cpu.dpc_queue.insert(0, dpc)
        else:
            cpu.dpc_queue.append(dpc)
        self._roll_tick(cpu)
        cpu.requests_this_tick += 1
        s = self.settings
        deep = len(cpu.dpc_queue) >= s.maximum_dpc_queue_depth
        if cpu is here:
            request = imp != KDPC_IMPORTANCE.LowImportance or deep or cpu.requests_last_tick < s.minimum_dpc_rate
        else:
            request = imp in (KDPC_IMPORTANCE.HighImportance, KDPC_IMPORTANCE.MediumHighImportance) or deep
        if request:
            cpu.dpc_requested = True
        cpu._queue_event.set()
        self.log("dpc_insert", dpc=dpc.name, queued=True, cpu=cpu.number, request=request)
        self._changed()
        return True

    def _roll_tick(self, cpu: Cpu) -> None:
        tick = self.now() // self.settings.clock_tick_ps
        if tick != cpu.tick_index:
            cpu.requests_last_tick = cpu.requests_this_tick if tick == cpu.tick_index + 1 else 0
            cpu.requests_this_tick = 0
            cpu.tick_index = tick

    async def _dpc_dispatcher(self, cpu: Cpu) -> None:
        p, tick = self.platform, self.settings.clock_tick_ps
        self._task_cpu[id(p.current_task())] = cpu          # DPC routines run in this task
        while True:
            while not cpu.dpc_queue:
                cpu._queue_event.clear()
                await cpu._queue_event.wait()
            if not cpu.dpc_requested:
                # no DPC interrupt was requested: the queue is drained at the CPU's next clock tick
                next_tick = (self.now() // tick + 1) * tick
                if cpu._tick_armed != next_tick:
                    cpu._tick_armed = next_tick
                    p.spawn(self._clock_tick(cpu, next_tick))
                cpu._queue_event.clear()
                await cpu._queue_event.wait()
                if not cpu.dpc_requested and self.now() < next_tick:
                    continue                        # woken by an insertion that requested nothing
            cpu.dpc_requested = False
            cpu.draining = True                     # the CPU stays at DISPATCH_LEVEL for the drain
            cpu._enter_elevated()
            self._changed()
            while cpu.dpc_queue:                    # a drain retires the whole queue
                dpc = cpu.dpc_queue[0]
                # the start latency includes the dispatcher's own call overhead
                start = dpc.queued_at_ps + self.latency.sample(dpc.queued_at_ps) + self.costs.dpc_dispatch_ps
                if start > self.now():
                    await p.sleep(start - self.now())
                await cpu.wait_isr_idle()
                if not cpu.dpc_queue or cpu.dpc_queue[0] is not dpc:
                    continue                        # a High DPC went to the head meanwhile
                cpu.dpc_queue.pop(0)
                dpc.inserted = False                # queueable again before the routine runs
                await self._run_dpc(cpu, dpc)
            cpu.draining = False
            cpu._leave_elevated()
            self._changed()

    async def _clock_tick(self, cpu: Cpu, at_ps: int) -> None:
        await self.platform.sleep(at_ps - self.now())
        if cpu._tick_armed == at_ps:
            cpu._tick_armed = None
            cpu._queue_event.set()

    async def _run_dpc(self, cpu: Cpu, dpc: KDPC) -> None:
        latency = self.now() - dpc.queued_at_ps
        dpc.latencies_ps.append(latency)
        dpc.runs += 1
        dpc.running += 1
        dpc.max_concurrent = max(dpc.max_concurrent, dpc.running)
        t0 = self.now()
        stolen0 = cpu.isr_time_now()
        self.log("dpc_start", dpc=dpc.name, cpu=cpu.number, latency_ps=latency, queued_at_ps=dpc.queued_at_ps)
        cpu.dpc_active = dpc
        cpu._dpc_start_ps = t0
        cpu._enter_elevated()
        self._changed()
        await dpc.DeferredRoutine(dpc, dpc.DeferredContext, dpc.SystemArgument1, dpc.SystemArgument2)
        cpu.dpc_active = None
        dpc.running -= 1
        self._changed()
        run = self.now() - t0
        dpc.run_times_ps.append(run)
        dpc.own_run_ps += run - (cpu.isr_time_now() - stolen0)
        self.log("dpc_end", dpc=dpc.name, cpu=cpu.number, run_ps=run)
        self._check_single(f"DPC {dpc.name}", run, t0, DPC_GUIDANCE_PS, "100 us")
        cpu._leave_elevated()

    # ---- timers ----
    def KeSetTimerEx(self, dpc: KDPC, due_ps: int, period_ps: int = 0) -> KTIMER:
        """Set a timer that queues ``dpc`` when it expires, after ``due_ps`` and then every
        ``period_ps`` (0: once). The expiry is processed by the clock interrupt of CPU 0, so the
        DPC is queued there unless KeSetTargetProcessorDpc says otherwise. Returns the KTIMER
        (KeCancelTimer stops it)."""
        if due_ps < 0 or period_ps < 0:
            raise ValueError(f"KeSetTimerEx: due {due_ps} ps and period {period_ps} ps must be >= 0")
        timer = KTIMER(dpc=dpc, period_ps=period_ps)
        timer.task = self.run_on(0, self._timer(timer, due_ps))
        return timer

    def KeCancelTimer(self, timer: KTIMER) -> bool:
        was = not timer.cancelled
        timer.cancelled = True
        return was

    async def _timer(self, timer: KTIMER, due_ps: int) -> None:
        await self.platform.sleep(due_ps)
        while not timer.cancelled:
            timer.expirations += 1
            self.KeInsertQueueDpc(timer.dpc)
            if not timer.period_ps:
                return
            await self.platform.sleep(timer.period_ps)

    # ---- interrupts ----
    def IoConnectInterruptEx(self, message_id: int, routine: ServiceRoutine, context: Any = None,
                             name: str = "isr", affinity: tuple[int, ...] = (0,)) -> KINTERRUPT:
        if message_id in self._interrupts:
            raise ValueError(f"message {message_id} already has an interrupt object")
        bad = [c for c in affinity if not 0 <= c < len(self.cpus)]
        if not affinity or bad:
            raise ValueError(f"interrupt affinity {affinity} names CPUs outside 0..{len(self.cpus) - 1}")
        self._start()
        intr = KINTERRUPT(ServiceRoutine=routine, ServiceContext=context, MessageId=message_id, name=name,
                          affinity=tuple(affinity))
        self._interrupts[message_id] = intr
        return intr

    def deliver_msi(self, message_id: int) -> None:
        """An MSI message reached the machine (called by the platform)."""
        intr = self._interrupts.get(message_id)
        if intr is None:
            self.unknown_messages += 1
            self.log("msi_unknown", message=message_id)
            return
        cpu = self.cpus[intr.affinity[intr._next % len(intr.affinity)]]
        intr._next += 1
        self.log("msi", message=message_id, cpu=cpu.number)
        if intr in cpu.irr:
            intr.collapsed += 1
            return
        cpu.irr.append(intr)
        self._dispatch_interrupts(cpu)

    def _dispatch_interrupts(self, cpu: Cpu) -> None:
        if cpu.isr_active is not None or cpu.interrupts_blocked or not cpu.irr:
            return
        intr = cpu.irr.pop(0)
        cpu.isr_active = intr
        cpu._isr_start_ps = self.now()
        cpu._isr_idle.clear()
        cpu._enter_elevated()
        self._changed()
        self.platform.spawn(self._run_isr(cpu, intr))

    async def _run_isr(self, cpu: Cpu, intr: KINTERRUPT) -> None:
        key = id(self.platform.current_task())
        self._task_cpu[key] = cpu
        t0 = self.now()
        self.log("isr_start", isr=intr.name, message=intr.MessageId, cpu=cpu.number)
        # interrupt entry and exit overhead, charged together before the routine (one wake)
        await self.platform.sleep(self.costs.isr_dispatch_ps + self.costs.isr_exit_ps)
        # the system holds the interrupt's spin lock around the ISR: one object, one CPU at a time
        await self._acquire(cpu, intr.SpinLock)
        if self.caches is not None:
            await self.platform.sleep(self.caches.atomic(cpu.number, CacheModel.key_of(intr.SpinLock)))
        claimed = await intr.ServiceRoutine(intr, intr.ServiceContext)
        if self.caches is not None:
            await self.platform.sleep(self.caches.write(cpu.number, CacheModel.key_of(intr.SpinLock)))
        self._release(intr.SpinLock)
        intr.isr_count += 1
        if not claimed:
            intr.not_claimed += 1
        run = self.now() - t0
        intr.run_times_ps.append(run)
        self.log("isr_end", isr=intr.name, claimed=claimed, run_ps=run, cpu=cpu.number)
        self._check_single(f"ISR {intr.name}", run, t0, ISR_GUIDANCE_PS, "25 us")
        cpu.isr_busy_ps += run
        cpu.isr_active = None
        del self._task_cpu[key]
        self._dispatch_interrupts(cpu)
        if cpu.isr_active is None:
            cpu._isr_idle.set()
            cpu._leave_elevated()
            self._changed()

    def unfinished_routines(self) -> list[dict[str, Any]]:
        """The ISRs and DPC routines that started and have not returned (a routine stuck in a loop,
        waiting on a lock or a register that never comes), per CPU: kind, name, cpu, start_ps."""
        out: list[dict[str, Any]] = []
        for cpu in self.cpus:
            if cpu.dpc_active is not None:
                out.append({"kind": "DPC", "name": cpu.dpc_active.name, "cpu": cpu.number,
                            "start_ps": cpu._dpc_start_ps})
            if cpu.isr_active is not None:
                out.append({"kind": "ISR", "name": cpu.isr_active.name, "cpu": cpu.number,
                            "start_ps": cpu._isr_start_ps})
        return out

    # ---- spin locks ----
    async def _acquire(self, cpu: Cpu, lock: KSPIN_LOCK) -> None:
        t0 = now = self.now()
        if lock._free is None:
            lock._free = self.platform.event()
            lock._free.set()
        while lock.owner is not None:               # spins: this CPU stays busy at its IRQL
            lock._free.clear()
            await lock._free.wait()
            now = self.now()
        lock.owner = cpu.number
        lock.acquired_at_ps = now
        lock.waits_ps.append(now - t0)
        self.locks_seen.setdefault(id(lock), lock)
        self._changed()

    def _release(self, lock: KSPIN_LOCK) -> None:
        lock.holds_ps.append(self.now() - lock.acquired_at_ps)
        self.log("spin_lock_released", lock=lock.name, cpu=lock.owner, acquired_at_ps=lock.acquired_at_ps)
        lock.owner = None
        lock._free.set()
        self._changed()

    async def KeAcquireInterruptSpinLock(self, interrupt: KINTERRUPT) -> Irql:
        """Raise the calling CPU to DIRQL and take the interrupt's lock (WdfInterruptAcquireLock):
        the ISR cannot run on any CPU while it is held. Returns the previous IRQL."""
        cpu = self._cpu()
        old = cpu.irql
        await cpu.wait_isr_idle()
        cpu.interrupts_blocked += 1
        cpu.dirql_raised += 1
        cpu._enter_elevated()
        self._changed()
        await self._acquire(cpu, interrupt.SpinLock)
        await self.platform.sleep(self._acquire_ps(cpu, interrupt.SpinLock))    # the lock's line, while held
        return old

    async def KeReleaseInterruptSpinLock(self, interrupt: KINTERRUPT, old_irql: Irql) -> None:
        """Release and return to ``old_irql``. The model derives IRQL from what the CPU holds and
        runs, so dropping this lock's DIRQL restores the caller's level; the argument is kept
        for the Windows signature."""
        cpu = self._cpu()
        self._release(interrupt.SpinLock)
        await self.platform.sleep(self._release_ps(cpu, interrupt.SpinLock))
        cpu.interrupts_blocked -= 1
        cpu.dirql_raised -= 1
        self._changed()
        self._dispatch_interrupts(cpu)
        await cpu.wait_isr_idle()

    async def KeAcquireSpinLockAtDpcLevel(self, lock: KSPIN_LOCK) -> None:
        """Take an ordinary spin lock from code already at DISPATCH_LEVEL (a DPC): the CPU spins
        until it is free; interrupts stay enabled."""
        cpu = self._cpu()
        await self._acquire(cpu, lock)
        await self.platform.sleep(self._acquire_ps(cpu, lock))

    async def KeReleaseSpinLockFromDpcLevel(self, lock: KSPIN_LOCK) -> None:
        self._release(lock)
        await self.platform.sleep(self._release_ps(self._cpu(), lock))

    def _acquire_ps(self, cpu: Cpu, lock: KSPIN_LOCK) -> int:
        """The acquire's locked operation on the lock's line (moved from the CPU that held it last)."""
        if self.caches is None:
            return self.costs.spinlock_ps
        return self.caches.atomic(cpu.number, CacheModel.key_of(lock))

    def _release_ps(self, cpu: Cpu, lock: KSPIN_LOCK) -> int:
        """The release's store to the lock's line."""
        if self.caches is None:
            return self.costs.spinlock_ps
        return self.caches.write(cpu.number, CacheModel.key_of(lock))

    # ---- interlocked operations ----
    async def _interlocked_list_op(self, head: INTERLOCKED_LIST, op: Callable[[], Any], entry: Any = None) -> Any:
        """Interrupts off on the calling CPU and the list's spin lock held for the operation
        (ReactOS implements ExInterlocked*List this way; Microsoft does not document the cli).
        ``entry``: the entry inserted (None: the operation removes the first entry)."""
        cpu = self._cpu()
        at_dirql = cpu.isr_active is not None or cpu.interrupts_blocked > 0
        if not at_dirql:
            await cpu.wait_isr_idle()
        t0 = self.now()
        cpu.interrupts_blocked += 1
        await self._acquire(cpu, head.lock)
        await self.platform.sleep(self._list_op_ps(cpu, head, entry))
        result = op()
        self._release(head.lock)
        cpu.interrupts_blocked -= 1
        head.interrupts_off_ps.append(self.now() - t0)
        self._dispatch_interrupts(cpu)
        if not at_dirql:
            await cpu.wait_isr_idle()               # preempted by the interrupt it held off
        return result

    def _list_op_ps(self, cpu: Cpu, head: INTERLOCKED_LIST, entry: Any) -> int:
        """One ExInterlocked list operation: interrupts off, the lock's locked operation, the
        head's line, the entry's line (written on insertion, read on removal), the release."""
        c = self.caches
        if c is None:
            return self.costs.interlocked_list_ps
        n, lock = cpu.number, CacheModel.key_of(head.lock)
        ps = c.profile.interrupts_off_ps + c.atomic(n, lock) + c.write(n, CacheModel.key_of(head))
        if entry is not None:
            ps += c.write(n, CacheModel.key_of(head, f"entry:{entry}"))
        elif head.items:
            ps += c.read(n, CacheModel.key_of(head, f"entry:{head.items[0]}"))
        return ps + c.write(n, lock)

    async def ExInterlockedInsertTailList(self, head: INTERLOCKED_LIST, entry: Any) -> bool:
        """Returns True if the list was empty before (Windows returns the old first entry)."""
        return await self._interlocked_list_op(head, lambda: (not head.items, head.items.append(entry))[0], entry)

    async def ExInterlockedRemoveHeadList(self, head: INTERLOCKED_LIST) -> Any:
        """The first entry, or None for an empty list."""
        return await self._interlocked_list_op(head, lambda: head.items.pop(0) if head.items else None)

    async def InterlockedOr(self, target: LONG, value: int) -> int:
        """Atomic ``target |= value``; returns the old value. Callable at any IRQL."""
        await self.platform.sleep(self._interlocked_ps(target))
        old = target.value
        target.value = (old | value) & 0xFFFFFFFF
        target.operations += 1
        return old

    async def InterlockedExchange(self, target: LONG, value: int) -> int:
        """Atomic ``old = target; target = value``; returns the old value."""
        await self.platform.sleep(self._interlocked_ps(target))
        old = target.value
        target.value = value & 0xFFFFFFFF
        target.operations += 1
        return old

    def _interlocked_ps(self, target: LONG) -> int:
        if self.caches is None:
            return self.costs.interlocked_op_ps
        return self.caches.atomic(self._cpu().number, CacheModel.key_of(target))

    # ---- shared memory ----
    async def touch(self, obj: Any, part: str = "", write: bool = False) -> None:
        """A plain load (or store, ``write``) of the driver's shared variable ``obj`` (its line
        ``part``) by the calling CPU: what its line's state makes it cost under a host profile;
        nothing under the fixed costs, which charge shared variables nothing."""
        if self.caches is not None:
            await self.platform.sleep(self.line_ps(obj, part, write))

    def line_ps(self, obj: Any, part: str = "", write: bool = False) -> int:
        """What :meth:`touch` sleeps, for code that adds it to a longer :meth:`execute`; 0 under
        the fixed costs."""
        if self.caches is None:
            return 0
        n, key = self._cpu().number, CacheModel.key_of(obj, part)
        return self.caches.write(n, key) if write else self.caches.read(n, key)

    def memory_read_ps(self, address: int) -> int:
        """What the calling CPU's load from host memory at ``address`` costs under the host
        profile: a hit, a transfer from another CPU, or a miss when the device wrote the line
        since (hostmodel/caches.py). Only with a profile (``caches``)."""
        assert self.caches is not None, "memory_read_ps needs a host profile"
        return self.caches.read_memory(self._cpu().number, address)

    # ---- watchdog ----
    def _check_single(self, what: str, run: int, t0: int, guidance: int, text: str) -> None:
        if run > guidance:
            self.warnings.append(f"{what} ran {run / 1e6:.1f} us (> {text} guidance) at {t0} ps")
        limit = self.settings.dpc_watchdog_single_ps
        if limit is not None and run > limit:
            self._violate(DpcWatchdogViolation(0, f"{what} ran {run / 1e6:.1f} us, allotment {limit / 1e6:.1f} us"))

    def _check_cumulative(self, cpu: Cpu, span: int) -> None:
        limit = self.settings.dpc_watchdog_cumulative_ps
        if limit is not None and span > limit:
            self._violate(DpcWatchdogViolation(
                1, f"CPU {cpu.number} spent {span / 1e6:.1f} us at DISPATCH_LEVEL or above, "
                   f"allotment {limit / 1e6:.1f} us"))

    def _violate(self, v: DpcWatchdogViolation) -> None:
        self.violations.append(v)
        self.log("bugcheck", code=0x133, parameter1=v.parameter1, text=str(v))

    # ---- services for driver code ----
    async def execute(self, ps: int) -> None:
        """Spend ``ps`` of CPU time at the caller's IRQL; ISRs on this CPU extend DPC-level work."""
        if ps <= 0:
            return
        cpu = self._cpu()
        if cpu.isr_active is not None or cpu.interrupts_blocked:
            await self.platform.sleep(ps)           # at DIRQL nothing preempts it
            return
        remaining = ps                              # (no ISR is running on this CPU here)
        while remaining > 0:
            stolen0 = cpu.isr_time_now()
            await self.platform.sleep(remaining)
            remaining = cpu.isr_time_now() - stolen0
            await cpu.wait_isr_idle()

    async def _mmio_read(self, offset: int) -> int:
        value = await self.platform.mmio_read(offset)
        if self.costs.mmio_read_extra_ps:
            await self.platform.sleep(self.costs.mmio_read_extra_ps)
        return value

    async def READ_REGISTER_ULONG(self, offset: int) -> int:
        cpu = self._cpu()
        if cpu.isr_active is not None or cpu.interrupts_blocked:
            return await self._mmio_read(offset)
        await cpu.wait_isr_idle()
        cpu.interrupts_blocked += 1                 # the interrupt waits for the instruction
        self._changed()
        value = await self._mmio_read(offset)
        cpu.interrupts_blocked -= 1
        self._changed()
        self._dispatch_interrupts(cpu)
        await cpu.wait_isr_idle()
        return value

    async def WRITE_REGISTER_ULONG(self, offset: int, value: int) -> None:
        """A posted write: it goes to the bus and the CPU continues (a later read waits for it)."""
        await self.platform.mmio_write(offset, value)

    def run_on(self, number: int, coro: Coroutine[Any, Any, Any]) -> Any:
        """Start ``coro`` as code of CPU ``number`` (e.g. a thread that calls KeInsertQueueDpc)."""
        return self.platform.spawn(self._on_cpu(self.cpus[number], coro))

    async def _on_cpu(self, cpu: Cpu, coro: Coroutine[Any, Any, Any]) -> Any:
        key = id(self.platform.current_task())
        self._task_cpu[key] = cpu
        try:
            return await coro
        finally:
            del self._task_cpu[key]

    # ---- figures ----
    def interrupts(self) -> list[KINTERRUPT]:
        return list(self._interrupts.values())

