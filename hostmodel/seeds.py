"""Seeds derive named streams: one random generator per purpose from the run's seed.

Every random choice of a run (its DPC latency jitter, the payload key, the traffic, the MSI
faults, each interference source, the drawn configurations of random scenarios, the bus pauses of
a block testbench) takes its generator from ``stream(seed, purpose)``. Two purposes never share a
stream by accident, and adding a purpose changes no other: the stream of a purpose depends on the
seed and that purpose's name only (Python's string seeding hashes the text with SHA-512, the same
on every machine and Python version 3.2 and later).
"""

from __future__ import annotations

import random


def stream(seed: int, purpose: str) -> random.Random:
    """The generator of ``purpose`` (a short dotted name, e.g. "dpc_latency", "interference.0.dpc")."""
    return random.Random(f"{purpose}:{seed}")
