"""The host model's :class:`~hostmodel.platform.Platform` on a running cocotb/Verilator simulation.

- time and sleeping: the simulator's clock (cocotb ``Timer``), picoseconds;
- host memory: the bytes that ``hostmem_dpi.cpp`` stores the device's DMA in, read directly
  through ctypes, so no Python runs per bus beat: under Verilator from the simulator's own
  symbols (it is linked with -rdynamic), under Icarus from the VPI module that holds the same C
  code (:func:`host_library`);
- MMIO: requests go into the C queue that ``mmio_axil_master`` drains as real AXI4-Lite
  transactions. Writes are posted (the CPU does not wait, as on PCIe); a read waits for its
  completion, which comes after every earlier write;
- interrupts: the DPI function that logs an MSI calls back into Python.
A completed read or an MSI arms a one-shot ReadWrite callback in that time step (see
:class:`HostHook`). No VPI value-change callback stays registered: each one costs every time
step (measured here: 1.97 -> 1.41 M cycles/s for a single one).
"""

from __future__ import annotations

import ctypes
import os
from typing import Any, Callable, Coroutine

import cocotb
import numpy as np
from cocotb import simulator
from cocotb._gpi_triggers import GPITrigger
from cocotb.task import current_task
from cocotb.triggers import Event, NullTrigger, Timer

from irqloop.tb.board import CLOCK_PS
from irqloop.tb.models.msi_faults import MsiFaultInjector
from irqloop.toolchain import HOST_LIB_ENV

HOOK_MSI, HOOK_MMIO_READ = 1, 2
HOOK_T = ctypes.CFUNCTYPE(None, ctypes.c_int)


class HostHook(GPITrigger):
    """Fires in the ReadWrite phase of the time step in which the C side called the hook with
    this trigger's kind. Priming registers nothing with the simulator."""

    def __init__(self) -> None:
        super().__init__()
        self._armed = False

    def ring(self) -> None:
        if self._armed and self._cbhdl is None:
            self._cbhdl = simulator.register_rwsynch_callback(self._react)

    def _prime(self) -> None:
        self._armed = True

    def _unprime(self) -> None:
        self._armed = False
        if self._cbhdl is not None:
            self._cbhdl.deregister()
            self._cbhdl = None

    def _react(self) -> None:
        self._cbhdl = None
        self._armed = False
        super()._react()


class _StepTimer(Timer):
    """``Timer(steps, unit="step")`` without the unit conversion and rounding checks of its
    constructor: the host model sleeps in whole picoseconds, already whole simulator steps, and
    sleeps several times per message."""

    def __init__(self, steps: int) -> None:
        GPITrigger.__init__(self)
        self._sim_steps = steps


def host_library() -> ctypes.CDLL:
    """The loaded code that holds host RAM, the logs and the MMIO queue: the simulator process
    itself (Verilator, linked with -rdynamic), or the VPI module named by $IRQLOOP_HOST_LIB
    (Icarus): vvp loaded it with RTLD_LOCAL, and opening it again by its path returns that same
    copy (RTLD_GLOBAL also puts its symbols where ctypes.CDLL(None) finds them)."""
    path = os.environ.get(HOST_LIB_ENV)
    return ctypes.CDLL(path, mode=ctypes.RTLD_GLOBAL) if path else ctypes.CDLL(None)


class HostBridge:
    """ctypes views of host RAM, the MSI log and the MMIO queue inside the simulator process."""

    def __init__(self) -> None:
        lib = host_library()
        try:
            size = ctypes.c_uint64.in_dll(lib, "irqloop_hostmem_size").value
            base = ctypes.addressof(ctypes.c_uint8.in_dll(lib, "irqloop_hostmem"))
        except ValueError as exc:
            raise RuntimeError("host memory symbols not found: the simulator must be built with "
                               "tb/hdl/hostmem_dpi.cpp and -rdynamic, or under Icarus load "
                               f"the VPI shim and name it in ${HOST_LIB_ENV} (use irqloop/runner.py)") from exc
        u64 = lambda name: ctypes.c_uint64.in_dll(lib, name)  # noqa: E731
        self.lib = lib
        self.memory = np.frombuffer((ctypes.c_uint8 * size).from_address(base), dtype=np.uint8)
        self._log_size = u64("irqloop_msi_log_size").value
        self._msi_count = u64("irqloop_msi_count")
        self._msi_data = (ctypes.c_uint32 * self._log_size).in_dll(lib, "irqloop_msi_data")
        self._msi_addr = (ctypes.c_uint64 * self._log_size).in_dll(lib, "irqloop_msi_addr")
        self._bad = u64("irqloop_bad_writes")
        self._qsize = u64("irqloop_mmio_queue_size").value
        self._completed = u64("irqloop_mmio_completed")
        self._errors = u64("irqloop_mmio_errors")
        self._rdata = (ctypes.c_uint32 * self._qsize).in_dll(lib, "irqloop_mmio_rdata")
        self._resp = (ctypes.c_uint8 * self._qsize).in_dll(lib, "irqloop_mmio_resp")
        self._push = lib.irqloop_mmio_push
        self._push.restype = ctypes.c_int64
        self._push.argtypes = [ctypes.c_int, ctypes.c_uint32, ctypes.c_uint32]
        self._burst_log = u64("irqloop_burst_log_size").value
        self._burst_count = u64("irqloop_burst_count")
        self._burst_addr_c = (ctypes.c_uint64 * self._burst_log).in_dll(lib, "irqloop_burst_addr")
        self._burst_bytes_c = (ctypes.c_uint32 * self._burst_log).in_dll(lib, "irqloop_burst_bytes")
        self._burst_time_c = (ctypes.c_uint64 * self._burst_log).in_dll(lib, "irqloop_burst_time")
        self._burst_addr = np.frombuffer(self._burst_addr_c, np.uint64)
        self._burst_bytes = np.frombuffer(self._burst_bytes_c, np.uint32)
        self._burst_time = np.frombuffer(self._burst_time_c, np.uint64)
        self.bursts_seen = 0
        self.hooks = {HOOK_MSI: HostHook(), HOOK_MMIO_READ: HostHook()}
        self._hook = HOOK_T(self._dispatch)          # C holds this pointer: keep the reference
        lib.irqloop_set_hook(self._hook)
        self.msi_seen = 0

    def _dispatch(self, kind: int) -> None:
        self.hooks[kind].ring()

    def close(self) -> None:
        self.lib.irqloop_set_hook(ctypes.cast(None, HOOK_T))

    def reset(self) -> None:
        self.lib.irqloop_reset_host()
        self.msi_seen = 0
        self.bursts_seen = 0

    def new_bursts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(address, bytes, time in ns) of the data bursts into host RAM since the last call, in order."""
        count = self._burst_count.value
        n = count - self.bursts_seen
        if n > self._burst_log:
            raise RuntimeError(f"write-burst log overflow: {n} bursts since the last look (log holds {self._burst_log})")
        idx = np.arange(self.bursts_seen, count, dtype=np.uint64) % np.uint64(self._burst_log)
        self.bursts_seen = count
        return self._burst_addr[idx].copy(), self._burst_bytes[idx].copy(), self._burst_time[idx].copy()

    def new_burst_records(self) -> list[tuple[int, int, int]]:
        """The same bursts as :meth:`new_bursts`, as (address, bytes, time in ns) tuples: a monitor
        that looks after every message finds one or two, too few for arrays to pay."""
        count = self._burst_count.value
        seen = self.bursts_seen
        if count == seen:
            return []
        if count - seen > self._burst_log:
            raise RuntimeError(f"write-burst log overflow: {count - seen} bursts since the last look "
                               f"(log holds {self._burst_log})")
        self.bursts_seen = count
        size, addr, nbytes, time = self._burst_log, self._burst_addr_c, self._burst_bytes_c, self._burst_time_c
        return [(addr[i % size], nbytes[i % size], time[i % size]) for i in range(seen, count)]

    @property
    def bad_writes(self) -> int:
        return self._bad.value

    @property
    def mmio_errors(self) -> int:
        return self._errors.value

    def push(self, write: bool, offset: int, value: int) -> int:
        n = self._push(int(write), offset, value & 0xFFFFFFFF)
        if n < 0:
            raise RuntimeError(f"MMIO queue full ({self._qsize} requests): the device's CSR bus is not answering")
        return n

    def completed(self) -> int:
        return self._completed.value

    def result(self, n: int) -> tuple[int, int]:
        return self._rdata[n % self._qsize], self._resp[n % self._qsize]

    def new_messages(self) -> list[tuple[int, int]]:
        """(address, data) of MSIs that arrived since the last call, in arrival order."""
        count = self._msi_count.value
        if count - self.msi_seen > self._log_size:
            raise RuntimeError(f"MSI log overflow: {count - self.msi_seen} messages since last look")
        size, addr, data = self._log_size, self._msi_addr, self._msi_data
        out = [(addr[i % size], data[i % size]) for i in range(self.msi_seen, count)]     # ints, from ctypes
        self.msi_seen = count
        return out


class CocotbPlatform:
    """Observers (``CocotbPlatform.observers``) are called with every new platform, so a testbench
    environment's monitors attach to the platform a scenario creates without the scenario knowing.
    Listeners see the traffic as it happens: ``mmio_listeners(write, offset, value)`` for every CPU
    access (reads when their data returns), ``msi_listeners(t_ps, addr, data)`` for every message
    the device sent (before fault injection), ``reset_listeners()`` when the host side is reset."""

    clock_period_ps = CLOCK_PS
    observers: list[Callable[["CocotbPlatform"], None]] = []

    def __init__(self, dut: Any) -> None:
        self.dut = dut
        self.mmio_listeners: list[Callable[[bool, int, int], None]] = []
        self.msi_listeners: list[Callable[[int, int, int], None]] = []
        self.reset_listeners: list[Callable[[], None]] = []
        self.bridge = HostBridge()
        self.memory = self.bridge.memory
        self.mmio_transactions = 0
        self.tasks: list[Any] = []              # everything spawned, so a run can end its own tasks
        # simulator steps per picosecond: tb_irqloop's precision is 1 ps, so usually 1
        self._steps_per_ps = 10 ** (-12 - simulator.get_precision())
        if self._steps_per_ps < 1:
            raise RuntimeError("the simulator's time precision is coarser than 1 ps")
        for observe in CocotbPlatform.observers:
            observe(self)

    def reset_host(self) -> None:
        """Clear host RAM and the logs (before a device reset starts a new run)."""
        self.bridge.reset()
        for listener in self.reset_listeners:
            listener()

    def now_ps(self) -> int:
        hi, lo = simulator.get_sim_time()        # raw steps: cheaper than get_sim_time("ps")
        return ((hi << 32) | lo) // self._steps_per_ps

    def sleep(self, ps: int) -> Any:
        return _StepTimer(int(ps) * self._steps_per_ps) if ps > 0 else NullTrigger()

    def event(self) -> Event:
        return Event()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Any:
        task = cocotb.start_soon(coro)
        self.tasks.append(task)
        if len(self.tasks) > 4096:
            self.tasks = [t for t in self.tasks if not t.done()]
        return task

    def cancel_tasks(self) -> None:
        """Cancel every task spawned so far (a finished run's host model: its CPUs' dispatchers,
        ISRs, timers and monitors), so the next run starts from nothing."""
        for task in self.tasks:
            if not task.done():
                task.cancel()
        self.tasks = []

    def current_task(self) -> Any:
        try:
            return current_task()
        except RuntimeError:
            return None

    async def mmio_write(self, offset: int, value: int) -> None:
        """Posted: queued for the bus; the CPU goes on at once."""
        self.bridge.push(True, offset, value)
        self.mmio_transactions += 1
        for listener in self.mmio_listeners:
            listener(True, offset, value)

    async def mmio_read(self, offset: int) -> int:
        n = self.bridge.push(False, offset, 0)
        self.mmio_transactions += 1
        hook = self.bridge.hooks[HOOK_MMIO_READ]
        while self.bridge.completed() <= n:
            await hook
        data, resp = self.bridge.result(n)
        if resp != 0:
            raise RuntimeError(f"MMIO read of {offset:#05x} got AXI response {resp}")
        for listener in self.mmio_listeners:
            listener(False, offset, data)
        return data

    async def msi_monitor(self, deliver: Callable[[int], None], faults: MsiFaultInjector | None = None) -> None:
        """Deliver each MSI message's data to ``deliver`` at the simulation time it lands, through
        the fault injector if one is given (dropped, duplicated or delayed as it decides)."""
        hook = self.bridge.hooks[HOOK_MSI]
        listeners = self.msi_listeners
        while True:
            messages = self.bridge.new_messages()
            now = self.now_ps() if messages else 0      # no simulated time passes while they are handed on
            for addr, data in messages:
                for listener in listeners:
                    listener(now, addr, data)
                if faults is None:
                    deliver(data)
                    continue
                for delay_ps in faults.apply(data, now):
                    if delay_ps == 0:
                        deliver(data)
                    else:
                        self.spawn(self._deliver_later(deliver, data, delay_ps))
            await hook

    async def _deliver_later(self, deliver: Callable[[int], None], data: int, delay_ps: int) -> None:
        await Timer(delay_ps, unit="ps")
        deliver(data)
