"""The completion scoreboard (tb.cq_scoreboard) on hand-made entries: it must catch a
skipped, a repeated and a corrupted completion, and name the first missing one."""

from __future__ import annotations

import numpy as np

from irqloop.hostmodel.kernel import TraceEvent
from irqloop.tb.models.cq_scoreboard import CqScoreboard


def entry(n: int, q: int, status: int = 0, phase: int = 1, sqid: int = 1) -> np.ndarray:
    return np.array([n, 0, sqid << 16 | q, status << 17 | phase << 16 | (n & 0xFFFF)], dtype=np.uint32)


def board() -> CqScoreboard:
    return CqScoreboard([0, 1], {0: 100, 1: 300}, {0: 2, 1: 1}, limit=4, clock_ps=4000, start_ps=1000)


def test_in_order_entries_are_clean_with_latency_from_the_burst() -> None:
    sb = board()
    for n in range(4):
        sb.entry(0, n, entry(n, 0), 1000 + 500_000 * (n + 1), 0)
    assert sb.result()["divergences"] == 0 and sb.missing() == {1: 4}
    # entry 2 of queue 0 was made by the second burst: start + 2 x 100 cycles
    assert sb.due_ps(0, 2) == 1000 + 2 * 100 * 4000
    assert sb.latencies_ps[2] == 1000 + 1_500_000 - sb.due_ps(0, 2)
    assert sb.first_missing() == (1, 0)


def test_skipped_repeated_and_corrupt_entries_are_divergences() -> None:
    sb = board()
    sb.entry(0, 0, entry(0, 0), 10, 0)
    sb.entry(0, 1, entry(2, 0), 20, 1)           # #1 skipped
    sb.entry(0, 2, entry(2, 0), 30, 1)           # #2 again
    sb.entry(1, 0, entry(0, 1, status=1), 40, 0) # status without error injection
    sb.entry(1, 1, entry(1, 1, sqid=0), 50, 0)   # wrong SQ id
    kinds = [(d.queue, d.field, d.kind) for d in sb.divergences]
    assert kinds == [(0, "dw0", "skipped"), (0, "dw0", "repeated"), (1, "status", "corrupt"), (1, "sqid", "corrupt")]
    first = sb.result()["first_divergence"]
    assert first["index_expected"] == 1 and first["observed"] == 2 and first["cpu"] == 1


def test_it_takes_the_entries_the_driver_logs_and_nothing_else() -> None:
    """The driver logs each entry it consumes (cq_entry_consumed); the scoreboard subscribes."""
    sb = board()
    sb.consume(TraceEvent(600_000, "cq_entry_consumed", {"queue": 0, "slot": 0, "entry": entry(0, 0), "cpu": 2}))
    sb.consume(TraceEvent(700_000, "poll_checked", {"queue": 0}))
    assert sb.next_index == {0: 1, 1: 0} and sb.consumed_at_ps[0] == [600_000]
    assert sb.latencies_ps == [600_000 - sb.due_ps(0, 0)] and not sb.divergences


def test_burst_phases_move_due_times_as_the_generator_does() -> None:
    sb = CqScoreboard([0], {0: 100}, {0: 1}, limit=100, clock_ps=4000, burst_phases=[(3, 4), (5, 1)])
    # bursts 1, 2: one each (n 0, 1); bursts 3, 4: four each (n 2..9); then one each (n 10, ...)
    assert [sb.burst_number(0, n) for n in (0, 1, 2, 5, 6, 9, 10, 11)] == [1, 2, 3, 3, 4, 4, 5, 6]
    assert sb.due_ps(0, 10) == 5 * 100 * 4000
