"""Block test of rtl/cq_engine.v against a cycle model of its rules (NVMe completion queues:
phase tag written 1 on the first pass and inverted on each wrap; never write into a full queue;
a doorbell past the tail is refused), with random backpressure on the entry write and on its
response, and a reset in mid-traffic. The test drives cpl_q and db_q as the registers they are in
the device (their next values one cycle ahead on cpl_q_next and db_q_next, where the engine's
context RAMs read ahead), gives cpl_base for cpl_q as the register block's base RAM does, and
reads a random queue's size, head and tail through the register port every cycle."""

from __future__ import annotations

import random

import cocotb
from cocotb.triggers import ClockCycles, FallingEdge, RisingEdge, Timer

from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start


class Model:
    def __init__(self, n: int) -> None:
        self.base = [0] * n
        self.size = [2] * n
        self.head = [0] * n
        self.tail = [0] * n
        self.phase = [1] * n
        self.busy = False

    def full(self, q: int) -> bool:
        return (self.tail[q] + 1) % self.size[q] == self.head[q]

    def used(self, q: int) -> int:
        return (self.tail[q] - self.head[q]) % self.size[q]

    def accept(self, q: int) -> tuple[int, int]:
        addr, ph = self.base[q] + 16 * self.tail[q], self.phase[q]
        self.tail[q] += 1
        if self.tail[q] == self.size[q]:
            self.tail[q], self.phase[q] = 0, self.phase[q] ^ 1
        return addr, ph

    def doorbell_bad(self, q: int, h: int) -> bool:
        return h >= self.size[q] or (h - self.head[q]) % self.size[q] > self.used(q)


def entry(dw0: int, sqhead: int, sqid: int, cid: int, phase: int, status: int) -> int:
    return dw0 | (sqhead << 64) | (sqid << 80) | (cid << 96) | (phase << 112) | (status << 113)


async def idle_inputs(dut) -> None:
    for s in ("cfg_we", "db_we", "cpl_valid", "wr_ready", "wr_done"):
        getattr(dut, s).value = 0
    dut.cfg_q.value = dut.db_q.value = dut.cpl_q.value = dut.cpl_q_next.value = dut.db_q_next.value = 0
    dut.cpl_base.value = dut.cfg_size.value = dut.db_head.value = dut.rd_re.value = dut.rd_q.value = 0
    dut.cpl_dw0.value = dut.cpl_sqid.value = dut.cpl_sqhead.value = dut.cpl_cid.value = dut.cpl_status.value = 0


async def configure(dut, m: Model, rng: random.Random, n: int) -> None:
    for q in range(n):
        m.base[q] = 0x10000 + q * 0x1000 + rng.randrange(16) * 0x10000 * n
    dut.cpl_base.value = m.base[int(dut.cpl_q.value)]
    for q in range(n):
        await FallingEdge(dut.clk)
        m.size[q] = rng.choice([2, 3, 5, 8, 16])
        m.head[q] = m.tail[q] = 0
        m.phase[q] = 1
        dut.cfg_we.value, dut.cfg_q.value = 1, q
        dut.cfg_size.value = m.size[q]
    await FallingEdge(dut.clk)
    dut.cfg_we.value = 0


@cocotb.test()
async def entries_phase_full_and_doorbells_match_the_model(dut) -> None:
    n = len(dut.full)
    rng = stream(int(cocotb.RANDOM_SEED), "cq_engine")
    await idle_inputs(dut)
    await start(dut)
    m = Model(n)
    await configure(dut, m, rng, n)
    pending = None                 # the completion being offered (held until accepted)
    in_flight: list[tuple[int, int]] = []   # (queue, error status) of entry writes awaiting their response
    expect_write = None            # (addr, data) the DUT must present after an acceptance
    expect_db_error = None
    expect_event = expect_event_err = expect_db_ok = 0
    stalls = written = done_delay = 0
    q_reg = db_q_reg = 0           # cpl_q and db_q as registers: their next values go on *_next
    db_next = None                 # the doorbell of the next edge, chosen a cycle ahead
    expect_read = None             # (size, head, tail) the register port must give
    for cycle in range(6000):
        if cycle == 3000:                                   # reset in the middle of traffic
            dut.rst.value = 1
            dut.cpl_valid.value = dut.wr_done.value = dut.db_we.value = dut.rd_re.value = 0
            q_reg = db_q_reg = 0
            dut.cpl_q.value = dut.cpl_q_next.value = dut.db_q.value = dut.db_q_next.value = 0
            await ClockCycles(dut.clk, 2)
            dut.rst.value = 0
            m, pending, in_flight, expect_write, expect_db_error = Model(n), None, [], None, None
            stalls = written = expect_event = expect_db_ok = 0
            db_next = expect_read = None
            await configure(dut, m, rng, n)
        await FallingEdge(dut.clk)
        # ---- what the last edge must have produced ----
        if expect_write is not None:
            assert int(dut.wr_valid.value) == 1, f"cycle {cycle}: no entry write"
            assert int(dut.wr_addr.value) == expect_write[0], f"cycle {cycle}: entry address"
            assert int(dut.wr_data.value) == expect_write[1], f"cycle {cycle}: entry data"
            expect_write = None
        if expect_db_error is not None:
            assert int(dut.db_error.value) == expect_db_error, f"cycle {cycle}: db_error"
            expect_db_error = None
        assert int(dut.event_out.value) == expect_event, f"cycle {cycle}: event_out"
        assert int(dut.full.value) == sum(1 << q for q in range(n) if m.full(q)), f"cycle {cycle}: full"
        assert int(dut.empty.value) == sum(1 << q for q in range(n) if m.head[q] == m.tail[q]), f"cycle {cycle}: empty"
        if expect_read is not None:
            got = (int(dut.rd_size.value), int(dut.rd_head.value), int(dut.rd_tail.value))
            assert got == expect_read, f"cycle {cycle}: size, head, tail read {got}, not {expect_read}"
        assert int(dut.db_ok.value) == expect_db_ok, f"cycle {cycle}: db_ok"
        if expect_event:
            assert int(dut.event_err.value) == expect_event_err, f"cycle {cycle}: event_err"
        # ---- inputs for the next edge ----
        dut.cpl_valid.value = int(pending is not None)
        dut.cpl_q.value = q_reg
        dut.cpl_base.value = m.base[q_reg]
        if pending is not None:
            assert pending["q"] == q_reg
            for k in ("dw0", "sqid", "sqhead", "cid", "status"):
                getattr(dut, f"cpl_{k}").value = pending[k]
        await Timer(1, unit="ps")
        if pending is not None:
            assert int(dut.cpl_ready.value) == (not m.busy and not m.full(pending["q"])), f"cycle {cycle}: cpl_ready"
        dut.wr_ready.value = int(rng.random() < 0.5)
        give_done = bool(in_flight) and not int(dut.wr_valid.value) and done_delay == 0
        done_delay = rng.randint(0, 3) if give_done else max(0, done_delay - 1)
        dut.wr_done.value = int(give_done)
        db, db_next = db_next, None
        dut.db_q.value = db_q_reg
        if db is not None:
            dut.db_head.value = db[1]
        dut.db_we.value = int(db is not None)
        if rng.random() < 0.15:
            q = rng.randrange(n)
            h = (m.head[q] + rng.randint(0, m.used(q))) % m.size[q] if rng.random() < 0.8 else rng.randrange(20)
            db_next = (q, h)
            db_q_reg = q
        dut.db_q_next.value = db_q_reg
        accepted = pending is not None and not m.busy and not m.full(pending["q"])
        # the completion offered after this edge: the same one until it is accepted
        if pending is None or accepted:
            pending_next = {"q": rng.randrange(n), "dw0": rng.getrandbits(32), "sqid": rng.getrandbits(16),
                            "sqhead": rng.getrandbits(16), "cid": rng.getrandbits(16),
                            "status": rng.getrandbits(15) if rng.random() < 0.3 else 0} if rng.random() < 0.6 else None
        else:
            pending_next = pending
        if pending_next is not None:
            q_reg = pending_next["q"]
        dut.cpl_q_next.value = q_reg
        rq = rng.randrange(n)
        dut.rd_re.value, dut.rd_q.value = 1, rq
        expect_read = (m.size[rq], m.head[rq], m.tail[rq])      # as they are before this edge
        await RisingEdge(dut.clk)
        # ---- the model takes the same edge ----
        expect_event = expect_db_ok = 0
        if pending is not None and not accepted:
            stalls += 1
        if give_done:
            q_done, expect_event_err = in_flight.pop(0)
            expect_event = 1 << q_done
            m.busy = False
            written += 1
        if db is not None:                         # checked against the tail before this edge's entry
            bad = m.doorbell_bad(*db)
            if not bad:
                m.head[db[0]] = db[1]
                expect_db_ok = 1 << db[0]
            expect_db_error = int(bad)
        if accepted:
            addr, ph = m.accept(pending["q"])
            m.busy = True
            expect_write = (addr, entry(pending["dw0"], pending["sqhead"], pending["sqid"], pending["cid"], ph,
                                        pending["status"]))
            in_flight.append((pending["q"], int(pending["status"] != 0)))
        pending = pending_next
    await FallingEdge(dut.clk)                     # the last edge's counter updates are visible now
    assert int(dut.stall_cycles.value) == stalls > 0
    assert int(dut.entries_written.value) == written > 0
