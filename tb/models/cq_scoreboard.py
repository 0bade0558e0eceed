"""End-to-end check of every completion entry of the RTL device's traffic generator.

The generator's rule (rtl/cpl_traffic_gen.v) is the oracle: after the generator starts (cycle
``start``), queue q gets ``burst[q]`` completions every ``period[q]`` cycles, the first burst at
``start + period[q]``, up to ``limit`` per queue. Entry n of queue q carries DW0 = n, command id
= n[15:0], SQ id 1, SQ head = q, and status 0 or 1 (1 only when errors are injected). Each entry
the driver consumes is checked against that, in order per queue; at the end every generated
completion must have been consumed exactly once. Latency is measured from the instant the
completion was due (its burst's, start + b x period), so it includes the device's own queueing and
the generator's scan, which lands a burst up to NUM_CQ - 1 cycles after that instant.

It observes the driver through the kernel's trace (``consume``, a ``Kernel.trace_consumers``
entry): the driver logs each entry it consumes (``cq_entry_consumed``) and calls no checker.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Optional

import numpy as np

from irqloop.hostmodel.kernel import TraceEvent


def generator_fields(q: int, n: int) -> dict[str, int]:
    """Completion n of queue q as the traffic generator writes it (rtl/cpl_traffic_gen.v), less
    the status: the oracle of this scoreboard and of the device scoreboard (tb/uvm/scoreboard.py)."""
    return {"dw0": n, "cid": n & 0xFFFF, "sqid": 1, "sqhead": q}


@dataclass
class CqDivergence:
    t_ps: int
    queue: int
    slot: int
    index_expected: int       #: the completion the driver should have found (n)
    field: str                #: "dw0" (a completion skipped or repeated), "cid", "sqid", "sqhead", "status"
    expected: int
    observed: int
    kind: str                 #: "skipped", "repeated", "corrupt"
    cpu: int

    def describe(self) -> str:
        return (f"queue {self.queue} slot {self.slot} at {self.t_ps / 1e6:.3f} us (CPU {self.cpu}): "
                f"completion #{self.index_expected} expected, {self.field} expected {self.expected:#x} "
                f"observed {self.observed:#x} ({self.kind})")


@dataclass
class CqScoreboard:
    queues: list[int]
    period_cycles: dict[int, int]
    burst: dict[int, int]
    limit: int
    clock_ps: int
    errors_possible: bool = False
    start_ps: int = 0                                       #: cycle edge at which the generator started
    next_index: dict[int, int] = field(default_factory=dict)
    latencies_ps: list[int] = field(default_factory=list)
    consumed_at_ps: dict[int, list[int]] = field(default_factory=dict)
    divergences: list[CqDivergence] = field(default_factory=list)
    error_status_seen: int = 0
    #: (burst number, size from that burst on) for every queue; empty: burst[q] throughout
    burst_phases: list[tuple[int, int]] = field(default_factory=list)
    #: per queue, its (first burst, size) segments, made at the first look (the plan fixes them)
    _segments: dict[int, list[tuple[int, int]]] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for q in self.queues:
            self.next_index.setdefault(q, 0)
            self.consumed_at_ps.setdefault(q, [])

    def due_ps(self, q: int, n: int) -> int:
        """The clock edge at which completion n of queue q was due (burst b, at b periods; the
        generator's scan makes it up to NUM_CQ - 1 cycles later)."""
        return self.start_ps + self.burst_number(q, n) * self.period_cycles[q] * self.clock_ps

    def burst_number(self, q: int, n: int) -> int:
        """Which burst (1, 2, ...) made completion n of queue q."""
        segments = self._segments.get(q)
        if segments is None:
            segments = [(1, self.burst[q])] + [p for p in self.burst_phases if p[0] > 1]
            if self.burst_phases and self.burst_phases[0][0] <= 1:
                segments = list(self.burst_phases)
            self._segments[q] = segments
        if len(segments) == 1:                  # one size throughout: the usual case
            first, size = segments[0]
            return first + n // size
        made = 0
        for i, (first, size) in enumerate(segments):
            last = segments[i + 1][0] - 1 if i + 1 < len(segments) else None
            in_segment = None if last is None else (last - first + 1) * size
            if in_segment is None or n < made + in_segment:
                return first + (n - made) // size
            made += in_segment
        raise AssertionError("unreachable")

    def expected_total(self) -> int:
        return self.limit * len(self.queues)

    def consume(self, event: TraceEvent) -> None:
        """One trace event of the run, as it is logged; events of other kinds are not for us."""
        if event.kind == "cq_entry_consumed":
            info = event.info
            self.entry(info["queue"], info["slot"], info["entry"], event.t_ps, info["cpu"])

    def entry(self, q: int, slot: int, dw: np.ndarray, t_ps: int, cpu: int) -> None:
        """The driver consumed this entry of queue q (its four dwords as read) at t_ps on ``cpu``."""
        if q not in self.next_index:
            self._diverge(t_ps, q, slot, 0, "queue", 0, q, "corrupt", cpu)
            return
        n = self.next_index[q]
        dw0, sq, d3 = int(dw[0]), int(dw[2]), int(dw[3])
        if dw0 != n:
            self._diverge(t_ps, q, slot, n, "dw0", n, dw0, "skipped" if dw0 > n else "repeated", cpu)
            if dw0 < n:
                return                          # a repeat: do not count it again
            n = dw0                             # a skip: resynchronise on what was found
        status = d3 >> 17
        want = generator_fields(q, n)
        for name, obs in (("cid", d3 & 0xFFFF), ("sqid", sq >> 16), ("sqhead", sq & 0xFFFF)):
            if want[name] != obs:
                self._diverge(t_ps, q, slot, n, name, want[name], obs, "corrupt", cpu)
        if status not in ((0, 1) if self.errors_possible else (0,)):
            self._diverge(t_ps, q, slot, n, "status", 0, status, "corrupt", cpu)
        self.error_status_seen += status == 1
        lat = t_ps - self.due_ps(q, n)
        self.latencies_ps.append(lat)
        self.consumed_at_ps[q].append(t_ps)
        self.next_index[q] = n + 1

    def _diverge(self, t_ps: int, q: int, slot: int, n: int, fld: str, exp: int, obs: int, kind: str,
                 cpu: int) -> None:
        self.divergences.append(CqDivergence(t_ps, q, slot, n, fld, exp, obs, kind, cpu))

    def consumed(self) -> int:
        return sum(len(v) for v in self.consumed_at_ps.values())

    def missing(self) -> dict[int, int]:
        """Per queue: generated completions not consumed (the first is next_index[q])."""
        return {q: self.limit - self.next_index[q] for q in self.queues if self.next_index[q] < self.limit}

    def first_missing(self) -> Optional[tuple[int, int]]:
        """The missing completion that was due earliest: (queue, index)."""
        miss = [(self.due_ps(q, self.next_index[q]), q, self.next_index[q]) for q in self.missing()]
        return min(miss)[1:] if miss else None

    def result(self) -> dict[str, Any]:
        miss = self.missing()
        return {
            "expected": self.expected_total(),
            "consumed": self.consumed(),
            "lost": sum(miss.values()),
            "missing_by_queue": {str(q): n for q, n in sorted(miss.items())},
            "divergences": len(self.divergences),
            "first_divergence": asdict(self.divergences[0]) if self.divergences else None,
            "error_status_seen": self.error_status_seen,
        }
