"""The CSR agent: sequencer, driver and monitor of the AXI4-Lite register bus, the register
adapter and a predictor that keeps the register model's mirror in step with every access.

The bus itself is RTL (tb/hdl/mmio_axil_master.v, a real AXI4-Lite master fed from the CPU's MMIO
queue); the driver hands each item to that queue through the platform, as the host model's
READ_REGISTER_ULONG / WRITE_REGISTER_ULONG do. The monitor sees every access on the bus, the
host model's as well as the agent's own, so the mirror knows what the driver programmed.
"""

from __future__ import annotations

from typing import Any, Optional

from pyuvm import (ConfigDB, uvm_access_e, uvm_agent, uvm_analysis_port, uvm_component, uvm_door_e, uvm_driver,
                   uvm_predict_e, uvm_reg_adapter, uvm_reg_bus_op, uvm_reg_item, uvm_sequencer, uvm_status_e,
                   uvm_subscriber)

from irqloop.tb.uvm.items import CsrAccess, CsrItem
from irqloop.tb.uvm.regmodel import IrqloopRegBlock

_PREDICT_KIND = {True: uvm_predict_e.UVM_PREDICT_WRITE, False: uvm_predict_e.UVM_PREDICT_READ}   #: by item.write


class CsrAdapter(uvm_reg_adapter):
    """Register-model operation <-> CsrItem."""

    def __init__(self, name: str = "csr_adapter") -> None:
        super().__init__(name)
        self.supports_byte_enable = False
        self.provides_responses = False

    def reg2bus(self, rw: uvm_reg_bus_op) -> CsrItem:
        return CsrItem("reg_item", write=rw.kind == uvm_access_e.UVM_WRITE, addr=int(rw.addr), data=int(rw.data))

    def bus2reg(self, bus_item: CsrItem, rw: uvm_reg_bus_op) -> None:
        rw.kind = uvm_access_e.UVM_WRITE if bus_item.write else uvm_access_e.UVM_READ
        rw.addr = bus_item.addr
        rw.data = bus_item.data
        rw.status = uvm_status_e.UVM_IS_OK


class CsrDriver(uvm_driver):
    """Issues each item on the CSR bus: writes are posted, a read returns its data in the item."""

    def build_phase(self) -> None:
        self.platform: Any = None

    async def run_phase(self) -> None:
        while True:
            item: CsrItem = await self.seq_item_port.get_next_item()
            platform = self.platform or ConfigDB().get(self, "", "platform")
            if item.write:
                await platform.mmio_write(item.addr, item.data)
            else:
                item.data = await platform.mmio_read(item.addr)
            self.seq_item_port.item_done()


class CsrMonitor(uvm_component):
    """Publishes every access on the CSR bus (attach() to the platform that carries it)."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.count = 0

    def attach(self, platform: Any) -> None:
        def observe(write: bool, offset: int, value: int) -> None:
            self.count += 1
            self.ap.write(CsrAccess(write, offset, value, platform.now_ps()))
        platform.mmio_listeners.append(observe)


class CsrPredictor(uvm_subscriber):
    """Explicit prediction: the register model's mirror follows the monitored bus, whoever drove it
    (the register model, a sequence, or the host model's driver)."""

    def build_phase(self) -> None:
        self.regs: Optional[IrqloopRegBlock] = None
        self.unmapped: list[CsrAccess] = []
        # the item uvm_reg.predict() would build for every access (front door, no map), built once:
        # the monitor publishes one access per MMIO, and the prediction itself is do_predict's
        self._rw = uvm_reg_item()
        self._rw.set_door(uvm_door_e.UVM_FRONTDOOR)
        self._rw.set_fname("")
        self._rw.set_line(0)

    def write(self, item: CsrAccess) -> None:
        assert self.regs is not None
        r = self.regs.by_offset.get(item.addr)
        if r is None:
            self.unmapped.append(item)
            return
        rw = self._rw
        rw.set_value(item.data)
        r.do_predict(rw, _PREDICT_KIND[item.write])


class CsrAgent(uvm_agent):
    """Active (sequencer + driver + monitor) unless configured passive (``is_active`` = 0 in the
    ConfigDB): in scenario runs the host model drives the bus and the agent only watches."""

    def build_phase(self) -> None:
        super().build_phase()
        self.monitor = CsrMonitor.create("monitor", self)
        if self.get_is_active():
            self.seqr = uvm_sequencer("seqr", self)
            self.driver = CsrDriver.create("driver", self)

    def connect_phase(self) -> None:
        if self.get_is_active():
            self.driver.seq_item_port.connect(self.seqr.seq_item_export)
