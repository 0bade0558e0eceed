"""Block test of rtl/cpl_traffic_gen.v, the device's completion sources, with random backpressure
on its output (cq_engine holding a completion for a full queue). The test plays the register
block's settings RAM: in each cycle tg_period/tg_burst are the settings of the queue tg_q_next
named at the last edge.

The generator's rule, checked cycle by cycle against a model that states it (GeneratorRule):
- one queue is visited a cycle, queue q when (cycles since run rose) mod NUM_CQ == q;
- a burst lands at the first visit at or after its deadline (never before, at most NUM_CQ - 1
  cycles late); deadlines are period, then the last deadline plus the period, or now + period
  when that is not in the future; while the period is 0 nothing is made and a period set later
  gives a burst at the queue's next visit; the limit cuts the last burst; exact totals;
- `due` (the one per-queue flip-flop of the generator's state) is set exactly while the queue's
  generated count exceeds its offered count;
- DW0 counts 0, 1, 2... per queue, SQ id 1; no completion is offered before its burst landed;
- every TG_ERR_EVERY-th generated completion, counted over all queues, has status 1;
- DMA chunk completions go first, in order, DW0 = chunk sequence from the stream start, SQ id 0;
- an offered completion is held unchanged until taken; nothing is lost or duplicated;
- a rise of run restarts deadlines and counts;
- a full queue holds only its own completions: nothing is offered for it while it is full, the
  other queues go on, and the cycles of waiting are counted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

import cocotb
from cocotb.triggers import FallingEdge, RisingEdge, Timer

from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start


@dataclass
class GeneratorRule:
    """The documented rule of the generator's bursts (rtl/cpl_traffic_gen.v header), one edge at a
    time: which queue is visited, when its bursts land and how many completions it has made."""
    n: int
    limit: int
    now: Optional[int] = None                       # cycles since run rose; None: stopped
    deadline: dict[int, int] = field(default_factory=dict)
    made: list[int] = field(default_factory=list)
    late: list[int] = field(default_factory=list)   # per landed burst: cycles after its deadline

    def edge(self, run: bool, period: int, burst: int) -> Optional[int]:
        """One clock edge with `run` as driven and the visited queue's settings as the RAM gave
        them; returns the queue the rule visits at this edge (None: no visit)."""
        if not run:
            self.now = None
            return None
        if self.now is None:                        # the rise: cycle 0, no visit
            self.now, self.deadline, self.made = 0, {}, [0] * self.n
            return None
        self.now += 1
        q = self.now % self.n
        dl = self.deadline.get(q, period)
        if period == 0:
            self.deadline[q] = self.now + self.n    # the queue's next visit
        elif dl <= self.now:
            room = self.limit - self.made[q] if self.limit else burst
            self.made[q] += max(0, min(burst, room))
            self.late.append(self.now - dl)
            self.deadline[q] = dl + period if dl + period > self.now else self.now + period
        else:
            self.deadline[q] = dl
        return q


class Harness:
    """Drives the generator a cycle at a time, plays the settings RAM and checks every cycle."""

    def __init__(self, dut: Any, limit: int, err_every: int) -> None:
        self.dut = dut
        self.n = len(dut.q_full)
        self.period = [0] * self.n
        self.burst = [0] * self.n
        self.rule = GeneratorRule(self.n, limit)
        self.run = 0
        self.offered = [0] * self.n                 # generated completions offered, per queue
        self.gen_offers: list[tuple[int, int, int]] = []   # (cycle, q, status) in offer order
        self.dma_offers: list[tuple[int, int]] = []        # (q, dw0)
        self.taken = 0
        self.held: Optional[tuple[int, int, int, int, int]] = None
        self.cycle = 0
        self.visiting: Optional[int] = None         # the queue the RAM answers for in this cycle
        self.landings = 0                           # bursts that added completions
        self.exact_landings = 0                     # of them, on a drained queue: due shows the cycle
        self.err_every = err_every

    async def begin(self) -> None:
        for s in ("dma_en", "dma_q", "dma_chunk", "stream_start", "run", "limit", "err_every", "tg_period",
                  "tg_burst", "cpl_ready", "q_full"):
            getattr(self.dut, s).value = 0
        await start(self.dut)
        self.dut.limit.value, self.dut.err_every.value = self.rule.limit, self.err_every
        await FallingEdge(self.dut.clk)

    async def step(self, ready: bool) -> Optional[tuple[int, int, int, int, int]]:
        """One clock edge with the inputs as set; returns the completion taken at it, if any."""
        dut = self.dut
        dut.cpl_ready.value = int(ready)
        dut.run.value = self.run
        await Timer(1, unit="ns")
        visit_next, cpl_q_next = int(dut.tg_q_next.value), int(dut.cpl_q_next.value)
        offer = self.held
        driven_p, driven_b = int(dut.tg_period.value), int(dut.tg_burst.value)
        await RisingEdge(dut.clk)
        await FallingEdge(dut.clk)
        self.cycle += 1
        c = self.cycle
        before = list(self.rule.made)
        q = self.rule.edge(bool(self.run), driven_p, driven_b)
        if q is not None:
            assert self.visiting == q, f"cycle {c}: the scanner visited queue {self.visiting}, the rule says {q}"
        # the settings RAM answers for the queue named at this edge
        self.visiting = visit_next
        dut.tg_period.value, dut.tg_burst.value = self.period[visit_next], self.burst[visit_next]
        assert int(dut.cpl_q.value) == cpl_q_next, f"cycle {c}: cpl_q_next named {cpl_q_next}"
        taken = offer if (offer is not None and ready) else None
        self.held = None if taken is not None else offer
        valid = int(dut.cpl_valid.value)
        now_offer = (int(dut.cpl_q.value), int(dut.cpl_dw0.value), int(dut.cpl_sqid.value), int(dut.cpl_cid.value),
                     int(dut.cpl_status.value)) if valid else None
        if self.held is not None:
            assert now_offer == self.held, f"cycle {c}: offered completion changed before it was taken"
        if self.rule.made:
            due = int(dut.due.value)
            for k in range(self.n):
                want = self.rule.made[k] > self.offered[k]
                assert (due >> k & 1) == want, (f"cycle {c}: queue {k} due={due >> k & 1}, the rule has made "
                                                f"{self.rule.made[k]} and {self.offered[k]} were offered")
            if q is not None and self.rule.made[q] > before[q]:
                self.landings += 1
                self.exact_landings += before[q] == self.offered[q]
        if self.held is None and now_offer is not None:            # a new offer
            oq, dw0, sqid, cid, status = now_offer
            assert cid == dw0 & 0xFFFF
            if sqid == 1:
                assert dw0 == self.offered[oq], f"cycle {c}: queue {oq} offered DW0 {dw0}, {self.offered[oq]} due next"
                assert dw0 < self.rule.made[oq], f"cycle {c}: queue {oq} offered {dw0} before its burst landed"
                self.offered[oq] += 1
                self.gen_offers.append((c, oq, status))
            else:
                self.dma_offers.append((oq, dw0))
            self.held = now_offer
        return taken

    def restart_counts(self) -> None:
        """A rise of run restarts the counts (call with nothing offered or due)."""
        self.offered = [0] * self.n


@cocotb.test()
async def bursts_land_by_the_rule_with_limits_errors_and_dma_priority(dut) -> None:
    rng = stream(int(cocotb.RANDOM_SEED), "cpl_traffic_gen")
    limit, err_every = 16, 4
    h = Harness(dut, limit, err_every)
    n = h.n
    await h.begin()
    dma_q = n - 1
    dut.dma_en.value, dut.dma_q.value = 1, dma_q
    for q in range(n):      # light enough load that most bursts land on a drained queue
        h.period[q], h.burst[q] = rng.randint(4 * n + 10, 8 * n + 40), rng.randint(1, 3)
    # (at one queue these are all queue 0, and the later changes win)
    stop_q, zero_q, short_q, burst_q = 0, 1 % n, 2 % n, n // 2
    h.period[short_q], h.burst[short_q] = 2, 1      # shorter than a scan round: deadline = now + period
    h.period[zero_q] = 0                            # nothing until a period is set
    for phase, (rise, stop) in enumerate([(0, 5600), (5800, 11400)]):
        h.restart_counts()
        dut.stream_start.value = int(phase == 0)
        h.run = 1
        dma_done = 0
        for cycle in range(rise, stop):
            if cycle == rise + 1:
                dut.stream_start.value = 0
            if cycle == rise + 200:                 # settings changed while running
                h.period[zero_q] = rng.randint(n + 1, 2 * n + 31)   # from 0: a burst at its next visit
                h.period[stop_q] = 0                     # stopped, restarted below
                h.burst[burst_q] = rng.randint(1, 3)
                h.period[short_q] = 50                   # after short periods: the deadline did not lag
            if cycle == rise + 330:
                h.period[stop_q] = rng.randint(n + 1, 2 * n + 31)
            chunk = phase == 0 and cycle % 97 == 96 and dma_done < 12
            dut.dma_chunk.value = int(chunk)
            dma_done += int(chunk)
            if cycle == stop - 300:
                h.run = 0                           # stopped: what is due still drains
            await h.step(rng.random() < 0.7)
        assert h.rule.made == [limit] * n, f"phase {phase}: made {h.rule.made}"
        assert h.offered == [limit] * n, f"phase {phase}: offered {h.offered}"
    assert h.dma_offers == [(dma_q, s) for s in range(12)]
    gen = h.gen_offers
    assert len(gen) == 2 * n * limit
    for part in (gen[:n * limit], gen[n * limit:]):          # the error count restarts with run
        assert [s for _, _, s in part] == [int((i + 1) % err_every == 0) for i in range(len(part))]
    if n == 1:          # every cycle is a visit: bursts land on their deadlines
        assert set(h.rule.late) == {0}, h.rule.late
    else:
        assert max(h.rule.late) <= n - 1 and max(h.rule.late) > 0, h.rule.late
    cocotb.log.info("bursts landed %d, on a drained queue %d, lateness up to %d", h.landings, h.exact_landings,
                    max(h.rule.late))
    assert h.exact_landings > h.landings // 2, f"only {h.exact_landings} of {h.landings} landings on a drained queue"


@cocotb.test()
async def a_full_queue_holds_only_its_own_completions(dut) -> None:
    h = Harness(dut, limit=10, err_every=0)
    n = h.n
    await h.begin()
    h.period = [20] * n
    h.burst = [1] * n
    dut.dma_en.value, dut.dma_q.value = 1, 0
    dut.q_full.value = 1                                   # queue 0 (also the DMA's) is full
    dut.stream_start.value = 1
    h.run = 1
    got: list[int] = []
    full_for = 600
    for cycle in range(1500):
        if cycle == 1:
            dut.stream_start.value = 0
        if cycle == full_for:
            dut.q_full.value = 0                           # the host frees room
        dut.dma_chunk.value = int(cycle in (50, 51))
        taken = await h.step(True)
        if taken is not None:
            q = taken[0]
            assert not (q == 0 and cycle <= full_for), f"cycle {cycle}: took a completion for the full queue"
            got.append(q)
    for q in range(1, n):
        assert got.count(q) == 10, f"queue {q} got {got.count(q)} of 10 while queue 0 was full"
    assert got.count(0) == 10 + 2                           # its 10 generated and the 2 chunk completions
    waited = int(dut.full_wait_cycles.value)
    assert 0 < waited <= full_for + 1, waited
