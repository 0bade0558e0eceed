"""The minidma card's Windows driver, in Python, shaped like its KMDF driver (a customer's driver).

Bring-up: ``EvtDeviceD0Entry`` programs the ring; the bus driver then programs the card's one MSI;
``EvtDeviceD0EntryPostInterruptsEnabled`` enables the interrupt and starts the stream.
``EvtInterruptIsr``: read IRQ_STATUS, write the bits back to clear them (so the card may send its
next message), queue the DPC. The DPC (``EvtDpcFunc``): read WR_IDX; if the card has lapped the
ring, count the chunks it overwrote as lost and skip them; copy every ready slot (memcpy, in
simulated CPU time) and free the slots with one RD_IDX write.

The card sends its next message only once IRQ_STATUS was cleared, so one lost message strands it:
IRQ_STATUS stays set, no message comes again and the driver never runs. With ``poll_us`` the
driver also looks at IRQ_STATUS from a periodic timer's DPC (under the interrupt's spin lock, as
the ISR would) and does the ISR's work if it finds bits set: ``missed_interrupt_found``.

The driver reports what it does as trace events and calls no checker: ``chunk_copied`` (seq and
the bytes as copied), ``ring_overrun_found`` (cons, lost), ``overrun_interrupt``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from irqloop.hostmodel.kernel import KDPC, KINTERRUPT, Kernel
from irqloop.hostmodel.kmdf import KmdfDriver
from irqloop.hostmodel.pnp import WDF_POWER_DEVICE_STATE
from irqloop.hostmodel.regmap import RegisterMap


@dataclass(frozen=True)
class RingConfig:
    base: int = 0x10_0000          #: host address of slot 0 (4 KiB aligned)
    slots: int = 8
    chunk_bytes: int = 512         #: a multiple of 128
    period_cycles: int = 500       #: a chunk every this many card clocks
    chunks: int = 100              #: chunks to stream
    poll_us: float = 0.0           #: > 0: also poll IRQ_STATUS from a timer DPC this often


class MiniDmaDriver(KmdfDriver):
    def __init__(self, kernel: Kernel, regs: RegisterMap, ring: RingConfig) -> None:
        super().__init__(kernel, regs)
        self.ring = ring
        self.cons = 0                       #: the next chunk the driver expects
        self.dpc: KDPC = self.WdfDpcCreate(self.EvtDpcFunc, "MiniDmaDpc")
        self.poll_dpc: KDPC = self.WdfDpcCreate(self.EvtPollDpcFunc, "MiniDmaPollDpc")
        self.start_error: Optional[str] = None

    async def EvtDeviceD0Entry(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        r = self.ring
        await self.write("RING_LO", r.base & 0xFFFFFFFF)
        await self.write("RING_HI", r.base >> 32)
        await self.write("SLOTS", r.slots)
        await self.write("CHUNK_BYTES", r.chunk_bytes)
        await self.write("PERIOD", r.period_cycles)
        await self.write("COUNT", r.chunks)

    async def EvtDeviceD0EntryPostInterruptsEnabled(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        await self.write("IRQ_ENABLE", self.regs.pack("IRQ_ENABLE", CHUNK=1, OVERRUN=1))
        await self.write("CTRL", self.regs.pack("CTRL", ENABLE=1))
        status = self.regs.unpack("STATUS", await self.read("STATUS"))    # flushes the posted writes
        if not status["RUNNING"]:
            self.start_error = f"the card did not start (STATUS={status})"
            self.k.log("start_failed", status=status)
        if self.ring.poll_us > 0:
            period = round(self.ring.poll_us * 1e6)
            self.k.KeSetTimerEx(self.poll_dpc, period, period)

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        pending = await self.read("IRQ_STATUS")
        if pending == 0:
            return False
        await self.write("IRQ_STATUS", pending)          # W1C: the card may send its next message
        if self.regs.unpack("IRQ_STATUS", pending)["OVERRUN"]:
            self.k.log("overrun_interrupt")
        self.k.KeInsertQueueDpc(self.dpc)
        return True

    async def EvtPollDpcFunc(self, dpc: KDPC) -> None:
        """The timer's DPC: IRQ_STATUS still set means a message was lost; do the ISR's work."""
        interrupt = self.interrupts[0]
        old_irql = await self.k.KeAcquireInterruptSpinLock(interrupt)
        pending = await self.read("IRQ_STATUS")
        if pending:
            await self.write("IRQ_STATUS", pending)
            self.k.log("missed_interrupt_found", pending=pending)
            self.k.KeInsertQueueDpc(self.dpc)
        await self.k.KeReleaseInterruptSpinLock(interrupt, old_irql)

    async def EvtDpcFunc(self, dpc: KDPC) -> None:
        k, r = self.k, self.ring
        prod = await self.read("WR_IDX")
        if prod - self.cons > r.slots:                   # lapped: the oldest chunks are gone
            lost = prod - self.cons - r.slots
            k.log("ring_overrun_found", cons=self.cons, lost=lost)
            self.cons += lost
        while self.cons != prod:
            at = r.base + (self.cons % r.slots) * r.chunk_bytes
            data = k.platform.memory[at:at + r.chunk_bytes].copy()
            k.log("chunk_copied", seq=self.cons, data=data)
            await k.execute(k.costs.chunk_copy_ps(r.chunk_bytes))
            self.cons += 1
        await self.write("RD_IDX", prod)
