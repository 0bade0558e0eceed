"""Monitors of what the device does to the host: MSI messages, and the DMA writes into host
memory, decoded as completion-queue entries and streaming ring chunks.

The DMA monitor does not run per bus beat: ``host_mem_axi`` logs each completed burst (address,
bytes, time) in C, and the monitor drains that log in bulk when a message arrives, every
``drain_ps`` of simulated time, and when the host side is reset. Where the queues and the ring
are comes from the register model's mirror, i.e. from what the driver actually programmed.
"""

from __future__ import annotations

import struct
from typing import Any, Optional

import cocotb
import numpy as np
from cocotb.triggers import Timer
from pyuvm import uvm_analysis_port, uvm_component

from irqloop.hostmodel.regs import REG
from irqloop.tb.uvm.items import ChunkItem, CqEntryItem, MsiItem
from irqloop.tb.uvm.regmodel import IrqloopRegBlock

ENTRY_BYTES = 16
_ENTRY = struct.Struct("<4I")        #: a completion entry's four little-endian dwords
_RING_REGS = {REG.RING_BASE_LO, REG.RING_BASE_HI, REG.SLOT_COUNT, REG.SLOT_SIZE}
_CQ_LAYOUT = {"BASE_LO", "BASE_HI", "SIZE"}


class MsiMonitor(uvm_component):
    """Every message write the device made into the MSI window, at the time it landed."""

    def build_phase(self) -> None:
        self.ap = uvm_analysis_port("ap", self)
        self.count = 0

    def attach(self, platform: Any) -> None:
        def observe(t_ps: int, addr: int, data: int) -> None:
            self.count += 1
            self.ap.write(MsiItem(t_ps, addr, data))
        platform.msi_listeners.append(observe)


class DmaMonitor(uvm_component):
    """Completion entries (``cq_ap``) and ring chunks (``chunk_ap``) as the device wrote them."""

    drain_ps = 5_000_000

    def build_phase(self) -> None:
        self.cq_ap = uvm_analysis_port("cq_ap", self)
        self.chunk_ap = uvm_analysis_port("chunk_ap", self)
        self.regs: Optional[IrqloopRegBlock] = None
        self.platform: Any = None
        self._ticker: Any = None
        self.bursts = 0
        self.other_bursts = 0          #: bursts outside every queue and the ring
        self._slot_bytes: dict[int, int] = {}
        self._layout: Optional[tuple[list[tuple[int, int, int]], Optional[tuple[int, int, int]]]] = None

    def _on_csr(self, write: bool, offset: int, value: int) -> None:
        """A write that moves a queue or the ring: look the layout up again at the next drain.
        (The writes reach the mirror through the predictor; the drain reads it from there.)"""
        if not write or self.regs is None:
            return
        element = self.regs.elements.get(offset)
        if offset in _RING_REGS or (element is not None and element[0] == "CQ" and element[2] in _CQ_LAYOUT):
            self._layout = None

    def attach(self, platform: Any) -> None:
        if self._ticker is not None:
            self.drain()
            self._ticker.cancel()
        self.platform = platform
        platform.msi_listeners.append(lambda *_: self.drain())
        platform.mmio_listeners.append(self._on_csr)
        platform.reset_listeners.append(self._on_reset)
        self._ticker = cocotb.start_soon(self._tick())

    def detach(self) -> None:
        if self._ticker is not None:
            self._ticker.cancel()
            self._ticker = None
        if self.platform is not None:
            self.drain()

    async def _tick(self) -> None:
        while True:
            await Timer(self.drain_ps, unit="ps")
            self.drain()

    def _on_reset(self) -> None:
        self.drain()                   # the last run's writes, before the log is cleared
        self._slot_bytes.clear()
        self._layout = None

    def _mirror(self, name: str, index: Optional[int] = None, field: Optional[str] = None) -> int:
        assert self.regs is not None
        return int(self.regs.reg(name, index, field).get_mirrored_value())

    def _queues(self) -> list[tuple[int, int, int]]:
        """(queue, base, entries) of every queue the driver created."""
        out = []
        for q in range(self.regs.num_cq if self.regs else 0):
            size = self._mirror("CQ", q, "SIZE")
            if size >= 2:
                base = self._mirror("CQ", q, "BASE_LO") & ~0xF | self._mirror("CQ", q, "BASE_HI") << 32
                out.append((q, base, size))
        return out

    def drain(self) -> None:
        if self.platform is None or self.regs is None:
            return
        bursts = self.platform.bridge.new_burst_records()
        if not bursts:
            return
        self.bursts += len(bursts)
        if self._layout is None:
            self._layout = (self._queues(), self._ring())
        queues, ring = self._layout
        mem = self.platform.memory
        for a, n, t in bursts:
            t_ps = t * 1000
            for q, base, size in queues:
                if base <= a < base + size * ENTRY_BYTES:
                    for at in range(a, a + n, ENTRY_BYTES):
                        dw0, _dw1, dw2, dw3 = _ENTRY.unpack_from(mem, at)
                        self.cq_ap.write(CqEntryItem(t_ps=t_ps, queue=q, slot=(at - base) // ENTRY_BYTES, dw0=dw0,
                                                     sqhead=dw2 & 0xFFFF, sqid=dw2 >> 16, cid=dw3 & 0xFFFF,
                                                     phase=dw3 >> 16 & 1, status=dw3 >> 17))
                    break
            else:
                if ring is not None and ring[0] <= a < ring[0] + ring[1] * ring[2]:
                    self._ring_burst(a, n, t_ps, ring, mem)
                else:
                    self.other_bursts += 1

    def _ring(self) -> Optional[tuple[int, int, int]]:
        slots, slot_bytes = self._mirror("SLOT_COUNT"), self._mirror("SLOT_SIZE")
        if not slots or not slot_bytes:
            return None
        return self._mirror("RING_BASE_LO") | self._mirror("RING_BASE_HI") << 32, slots, slot_bytes

    def _ring_burst(self, a: int, n: int, t_ps: int, ring: tuple[int, int, int], mem: np.ndarray) -> None:
        base, _slots, slot_bytes = ring
        slot = (a - base) // slot_bytes
        done = self._slot_bytes.get(slot, 0) + n
        if done >= slot_bytes:
            self._slot_bytes[slot] = 0
            at = base + slot * slot_bytes
            self.chunk_ap.write(ChunkItem(t_ps=t_ps, slot=slot, words=mem[at:at + slot_bytes].view(np.uint32).copy()))
        else:
            self._slot_bytes[slot] = done


def message_table(regs: IrqloopRegBlock) -> dict[tuple[int, int], int]:
    """(address, data) -> vector, for every vector as the mirror says it is programmed (MSI-X table
    entries when MSI-X is enabled, else MSI_ADDR / MSI_DATA + v)."""
    def m(name: str, i: Optional[int] = None, f: Optional[str] = None) -> int:
        return int(regs.reg(name, i, f).get_mirrored_value())
    vectors = regs.num_cq + REG.bit("VEC_CQ0")
    out: dict[tuple[int, int], int] = {}
    if m("MSIX_CTRL") >> REG.bit("MSIX_ENABLE") & 1:
        for v in range(vectors):
            out.setdefault((m("VT", v, "ADDR_LO") & ~3 | m("VT", v, "ADDR_HI") << 32, m("VT", v, "DATA")), v)
    else:
        base = m("MSI_ADDR_LO") & ~3 | m("MSI_ADDR_HI") << 32
        for v in range(vectors):
            out.setdefault((base, (m("MSI_DATA") + v) & 0xFFFFFFFF), v)
    return out
