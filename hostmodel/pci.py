"""The PCI bus driver's share of bring-up: it assigns the device's interrupt messages and programs
them into the device, so the function driver never writes a message register.

On Windows the PnP manager assigns a device its resources and the PCI bus driver (pci.sys) writes
the MSI capability or the MSI-X table; the function driver finds the messages among its translated
resources (``CmResourceTypeInterrupt`` with ``CM_RESOURCE_INTERRUPT_MESSAGE``) in
``EvtDevicePrepareHardware``, and its ``EvtInterruptIsr`` is told the ``MessageID`` that arrived.
This module plays that part for the irqloop device, whose message registers (``MSI_ADDR_LO/HI``,
``MSI_DATA``, ``MSIX_CTRL``, the ``VT`` table) sit in its register space: the model reaches them
with the same MMIO writes the driver uses for its own registers.

Two ways of delivering the device's vectors are modelled:

- MSI with one message per vector: vector v sends ``first_data + v``, so message v is vector v.
- MSI-X granted a single message: every table entry sends message 0 (as when the system grants a
  device fewer messages than it has vectors), so one ISR must tell data from errors by reading
  the device's cause register.
"""

from __future__ import annotations

from dataclasses import dataclass

from irqloop.hostmodel.kernel import Kernel
from irqloop.hostmodel.regs import REG


@dataclass(frozen=True)
class MessageInterrupt:
    """One message the device was assigned, as the driver finds it in its resources."""
    message_id: int      #: the MessageID the ISR receives: the message's number within the device's
    address: int         #: what the device writes to send it (the x86 LAPIC window)
    data: int            #: and the data it writes: the system's vector, which the kernel dispatches on


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
