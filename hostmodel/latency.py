"""DPC start latency: how long a queued DPC waits before its routine runs.

On a real machine this is the time spent on other DPCs queued ahead and on interrupts. This
first model injects it directly: a base latency, seeded jitter, and explicit spikes. A spike
applies once, to the first DPC queued at or after its time (the second seed thread's ~60 ms
delay is one such spike).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class LatencySpike:
    at_ps: int      #: applies to the first DPC queued at or after this time
    extra_ps: int   #: added to that DPC's latency


@dataclass
class DpcLatencyModel:
    base_ps: int = 2_000_000          #: 2 us: a typical interrupt-to-DPC latency
    jitter_ps: int = 0                #: uniform extra latency in [0, jitter_ps], seeded
    spikes: list[LatencySpike] = field(default_factory=list)
    seed: int = 1

    def __post_init__(self) -> None:
        if self.base_ps < 0 or self.jitter_ps < 0:
            raise ValueError("DPC latency base and jitter must be >= 0")
        for s in self.spikes:
            if s.extra_ps < 0 or s.at_ps < 0:
                raise ValueError(f"latency spike {s} has a negative time")
        self._rng = random.Random(self.seed)
        self._pending = sorted(self.spikes, key=lambda s: s.at_ps)
        #: (queued_at_ps, spike) for each spike that was applied
        self.applied: list[tuple[int, LatencySpike]] = []

    def add_spike(self, spike: LatencySpike) -> None:
        if spike.extra_ps < 0 or spike.at_ps < 0:
            raise ValueError(f"latency spike {spike} has a negative time")
        self._pending = sorted(self._pending + [spike], key=lambda s: s.at_ps)

    def sample(self, queued_at_ps: int) -> int:
        """Latency of a DPC queued at ``queued_at_ps``. Call once per DPC run, in queue order."""
        lat = self.base_ps
        if self.jitter_ps:
            lat += self._rng.randint(0, self.jitter_ps)
        while self._pending and self._pending[0].at_ps <= queued_at_ps:
            spike = self._pending.pop(0)
            lat += spike.extra_ps
            self.applied.append((queued_at_ps, spike))
        return lat
