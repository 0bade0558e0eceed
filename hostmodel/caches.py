"""Costs that follow state: which CPUs hold each shared cache line, and what the next access costs.

The kernel keeps one :class:`CacheModel` when a host profile (:mod:`hostmodel.profiles`) is
chosen. A line is named by the object it holds (a spin lock, an interlocked variable, a list
head, a queue's host state) or, for host memory the device writes, by its address. Per line the
model keeps the set of CPUs with a valid copy:

- a read by a CPU that holds the line is a hit; otherwise the line comes from the nearest holder
  (same die, another die, the other socket) or, held by nobody, from memory; the reader then
  holds it too;
- a write (a store, or the locked read-modify-write of a lock or interlocked operation) by the
  only holder is a hit; otherwise the other copies are invalidated and the line comes from the
  farthest of them (or memory); the writer is then the only holder;
- the device's DMA writes invalidate every copy: the next read of that line pays the DMA figure
  of the reading CPU's socket. The model sees those writes through host memory itself, without
  any Python per bus beat: a host-memory line whose bytes differ from what the host last read of
  it was written by the device since. The device's completion entries always change when
  written (the phase tag flips on every pass), so for them this is exact; a DMA write of the
  very bytes a line already held would go unnoticed.

Not modelled: a spinning waiter's reads of the lock line (the holder's release is charged as
a hit), KeInsertQueueDpc's own interlocked operations, prefetching, and capacity misses (a line
stays in a cache until another CPU or the device takes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Hashable, Optional

import numpy as np

from irqloop.hostmodel.profiles import HostProfile

LINE_BYTES = 64


@dataclass
class Line:
    holders: set[int] = field(default_factory=set)
    seen: Optional[bytes] = None        #: host memory: the bytes the host last read


@dataclass
class CacheStats:
    hits: int = 0
    transfers: int = 0                  #: from another CPU's cache
    dma_misses: int = 0                 #: first reads of a line the device wrote
    memory_misses: int = 0              #: a line no cache held (first touch)


class CacheModel:
    def __init__(self, profile: HostProfile, memory: Optional[np.ndarray] = None) -> None:
        self.profile = profile
        self.memory = memory
        self.lines: dict[Hashable, Line] = {}
        self.stats = CacheStats()

    def _line(self, key: Hashable) -> Line:
        line = self.lines.get(key)
        if line is None:
            line = self.lines[key] = Line()
        return line

    @staticmethod
    def key_of(obj: Any, part: str = "") -> Hashable:
        """The line of a host object (``part`` names one of several lines an object has)."""
        return ("obj", id(obj), part)

    def _from_memory(self, cpu: int) -> int:
        self.stats.memory_misses += 1
        return self.profile.dma_ps(cpu)

    def read(self, cpu: int, key: Hashable) -> int:
        """A load of line ``key`` by ``cpu``; returns what it costs."""
        line = self._line(key)
        if cpu in line.holders:
            self.stats.hits += 1
            cost = self.profile.line_hit_ps
        elif line.holders:
            self.stats.transfers += 1
            cost = min(self.profile.transfer_ps(cpu, h) for h in line.holders)
        else:
            cost = self._from_memory(cpu)
        line.holders.add(cpu)
        return cost

    def write(self, cpu: int, key: Hashable) -> int:
        """A store (read for ownership) of line ``key`` by ``cpu``; returns what it costs."""
        line = self._line(key)
        others = line.holders - {cpu}
        if others:
            self.stats.transfers += 1
            cost = max(self.profile.transfer_ps(cpu, h) for h in others)
        elif cpu in line.holders:
            self.stats.hits += 1
            cost = self.profile.line_hit_ps
        else:
            cost = self._from_memory(cpu)
        line.holders = {cpu}
        return cost

    def atomic(self, cpu: int, key: Hashable) -> int:
        """A locked read-modify-write (lock acquire, Interlocked*): the line owned, then the op."""
        return self.write(cpu, key) + self.profile.locked_op_ps

    def read_memory(self, cpu: int, address: int) -> int:
        """A load by ``cpu`` from host memory at ``address``, which the device may have written."""
        assert self.memory is not None, "a cache model without host memory reads no device lines"
        number = address // LINE_BYTES
        line = self._line(("mem", number))
        now = self.memory[number * LINE_BYTES:(number + 1) * LINE_BYTES].tobytes()
        if now != line.seen:           # the device wrote it since the host last read it
            line.seen = now
            line.holders = {cpu}
            self.stats.dma_misses += 1
            return self.profile.dma_ps(cpu)
        return self.read(cpu, ("mem", number))
