"""The host model's :class:`~hostmodel.platform.Platform` on a running cocotb/Verilator simulation.

- time and sleeping: the simulator's clock (cocotb ``Timer``), picoseconds;
- MMIO: ``mmio_axil_master`` in tb_irqloop.v runs a real AXI4-Lite transaction; Python wakes
  once when it completes;
- host memory: the bytes that ``hostmem_dpi.cpp`` stores the device's DMA in, read directly
  through ctypes (the simulator is linked with -rdynamic), so no Python runs per bus beat;
- interrupts: one wake per MSI (``msi_count`` changes); the message data is read from the C log
  and delivered to the kernel model as the MSI message id.
"""

from __future__ import annotations

import ctypes
from typing import Any, Callable, Coroutine

import cocotb
import numpy as np
from cocotb.simtime import get_sim_time
from cocotb.triggers import Event, NullTrigger, Timer

CLOCK_PERIOD_PS = 4000   # tb_irqloop.v: 250 MHz


class HostMemory:
    """ctypes views of the C host memory and MSI log inside the simulator process."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(None)
        try:
            size = ctypes.c_uint64.in_dll(lib, "irqloop_hostmem_size").value
            base = ctypes.addressof(ctypes.c_uint8.in_dll(lib, "irqloop_hostmem"))
            log_size = ctypes.c_uint64.in_dll(lib, "irqloop_msi_log_size").value
        except ValueError as exc:
            raise RuntimeError("host memory symbols not found: the simulator must be built with "
                               "tb/hostmem_dpi.cpp and -rdynamic (use tb/runner.py)") from exc
        self.memory = np.frombuffer((ctypes.c_uint8 * size).from_address(base), dtype=np.uint8)
        self._msi_count = ctypes.c_uint64.in_dll(lib, "irqloop_msi_count")
        self._msi_data = (ctypes.c_uint32 * log_size).in_dll(lib, "irqloop_msi_data")
        self._msi_addr = (ctypes.c_uint64 * log_size).in_dll(lib, "irqloop_msi_addr")
        self._bad = ctypes.c_uint64.in_dll(lib, "irqloop_bad_writes")
        self._log_size = log_size
        self.msi_seen = 0

    def reset(self) -> None:
        self.memory[:] = 0
        self.msi_seen = self._msi_count.value

    @property
    def bad_writes(self) -> int:
        return self._bad.value

    def new_messages(self) -> list[tuple[int, int]]:
        """(address, data) of MSIs that arrived since the last call, in arrival order."""
        count = self._msi_count.value
        if count - self.msi_seen > self._log_size:
            raise RuntimeError(f"MSI log overflow: {count - self.msi_seen} messages since last look")
        out = [(self._msi_addr[i % self._log_size], self._msi_data[i % self._log_size])
               for i in range(self.msi_seen, count)]
        self.msi_seen = count
        return out


class CocotbPlatform:
    clock_period_ps = CLOCK_PERIOD_PS

    def __init__(self, dut: Any) -> None:
        self.dut = dut
        self.hostmem = HostMemory()
        self.memory = self.hostmem.memory
        self.mmio_transactions = 0

    def now_ps(self) -> int:
        return int(get_sim_time("ps"))

    def sleep(self, ps: int) -> Any:
        return Timer(int(ps), unit="ps") if ps > 0 else NullTrigger()

    def event(self) -> Event:
        return Event()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Any:
        return cocotb.start_soon(coro)

    async def _mmio(self, write: bool, offset: int, value: int) -> int:
        d = self.dut
        d.mmio_req_write.value = int(write)
        d.mmio_req_addr.value = offset
        d.mmio_req_wdata.value = value & 0xFFFFFFFF
        d.mmio_req_toggle.value = 1 - int(d.mmio_req_toggle.value)
        await d.mmio_rsp_toggle.value_change
        self.mmio_transactions += 1
        resp = int(d.mmio_rsp_resp.value)
        if resp != 0:
            raise RuntimeError(f"MMIO {'write' if write else 'read'} of {offset:#05x} got response {resp}")
        return int(d.mmio_rsp_rdata.value)

    async def mmio_read(self, offset: int) -> int:
        return await self._mmio(False, offset, 0)

    async def mmio_write(self, offset: int, value: int) -> None:
        await self._mmio(True, offset, value)

    async def msi_monitor(self, deliver: Callable[[int], None]) -> None:
        """Deliver each MSI message's data to ``deliver`` at the simulation time it lands."""
        count = self.dut.u_host.msi_count
        while True:
            await count.value_change
            for _addr, data in self.hostmem.new_messages():
                deliver(int(data))
