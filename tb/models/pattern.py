"""Python reference of the device's chunk payload (rtl/chunk_pattern.v).

A chunk is little-endian 32-bit words: word 0 is the sequence number, word j > 0 is
``((seq & 0xFFFF) << 16 | j) ^ key``.
"""

from __future__ import annotations

import numpy as np


_INDEX: dict[int, np.ndarray] = {}


def chunk_words(seq: int, nwords: int, key: int) -> np.ndarray:
    j = _INDEX.get(nwords)
    if j is None:
        j = _INDEX[nwords] = np.arange(nwords, dtype=np.uint32) & np.uint32(0xFFFF)
    words = j ^ np.uint32((((seq & 0xFFFF) << 16) ^ key) & 0xFFFFFFFF)
    words[0] = np.uint32(seq & 0xFFFFFFFF)
    return words


def first_mismatch(data: np.ndarray, seq: int, key: int) -> int:
    """Index of the first word of ``data`` (uint32) that differs from chunk ``seq``, or -1."""
    bad = np.flatnonzero(data != chunk_words(seq, len(data), key))
    return int(bad[0]) if len(bad) else -1
