"""The driver's larger cyclic buffer and the application thread that drains it."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np


@dataclass
class CyclicEntry:
    seq: int                 #: the sequence number the driver believes the chunk has
    data: np.ndarray         #: chunk payload as uint32 words


class CyclicBuffer:
    """A bounded FIFO of chunks: the DPC puts, the consumer gets. A put into a full buffer is refused."""

    def __init__(self, capacity_chunks: int) -> None:
        if capacity_chunks <= 0:
            raise ValueError("cyclic buffer capacity must be > 0 chunks")
        self.capacity = capacity_chunks
        self._q: deque[CyclicEntry] = deque()
        self.overflows = 0
        self.max_fill = 0

    def __len__(self) -> int:
        return len(self._q)

    def put(self, entry: CyclicEntry) -> bool:
        if len(self._q) >= self.capacity:
            self.overflows += 1
            return False
        self._q.append(entry)
        self.max_fill = max(self.max_fill, len(self._q))
        return True

    def get(self) -> CyclicEntry | None:
        return self._q.popleft() if self._q else None
