"""Starting a device as the PnP manager and KMDF do (IRP_MN_START_DEVICE, then the move to D0).

The driver supplies the callbacks a KMDF driver writer implements; the order is the framework's
power-up sequence: resources assigned, ``EvtDevicePrepareHardware``, ``EvtDeviceD0Entry``, the
interrupts connected (here the PCI bus driver programs the messages), then
``EvtDeviceD0EntryPostInterruptsEnabled``. A driver that starts its device's interrupt sources only
in the last step cannot have an interrupt arrive before its ISR is connected and its messages set.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

from irqloop.hostmodel.pci import DeviceResources


class WDF_POWER_DEVICE_STATE(IntEnum):
    """The device power state ``EvtDeviceD0Entry`` is told the device comes from."""
    WdfPowerDeviceD0 = 1
    WdfPowerDeviceD1 = 2
    WdfPowerDeviceD2 = 3
    WdfPowerDeviceD3 = 4
    WdfPowerDeviceD3Final = 5      #: first start after the device was enumerated


class BusDriver(Protocol):
    """The bus driver's share of start (:class:`hostmodel.pci.PciBus`, :class:`hostmodel.pci.MsixPciBus`,
    or a device model's own): the device's resources, then its messages programmed when the
    framework connects the interrupts."""

    def assign_resources(self) -> DeviceResources: ...

    async def program_messages(self) -> None: ...


class KmdfDevice(Protocol):
    """The callbacks of a KMDF function driver's device object that bring-up calls."""

    def EvtDevicePrepareHardware(self, resources: DeviceResources) -> None: ...

    async def EvtDeviceD0Entry(self, previous_state: WDF_POWER_DEVICE_STATE) -> None: ...

    async def EvtDeviceD0EntryPostInterruptsEnabled(self, previous_state: WDF_POWER_DEVICE_STATE) -> None: ...


async def start_device(bus: BusDriver, device: KmdfDevice) -> None:
    """Bring ``device`` from enumerated to working (D0, interrupts connected and enabled)."""
    resources = bus.assign_resources()
    device.EvtDevicePrepareHardware(resources)
    previous = WDF_POWER_DEVICE_STATE.WdfPowerDeviceD3Final
    await device.EvtDeviceD0Entry(previous)
    await bus.program_messages()        # the framework connects the interrupts: pci.sys writes the messages
    await device.EvtDeviceD0EntryPostInterruptsEnabled(previous)
