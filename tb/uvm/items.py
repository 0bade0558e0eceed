"""Transactions the agents and monitors publish (sequence items and analysis-port payloads)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pyuvm import uvm_sequence_item


class CsrItem(uvm_sequence_item):
    """One 32-bit access on the AXI4-Lite CSR bus (a sequence item and what the monitor saw)."""

    def __init__(self, name: str = "csr_item", write: bool = False, addr: int = 0, data: int = 0) -> None:
        super().__init__(name)
        self.write = write
        self.addr = addr
        self.data = data
        self.t_ps = 0

    def __str__(self) -> str:
        return f"{'W' if self.write else 'R'} {self.addr:#05x} = {self.data:#010x} at {self.t_ps / 1e6:.3f} us"


@dataclass
class CsrAccess:
    """An access the CSR monitor saw on the bus (whoever drove it: a sequence or the host model).
    A plain record, not a sequence item: the monitor publishes one per MMIO access."""
    write: bool
    addr: int
    data: int
    t_ps: int

    def __str__(self) -> str:
        return f"{'W' if self.write else 'R'} {self.addr:#05x} = {self.data:#010x} at {self.t_ps / 1e6:.3f} us"


@dataclass
class MsiItem:
    """A message the device sent (before any fault injection on the way to the CPU)."""
    t_ps: int
    addr: int
    data: int


@dataclass
class CqEntryItem:
    """A completion entry the device wrote into host memory, decoded (NVMe layout)."""
    t_ps: int
    queue: int
    slot: int
    dw0: int
    sqhead: int
    sqid: int
    cid: int
    phase: int
    status: int


@dataclass
class ChunkItem:
    """A ring slot the device finished writing (the streaming DMA): its words as written."""
    t_ps: int
    slot: int
    words: np.ndarray
