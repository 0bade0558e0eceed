"""DPC start latencies replayed from a sequence, for runs that must see exactly the latencies another
run saw: the fast day model (irqloop/daymodel.py) and the host model on the event simulator or
the RTL take the same sequence, so their lost chunks can be compared one for one."""

from __future__ import annotations

from typing import Optional, Sequence

from irqloop.hostmodel.latency import DpcLatencyModel


class LatencyReplay(DpcLatencyModel):
    """The n-th DPC run (in the order the dispatcher takes queued DPCs) waits ``values_ps[n]``;
    after the last, ``then_ps`` each (None: running out is an error, not a silent default)."""

    def __init__(self, values_ps: Sequence[int], then_ps: Optional[int] = None) -> None:
        super().__init__(base_ps=0)
        self.then_ps = then_ps
        if any(v < 0 for v in values_ps):
            raise ValueError("a replayed DPC latency is negative")
        self.values_ps = [int(v) for v in values_ps]
        self.used = 0

    def sample(self, queued_at_ps: int) -> int:
        if self.used >= len(self.values_ps) and self.then_ps is not None:
            self.used += 1
            return self.then_ps
        if self.used >= len(self.values_ps):
            raise IndexError(f"the latency replay has {len(self.values_ps)} values; DPC run {self.used + 1} needs one more")
        value = self.values_ps[self.used]
        self.used += 1
        return value
