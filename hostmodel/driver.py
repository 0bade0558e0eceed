"""The streaming driver of the second seed thread, written as a KMDF driver would be.

Bring-up (:func:`hostmodel.pnp.start_device` calls these in the framework's order):
``EvtDevicePrepareHardware`` takes the resources the PnP manager assigned (the register space and
the interrupt messages) and connects an interrupt object to each message;
``EvtDeviceD0Entry`` programs the ring; the PCI bus driver then programs the messages
(:mod:`hostmodel.pci`: the driver never writes a message register); and
``EvtDeviceD0EntryPostInterruptsEnabled`` enables the device's interrupt sources and starts the
stream, so no interrupt can come before its ISR is connected.

``EvtInterruptIsr`` (for each message): read and clear the interrupt cause; for data-ready, mask
the data vector and queue the DPC (``KeInsertQueueDpc``; FALSE if it is still queued, which is
fine: the DPC handles all outstanding work). ``EvtInterruptDpc``: read the producer index, copy
*every* ready slot into the cyclic buffer, free them with one consumer-index write, then re-arm by
unmasking the data vector. A chunk that completed while the vector was masked left it pending, so
the unmask sends one MSI at once and no completion is stranded (PCIe 6.1.4 pending-bit rule).

If the device has lapped the driver (producer - consumer > slots), the oldest chunks are gone:
the DPC counts them as lost and copies only what can still be in the ring.

The driver reports what it does as trace events (``Kernel.log``): ``chunk_copied`` (seq and the
data as copied), ``ring_overrun_found`` (the lost range: ``lost`` chunks from seq ``cons``). It calls
no checker; the testbench's scoreboard subscribes to the trace.

The copy takes simulated CPU time per byte (``CpuCosts.copy_ps_per_kib``) and reads host memory
as the copy proceeds, so a slot the device refills during the copy is copied torn or replaced.
:class:`FreeFirstDriver` has the bug of freeing the slots before copying them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from irqloop.hostmodel.cyclic import CyclicBuffer, CyclicEntry
from irqloop.hostmodel.kernel import KDPC, KINTERRUPT, Kernel
from irqloop.hostmodel.pci import DeviceResources, MessageInterrupt, RegisterSpace
from irqloop.hostmodel.pnp import WDF_POWER_DEVICE_STATE
from irqloop.hostmodel.regs import REG

CAUSE_DATA = 1 << REG.bit("CAUSE_DATA")
CAUSE_OVERRUN = 1 << REG.bit("CAUSE_OVERRUN")
CAUSE_CFGERR = 1 << REG.bit("CAUSE_CFGERR")
VEC_DATA = REG.bit("VEC_DATA")
VEC_ERROR = REG.bit("VEC_ERROR")
# with a message per vector, message n is device vector n; with one message it is message 0
MESSAGE_DATA = VEC_DATA
MESSAGE_ERROR = VEC_ERROR

# The DPC's memcpy reads a slot in pieces, each at its own simulated time: fine enough that a DMA
# burst (128 bytes) landing mid-copy shows, coarse enough to wake the simulator only a few times
# per chunk (a slot of up to 2 KiB in 256-byte pieces, a larger one in 8)
COPY_PIECE_BYTES = 256
MAX_COPY_PIECES = 8


class DeviceStartError(RuntimeError):
    pass


@dataclass
class StreamConfig:
    ring_base: int = 0x10_0000
    slot_count: int = 8
    slot_bytes: int = 1024
    chunk_period_cycles: int = 2500
    chunks: int = 64                   #: CHUNK_LIMIT; 0 runs until stopped
    flow_control: bool = False
    pattern_key: int = 0x5A5A_0000
    rearm_by_mask: bool = True         #: ISR masks the data vector, DPC unmasks it


@dataclass
class DriverStats:
    data_isrs: int = 0
    error_isrs: int = 0
    dpc_queued: int = 0
    dpc_already_queued: int = 0
    chunks_copied: int = 0
    chunks_lost_ring: int = 0          #: found overwritten by reading the producer index
    chunks_lost_cyclic: int = 0        #: cyclic buffer full
    per_dpc_chunks: list[int] = field(default_factory=list)
    hw_overrun_seen_ps: Optional[int] = None
    cfg_error_seen_ps: Optional[int] = None
    overrun_reads: list[dict[str, int]] = field(default_factory=list)
    isr_mmio_reads: int = 0            #: register reads inside ISRs (each a bus round trip at DIRQL)


class StreamDriver:
    def __init__(self, kernel: Kernel, cfg: StreamConfig, cyclic: CyclicBuffer) -> None:
        self.k = kernel
        self.cfg = cfg
        self.cyclic = cyclic
        self.stats = DriverStats()
        self.cons = 0                  # next sequence number the driver expects
        self.slot_words = cfg.slot_bytes // 4
        self.dpc: KDPC = kernel.KeInitializeDpc(self._deferred_routine, self, name="StreamDpc")
        # connected in EvtDevicePrepareHardware, once the messages are known; the error interrupt
        # stays None when the device was granted a single message for both vectors
        self.registers: Optional[RegisterSpace] = None
        self.data_interrupt: Optional[KINTERRUPT] = None
        self.error_interrupt: Optional[KINTERRUPT] = None

    # ---- bring-up ----
    def EvtDevicePrepareHardware(self, resources: DeviceResources) -> None:
        """Take the assigned resources. Each message gets an interrupt object whose ISR is told the
        message's ID (what WdfInterruptCreate does when called here, as KMDF 1.11 allows)."""
        self.registers = resources.registers
        names = {MESSAGE_DATA: "DataIsr", MESSAGE_ERROR: "ErrorIsr"}
        connected = {m.message_id: self._connect(m, names[m.message_id]) for m in resources.messages}
        self.data_interrupt = connected[MESSAGE_DATA]
        self.error_interrupt = connected.get(MESSAGE_ERROR)

    def _connect(self, message: MessageInterrupt, name: str) -> KINTERRUPT:
        # the kernel dispatches on the message's data; the framework hands the ISR the MessageID
        async def service_routine(interrupt: KINTERRUPT, context: Any) -> bool:
            return await self.EvtInterruptIsr(interrupt, message.message_id)
        return self.k.IoConnectInterruptEx(message.data, service_routine, self, name=name, affinity=message.affinity)

    async def EvtDeviceD0Entry(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        """Program the ring and the stream (PASSIVE_LEVEL); the device stays stopped."""
        c, k = self.cfg, self.k
        await k.WRITE_REGISTER_ULONG(REG.RING_BASE_LO, c.ring_base & 0xFFFFFFFF)
        await k.WRITE_REGISTER_ULONG(REG.RING_BASE_HI, c.ring_base >> 32)
        await k.WRITE_REGISTER_ULONG(REG.SLOT_COUNT, c.slot_count)
        await k.WRITE_REGISTER_ULONG(REG.SLOT_SIZE, c.slot_bytes)
        await k.WRITE_REGISTER_ULONG(REG.CHUNK_PERIOD, c.chunk_period_cycles)
        await k.WRITE_REGISTER_ULONG(REG.CHUNK_LIMIT, c.chunks)
        await k.WRITE_REGISTER_ULONG(REG.PATTERN_KEY, c.pattern_key)

    async def EvtDeviceD0EntryPostInterruptsEnabled(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        """The messages are programmed and the ISRs connected: enable the device's interrupt
        sources and start the stream. Done here, not in EvtDeviceD0Entry, because before this
        point the device could send a message no ISR is connected to yet."""
        c, k = self.cfg, self.k
        await k.WRITE_REGISTER_ULONG(REG.MSI_MASK, 0)
        await k.WRITE_REGISTER_ULONG(REG.INT_ENABLE, REG.pack("INT_ENABLE", DATA=1, ERROR=1))
        ctrl = REG.pack("CTRL", ENABLE=1, FLOWCTL=int(c.flow_control))
        await k.WRITE_REGISTER_ULONG(REG.CTRL, ctrl)
        # the read flushes the posted writes and tells whether the device took the settings
        status = await k.READ_REGISTER_ULONG(REG.STATUS)
        if status >> REG.bit("ST_CFG_ERROR") & 1 or not status >> REG.bit("ST_RUNNING") & 1:
            raise DeviceStartError(f"device refused the settings (STATUS={status:#x}): {c}")
        self.k.log("device_started", ctrl=ctrl)

    # ---- EvtInterruptIsr (DIRQL), for every message ----
    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        k = self.k
        self.stats.isr_mmio_reads += 1
        cause = await k.READ_REGISTER_ULONG(REG.INT_CAUSE)
        if cause == 0:
            return False                               # not ours (or already serviced)
        await k.WRITE_REGISTER_ULONG(REG.INT_CAUSE, cause)
        if cause & (CAUSE_OVERRUN | CAUSE_CFGERR):
            self.stats.error_isrs += 1
            if cause & CAUSE_OVERRUN and self.stats.hw_overrun_seen_ps is None:
                self.stats.hw_overrun_seen_ps = k.now()
            if cause & CAUSE_CFGERR and self.stats.cfg_error_seen_ps is None:
                self.stats.cfg_error_seen_ps = k.now()
        if cause & CAUSE_DATA:
            await self.data_ready()
        return True

    async def data_ready(self) -> None:
        """The ISR's data path: mask the data vector and queue the DPC."""
        self.stats.data_isrs += 1
        if self.cfg.rearm_by_mask:
            await self.k.WRITE_REGISTER_ULONG(REG.MSI_MASK, 1 << VEC_DATA)
        if self.k.KeInsertQueueDpc(self.dpc):
            self.stats.dpc_queued += 1
        else:
            self.stats.dpc_already_queued += 1

    # ---- EvtInterruptDpc (DISPATCH_LEVEL) ----
    async def _deferred_routine(self, dpc: KDPC, context: Any, arg1: Any, arg2: Any) -> None:
        # the kernel's DPC routine; only the data ISR queues the DPC (WdfInterruptQueueDpcForIsr)
        await self.EvtInterruptDpc(self.data_interrupt, dpc)

    async def EvtInterruptDpc(self, interrupt: KINTERRUPT, dpc: KDPC) -> None:
        prod = await self.take_ready()
        copied = await self.copy_ready(prod)
        await self.free_slots(prod)          # only now may the device reuse them (flow control)
        await self.rearm(copied)

    async def take_ready(self) -> int:
        """Read the producer index; if the device has lapped the driver, count the overwritten
        chunks as lost and skip them. Returns the producer index read."""
        k, c = self.k, self.cfg
        prod = await k.READ_REGISTER_ULONG(REG.PROD_IDX)
        avail = (prod - self.cons) & 0xFFFFFFFF
        if avail > c.slot_count:
            lost = avail - c.slot_count
            self.stats.chunks_lost_ring += lost
            self.stats.overrun_reads.append({"t_ps": k.now(), "prod": prod, "cons": self.cons, "lost": lost})
            # the lost range is seq cons .. cons + lost - 1: the driver skips those chunks
            k.log("ring_overrun_found", prod=prod, cons=self.cons, lost=lost)
            self.cons += lost
        return prod

    async def copy_ready(self, prod: int) -> int:
        """Copy every ready slot, oldest first, into the cyclic buffer; returns how many."""
        copied = 0
        while self.cons != prod:
            data = await self.copy_slot(self.cons)
            # the chunk as the copy ended up (torn or replaced if the device refilled the slot
            # during the copy): what a driver's debug trace would show of it
            self.k.log("chunk_copied", seq=self.cons, data=data)
            if not self.cyclic.put(CyclicEntry(self.cons, data)):
                self.stats.chunks_lost_cyclic += 1
            self.cons += 1
            copied += 1
        self.stats.chunks_copied += copied
        self.stats.per_dpc_chunks.append(copied)
        return copied

    async def copy_slot(self, seq: int) -> np.ndarray:
        """memcpy of chunk ``seq``'s slot, then the per-chunk bookkeeping, in simulated CPU time.

        The copy reads host memory piece by piece, each piece at the simulated time it is copied,
        so a DMA write landing in the slot during the copy shows in what the driver got (a torn
        chunk), as it would on a real machine; a snapshot at the start would hide it."""
        c, k = self.cfg, self.k
        base = c.ring_base + (seq % c.slot_count) * c.slot_bytes
        mem = k.platform.memory
        out = np.empty(c.slot_bytes, np.uint8)
        # a few pieces per chunk at most: each piece is one wake of the simulation
        piece = max(COPY_PIECE_BYTES, -(-c.slot_bytes // MAX_COPY_PIECES) + 3 & ~3)
        for off in range(0, c.slot_bytes, piece):
            end = min(off + piece, c.slot_bytes)
            out[off:end] = mem[base + off:base + end]
            await k.execute(k.costs.copy_ps(end) - k.costs.copy_ps(off))
        await k.execute(k.costs.per_chunk_ps)
        return out.view(np.uint32)

    async def free_slots(self, prod: int) -> None:
        """Tell the device the slots up to ``prod`` are free (one CONS_IDX write)."""
        await self.k.WRITE_REGISTER_ULONG(REG.CONS_IDX, prod)

    async def rearm(self, copied: int) -> None:
        self.k.log("dpc_copied", chunks=copied, cons=self.cons)
        if self.cfg.rearm_by_mask:
            await self.k.WRITE_REGISTER_ULONG(REG.MSI_MASK, 0)


class FreeFirstDriver(StreamDriver):
    """The bug: the DPC frees the ready slots (writes CONS_IDX) before it has copied them.

    The device is then free to refill them. In flow-controlled mode a device held by a full ring
    resumes at once and writes into the slots the DPC is still copying; once it produces chunks
    faster than the DPC copies them, it overtakes the copy and the DPC copies later chunks (or a
    mix) in place of the ones it meant to. The hardware sees no overwrite: the slots were freed."""

    async def EvtInterruptDpc(self, interrupt: KINTERRUPT, dpc: KDPC) -> None:
        prod = await self.take_ready()
        await self.free_slots(prod)
        copied = await self.copy_ready(prod)
        await self.rearm(copied)


class SeparateVectorsDriver(StreamDriver):
    """Data and errors on their own messages: the data ISR knows what happened from the message
    and reads no register; only the error ISR reads (and clears) INT_CAUSE."""

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        if message_id != MESSAGE_DATA:
            return await super().EvtInterruptIsr(interrupt, message_id)
        await self.data_ready()
        return True


class SharedNoCauseDriver(StreamDriver):
    """The bug: one message for data and errors, and an ISR that takes every message for data
    without reading INT_CAUSE. The device's error interrupts reach it and are never noticed."""

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        await self.data_ready()
        return True


class Consumer:
    """The application thread that drains the cyclic buffer every ``period_ps``.

    It logs each chunk it takes (``chunk_consumed``) and, like the driver, calls no checker."""

    def __init__(self, kernel: Kernel, cyclic: CyclicBuffer, period_ps: int = 20_000_000) -> None:
        self.k = kernel
        self.cyclic = cyclic
        self.period_ps = period_ps
        self.consumed = 0
        self.stop = False
        self.observers: list[Callable[[], None]] = []

    def drain(self) -> int:
        n = 0
        while (e := self.cyclic.get()) is not None:
            self.k.log("chunk_consumed", seq=e.seq, data=e.data)
            n += 1
        self.consumed += n
        if n:
            for observer in self.observers:
                observer()
        return n

    async def run(self) -> None:
        while not self.stop:
            await self.k.platform.sleep(self.period_ps)
            self.drain()
