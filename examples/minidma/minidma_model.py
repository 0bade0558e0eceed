"""The oracle of the minidma example: a reference model of the card's ring and the driver's copy.

From the card's writes as the host memory saw them (each 128-byte burst's address and the time of
its last beat, tb/hdl/host_mem_axi.v's burst log) and the instants the driver copied each chunk
(its ``chunk_copied`` trace events), the model says which chunks the application cannot have
received intact: a chunk never copied, or copied after the first beat of the chunk that reuses
its slot (seq + slots) landed. It knows nothing of the driver's code, only the ring's rule. The
scoreboard checks every chunk the application got against the card's payload rule (word w of
chunk n is n << 32 | w), and the two lists of lost chunks must be equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

BURST_BYTES = 128
BEAT_BYTES = 8


@dataclass(frozen=True)
class ChunkWrite:
    seq: int
    first_beat_ps: int          #: the first beat into the slot
    last_beat_ps: int


def chunk_writes(addr: np.ndarray, nbytes: np.ndarray, t_ns: np.ndarray, base: int, chunk_bytes: int,
                 clock_ps: int) -> list[ChunkWrite]:
    """The card's chunks, in the order written, from its data bursts (beats on consecutive clocks)."""
    out: list[ChunkWrite] = []
    first = 0
    for a, n, t in zip(addr.tolist(), nbytes.tolist(), t_ns.tolist()):
        offset = (a - base) % chunk_bytes
        last_ps = t * 1000
        if offset == 0:
            first = last_ps - (n // BEAT_BYTES - 1) * clock_ps
        if offset + n == chunk_bytes:
            out.append(ChunkWrite(len(out), first, last_ps))
    return out


def predict_lost(writes: list[ChunkWrite], copied_ps: dict[int, int], slots: int, chunks: int) -> list[int]:
    """The chunks the application cannot have intact (see the module's docstring)."""
    lost = []
    for seq in range(chunks):
        t = copied_ps.get(seq)
        reuse = writes[seq + slots] if seq + slots < len(writes) else None
        if t is None or seq >= len(writes) or writes[seq].last_beat_ps >= t \
                or (reuse is not None and reuse.first_beat_ps < t):
            lost.append(seq)
    return lost


def payload(seq: int, chunk_bytes: int) -> np.ndarray:
    words = np.arange(chunk_bytes // BEAT_BYTES, dtype=np.uint64) | np.uint64(seq) << np.uint64(32)
    return words.view(np.uint8)


@dataclass
class ChunkScoreboard:
    """Subscribes to the kernel's trace: every chunk the driver copied, judged by the payload rule."""
    chunk_bytes: int
    copied_ps: dict[int, int] = field(default_factory=dict)
    intact: set[int] = field(default_factory=set)

    def consume(self, event: Any) -> None:
        if event.kind == "chunk_copied":
            seq = event.info["seq"]
            self.copied_ps[seq] = event.t_ps
            if np.array_equal(event.info["data"], payload(seq, self.chunk_bytes)):
                self.intact.add(seq)

    def lost(self, chunks: int) -> list[int]:
        return [seq for seq in range(chunks) if seq not in self.intact]
