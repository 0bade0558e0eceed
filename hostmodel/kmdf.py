"""The KMDF-shaped driver base for any device, and the PCI bus driver's MSI share for a device whose
message registers sit in its register map: what a user's own device driver is written against
(docs/own-device.md). Nothing here knows irqloop's device; the register names come from the
device's own map (:class:`irqloop.hostmodel.regmap.RegisterMap`, made from its SystemRDL).

A driver subclasses :class:`KmdfDriver` and implements what a KMDF driver writer implements:
``EvtDeviceD0Entry`` (program the device, PASSIVE_LEVEL), ``EvtDeviceD0EntryPostInterruptsEnabled``
(enable the device's interrupt sources and start it), ``EvtInterruptIsr(interrupt, message_id)``
(DIRQL) and its DPC routines (``WdfDpcCreate``). The base takes the resources in
``EvtDevicePrepareHardware`` and connects one interrupt object per granted message, whose ISR is
told the message's ID, as KMDF does. Registers are reached by name with :meth:`KmdfDriver.read` and
:meth:`KmdfDriver.write`, which are the kernel's ``READ_REGISTER_ULONG`` / ``WRITE_REGISTER_ULONG``
at the map's offsets; a driver reports what it does with ``self.k.log(kind, ...)`` and calls no
checker (the testbench subscribes to the kernel's trace).
"""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from irqloop.hostmodel.kernel import KDPC, KINTERRUPT, Kernel
from irqloop.hostmodel.pci import DeviceResources, MessageInterrupt, RegisterSpace
from irqloop.hostmodel.pnp import WDF_POWER_DEVICE_STATE
from irqloop.hostmodel.regmap import RegisterMap

#: the message window of x86 (the LAPIC), where a message is a memory write (the HDL host's MSI_BASE)
X86_MSI_ADDRESS = 0xFEE0_0000

DpcRoutine = Callable[[KDPC], Awaitable[None]]


class MsiBus:
    """The bus driver's share of bring-up for a device with plain MSI: it grants ``messages``
    messages (message n sends data ``first_data + n``; a device with one MSI gets one) and, when
    the framework connects the interrupts, writes the address and the first data into the
    device's message registers, named in its map (``address_lo``, ``address_hi``, ``data``), as
    pci.sys writes the MSI capability. The function driver never writes them."""

    def __init__(self, kernel: Kernel, regs: RegisterMap, address_lo: str = "MSI_ADDR_LO",
                 address_hi: Optional[str] = "MSI_ADDR_HI", data: str = "MSI_DATA", messages: int = 1,
                 msi_address: int = X86_MSI_ADDRESS, first_data: int = 0x40, cpus: tuple[int, ...] = (0,)) -> None:
        for name in (address_lo, address_hi, data):
            if name is not None:
                try:
                    regs.offset(name)
                except KeyError as e:
                    raise ValueError(f"{e.args[0]} (for its MSI)") from None
        if messages < 1:
            raise ValueError(f"messages={messages}: a device with MSI is granted at least one")
        self.k, self.regs = kernel, regs
        self.names = (address_lo, address_hi, data)
        self.msi_address = msi_address
        self.first_data = first_data       #: message n sends data first_data + n
        self.messages = tuple(MessageInterrupt(n, msi_address, first_data + n, cpus) for n in range(messages))

    def assign_resources(self) -> DeviceResources:
        return DeviceResources(RegisterSpace(), self.messages)

    def message_of_data(self, data: int) -> int:
        """The MessageID a message with this data is (what fault rules call its vector)."""
        return data - self.first_data

    async def program_messages(self) -> None:
        address_lo, address_hi, data = self.names
        await self.k.WRITE_REGISTER_ULONG(self.regs.offsets[address_lo], self.msi_address & 0xFFFFFFFF)
        if address_hi is not None:
            await self.k.WRITE_REGISTER_ULONG(self.regs.offsets[address_hi], self.msi_address >> 32)
        await self.k.WRITE_REGISTER_ULONG(self.regs.offsets[data], self.first_data)


class KmdfDriver:
    """A KMDF function driver's device object for a device with the register map ``regs``."""

    def __init__(self, kernel: Kernel, regs: RegisterMap) -> None:
        self.k = kernel
        self.regs = regs
        self.resources: Optional[DeviceResources] = None
        #: the interrupt object of each granted message, by MessageID
        self.interrupts: dict[int, KINTERRUPT] = {}

    # ---- registers by name ----
    async def read(self, name: str) -> int:
        """READ_REGISTER_ULONG of register ``name`` (a bus round trip: the CPU waits)."""
        return await self.k.READ_REGISTER_ULONG(self.offset(name))

    async def write(self, name: str, value: int) -> None:
        """WRITE_REGISTER_ULONG of register ``name`` (posted: the CPU goes on)."""
        await self.k.WRITE_REGISTER_ULONG(self.offset(name), value)

    def offset(self, name: str) -> int:
        return self.regs.offset(name)

    # ---- framework objects ----
    def WdfDpcCreate(self, routine: DpcRoutine, name: str) -> KDPC:
        """A DPC object whose routine is ``routine(dpc)`` (EvtDpcFunc)."""
        async def deferred(dpc: KDPC, context: Any, arg1: Any, arg2: Any) -> None:
            await routine(dpc)
        return self.k.KeInitializeDpc(deferred, self, name=name)

    # ---- bring-up (hostmodel.pnp.start_device calls these in the framework's order) ----
    def EvtDevicePrepareHardware(self, resources: DeviceResources) -> None:
        """Take the resources and connect an interrupt object to each message (what
        WdfInterruptCreate does when called here, as KMDF 1.11 allows)."""
        self.resources = resources
        for message in resources.messages:
            self.interrupts[message.message_id] = self._connect(message)

    def _connect(self, message: MessageInterrupt) -> KINTERRUPT:
        async def service_routine(interrupt: KINTERRUPT, context: Any) -> bool:
            return await self.EvtInterruptIsr(interrupt, message.message_id)
        return self.k.IoConnectInterruptEx(message.data, service_routine, self, name=f"{type(self).__name__}Isr",
                                           affinity=message.affinity)

    async def EvtDeviceD0Entry(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        """Program the device (PASSIVE_LEVEL); its interrupt sources stay off."""

    async def EvtDeviceD0EntryPostInterruptsEnabled(self, previous_state: WDF_POWER_DEVICE_STATE) -> None:
        """The messages are programmed and the ISRs connected: enable the interrupt sources and
        start the device."""

    async def EvtInterruptIsr(self, interrupt: KINTERRUPT, message_id: int) -> bool:
        """DIRQL: True if the device interrupted (claim it), False if not."""
        raise NotImplementedError(f"{type(self).__name__} must implement EvtInterruptIsr")
