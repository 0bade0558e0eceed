"""The PCI bus driver's share of bring-up: it assigns the device's interrupt messages and programs
them into the device, so the function driver never writes a message register.

On Windows the PnP manager assigns a device its resources and the PCI bus driver (pci.sys) writes
the MSI capability or the MSI-X table; the function driver finds the messages among its translated
resources (``CmResourceTypeInterrupt`` with ``CM_RESOURCE_INTERRUPT_MESSAGE``) in
``EvtDevicePrepareHardware``, and its ``EvtInterruptIsr`` is told the ``MessageID`` that arrived.
This module plays that part for the irqloop device, whose message registers (``MSI_ADDR_LO/HI``,
``MSI_DATA``, ``MSIX_CTRL``, the ``VT`` table) sit in its register space: the model reaches them
with the same MMIO writes the driver uses for its own registers.

Three ways of delivering the device's vectors are modelled:

- MSI with one message per vector: vector v sends ``first_data + v``, so message v is vector v
  (:class:`PciBus`, the streaming device).
- MSI-X granted a single message: every table entry sends message 0 (as when the system grants a
  device fewer messages than it has vectors), so one ISR must tell data from errors by reading
  the device's cause register (:class:`PciBus` with ``msix_single_message``).
- MSI-X with a message per completion queue (:class:`MsixPciBus`): each queue signals on a table
  entry; where several queues share an entry, it sends the lowest queue's message, which then
  announces every queue on it (``DeviceResources.queues_of_message``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Optional, Sequence

from irqloop.hostmodel.kernel import Kernel


@dataclass(frozen=True)
class MessageInterrupt:
    """One message the device was assigned, as the driver finds it in its resources."""
    message_id: int      #: the MessageID the ISR receives: the message's number within the device's
    address: int         #: what the device writes to send it (the x86 LAPIC window)
    data: int            #: and the data it writes: the system's vector, which the kernel dispatches on
    #: the processors the message is delivered to, in turn (the resource's interrupt affinity)
    affinity: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class RegisterSpace:
    """The device's memory BAR (``CmResourceTypeMemory``): registers at offsets from its start, which
    is where the kernel's ``READ_REGISTER_ULONG`` / ``WRITE_REGISTER_ULONG`` offsets count from."""
    start: int = 0


@dataclass(frozen=True)
class DeviceResources:
    """The translated resource list handed to ``EvtDevicePrepareHardware``."""
    registers: RegisterSpace
    messages: tuple[MessageInterrupt, ...]
    #: a device with completion queues on MSI-X (:class:`MsixPciBus`): the queues each message
    #: announces, by MessageID (a message of a table entry several queues share announces them all)
    queues_of_message: Mapping[int, tuple[int, ...]] = field(default_factory=dict)
    #: and the table entry (device vector) each queue signals on, which the driver writes into the
    #: queue's interrupt vector register
    vector_of_queue: tuple[int, ...] = ()


class PciBus:
    """The bus driver for one device: assigns its messages, then programs them when the framework
    connects the device's interrupts (between ``EvtDeviceD0Entry`` and
    ``EvtDeviceD0EntryPostInterruptsEnabled``, see :func:`hostmodel.pnp.start_device`).

    ``vectors`` is what the device's capability offers; ``msix_single_message`` what the system
    grants it (one MSI-X message for all vectors). Both are the platform's, not the driver's."""

    def __init__(self, kernel: Kernel, vectors: int, msix_single_message: bool = False,
                 msi_address: int = 0xFEE0_0000, first_data: int = 0x40) -> None:
        self.k = kernel
        self.vectors = vectors
        self.msix_single_message = msix_single_message
        self.msi_address = msi_address
        self.first_data = first_data      #: message n sends data first_data + n
        count = 1 if msix_single_message else vectors
        self.messages = tuple(MessageInterrupt(n, msi_address, first_data + n) for n in range(count))

    def assign_resources(self) -> DeviceResources:
        """The device's translated resources: its registers and its messages (nothing written yet)."""
        return DeviceResources(RegisterSpace(), self.messages)

    def message_of_vector(self, vector: int) -> MessageInterrupt:
        return self.messages[0] if self.msix_single_message else self.messages[vector]

    async def program_messages(self) -> None:
        """Write the messages into the device, in the order the device's bring-up has always
        written them (the reports depend on the MMIO sequence and its timing): the MSI capability
        first, in both modes, then, for MSI-X, the enable and each vector's table entry."""
        from irqloop.hostmodel.regs import REG     # irqloop's own map: not loaded for another device
        k, address = self.k, self.msi_address
        await k.WRITE_REGISTER_ULONG(REG.MSI_ADDR_LO, address & 0xFFFFFFFF)
        await k.WRITE_REGISTER_ULONG(REG.MSI_ADDR_HI, address >> 32)
        await k.WRITE_REGISTER_ULONG(REG.MSI_DATA, self.first_data)      # MSI: vector v sends data + v
        if self.msix_single_message:
            await k.WRITE_REGISTER_ULONG(REG.MSIX_CTRL, REG.pack("MSIX_CTRL", ENABLE=1))
            for v in range(self.vectors):
                message = self.message_of_vector(v)
                await k.WRITE_REGISTER_ULONG(REG.array("VT", v, "ADDR_LO"), message.address & 0xFFFFFFFF)
                await k.WRITE_REGISTER_ULONG(REG.array("VT", v, "ADDR_HI"), message.address >> 32)
                await k.WRITE_REGISTER_ULONG(REG.array("VT", v, "DATA"), message.data)


class MsixPciBus:
    """The bus driver for a device with completion queues on MSI-X (the irqloop device's CQ
    vectors): the system grants a message per queue, and the bus enables MSI-X and writes each
    vector's table entry when the framework connects the interrupts (between
    ``EvtDeviceD0Entry`` and ``EvtDeviceD0EntryPostInterruptsEnabled``).

    Queue q signals on table entry ``vector_of_queue[q]``; message q sends ``first_data + q`` and
    is delivered to ``cpu_of_queue[q]``. A table entry holds one message: where several queues
    share an entry it holds the lowest queue's, whose message then announces every queue on the
    entry, and the other queues' messages are granted but never sent. All of this is the
    platform's, not the driver's: the driver finds it in its resources."""

    def __init__(self, kernel: Kernel, vector_of_queue: Sequence[int], cpu_of_queue: Optional[Sequence[int]] = None,
                 msi_address: int = 0xFEE0_0000, first_data: int = 0x100) -> None:
        self.k = kernel
        self.vector_of_queue = tuple(vector_of_queue)
        self.msi_address = msi_address
        self.first_data = first_data      #: message n sends data first_data + n
        queues = range(len(self.vector_of_queue))
        cpus = cpu_of_queue if cpu_of_queue is not None else [0] * len(queues)
        self.messages = tuple(MessageInterrupt(q, msi_address, first_data + q, (cpus[q],)) for q in queues)
        self.queues_on_vector: dict[int, tuple[int, ...]] = {}
        for q in queues:
            v = self.vector_of_queue[q]
            self.queues_on_vector[v] = self.queues_on_vector.get(v, ()) + (q,)

    def message_of_vector(self, vector: int) -> MessageInterrupt:
        """The message table entry ``vector`` sends: the lowest queue's on it."""
        return self.messages[self.queues_on_vector[vector][0]]

    def message_of_queue(self, queue: int) -> MessageInterrupt:
        """The message that announces ``queue``'s completions (its own, unless it shares an entry)."""
        return self.message_of_vector(self.vector_of_queue[queue])

    def queues_of_message(self, message_id: int) -> tuple[int, ...]:
        """The queues a message announces: every queue on its table entry if the entry sends it,
        else its own queue (the message is then never sent)."""
        vector = self.vector_of_queue[message_id]
        if self.message_of_vector(vector).message_id == message_id:
            return self.queues_on_vector[vector]
        return (message_id,)

    def assign_resources(self) -> DeviceResources:
        """The device's translated resources: its registers, its messages and which queues each
        announces (nothing written yet)."""
        return DeviceResources(RegisterSpace(), self.messages,
                               {m.message_id: self.queues_of_message(m.message_id) for m in self.messages},
                               self.vector_of_queue)

    async def program_messages(self) -> None:
        """Enable MSI-X and write the table entries, queue by queue, in the order the device's
        bring-up has always written them (the reports depend on the MMIO sequence and its timing):
        an entry several queues share is written once for each of them, with the same values."""
        from irqloop.hostmodel.regs import REG     # irqloop's own map: not loaded for another device
        k = self.k
        await k.WRITE_REGISTER_ULONG(REG.MSIX_CTRL, REG.pack("MSIX_CTRL", ENABLE=1))
        for vector in self.vector_of_queue:
            message = self.message_of_vector(vector)
            await k.WRITE_REGISTER_ULONG(REG.array("VT", vector, "ADDR_LO"), message.address & 0xFFFFFFFF)
            await k.WRITE_REGISTER_ULONG(REG.array("VT", vector, "ADDR_HI"), message.address >> 32)
            await k.WRITE_REGISTER_ULONG(REG.array("VT", vector, "DATA"), message.data)
            await k.WRITE_REGISTER_ULONG(REG.array("VT", vector, "CTRL"), REG.pack("VT_CTRL", MASK=0))
