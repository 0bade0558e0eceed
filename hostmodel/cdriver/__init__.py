"""A driver's own C interrupt path in the host model: its EvtInterruptIsr and EvtInterruptDpc,
compiled against irqloop's WDK shim (include/irqloop_wdk.h, shim.c here) into a shared library
(irqloop/cdriver.py builds it), run in the kernel model's ISR and DPC contexts in simulated time.

How it runs: each invocation of a C callback (an ISR, a DPC) is a coroutine on its own C stack
(ucontext), started and resumed from the Python task the kernel model runs it in. When the C code
calls a DDI that touches the machine, the shim stops it with a request (:class:`IrqloopOp`);
:meth:`CDriverRuntime.run` services the request with the kernel model's own service (a register
read awaits the simulated bus, ``KeInsertQueueDpc`` is the model's, CPU time is ``Kernel.execute``
with the costs of :class:`~irqloop.hostmodel.kernel.CpuCosts`) and resumes the C code with the
answer. One OS thread; C runs only between two of the simulator's scheduling decisions, so the
run is as deterministic as the Python drivers' (the same seed gives the same report).

:class:`CStreamDriver` is the streaming driver with its interrupt path in C: bring-up (resources,
ring programming, enabling) stays the Python :class:`~irqloop.hostmodel.driver.StreamDriver`'s.
It fills the same statistics the Python driver keeps, from the trace events the C driver logs and
the DDIs it calls, so reports of the two compare figure for figure.

:class:`CCompletionQueueDriver` is a completion-queue driver (seed thread 1) with its ISR and DPC
objects in C; bring-up (queues, moderation, MSI-X) is the Python
:class:`~irqloop.hostmodel.strategies.CompletionQueueDriver`'s.
"""

from __future__ import annotations

import ctypes
import os
import tempfile
from enum import IntEnum
from pathlib import Path
from typing import Any, Callable, Optional

import numpy as np

from irqloop.hostmodel.cyclic import CyclicBuffer, CyclicEntry
from irqloop.hostmodel.driver import CAUSE_CFGERR, CAUSE_OVERRUN, StreamConfig, StreamDriver
from irqloop.hostmodel.kernel import KDPC, KDPC_IMPORTANCE, KINTERRUPT, KSPIN_LOCK, Kernel
from irqloop.hostmodel.pci import DeviceResources
from irqloop.hostmodel.strategies import ENTRY_BYTES, CompletionQueueDriver, CqLayout

#: the register space the driver's READ_/WRITE_REGISTER_* pointers are in (BAR 0: 4 KiB)
REGISTER_SPACE_BYTES = 0x1000


class IrqloopOp(IntEnum):
    """The requests of shim.c, by number (the enum there, in the same order)."""
    RETURN = 0
    FAULT = 1
    READ_REGISTER = 2
    WRITE_REGISTER = 3
    QUEUE_DPC_FOR_ISR = 4
    INITIALIZE_DPC = 5
    INSERT_QUEUE_DPC = 6
    SET_IMPORTANCE_DPC = 7
    SET_TARGET_DPC = 8
    INTERRUPT_LOCK = 9
    INTERRUPT_UNLOCK = 10
    SPIN_LOCK_ACQUIRE = 11
    SPIN_LOCK_RELEASE = 12
    CURRENT_IRQL = 13
    CURRENT_PROCESSOR = 14
    INTERLOCKED = 15
    QUERY_TIME = 16
    CPU_WORK = 17
    COPY_WORK = 18
    TRACE = 19
    COMPLETE_CHUNK = 20


_RETURN, _READ_REGISTER, _WRITE_REGISTER = int(IrqloopOp.RETURN), int(IrqloopOp.READ_REGISTER), int(IrqloopOp.WRITE_REGISTER)


class IrqloopEntry(IntEnum):
    PREPARE_HARDWARE = 1
    INTERRUPT_ISR = 2
    INTERRUPT_DPC = 3
    DEFERRED_ROUTINE = 4


class FieldType(IntEnum):
    END = 0
    UNSIGNED = 1
    SIGNED = 2
    STRING = 3
    UINT32_ARRAY = 4
    BINARY = 5


class _Request(ctypes.Structure):
    _fields_ = [("op", ctypes.c_int32), ("entry", ctypes.c_int32), ("arg", ctypes.c_uint64 * 4),
                ("text", ctypes.c_char_p), ("reply", ctypes.c_uint64)]


class _TraceField(ctypes.Structure):
    _fields_ = [("Name", ctypes.c_char_p), ("Type", ctypes.c_int), ("Value", ctypes.c_uint64),
                ("Pointer", ctypes.c_void_p)]


class CDriverFault(RuntimeError):
    """The C driver broke a rule of the shim (a register address outside BAR 0, a DDI outside a
    callback's context, a DDI the context cannot wait in)."""


def load_library(path: Path) -> ctypes.CDLL:
    """A fresh instance of the driver's library: a copy loaded under its own name, so its globals
    (the device context, the driver's static variables) start from zero in every run, as a driver
    loaded for a new device does, and two runs in one process never share them."""
    fd, copy = tempfile.mkstemp(prefix="irqloop-cdriver-", suffix=".so")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(Path(path).read_bytes())
        lib = ctypes.CDLL(copy)
    finally:
        os.unlink(copy)                  # the loaded mapping stays; nothing is left on disk
    lib.irqloop_map_registers.restype = ctypes.c_void_p
    lib.irqloop_map_registers.argtypes = [ctypes.c_size_t]
    lib.irqloop_set_host_memory.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
    lib.irqloop_set_stream_parameters.argtypes = [ctypes.c_uint64, ctypes.c_uint64, ctypes.c_uint32,
                                                  ctypes.c_uint32, ctypes.c_uint32]
    lib.irqloop_set_queue_parameters.argtypes = [ctypes.c_uint32, ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint64),
                                                 ctypes.c_uint32, ctypes.POINTER(ctypes.c_uint32),
                                                 ctypes.c_uint64, ctypes.c_uint64]
    lib.irqloop_device_handle.restype = ctypes.c_void_p
    lib.irqloop_has_entry.argtypes = [ctypes.c_int]
    lib.irqloop_call_new.restype = ctypes.c_void_p
    lib.irqloop_call_start.argtypes = [ctypes.c_void_p, ctypes.c_int] + [ctypes.c_uint64] * 4
    lib.irqloop_call_resume.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
    return lib


class _Call:
    """One C stack, reused by one invocation at a time."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.address = lib.irqloop_call_new()
        if not self.address:
            raise MemoryError("the WDK shim could not allocate a C stack")
        self.request = _Request.from_address(self.address)


class CDriverRuntime:
    """The C driver's library, bound to one kernel model: starts its callbacks and services what
    they ask. ``trace_hook`` sees each trace event the driver logs before the kernel logs it (a
    driver object keeps its statistics from them); ``complete_chunk`` takes the chunks the driver
    hands the application."""

    def __init__(self, library: Path, kernel: Kernel,
                 complete_chunk: Optional[Callable[[int, np.ndarray], bool]] = None, name: str = "c") -> None:
        self.lib = load_library(library)
        self.k = kernel
        self.name = name                                 #: prefixes the names of its DPCs and locks
        self.complete_chunk = complete_chunk
        self.register_base = self.lib.irqloop_map_registers(REGISTER_SPACE_BYTES)
        memory = kernel.platform.memory
        self.memory = memory
        self.lib.irqloop_set_host_memory(memory.ctypes.data, memory.nbytes)
        self.device_handle: int = self.lib.irqloop_device_handle()
        self._free: list[_Call] = []
        self.interrupts: dict[int, KINTERRUPT] = {}      #: WDFINTERRUPT handle -> interrupt object
        self.interrupt_dpc: dict[int, Optional[KDPC]] = {}   #: WDFINTERRUPT handle -> its DPC
        self.dpcs: dict[int, KDPC] = {}                  #: KDPC address -> the kernel model's KDPC
        self.spin_locks: dict[int, KSPIN_LOCK] = {}      #: KSPIN_LOCK address -> the model's lock
        self._old_irql: dict[int, Any] = {}
        self.trace_hook: Optional[Callable[[str, dict[str, Any]], None]] = None
        self.dpc_inserts: list[bool] = []                #: each queue request's result, in order
        self.isr_register_reads = 0
        self.requests = 0                                #: DDI requests serviced (cost figures)
        #: called after each run of a DPC object's routine (a driver object keeps per-run figures)
        self.dpc_returned: Optional[Callable[[], None]] = None

    def has(self, entry: IrqloopEntry) -> bool:
        return bool(self.lib.irqloop_has_entry(int(entry)))

    @staticmethod
    def handle_of(interrupt: KINTERRUPT) -> int:
        """The WDFINTERRUPT handle the C code knows ``interrupt`` by."""
        return 0x1_0000 + interrupt.MessageId

    def interrupt_handle(self, interrupt: KINTERRUPT, dpc: Optional[KDPC]) -> int:
        """Register ``interrupt`` (whose DPC, for WdfInterruptQueueDpcForIsr, is ``dpc``; None: the
        driver queues only DPC objects of its own); returns its WDFINTERRUPT handle."""
        handle = self.handle_of(interrupt)
        self.interrupts[handle] = interrupt
        self.interrupt_dpc[handle] = dpc
        return handle

    def prepare_hardware(self, library_name: str, needs: tuple[tuple[IrqloopEntry, str], ...]) -> None:
        """Check that the driver names the callbacks ``needs`` lists, then run its
        EvtDevicePrepareHardware if it has one (CDriverFault for a failing NTSTATUS)."""
        for entry, callback in needs:
            if not self.has(entry):
                raise CDriverFault(f"{library_name}: IRQLOOP_DRIVER(...) names no {callback}, which this driver needs")
        if self.has(IrqloopEntry.PREPARE_HARDWARE):
            status = self.run_now(IrqloopEntry.PREPARE_HARDWARE, self.device_handle, 0, 0) & 0xFFFFFFFF
            if status & 0x8000_0000:
                raise CDriverFault(f"{library_name}: EvtDevicePrepareHardware returned NTSTATUS {status:#010x}")

    # ---- running a callback ----
    def run_now(self, entry: IrqloopEntry, *args: int) -> int:
        """Run a callback that must not wait (bring-up at PASSIVE_LEVEL before the device runs):
        only requests answered without simulated time are allowed."""
        call = self._take()
        self.lib.irqloop_call_start(call.address, int(entry), *self._args(args))
        try:
            while (op := call.request.op) != IrqloopOp.RETURN:
                reply = self._answer_now(IrqloopOp(op), call.request)
                if reply is None:
                    raise CDriverFault(f"{IrqloopOp(op).name} in {entry.name}: the shim runs this callback "
                                       "before the simulation, where nothing can wait")
                self.lib.irqloop_call_resume(call.address, reply)
        finally:
            self._free.append(call)
        return int(call.request.arg[0])

    async def run(self, entry: IrqloopEntry, *args: int) -> int:
        """Run a callback in the calling task's context (an ISR, a DPC); returns its return value."""
        call = self._take()
        req = call.request
        self.lib.irqloop_call_start(call.address, int(entry), *self._args(args))
        resume, k = self.lib.irqloop_call_resume, self.k
        while (op := req.op) != _RETURN:
            self.requests += 1
            if op == _READ_REGISTER:         # the common requests first, without the enum's lookup
                if k._cpu().isr_active is not None:
                    self.isr_register_reads += 1
                reply = await k.READ_REGISTER_ULONG(req.arg[0])
            elif op == _WRITE_REGISTER:
                await k.WRITE_REGISTER_ULONG(req.arg[0], req.arg[1])
                reply = 0
            else:
                reply = self._answer_now(IrqloopOp(op), req)
                if reply is None:
                    reply = await self._answer(IrqloopOp(op), req)
            resume(call.address, reply)
        self._free.append(call)
        return int(req.arg[0])

    def _take(self) -> _Call:
        return self._free.pop() if self._free else _Call(self.lib)

    @staticmethod
    def _args(args: tuple[int, ...]) -> list[int]:
        return [int(a) & 0xFFFF_FFFF_FFFF_FFFF for a in args] + [0] * (4 - len(args))

    # ---- requests answered at once (no simulated time passes) ----
    def _answer_now(self, op: IrqloopOp, req: _Request) -> Optional[int]:
        k, a = self.k, req.arg
        if op == IrqloopOp.QUEUE_DPC_FOR_ISR:
            if int(a[0]) not in self.interrupt_dpc:
                raise CDriverFault(f"WdfInterruptQueueDpcForIsr: {int(a[0]):#x} is no interrupt handle")
            dpc = self.interrupt_dpc[int(a[0])]
            if dpc is None:
                raise CDriverFault("WdfInterruptQueueDpcForIsr: the driver named no EvtInterruptDpc "
                                   "(IRQLOOP_DRIVER's third callback is NULL)")
            return self._queued(k.KeInsertQueueDpc(dpc))
        if op == IrqloopOp.INSERT_QUEUE_DPC:
            return self._queued(k.KeInsertQueueDpc(self._dpc(int(a[0])), int(a[1]), int(a[2])))
        if op == IrqloopOp.INITIALIZE_DPC:
            self._initialize_dpc(int(a[0]), framework=bool(a[1]))
            return 0
        if op == IrqloopOp.SET_IMPORTANCE_DPC:
            k.KeSetImportanceDpc(self._dpc(int(a[0])), KDPC_IMPORTANCE(int(a[1])))
            return 0
        if op == IrqloopOp.SET_TARGET_DPC:
            k.KeSetTargetProcessorDpc(self._dpc(int(a[0])), int(a[1]))
            return 0
        if op == IrqloopOp.CURRENT_IRQL:
            return int(k.irql)
        if op == IrqloopOp.CURRENT_PROCESSOR:
            return k.KeGetCurrentProcessorNumber()
        if op == IrqloopOp.QUERY_TIME:
            return k.now()
        if op == IrqloopOp.TRACE:
            self._trace(req)
            return 0
        if op == IrqloopOp.COMPLETE_CHUNK:
            # string_at copies the bytes once; np.ctypeslib.as_array costs ~100x more per call
            data = np.frombuffer(ctypes.string_at(int(a[1]), int(a[2])), np.uint8).copy()
            ok = self.complete_chunk(int(a[0]), data.view(np.uint32)) if self.complete_chunk else True
            return int(bool(ok))
        if op == IrqloopOp.FAULT:
            raise CDriverFault(req.text.decode(errors="replace"))
        return None

    def _queued(self, queued: bool) -> int:
        self.dpc_inserts.append(queued)
        return int(queued)

    # ---- requests that take simulated time ----
    async def _answer(self, op: IrqloopOp, req: _Request) -> int:
        k, a = self.k, req.arg
        if op == IrqloopOp.READ_REGISTER:
            if k._cpu().isr_active is not None:
                self.isr_register_reads += 1
            return await k.READ_REGISTER_ULONG(int(a[0]))
        if op == IrqloopOp.WRITE_REGISTER:
            await k.WRITE_REGISTER_ULONG(int(a[0]), int(a[1]))
            return 0
        if op == IrqloopOp.COPY_WORK:
            await k.execute(k.costs.copy_ps(int(a[1])) - k.costs.copy_ps(int(a[0])))
            return 0
        if op == IrqloopOp.CPU_WORK:
            await k.execute(int(a[0]))
            return 0
        if op == IrqloopOp.INTERLOCKED:
            await k.platform.sleep(k.costs.interlocked_op_ps)
            return 0
        if op == IrqloopOp.INTERRUPT_LOCK:
            handle = int(a[0])
            self._old_irql[handle] = await k.KeAcquireInterruptSpinLock(self._interrupt(handle))
            return 0
        if op == IrqloopOp.INTERRUPT_UNLOCK:
            handle = int(a[0])
            await k.KeReleaseInterruptSpinLock(self._interrupt(handle), self._old_irql.pop(handle))
            return 0
        if op == IrqloopOp.SPIN_LOCK_ACQUIRE:
            await k.KeAcquireSpinLockAtDpcLevel(self._spin_lock(int(a[0])))
            return 0
        if op == IrqloopOp.SPIN_LOCK_RELEASE:
            await k.KeReleaseSpinLockFromDpcLevel(self._spin_lock(int(a[0])))
            return 0
        raise CDriverFault(f"the WDK shim asked for {op!r}, which the host model does not know")

    # ---- objects ----
    def _interrupt(self, handle: int) -> KINTERRUPT:
        try:
            return self.interrupts[handle]
        except KeyError:
            raise CDriverFault(f"{handle:#x} is no WDFINTERRUPT of this device") from None

    def _dpc(self, address: int) -> KDPC:
        try:
            return self.dpcs[address]
        except KeyError:
            raise CDriverFault(f"KDPC at {address:#x} was not initialized with KeInitializeDpc") from None

    def _initialize_dpc(self, address: int, framework: bool) -> None:
        async def deferred_routine(dpc: KDPC, context: Any, arg1: Any, arg2: Any) -> None:
            await self.run(IrqloopEntry.DEFERRED_ROUTINE, address, 0, arg1 or 0, arg2 or 0)
            if self.dpc_returned is not None:
                self.dpc_returned()
        # named in the order the driver created them: addresses differ from run to run, names may not
        kind = "WDFDPC" if framework else "KDPC"
        self.dpcs[address] = self.k.KeInitializeDpc(deferred_routine, None, name=f"{self.name}.{kind}{len(self.dpcs)}")

    def _spin_lock(self, address: int) -> KSPIN_LOCK:
        lock = self.spin_locks.get(address)
        if lock is None:
            lock = self.spin_locks[address] = KSPIN_LOCK(f"{self.name}.KSPIN_LOCK{len(self.spin_locks)}")
        return lock

    def _trace(self, req: _Request) -> None:
        kind = req.text.decode()
        fields = (_TraceField * int(req.arg[1])).from_address(int(req.arg[0])) if req.arg[1] else []
        info: dict[str, Any] = {}
        for f in fields:
            name = f.Name.decode()
            t = FieldType(f.Type)
            if t == FieldType.UNSIGNED:
                info[name] = int(f.Value)
            elif t == FieldType.SIGNED:
                info[name] = ctypes.c_int64(f.Value).value
            elif t == FieldType.STRING:
                info[name] = ctypes.string_at(f.Pointer).decode(errors="replace") if f.Pointer else ""
            elif t == FieldType.UINT32_ARRAY:
                info[name] = np.frombuffer(ctypes.string_at(f.Pointer, 4 * int(f.Value)), np.uint32).copy() \
                    if f.Value else np.empty(0, np.uint32)
            elif t == FieldType.BINARY:
                info[name] = ctypes.string_at(f.Pointer, int(f.Value)) if f.Value else b""
        if self.trace_hook is not None:
            self.trace_hook(kind, info)
        self.k.log(kind, **info)


class CStreamDriver(StreamDriver):
    """The streaming driver with its ISR and DPC in C (``library``: a driver built by
    irqloop/cdriver.py). Bring-up is the Python driver's; the statistics are kept from what the C
    driver logs and calls, under the same names."""

    def __init__(self, kernel: Kernel, cfg: StreamConfig, cyclic: CyclicBuffer, library: Path) -> None:
        super().__init__(kernel, cfg, cyclic)
        self.runtime = CDriverRuntime(library, kernel, complete_chunk=self._complete_chunk)
        self.runtime.trace_hook = self._traced
        self.library = Path(library)
        self._dpc_inserts_seen = 0

    def EvtDevicePrepareHardware(self, resources: DeviceResources) -> None:
        super().EvtDevicePrepareHardware(resources)
        rt, c = self.runtime, self.cfg
        rt.lib.irqloop_set_stream_parameters(c.ring_base, c.ring_base, c.slot_count, c.slot_bytes, int(c.rearm_by_mask))
        self.data_handle = rt.interrupt_handle(self.data_interrupt, self.dpc)
        if self.error_interrupt is not None:
            rt.interrupt_handle(self.error_interrupt, self.dpc)
        rt.prepare_hardware(self.library.name, ((IrqloopEntry.INTERRUPT_ISR, "EvtInterruptIsr"),
                                                (IrqloopEntry.INTERRUPT_DPC, "EvtInterruptDpc")))

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        rt = self.runtime
        before_reads, before_inserts = rt.isr_register_reads, len(rt.dpc_inserts)
        claimed = await rt.run(IrqloopEntry.INTERRUPT_ISR, rt.handle_of(interrupt), message_id)
        self.stats.isr_mmio_reads += rt.isr_register_reads - before_reads
        for queued in rt.dpc_inserts[before_inserts:]:
            self.stats.data_isrs += 1
            if queued:
                self.stats.dpc_queued += 1
            else:
                self.stats.dpc_already_queued += 1
        return bool(claimed & 0xFF)

    async def EvtInterruptDpc(self, interrupt: KINTERRUPT, dpc: KDPC) -> None:
        await self.runtime.run(IrqloopEntry.INTERRUPT_DPC, self.data_handle, self.runtime.device_handle)

    # ---- what the C driver tells the application and the trace ----
    def _complete_chunk(self, seq: int, data: np.ndarray) -> bool:
        if not self.cyclic.put(CyclicEntry(seq, data)):
            self.stats.chunks_lost_cyclic += 1
            return False
        return True

    def _traced(self, kind: str, info: dict[str, Any]) -> None:
        s, k = self.stats, self.k
        if kind == "chunk_copied":
            s.chunks_copied += 1
            self.cons = info["seq"] + 1
        elif kind == "ring_overrun_found":
            s.chunks_lost_ring += info["lost"]
            s.overrun_reads.append({"t_ps": k.now(), "prod": info["prod"], "cons": info["cons"], "lost": info["lost"]})
            self.cons = info["cons"] + info["lost"]
        elif kind == "dpc_copied":
            s.per_dpc_chunks.append(info["chunks"])
        elif kind == "error_cause":
            s.error_isrs += 1
            cause = info["cause"]
            if cause & CAUSE_OVERRUN and s.hw_overrun_seen_ps is None:
                s.hw_overrun_seen_ps = k.now()
            if cause & CAUSE_CFGERR and s.cfg_error_seen_ps is None:
                s.cfg_error_seen_ps = k.now()


class CCompletionQueueDriver(CompletionQueueDriver):
    """A completion-queue driver whose EvtInterruptIsr and DPC objects are C (``library``: built
    by irqloop/cdriver.py, e.g. examples/drivers/cq_bitmap.c). The C driver learns its queues and
    which queues each message announces from IrqloopQueryCompletionQueueParameters, creates its
    DPCs with WdfDpcCreate (or KeInitializeDpc) in EvtDevicePrepareHardware, and logs
    ``cq_entry_consumed`` (queue, slot, entry, cpu) for each completion it consumes, as the Python
    strategies do: the scoreboard judges both from that trace. The completions each DPC run
    consumed (``per_dpc_run``) are counted from the same events."""
    name = "c"

    def __init__(self, kernel: Kernel, layout: CqLayout, library: Path, name: str = "c") -> None:
        super().__init__(kernel, layout)
        self.name = name
        self.library = Path(library)
        self.runtime = CDriverRuntime(library, kernel, name=name)
        self.runtime.trace_hook = self._traced
        self.runtime.dpc_returned = self._dpc_returned
        self._consumed_by_cpu: dict[int, int] = {}

    def EvtDevicePrepareHardware(self, resources: DeviceResources) -> None:
        super().EvtDevicePrepareHardware(resources)
        rt, lay = self.runtime, self.layout
        if max(lay.bases) + lay.entries * ENTRY_BYTES > self.k.platform.memory.nbytes:
            raise CDriverFault(f"the completion queues end beyond host memory ({self.k.platform.memory.nbytes} bytes)")
        offsets = (ctypes.c_uint64 * len(lay.bases))(*lay.bases)
        n_msg = len(self.interrupts)
        masks = (ctypes.c_uint32 * max(1, n_msg))(*[sum(1 << q for q in self.queues_of_message.get(m, ()))
                                                     for m in range(n_msg)])
        if rt.lib.irqloop_set_queue_parameters(len(lay.bases), lay.entries, offsets, n_msg, masks,
                                               lay.entry_read_ps, lay.per_completion_ps) != 0:
            raise CDriverFault(f"{len(lay.bases)} queues and {n_msg} messages: the WDK shim takes at most 32 of each")
        interrupt_dpc = rt.has(IrqloopEntry.INTERRUPT_DPC)
        for intr in self.interrupts:
            rt.interrupt_handle(intr, self.new_dpc(self._interrupt_dpc, intr, name=f"msg{intr.MessageId}.dpc")
                                if interrupt_dpc else None)
        rt.prepare_hardware(self.library.name, ((IrqloopEntry.INTERRUPT_ISR, "EvtInterruptIsr"),))
        self.dpcs += list(rt.dpcs.values())          # the C driver's own DPC objects, for the metrics

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        claimed = await self.runtime.run(IrqloopEntry.INTERRUPT_ISR, self.runtime.handle_of(interrupt), message_id)
        return bool(claimed & 0xFF)

    async def _interrupt_dpc(self, dpc: KDPC) -> None:
        interrupt: KINTERRUPT = dpc.DeferredContext
        await self.runtime.run(IrqloopEntry.INTERRUPT_DPC, self.runtime.handle_of(interrupt), self.runtime.device_handle)
        self._dpc_returned()

    # ---- what the C driver logs ----
    def _traced(self, kind: str, info: dict[str, Any]) -> None:
        if kind == "cq_entry_consumed":
            cpu = int(info.get("cpu", self.k.KeGetCurrentProcessorNumber()))
            self._consumed_by_cpu[cpu] = self._consumed_by_cpu.get(cpu, 0) + 1

    def _dpc_returned(self) -> None:
        """A DPC run ended on the current CPU: what it consumed is one entry of per_dpc_run."""
        cpu = self.k.KeGetCurrentProcessorNumber()
        self.per_dpc_run.append(self._consumed_by_cpu.pop(cpu, 0))
