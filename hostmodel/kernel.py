"""A model of the Windows kernel's interrupt path on one CPU: ISR, DPC queue, IRQL.

Names follow the Windows documentation so a driver writer recognises them. The semantics
modelled here (each is named in the unit tests, see references.md):

- ``KeInsertQueueDpc`` returns False and does nothing if the DPC object is already queued.
- A DPC is dequeued just before its routine runs; from then on it can be queued again, so an
  ISR that fires while the routine runs queues it for another run.
- An ISR runs at DIRQL and preempts DPC-level work on its CPU; the DPC's remaining work is
  delayed by exactly the ISR's run time. An interrupt that arrives while an MMIO instruction
  is in flight is taken when the instruction completes. One interrupt object's ISR never runs
  twice at once; a message that arrives while it is already pending at the CPU collapses into
  the pending one (the local APIC's IRR holds one bit per vector).
- DPCs run in queue order (Medium importance: inserted at the tail) after the injected start
  latency of :class:`~hostmodel.latency.DpcLatencyModel` plus the dispatcher's call overhead.
- MMIO writes are posted: the CPU does not wait for them. A read waits for its completion,
  which the bus delivers after every earlier write (PCIe ordering).

Driver code must await only kernel services (``READ_REGISTER_ULONG``, ``WRITE_REGISTER_ULONG``,
``execute``) so that preemption is accounted for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Awaitable, Callable, Optional

from hostmodel.latency import DpcLatencyModel
from hostmodel.platform import Platform


class Irql(IntEnum):
    PASSIVE_LEVEL = 0
    APC_LEVEL = 1
    DISPATCH_LEVEL = 2
    DIRQL = 5   #: the device's interrupt level


#: guidance from the DPC_WATCHDOG_VIOLATION (0x133) page
DPC_GUIDANCE_PS = 100_000_000
ISR_GUIDANCE_PS = 25_000_000


@dataclass
class CpuCosts:
    """Time the CPU spends, in picoseconds; MMIO costs what the bus takes."""
    isr_dispatch_ps: int = 500_000      #: interrupt entry: vectoring and the kernel's ISR wrapper
    isr_exit_ps: int = 200_000          #: EOI and return (charged with the entry, before the routine)
    dpc_dispatch_ps: int = 300_000      #: the dispatcher's call into the DPC routine
    copy_ps_per_kib: int = 100_000      #: memcpy at ~10 GB/s
    per_chunk_ps: int = 50_000          #: driver bookkeeping per chunk


@dataclass
class TraceEvent:
    t_ps: int
    kind: str
    info: dict[str, Any] = field(default_factory=dict)


DeferredRoutine = Callable[["KDPC", Any, Any, Any], Awaitable[None]]
ServiceRoutine = Callable[["KINTERRUPT", Any], Awaitable[bool]]


@dataclass(eq=False)
class KDPC:
    DeferredRoutine: DeferredRoutine
    DeferredContext: Any = None
    name: str = "dpc"
    SystemArgument1: Any = None
    SystemArgument2: Any = None
    inserted: bool = False              #: in a DPC queue now
    queued_at_ps: int = 0
    insert_attempts: int = 0
    inserts: int = 0
    runs: int = 0
    running: int = 0                    #: routine invocations in progress
    latencies_ps: list[int] = field(default_factory=list)
    run_times_ps: list[int] = field(default_factory=list)


@dataclass(eq=False)
class KINTERRUPT:
    ServiceRoutine: ServiceRoutine
    ServiceContext: Any
    MessageId: int
    name: str = "isr"
    isr_count: int = 0
    not_claimed: int = 0
    collapsed: int = 0                  #: messages merged into one already pending at the CPU
    run_times_ps: list[int] = field(default_factory=list)


class Kernel:
    """One CPU with its DPC queue and interrupt dispatch."""

    def __init__(self, platform: Platform, latency: Optional[DpcLatencyModel] = None,
                 costs: Optional[CpuCosts] = None) -> None:
        self.platform = platform
        self.latency = latency if latency is not None else DpcLatencyModel()
        self.costs = costs if costs is not None else CpuCosts()
        self.trace: list[TraceEvent] = []
        self.warnings: list[str] = []
        self._interrupts: dict[int, KINTERRUPT] = {}
        self._dpc_queue: list[KDPC] = []
        self._dpc_event = platform.event()
        self._isr_idle = platform.event()
        self._isr_idle.set()
        self._irr: list[KINTERRUPT] = []            # messages waiting for the CPU, in order
        self.isr_active: Optional[KINTERRUPT] = None
        self.dpc_active: Optional[KDPC] = None
        self.in_instruction = False
        self._isr_start_ps = 0
        self._isr_busy_ps = 0
        self.dispatch_or_above_ps = 0
        self.unknown_messages = 0
        self._started = False

    # ---- time ----
    def now(self) -> int:
        return self.platform.now_ps()

    def log(self, kind: str, **info: Any) -> None:
        self.trace.append(TraceEvent(self.now(), kind, info))

    @property
    def irql(self) -> Irql:
        if self.isr_active is not None:
            return Irql.DIRQL
        if self.dpc_active is not None:
            return Irql.DISPATCH_LEVEL
        return Irql.PASSIVE_LEVEL

    def _isr_time_now(self) -> int:
        extra = self.now() - self._isr_start_ps if self.isr_active is not None else 0
        return self._isr_busy_ps + extra

    async def _wait_isr_idle(self) -> None:
        while self.isr_active is not None:
            self._isr_idle.clear()
            await self._isr_idle.wait()

    # ---- objects ----
    def KeInitializeDpc(self, routine: DeferredRoutine, context: Any = None, name: str = "dpc") -> KDPC:
        return KDPC(DeferredRoutine=routine, DeferredContext=context, name=name)

    def IoConnectInterruptEx(self, message_id: int, routine: ServiceRoutine, context: Any = None,
                             name: str = "isr") -> KINTERRUPT:
        if message_id in self._interrupts:
            raise ValueError(f"message {message_id} already has an interrupt object")
        intr = KINTERRUPT(ServiceRoutine=routine, ServiceContext=context, MessageId=message_id, name=name)
        self._interrupts[message_id] = intr
        if not self._started:
            self._started = True
            self.platform.spawn(self._dpc_dispatcher())
        return intr

    # ---- DPCs ----
    def KeInsertQueueDpc(self, dpc: KDPC, arg1: Any = None, arg2: Any = None) -> bool:
        """Queue ``dpc`` at the tail; False (and nothing else) if it is already queued."""
        dpc.insert_attempts += 1
        if dpc.inserted:
            self.log("dpc_insert", dpc=dpc.name, queued=False)
            return False
        dpc.inserted = True
        dpc.inserts += 1
        dpc.queued_at_ps = self.now()
        dpc.SystemArgument1, dpc.SystemArgument2 = arg1, arg2
        self._dpc_queue.append(dpc)
        self._dpc_event.set()
        self.log("dpc_insert", dpc=dpc.name, queued=True)
        return True

    async def _dpc_dispatcher(self) -> None:
        while True:
            while not self._dpc_queue:
                self._dpc_event.clear()
                await self._dpc_event.wait()
            dpc = self._dpc_queue[0]
            # the start latency includes the dispatcher's own call overhead
            start = dpc.queued_at_ps + self.latency.sample(dpc.queued_at_ps) + self.costs.dpc_dispatch_ps
            if start > self.now():
                await self.platform.sleep(start - self.now())
            await self._wait_isr_idle()
            self._dpc_queue.pop(0)
            dpc.inserted = False                  # queueable again before the routine runs
            latency = self.now() - dpc.queued_at_ps
            dpc.latencies_ps.append(latency)
            dpc.runs += 1
            dpc.running += 1
            t0 = self.now()
            self.log("dpc_start", dpc=dpc.name, latency_ps=latency, queued_at_ps=dpc.queued_at_ps)
            self.dpc_active = dpc
            await dpc.DeferredRoutine(dpc, dpc.DeferredContext, dpc.SystemArgument1, dpc.SystemArgument2)
            self.dpc_active = None
            dpc.running -= 1
            run = self.now() - t0
            dpc.run_times_ps.append(run)
            self.dispatch_or_above_ps += run
            if run > DPC_GUIDANCE_PS:
                self.warnings.append(f"DPC {dpc.name} ran {run / 1e6:.1f} us (> 100 us guidance) at {t0} ps")
            self.log("dpc_end", dpc=dpc.name, run_ps=run)

    # ---- interrupts ----
    def deliver_msi(self, message_id: int) -> None:
        """An MSI message reached the CPU (called by the platform)."""
        intr = self._interrupts.get(message_id)
        if intr is None:
            self.unknown_messages += 1
            self.log("msi_unknown", message=message_id)
            return
        self.log("msi", message=message_id)
        if intr in self._irr:
            intr.collapsed += 1
            return
        self._irr.append(intr)
        self._dispatch_interrupts()

    def _dispatch_interrupts(self) -> None:
        if self.isr_active is not None or self.in_instruction or not self._irr:
            return
        intr = self._irr.pop(0)
        self.isr_active = intr
        self._isr_start_ps = self.now()
        self._isr_idle.clear()
        self.platform.spawn(self._run_isr(intr))

    async def _run_isr(self, intr: KINTERRUPT) -> None:
        t0 = self.now()
        self.log("isr_start", isr=intr.name, message=intr.MessageId)
        # interrupt entry and exit overhead, charged together before the routine (one wake)
        await self.platform.sleep(self.costs.isr_dispatch_ps + self.costs.isr_exit_ps)
        claimed = await intr.ServiceRoutine(intr, intr.ServiceContext)
        intr.isr_count += 1
        if not claimed:
            intr.not_claimed += 1
        run = self.now() - t0
        intr.run_times_ps.append(run)
        if run > ISR_GUIDANCE_PS:
            self.warnings.append(f"ISR {intr.name} ran {run / 1e6:.1f} us (> 25 us guidance) at {t0} ps")
        self.log("isr_end", isr=intr.name, claimed=claimed, run_ps=run)
        self._isr_busy_ps += run
        if self.dpc_active is None:
            self.dispatch_or_above_ps += run   # DPC time already covers a preempting ISR
        self.isr_active = None
        self._dispatch_interrupts()
        if self.isr_active is None:
            self._isr_idle.set()

    # ---- services for driver code ----
    async def execute(self, ps: int) -> None:
        """Spend ``ps`` of CPU time at the caller's IRQL; ISRs on this CPU extend DPC-level work."""
        if ps <= 0:
            return
        if self._at_dirql():
            # code runs while an ISR is active only if it is that ISR (DPC code waits)
            await self.platform.sleep(ps)
            return
        await self._wait_isr_idle()
        remaining = ps
        while remaining > 0:
            stolen0 = self._isr_time_now()
            await self.platform.sleep(remaining)
            remaining = self._isr_time_now() - stolen0
            await self._wait_isr_idle()

    def _at_dirql(self) -> bool:
        return self.isr_active is not None

    async def READ_REGISTER_ULONG(self, offset: int) -> int:
        if self._at_dirql():
            return await self.platform.mmio_read(offset)
        await self._wait_isr_idle()
        self.in_instruction = True
        value = await self.platform.mmio_read(offset)
        self.in_instruction = False
        self._dispatch_interrupts()
        await self._wait_isr_idle()
        return value

    async def WRITE_REGISTER_ULONG(self, offset: int, value: int) -> None:
        """A posted write: it goes to the bus and the CPU continues (a later read waits for it)."""
        await self.platform.mmio_write(offset, value)

    # ---- figures ----
    def interrupts(self) -> list[KINTERRUPT]:
        return list(self._interrupts.values())
