"""Transaction-level reference model of irqloop_dev (pure Python).

It follows the same rules as the RTL (rtl/ring_producer.v, rtl/msi_vector_ctrl.v,
rtl/irqloop_csr.v) at chunk granularity: a chunk's data appears at once when it completes.
Used as the oracle of the RTL device tests and as the device of sim-free driver tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from irqloop.hostmodel.regs import REG
from irqloop.tb.models.pattern import chunk_words

RO = {n for n, a in REG.access.items() if a == "RO"}
B = REG.bits


@dataclass
class MsiVectors:
    """PCIe 6.1.4 mask/pending rules for a set of vectors."""
    n: int
    mask: int = 0
    pending: int = 0
    sent: list[int] = field(default_factory=list)

    def event(self, vec: int) -> None:
        self.pending |= 1 << vec

    def set_mask(self, mask: int) -> None:
        self.mask = mask

    def serviced_while_masked(self, vec: int) -> None:
        if self.mask >> vec & 1:
            self.pending &= ~(1 << vec)

    def deliverable(self) -> list[int]:
        """Send every pending unmasked vector once (lowest first) and clear its pending bit."""
        out = [v for v in range(self.n) if (self.pending & ~self.mask) >> v & 1]
        for v in out:
            self.pending &= ~(1 << v)
        self.sent += out
        return out


class StreamDeviceModel:
    def __init__(self, memory: np.ndarray, send_msi: Callable[[int], None], bus_bytes: int = 8) -> None:
        self.BUS_BYTES = bus_bytes          #: the DMA bus width (DATA_W / 8): slot sizes and the ring base align to it
        self.mem = memory
        self.send_msi = send_msi
        self.regs = {name: 0 for name in REG.offsets}
        self.regs["ID"] = REG.consts["DEVICE_ID"]
        self.regs["VERSION"] = (self.BUS_BYTES << 16) | REG.consts["DEVICE_VERSION"]
        self.vec = MsiVectors(2)
        self.running = False
        self.started = 0
        self.cfg_error = False
        self.overrun = False

    # ---- CSR access ----
    def read(self, off: int) -> int:
        name = self._name(off)
        if name is None:
            return 0
        if name == "STATUS":
            return (int(self.running) << B["ST_RUNNING"] | int(self.cfg_error) << B["ST_CFG_ERROR"]
                    | int(self.overrun) << B["ST_OVERRUN"] | int(self.done()) << B["ST_DONE"])
        if name == "MSI_PENDING":
            return self.vec.pending
        return self.regs[name]

    def write(self, off: int, value: int) -> None:
        name = self._name(off)
        value &= 0xFFFFFFFF
        if name is None or name in RO:
            return
        if name == "INT_CAUSE":
            cleared = value & self.regs["INT_CAUSE"]
            self.regs["INT_CAUSE"] &= ~value & 0x7
            if cleared & (1 << B["CAUSE_DATA"]):
                self.vec.serviced_while_masked(B["VEC_DATA"])
            err = (1 << B["CAUSE_OVERRUN"]) | (1 << B["CAUSE_CFGERR"])
            if cleared & err and not self.regs["INT_CAUSE"] & err:
                self.vec.serviced_while_masked(B["VEC_ERROR"])
            return
        if name == "CONS_IDX":
            if ((self.regs["PROD_IDX"] - value) & 0xFFFFFFFF) >= 1 << 31:
                self._cfg_error()
            else:
                self.regs["CONS_IDX"] = value
            return
        if name == "MSI_MASK":
            self.vec.set_mask(value & 0x3)
            self.regs[name] = value & 0x3
            self._deliver()
            return
        if name == "CTRL":
            was = self.regs["CTRL"] & 1
            self.regs["CTRL"] = value & 0x3
            if value & 1 and not was:
                self._start()
            elif not value & 1:
                self.running = False
            return
        if name == "MSI_ADDR_LO":
            value &= ~3                       # Message Address bits [1:0] are zero (PCIe)
        self.regs[name] = value

    # ---- stream ----
    def config_error(self) -> Optional[str]:
        r = self.regs
        if r["SLOT_COUNT"] == 0 or r["SLOT_COUNT"] > 65535:
            return "slot count"
        if r["SLOT_SIZE"] == 0 or r["SLOT_SIZE"] % self.BUS_BYTES or r["SLOT_SIZE"] > 262144:
            return "slot size"
        if r["RING_BASE_LO"] % self.BUS_BYTES:
            return "ring base alignment"
        if r["CHUNK_PERIOD"] == 0:
            return "chunk period"
        return None

    def _start(self) -> None:
        if self.config_error() is not None:
            self._cfg_error()
            return
        self.cfg_error = False
        self.running, self.overrun, self.started = True, False, 0
        for n in ("PROD_IDX", "CONS_IDX", "CNT_CHUNKS", "CNT_OVERWRITE", "CNT_IRQS", "CNT_STALL"):
            self.regs[n] = 0
        self.regs["OVERRUN_SEQ"] = self.regs["OVERRUN_CYCLE"] = 0xFFFFFFFF

    def _cfg_error(self) -> None:
        self.cfg_error = True
        self._event("CAUSE_CFGERR", "VEC_ERROR")

    def done(self) -> bool:
        lim = self.regs["CHUNK_LIMIT"]
        return lim != 0 and self.regs["PROD_IDX"] >= lim

    def ring_full(self) -> bool:
        return self.started - self.regs["CONS_IDX"] >= self.regs["SLOT_COUNT"]

    def can_produce(self) -> bool:
        lim = self.regs["CHUNK_LIMIT"]
        return self.running and not (lim and self.started >= lim)

    def produce_chunk(self, cycle: int = 0) -> bool:
        """Write the next chunk if allowed: False when flow control holds it (ring full)."""
        r = self.regs
        if not self.can_produce():
            return False
        flow = bool(r["CTRL"] >> B["CTRL_FLOWCTL"] & 1)
        if self.ring_full():
            if flow:
                return False
            r["CNT_OVERWRITE"] += 1
            if not self.overrun:
                r["OVERRUN_SEQ"], r["OVERRUN_CYCLE"] = self.started, cycle
            self.overrun = True
            self._event("CAUSE_OVERRUN", "VEC_ERROR")
        seq = self.started
        self.started += 1
        n, size = r["SLOT_COUNT"], r["SLOT_SIZE"]
        base = (r["RING_BASE_HI"] << 32 | r["RING_BASE_LO"]) + (seq % n) * size
        self.mem[base:base + size] = chunk_words(seq, size // 4, r["PATTERN_KEY"]).view(np.uint8)
        r["PROD_IDX"] += 1
        r["CNT_CHUNKS"] += 1
        self._event("CAUSE_DATA", "VEC_DATA")
        return True

    def _event(self, cause: str, vec: str) -> None:
        self.regs["INT_CAUSE"] |= 1 << B[cause]
        if self.regs["INT_ENABLE"] >> B[vec] & 1:
            self.vec.event(B[vec])
        self._deliver()

    def _deliver(self) -> None:
        for v in self.vec.deliverable():
            self.regs["CNT_IRQS"] += 1
            self.send_msi(self.regs["MSI_DATA"] + v)

    @staticmethod
    def _name(off: int) -> Optional[str]:
        for n, o in REG.offsets.items():
            if o == off & ~3:
                return n
        return None
