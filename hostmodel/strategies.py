"""ISR-to-DPC strategies for a device with many NVMe-style completion queues (seed thread 1).

Every strategy is a driver: :class:`CompletionQueueDriver` owns the host side of the queues
(head, expected phase, doorbell writes) and one interrupt object per MSI message (one per
queue); a subclass decides what its ``MessageIsr`` tells its DPC(s) and what the DPC does.

Writing your own: subclass :class:`CompletionQueueDriver`, create your DPC objects in
``setup()``, implement ``MessageIsr(interrupt, queue)`` (return True when claimed) and your
deferred routines, and call ``await self.process_queue(q)`` to consume a queue's completions.
Await only kernel services (``self.k.KeInsertQueueDpc``, ``ExInterlockedInsertTailList``, ...)
so the model can account for preemption.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from irqloop.hostmodel.kernel import INTERLOCKED_LIST, KDPC, KINTERRUPT, KSPIN_LOCK, KTIMER, LONG, Kernel

ENTRY_BYTES = 16


def _model_doorbell(q: int) -> int:
    return 0x1000 + 4 * q


def _model_arm(q: int, on: bool) -> tuple[int, int]:
    return (0x800 if on else 0x804), 1 << q


@dataclass
class CqLayout:
    """Where the driver put its queues and how it reaches the device's registers. The defaults
    are the register map of the pure-Python device (tb/models/cqmodel.py); the RTL device's are in
    tb/sim/e2e_cq.py."""
    bases: list[int]
    entries: int
    vector_base: int = 0x100            #: queue q's message id is vector_base + q
    doorbell: Callable[[int], int] = _model_doorbell            #: offset of queue q's head doorbell
    arm: Callable[[int, bool], tuple[int, int]] = _model_arm   #: (offset, value) that arms/disarms q
    flush_reg: int = 0x808              #: any readable register: reading it flushes posted writes
    clock_ps: int = 4000                #: unit of the device timestamp in DW0
    entry_read_ps: int = 100_000        #: a cache miss on a queue entry
    per_completion_ps: int = 200_000    #: handling one completion
    #: post time of a completion from its queue, DW0 and the time now (default: DW0 is a timestamp)
    post_time: Optional[Callable[[int, int, int], int]] = None
    #: queues whose vector is shared: the queue whose message the vector sends -> every queue on
    #: that vector (the device's mapping table); the driver's ISR hears one message for all of them
    shares: dict[int, tuple[int, ...]] = field(default_factory=dict)


@dataclass
class Completion:
    queue: int
    cid: int
    posted_ps: int
    consumed_ps: int
    cpu: int


def device_time_ps(dw0: int, now_ps: int, clock_ps: int) -> int:
    """The post time encoded in DW0 (a 32-bit cycle count), unwrapped against ``now_ps``."""
    cycles_now = now_ps // clock_ps
    c = (cycles_now & ~0xFFFFFFFF) | dw0
    if c > cycles_now:
        c -= 1 << 32
    return c * clock_ps


class CompletionQueueDriver:
    name = "base"
    #: take the queue's spin lock around consuming it (a DPC may run on two CPUs at once)
    serialize_queues = True
    #: a message of a shared vector calls MessageIsr once for every queue on the vector (False
    #: for drivers that look at every queue whatever the message)
    expands_shared_messages = True

    def __init__(self, kernel: Kernel, layout: CqLayout, affinity: Optional[list[int]] = None) -> None:
        self.k = kernel
        self.layout = layout
        n = len(layout.bases)
        self.head = [0] * n
        self.phase = [1] * n
        self.completions: list[Completion] = []
        #: called for every entry consumed: (queue, slot, the entry's four dwords, time, CPU)
        self.on_entry: Optional[Callable[[int, int, np.ndarray, int, int], None]] = None
        self.per_dpc_run: list[int] = []
        self.dpcs: list[KDPC] = []
        self.locks: list[KSPIN_LOCK] = []
        # one DPC object can run on two CPUs at once (it is dequeued before its routine runs),
        # so two runs may work on the same queue: each queue's host state has its own lock
        self.queue_locks = [KSPIN_LOCK(f"queue{q}") for q in range(n)]
        cpus = affinity or [0] * n
        self.interrupts: list[KINTERRUPT] = [
            kernel.IoConnectInterruptEx(layout.vector_base + q, self._message_isr, q, name=f"{self.name}.msg{q}",
                                        affinity=(cpus[q],)) for q in range(n)]
        self.setup()

    async def _message_isr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        """The interrupt's service routine: a message names one queue, or, on a shared vector,
        stands for every queue mapped to it (the ISR cannot tell which one has work)."""
        covered = self.layout.shares.get(queue) if self.expands_shared_messages else None
        if not covered:
            return await self.MessageIsr(interrupt, queue)
        claimed = False
        for q in covered:
            claimed = await self.MessageIsr(interrupt, q) or claimed
        return claimed

    # ---- to override ----
    def setup(self) -> None:
        pass

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        raise NotImplementedError

    # ---- the host side of a queue ----
    def _entry(self, q: int) -> np.ndarray:
        off = self.layout.bases[q] + self.head[q] * ENTRY_BYTES
        return self.k.platform.memory[off:off + ENTRY_BYTES].view(np.uint32)

    def has_work(self, q: int) -> bool:
        """Does the entry at the head carry the phase the driver expects (a new completion)?"""
        return int(self._entry(q)[3]) >> 16 & 1 == self.phase[q]

    async def process_queue(self, q: int, budget: Optional[int] = None) -> int:
        """Consume completions of queue ``q`` while the phase tag matches (at most ``budget``),
        then free them with one head doorbell write, under the queue's spin lock. Returns how many."""
        if not self.serialize_queues:
            return await self._consume(q, budget)
        await self.k.KeAcquireSpinLockAtDpcLevel(self.queue_locks[q])
        try:
            return await self._consume(q, budget)
        finally:
            await self.k.KeReleaseSpinLockFromDpcLevel(self.queue_locks[q])

    async def _consume(self, q: int, budget: Optional[int]) -> int:
        lay, k = self.layout, self.k
        taken: list[tuple[int, np.ndarray]] = []
        while (budget is None or len(taken) < budget) and self.has_work(q):
            taken.append((self.head[q], self._entry(q).copy()))
            self.head[q] += 1
            if self.head[q] == lay.entries:
                self.head[q] = 0
                self.phase[q] ^= 1
        await k.execute((len(taken) + 1) * lay.entry_read_ps + len(taken) * lay.per_completion_ps)
        now, cpu = k.now(), k.KeGetCurrentProcessorNumber()
        for slot, dw in taken:
            posted = lay.post_time(q, int(dw[0]), now) if lay.post_time else device_time_ps(int(dw[0]), now, lay.clock_ps)
            self.completions.append(Completion(q, int(dw[3]) & 0xFFFF, posted, now, cpu))
            if self.on_entry is not None:
                self.on_entry(q, slot, dw, now, cpu)
        if taken:
            await k.WRITE_REGISTER_ULONG(lay.doorbell(q), self.head[q])
        return len(taken)

    async def arm(self, q: int, on: bool) -> None:
        """Enable (on) or disable the interrupt of queue ``q`` (a posted write)."""
        offset, value = self.layout.arm(q, on)
        await self.k.WRITE_REGISTER_ULONG(offset, value)

    def new_dpc(self, routine: Any, context: Any = None, name: str = "dpc") -> KDPC:
        d = self.k.KeInitializeDpc(routine, context, name=f"{self.name}.{name}")
        self.dpcs.append(d)
        return d


class NaiveOneCompletionDriver(CompletionQueueDriver):
    """The bug the seeds warn about: one interrupt = one completion. The ISR remembers the last
    message, the DPC handles one completion of it; messages merged while the DPC was queued, and
    completions behind the first, wait until some later interrupt."""
    name = "naive"

    def setup(self) -> None:
        self.dpc = self.new_dpc(self.DpcForIsr)
        self.last_queue = 0

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        self.last_queue = queue
        self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def DpcForIsr(self, dpc: KDPC, ctx: Any, a1: Any, a2: Any) -> None:
        self.per_dpc_run.append(await self.process_queue(self.last_queue, budget=1))


class InterlockedListDriver(CompletionQueueDriver):
    """ISR appends the message's queue to an ExInterlocked list; the DPC drains the list."""
    name = "interlocked_list"

    def setup(self) -> None:
        self.dpc = self.new_dpc(self.DpcForIsr)
        self.work = INTERLOCKED_LIST("work")
        self.locks.append(self.work.lock)

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        await self.k.ExInterlockedInsertTailList(self.work, queue)
        self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def DpcForIsr(self, dpc: KDPC, ctx: Any, a1: Any, a2: Any) -> None:
        done = 0
        while (q := await self.k.ExInterlockedRemoveHeadList(self.work)) is not None:
            done += await self.process_queue(q)
        self.per_dpc_run.append(done)


class SpinLockBitmapDriver(CompletionQueueDriver):
    """ISR sets the queue's bit in a bitmap (its interrupt spin lock, shared by all messages, is
    held around it); the DPC takes and clears the bitmap under that lock."""
    name = "spinlock_bitmap"

    def setup(self) -> None:
        self.dpc = self.new_dpc(self.DpcForIsr)
        self.shared = KSPIN_LOCK("isr-shared")
        for intr in self.interrupts:
            intr.SpinLock = self.shared         # WDF_INTERRUPT_CONFIG.SpinLock: one lock for all
        self.locks.append(self.shared)
        self.pending = 0

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        self.pending |= 1 << queue
        self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def DpcForIsr(self, dpc: KDPC, ctx: Any, a1: Any, a2: Any) -> None:
        old = await self.k.KeAcquireInterruptSpinLock(self.interrupts[0])
        bits, self.pending = self.pending, 0
        await self.k.KeReleaseInterruptSpinLock(self.interrupts[0], old)
        self.per_dpc_run.append(sum([await self.process_queue(q) for q in _bits(bits)]))


class InterlockedOrBitmapDriver(CompletionQueueDriver):
    """ISR InterlockedOr's the queue's bit into a bitmap; the DPC InterlockedExchange's it to 0."""
    name = "interlocked_or"

    def setup(self) -> None:
        self.dpc = self.new_dpc(self.DpcForIsr)
        self.bitmap = LONG()

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        await self.k.InterlockedOr(self.bitmap, 1 << queue)
        self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def DpcForIsr(self, dpc: KDPC, ctx: Any, a1: Any, a2: Any) -> None:
        bits = await self.k.InterlockedExchange(self.bitmap, 0)
        self.per_dpc_run.append(sum([await self.process_queue(q) for q in _bits(bits)]))


class ScanAllQueuesDriver(CompletionQueueDriver):
    """The DPC ignores what the ISR saw and reads every queue's next entry (phase bit) until a
    whole pass finds nothing: N memory reads per pass instead of any ISR-to-DPC bookkeeping."""
    name = "scan_phase"
    expands_shared_messages = False

    def setup(self) -> None:
        self.dpc = self.new_dpc(self.DpcForIsr)

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def DpcForIsr(self, dpc: KDPC, ctx: Any, a1: Any, a2: Any) -> None:
        total, found = 0, 1
        while found:
            found = sum([await self.process_queue(q) for q in range(len(self.layout.bases))])
            total += found
        self.per_dpc_run.append(total)


class PerQueueDpcDriver(CompletionQueueDriver):
    """One interrupt object and one DPC per message: each DPC drains its own queue, on the CPU
    its message was delivered to."""
    name = "per_queue_dpc"

    def setup(self) -> None:
        self.queue_dpcs = [self.new_dpc(self.QueueDpc, q, name=f"dpc{q}") for q in range(len(self.layout.bases))]

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        self.k.KeInsertQueueDpc(self.queue_dpcs[queue])
        return True

    async def QueueDpc(self, dpc: KDPC, queue: int, a1: Any, a2: Any) -> None:
        self.per_dpc_run.append(await self.process_queue(queue))


class NapiDriver(PerQueueDpcDriver):
    """Hybrid polling in the manner of Linux NAPI. The ISR disarms its vector and schedules its
    queue's DPC. The DPC polls with a budget and stays in polling (queues itself again) while the
    budget is used up; when it is not, it re-arms, reads a device register so that the posted arm
    write has landed, and checks the queue once more: work that arrived between its last check
    and the arm would otherwise never raise an interrupt (the lost wakeup)."""
    name = "napi"
    budget = 64

    def setup(self) -> None:
        super().setup()
        self.requeued_at_ps: list[int] = []          # when a DPC stayed in polling mode
        self.last_check_ps: dict[int, int] = {}     # per queue: the DPC's last look before arming
        self.armed_at_ps: dict[int, int] = {}       # per queue: when it last wrote the enable

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        await self.arm(queue, False)
        self.k.KeInsertQueueDpc(self.queue_dpcs[queue])
        return True

    async def QueueDpc(self, dpc: KDPC, queue: int, a1: Any, a2: Any) -> None:
        self.last_check_ps[queue] = self.k.now()
        done = await self.process_queue(queue, budget=self.budget)
        self.per_dpc_run.append(done)
        if done == self.budget:
            self.requeued_at_ps.append(self.k.now())
            self.k.KeInsertQueueDpc(dpc)                  # stay in polling mode
            return
        self.armed_at_ps[queue] = self.k.now()
        await self.arm(queue, True)
        if await self.work_after_arm(queue):
            await self.arm(queue, False)
            self.k.KeInsertQueueDpc(dpc)

    @property
    def polls_requeued(self) -> int:
        return len(self.requeued_at_ps)

    async def work_after_arm(self, queue: int) -> bool:
        await self.k.READ_REGISTER_ULONG(self.layout.flush_reg)    # the arm write has landed
        await self.k.execute(self.layout.entry_read_ps)
        return self.has_work(queue)


class RacyNapiDriver(NapiDriver):
    """NAPI without the final check: it arms after its last look at the queue and trusts the
    device to interrupt for anything newer. A completion in between is never signalled."""
    name = "napi_racy"

    async def work_after_arm(self, queue: int) -> bool:
        return False


class ScanWithTimerDriver(ScanAllQueuesDriver):
    """scan_phase plus a periodic timer (KeSetTimerEx) that queues the same DPC: a completion
    whose message was lost or merged is found by the next timer scan at the latest."""
    name = "scan_timer"
    timer_period_ps = 100_000_000

    def setup(self) -> None:
        super().setup()
        self.timer: KTIMER = self.k.KeSetTimerEx(self.dpc, self.timer_period_ps, self.timer_period_ps)


class UnlockedScanDriver(ScanAllQueuesDriver):
    """scan_phase without the queue locks: the bug of forgetting that one DPC object runs on two
    CPUs at once when ISRs on different CPUs queue it. Two runs then consume the same queue
    concurrently and hand its completions on out of order (the scoreboard sees a completion
    skipped, then the missing ones late), and their head doorbells can go backwards."""
    name = "scan_unlocked"
    serialize_queues = False


class HybridPollDriver(PerQueueDpcDriver):
    """Some queues are polled by a periodic timer DPC (as a latency-critical path that never waits
    for an interrupt), the others are interrupt-driven with a DPC each. ``polled`` lists the
    polled queues; their interrupts are not used. A message of a vector shared with a polled
    queue still signals the interrupt-driven queues on it (``CqLayout.shares``)."""
    name = "hybrid_poll"
    polled: tuple[int, ...] = (0,)
    poll_period_ps = 20_000_000

    def setup(self) -> None:
        super().setup()
        self.poll_dpc = self.new_dpc(self.PollDpc, name="poll")
        self.poll_runs = 0
        self.timer: KTIMER = self.k.KeSetTimerEx(self.poll_dpc, self.poll_period_ps, self.poll_period_ps)

    async def MessageIsr(self, interrupt: KINTERRUPT, queue: int) -> bool:
        if queue not in self.polled:
            self.k.KeInsertQueueDpc(self.queue_dpcs[queue])
        return True

    async def PollDpc(self, dpc: KDPC, ctx: Any, a1: Any, a2: Any) -> None:
        self.poll_runs += 1
        self.per_dpc_run.append(sum([await self.process_queue(q) for q in self.polled]))


STRATEGIES: dict[str, type[CompletionQueueDriver]] = {
    cls.name: cls for cls in (NaiveOneCompletionDriver, InterlockedListDriver, SpinLockBitmapDriver,
                              InterlockedOrBitmapDriver, ScanAllQueuesDriver, PerQueueDpcDriver, NapiDriver,
                              RacyNapiDriver, ScanWithTimerDriver, UnlockedScanDriver)
}


#: every driver class by name, including those a scenario configures (hybrid_poll)
DRIVERS: dict[str, type[CompletionQueueDriver]] = STRATEGIES | {HybridPollDriver.name: HybridPollDriver}


def _bits(v: int) -> list[int]:
    return [i for i in range(32) if v >> i & 1]
