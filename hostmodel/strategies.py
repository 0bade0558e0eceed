"""ISR-to-DPC strategies for a device with many NVMe-style completion queues (seed thread 1).

Every strategy is a driver written as a KMDF driver would be. :class:`CompletionQueueDriver`
owns the host side of the queues (head, expected phase, doorbell writes) and the bring-up, which
:func:`hostmodel.pnp.start_device` runs in the framework's order:

- the constructor (the driver's share of ``EvtDriverDeviceAdd``) creates the DPC objects;
- ``EvtDevicePrepareHardware`` takes the resources the PCI bus assigned
  (:class:`hostmodel.pci.MsixPciBus`): the register space, a message per queue with its
  processor affinity, which queues each message announces (a message of a vector several queues
  share announces them all) and the vector each queue signals on; it connects an interrupt
  object per message, whose ``EvtInterruptIsr`` is told the MessageID;
- ``EvtDeviceD0Entry`` sets up the queues' host state and starts the periodic timers; the bus
  then enables MSI-X and writes the table (the driver never writes a message register);
- ``EvtDeviceD0EntryPostInterruptsEnabled`` sets each vector's interrupt moderation, gives each
  queue its base and size, enables its interrupt, and reads the status register to see that
  the device took the settings.

A subclass decides what its ``EvtInterruptIsr(interrupt, message_id)`` tells its DPC(s) and what
the DPC does. Writing your own: subclass :class:`CompletionQueueDriver`, create your DPC objects
in ``__init__`` with :meth:`~CompletionQueueDriver.new_dpc`, implement
``EvtInterruptIsr(interrupt, message_id)`` (return True when claimed; the message announces the
queues ``self.queues_of_message[message_id]``) and your DPC routines (``EvtDpcFunc(dpc)``), and
call ``await self.process_queue(q)`` to consume a queue's completions. Await only kernel services
(``self.k.KeInsertQueueDpc``, ``ExInterlockedInsertTailList``, ...) so the model can account for
preemption.

The drivers report what they do as trace events (``Kernel.log``) and call no checker; the
testbench's scoreboard and monitors subscribe (``Kernel.trace_consumers``):

- ``cq_entry_consumed`` (``queue``, ``slot``, ``entry``: its four dwords as read, ``cpu``): every
  completion entry consumed, in the order consumed;
- the NAPI drivers' polling: ``poll_checked`` (``queue``: a DPC run starts looking at the queue),
  ``poll_requeued`` (``queue``: the budget was used up, the DPC stays in polling mode) and
  ``interrupt_rearmed`` (``queue``: the DPC enabled the queue's interrupt again).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Optional

from irqloop.hostmodel.driver import DeviceStartError
from irqloop.hostmodel.kernel import (INTERLOCKED_LIST, KDPC, KDPC_IMPORTANCE, KINTERRUPT, KSPIN_LOCK, KTIMER, LONG,
                                      Kernel)
from irqloop.hostmodel.pci import DeviceResources, MessageInterrupt, RegisterSpace
from irqloop.hostmodel.pnp import WDF_POWER_DEVICE_STATE

ENTRY_BYTES = 16
#: a completion entry's four little-endian dwords, and its last one (the phase tag's): read
#: straight from host memory, with no array object per look
_ENTRY = struct.Struct("<4I")
_DW3 = struct.Struct("<12xI")


def _model_doorbell(q: int) -> int:
    return 0x1000 + 4 * q


def _model_arm(q: int, vector: int, on: bool) -> tuple[int, int]:
    return (0x800 if on else 0x804), 1 << q


def _never_refused(status: int) -> bool:
    return False


@dataclass
class CqLayout:
    """Where the driver put its queues, how it reaches the device's registers and the interrupt
    moderation it sets. The defaults are those of the pure-Python device (tb/models/cqmodel.py), whose
    queues sit at fixed addresses, armed from reset, with no moderation or status register; the
    RTL device's are in tb/sim/e2e_cq.py."""
    bases: list[int]
    entries: int
    doorbell: Callable[[int], int] = _model_doorbell            #: offset of queue q's head doorbell
    #: (offset, value) that enables (on) or disables the interrupt of queue q, which signals on vector v
    arm: Callable[[int, int, bool], tuple[int, int]] = _model_arm
    flush_reg: int = 0x808              #: any readable register: reading it flushes posted writes
    #: offsets of queue q's base (low and high dword) and size registers; None: the queues are fixed
    queue_registers: Optional[Callable[[int], tuple[int, int, int]]] = None
    #: offsets of vector v's interrupt coalescing and rate registers; None: the device has none
    moderation_registers: Optional[Callable[[int], tuple[int, int]]] = None
    #: per vector, the coalescing and rate register values the driver sets (as NVMe's Interrupt
    #: Coalescing feature); a vector not listed gets 0: off
    coalescing: dict[int, int] = field(default_factory=dict)
    rate: dict[int, int] = field(default_factory=dict)
    #: read at the end of bring-up: the status register, and whether a value says the device
    #: refused the settings; None: the device has none
    status_register: Optional[int] = None
    settings_refused: Callable[[int], bool] = _never_refused
    entry_read_ps: int = 100_000        #: a queue entry read under the fixed costs (a profile's follow state)
    per_completion_ps: int = 200_000    #: handling one completion
    #: the CPU every DPC of the driver is targeted to (KeSetTargetProcessorDpc, with
    #: MediumHighImportance); None: the CPU whose ISR queued it
    dpc_cpu: Optional[int] = None


#: a DPC routine as KMDF's EvtDpcFunc: told its DPC object (whose DeferredContext is its context)
EvtDpcFunc = Callable[[KDPC], Awaitable[None]]


class CompletionQueueDriver:
    name = "base"
    #: take the queue's spin lock around consuming it (a DPC may run on two CPUs at once)
    serialize_queues = True

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        """The driver's objects (its share of EvtDriverDeviceAdd); a subclass creates its DPC
        objects after calling this."""
        self.k = kernel
        self.layout = layout
        n = len(layout.bases)
        self.head: list[int] = []
        self.phase: list[int] = []
        self.per_dpc_run: list[int] = []
        self.dpcs: list[KDPC] = []
        self.locks: list[KSPIN_LOCK] = []
        # one DPC object can run on two CPUs at once (it is dequeued before its routine runs),
        # so two runs may work on the same queue: each queue's host state has its own lock
        self.queue_locks = [KSPIN_LOCK(f"queue{q}") for q in range(n)]
        # from EvtDevicePrepareHardware, once the resources are known
        self.registers: Optional[RegisterSpace] = None
        self.interrupts: list[KINTERRUPT] = []              #: one per message, in MessageID order
        self.queues_of_message: dict[int, tuple[int, ...]] = {}
        self.vector_of_queue: tuple[int, ...] = ()

    # ---- bring-up ----
    def EvtDevicePrepareHardware(self, resources: DeviceResources) -> None:
        """Take the assigned resources and connect an interrupt object to each message; its ISR is
        told the message's ID (what WdfInterruptCreate does when called here, as KMDF 1.11 allows)."""
        self.registers = resources.registers
        self.queues_of_message = dict(resources.queues_of_message)
        self.vector_of_queue = resources.vector_of_queue
        self.interrupts = [self._connect(m) for m in resources.messages]

    def _connect(self, message: MessageInterrupt) -> KINTERRUPT:
        # the kernel dispatches on the message's data; the framework hands the ISR the MessageID
        async def service_routine(interrupt: KINTERRUPT, context: Any) -> bool:
            return await self.EvtInterruptIsr(interrupt, message.message_id)
        return self.k.IoConnectInterruptEx(message.data, service_routine, self,
                                           name=f"{self.name}.msg{message.message_id}", affinity=message.affinity)

    async def EvtDeviceD0Entry(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        """The queues' host state: empty, the next entry expected with phase 1 (the device's first
        pass). The device's registers wait until its messages are programmed."""
        n = len(self.layout.bases)
        self.head = [0] * n
        self.phase = [1] * n

    async def EvtDeviceD0EntryPostInterruptsEnabled(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        """The messages are programmed and the ISRs connected: set each vector's interrupt
        moderation, give each queue its base and size and enable its interrupt, then read the
        status register, which flushes the posted writes and tells whether the device took the
        settings. Done here, not in EvtDeviceD0Entry, because an enabled queue can send a message
        at once."""
        k, lay = self.k, self.layout
        if lay.moderation_registers is not None:
            for vector in sorted(set(self.vector_of_queue)):
                coalescing_reg, rate_reg = lay.moderation_registers(vector)
                await k.WRITE_REGISTER_ULONG(coalescing_reg, lay.coalescing.get(vector, 0))
                await k.WRITE_REGISTER_ULONG(rate_reg, lay.rate.get(vector, 0))
        for q, base in enumerate(lay.bases):
            if lay.queue_registers is not None:
                base_lo, base_hi, size = lay.queue_registers(q)
                await k.WRITE_REGISTER_ULONG(base_lo, base & 0xFFFFFFFF)
                await k.WRITE_REGISTER_ULONG(base_hi, base >> 32)
                await k.WRITE_REGISTER_ULONG(size, lay.entries)
            await self.arm(q, True)
        if lay.status_register is not None:
            status = await k.READ_REGISTER_ULONG(lay.status_register)
            if lay.settings_refused(status):
                raise DeviceStartError(f"device refused the queue settings (status {status:#x})")

    # ---- to override ----
    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        """DIRQL, for every message: tell the DPC(s) about ``self.queues_of_message[message_id]``."""
        raise NotImplementedError

    # ---- the host side of a queue ----
    def _entry_address(self, q: int) -> int:
        return self.layout.bases[q] + self.head[q] * ENTRY_BYTES

    def _entry(self, q: int) -> tuple[int, int, int, int]:
        """The four dwords of the entry at queue ``q``'s head, as host memory holds them now."""
        return _ENTRY.unpack_from(self.k.platform.memory, self._entry_address(q))

    def head_entry_read_ps(self, q: int) -> int:
        """What reading the entry at queue ``q``'s head costs the calling CPU now: under a host
        profile a hit or a miss by whether the device wrote its line since it was last read
        (hostmodel/caches.py), otherwise the layout's constant ``entry_read_ps``."""
        if self.k.caches is None:
            return self.layout.entry_read_ps
        return self.k.memory_read_ps(self._entry_address(q))

    def has_work(self, q: int) -> bool:
        """Does the entry at the head carry the phase the driver expects (a new completion)?"""
        return _DW3.unpack_from(self.k.platform.memory, self._entry_address(q))[0] >> 16 & 1 == self.phase[q]

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
        taken: list[tuple[int, tuple[int, int, int, int]]] = []
        reads_ps = 0
        while budget is None or len(taken) < budget:
            if k.caches is not None:
                reads_ps += self.head_entry_read_ps(q)      # each entry read, hit or miss
            if not self.has_work(q):
                break
            taken.append((self.head[q], self._entry(q)))
            self.head[q] += 1
            if self.head[q] == lay.entries:
                self.head[q] = 0
                self.phase[q] ^= 1
        if k.caches is None:
            reads_ps = (len(taken) + 1) * lay.entry_read_ps
        # the queue's host state (head, phase): read, and written when entries were consumed
        reads_ps += k.line_ps(self, f"queue{q}", write=bool(taken))
        await k.execute(reads_ps + len(taken) * lay.per_completion_ps)
        cpu = k.KeGetCurrentProcessorNumber()
        for slot, entry in taken:
            k.log("cq_entry_consumed", queue=q, slot=slot, entry=entry, cpu=cpu)
        if taken:
            await k.WRITE_REGISTER_ULONG(lay.doorbell(q), self.head[q])
        return len(taken)

    async def arm(self, q: int, on: bool) -> None:
        """Enable (on) or disable the interrupt of queue ``q`` (a posted write)."""
        offset, value = self.layout.arm(q, self.vector_of_queue[q], on)
        await self.k.WRITE_REGISTER_ULONG(offset, value)

    def new_dpc(self, routine: EvtDpcFunc, context: Any = None, name: str = "dpc") -> KDPC:
        """A DPC object (WdfDpcCreate) whose routine is told its DPC; ``context`` is its DeferredContext."""
        async def deferred_routine(dpc: KDPC, deferred_context: Any, arg1: Any, arg2: Any) -> None:
            await routine(dpc)
        d = self.k.KeInitializeDpc(deferred_routine, context, name=f"{self.name}.{name}")
        if self.layout.dpc_cpu is not None:
            # MediumHigh: queued from another CPU it runs at once there; a Medium one would wait
            # for that CPU's next clock tick
            self.k.KeSetTargetProcessorDpc(d, self.layout.dpc_cpu)
            self.k.KeSetImportanceDpc(d, KDPC_IMPORTANCE.MediumHighImportance)
        self.dpcs.append(d)
        return d


class NaiveOneCompletionDriver(CompletionQueueDriver):
    """The bug the seeds warn about: one interrupt = one completion. The ISR remembers the last
    queue it heard of, the DPC handles one completion of it; messages merged while the DPC was
    queued, and completions behind the first, wait until some later interrupt."""
    name = "naive"

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        super().__init__(kernel, layout)
        self.dpc = self.new_dpc(self.EvtCompletionDpc)
        self.last_queue = 0

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        for queue in self.queues_of_message[message_id]:
            self.last_queue = queue
            self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def EvtCompletionDpc(self, dpc: KDPC) -> None:
        self.per_dpc_run.append(await self.process_queue(self.last_queue, budget=1))


class InterlockedListDriver(CompletionQueueDriver):
    """ISR appends each queue the message announces to an ExInterlocked list; the DPC drains the list."""
    name = "interlocked_list"

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        super().__init__(kernel, layout)
        self.dpc = self.new_dpc(self.EvtCompletionDpc)
        self.work = INTERLOCKED_LIST("work")
        self.locks.append(self.work.lock)

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        for queue in self.queues_of_message[message_id]:
            await self.k.ExInterlockedInsertTailList(self.work, queue)
            self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def EvtCompletionDpc(self, dpc: KDPC) -> None:
        done = 0
        while (q := await self.k.ExInterlockedRemoveHeadList(self.work)) is not None:
            done += await self.process_queue(q)
        self.per_dpc_run.append(done)


class SpinLockBitmapDriver(CompletionQueueDriver):
    """ISR sets each announced queue's bit in a bitmap (its interrupt spin lock, shared by all
    messages, is held around it); the DPC takes and clears the bitmap under that lock."""
    name = "spinlock_bitmap"

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        super().__init__(kernel, layout)
        self.dpc = self.new_dpc(self.EvtCompletionDpc)
        self.shared = KSPIN_LOCK("isr-shared")
        self.locks.append(self.shared)
        self.pending = 0

    def EvtDevicePrepareHardware(self, resources: DeviceResources) -> None:
        super().EvtDevicePrepareHardware(resources)
        for intr in self.interrupts:
            intr.SpinLock = self.shared         # WDF_INTERRUPT_CONFIG.SpinLock: one lock for all

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        await self.k.touch(self, "pending", write=True)
        for queue in self.queues_of_message[message_id]:
            self.pending |= 1 << queue
            self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def EvtCompletionDpc(self, dpc: KDPC) -> None:
        old = await self.k.KeAcquireInterruptSpinLock(self.interrupts[0])
        await self.k.touch(self, "pending", write=True)
        bits, self.pending = self.pending, 0
        await self.k.KeReleaseInterruptSpinLock(self.interrupts[0], old)
        self.per_dpc_run.append(sum([await self.process_queue(q) for q in _bits(bits)]))


class InterlockedOrBitmapDriver(CompletionQueueDriver):
    """ISR InterlockedOr's each announced queue's bit into a bitmap; the DPC InterlockedExchange's it to 0."""
    name = "interlocked_or"

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        super().__init__(kernel, layout)
        self.dpc = self.new_dpc(self.EvtCompletionDpc)
        self.bitmap = LONG()

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        for queue in self.queues_of_message[message_id]:
            await self.k.InterlockedOr(self.bitmap, 1 << queue)
            self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def EvtCompletionDpc(self, dpc: KDPC) -> None:
        bits = await self.k.InterlockedExchange(self.bitmap, 0)
        self.per_dpc_run.append(sum([await self.process_queue(q) for q in _bits(bits)]))


class ScanAllQueuesDriver(CompletionQueueDriver):
    """The DPC ignores what the ISR saw and reads every queue's next entry (phase bit) until a
    whole pass finds nothing: N memory reads per pass instead of any ISR-to-DPC bookkeeping. The
    ISR queues the DPC once per message, whichever queues it announces."""
    name = "scan_phase"

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        super().__init__(kernel, layout)
        self.dpc = self.new_dpc(self.EvtCompletionDpc)

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def EvtCompletionDpc(self, dpc: KDPC) -> None:
        total, found = 0, 1
        while found:
            found = sum([await self.process_queue(q) for q in range(len(self.layout.bases))])
            total += found
        self.per_dpc_run.append(total)


class PerQueueDpcDriver(CompletionQueueDriver):
    """A DPC per queue: the ISR queues the DPC of each queue its message announces, on the CPU
    the message was delivered to, and each DPC drains its own queue."""
    name = "per_queue_dpc"

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        super().__init__(kernel, layout)
        self.queue_dpcs = [self.new_dpc(self.EvtQueueDpc, q, name=f"dpc{q}") for q in range(len(layout.bases))]

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        for queue in self.queues_of_message[message_id]:
            self.k.KeInsertQueueDpc(self.queue_dpcs[queue])
        return True

    async def EvtQueueDpc(self, dpc: KDPC) -> None:
        queue: int = dpc.DeferredContext
        self.per_dpc_run.append(await self.process_queue(queue))


class NapiDriver(PerQueueDpcDriver):
    """Hybrid polling in the manner of Linux NAPI. The ISR disarms each announced queue's
    interrupt and queues its DPC. The DPC polls with a budget and stays in polling (queues itself
    again) while the budget is used up; when it is not, it re-arms, reads a device register so
    that the posted arm write has landed, and checks the queue once more: work that arrived
    between its last check and the arm would otherwise never raise an interrupt (the lost wakeup)."""
    name = "napi"
    budget = 64

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        for queue in self.queues_of_message[message_id]:
            await self.arm(queue, False)
            self.k.KeInsertQueueDpc(self.queue_dpcs[queue])
        return True

    async def EvtQueueDpc(self, dpc: KDPC) -> None:
        queue: int = dpc.DeferredContext
        self.k.log("poll_checked", queue=queue)
        done = await self.process_queue(queue, budget=self.budget)
        self.per_dpc_run.append(done)
        if done == self.budget:
            self.k.log("poll_requeued", queue=queue)
            self.k.KeInsertQueueDpc(dpc)                  # stay in polling mode
            return
        await self.arm(queue, True)
        self.k.log("interrupt_rearmed", queue=queue)
        if await self.work_after_arm(queue):
            await self.arm(queue, False)
            self.k.KeInsertQueueDpc(dpc)

    async def work_after_arm(self, queue: int) -> bool:
        await self.k.READ_REGISTER_ULONG(self.layout.flush_reg)    # the arm write has landed
        await self.k.execute(self.head_entry_read_ps(queue))
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

    async def EvtDeviceD0Entry(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        await super().EvtDeviceD0Entry(previous_state)
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
    queue still announces the interrupt-driven queues on it (``queues_of_message``)."""
    name = "hybrid_poll"
    polled: tuple[int, ...] = (0,)
    poll_period_ps = 20_000_000

    def __init__(self, kernel: Kernel, layout: CqLayout) -> None:
        super().__init__(kernel, layout)
        self.poll_dpc = self.new_dpc(self.EvtPollDpc, name="poll")
        self.poll_runs = 0

    async def EvtDeviceD0Entry(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        await super().EvtDeviceD0Entry(previous_state)
        self.timer: KTIMER = self.k.KeSetTimerEx(self.poll_dpc, self.poll_period_ps, self.poll_period_ps)

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        for queue in self.queues_of_message[message_id]:
            if queue not in self.polled:
                self.k.KeInsertQueueDpc(self.queue_dpcs[queue])
        return True

    async def EvtPollDpc(self, dpc: KDPC) -> None:
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
