"""Block test of rtl/irq_moderation.v: per-vector coalescing (NVMe Feature 08h / 09h) and the rate
limiter, driven with random events, doorbells and services, and checked against the rules rather
than a copy of the logic:

- no event is lost: each is followed by a message, unless software serviced the vector first;
- by count: at most THR+1 events go into one message (THR is zero-based);
- by time: no aggregated event waits longer than TIME x TICK cycles (+ the register stage),
  unless a doorbell restarted the time with DB_RESTART set; the time counts steps of TIME_STEP
  cycles, so it may end up to TIME_STEP - 1 cycles early, never late;
- never coalesced: an immediate event (error) sends at once, and CD or THR/TIME 0 disable
  aggregation: one message per event;
- rate: two messages of a vector are never closer than RATE cycles after the first was sent (the
  interval counts steps of 2^RATE_SHIFT cycles: it ends up to 2^RATE_SHIFT - 1 cycles late);
- merged counts exactly the events that sent no message of their own;
- by_thr / by_time count exactly the aggregations that ended at the threshold and by the time."""

from __future__ import annotations

import random

import cocotb
from cocotb.triggers import FallingEdge, RisingEdge

from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start


def coal_word(**fields: int) -> int:
    """An IVR_COAL value from its fields by name (THR, TIME, CD, DB_RESTART)."""
    return REG.pack("IV_COAL", **fields)


async def write_reg(dut, addr: int, value: int) -> None:
    await FallingEdge(dut.clk)
    dut.reg_we.value, dut.reg_waddr.value, dut.reg_wdata.value = 1, addr, value
    await FallingEdge(dut.clk)
    dut.reg_we.value = 0


async def idle(dut) -> None:
    for s in ("reg_we", "reg_waddr", "reg_wdata", "reg_raddr", "reg_re", "ev_valid", "ev_vec", "ev_now", "db_valid",
              "db_vec", "serviced", "sent_valid", "sent_vec", "pending"):
        getattr(dut, s).value = 0


class Vector:
    """What the test tracks of one vector to check the rules."""

    def __init__(self) -> None:
        self.waiting: list[int] = []     # cycles of events not yet covered by a message
        self.restarted = False           # a doorbell restarted the time since the oldest event
        self.last_sent = -10 ** 9
        self.in_flight = False           # fired, not yet sent (the test plays msi_vector_ctrl)
        self.fire_at: list[int] = []


async def run_case(dut, rng: random.Random, coal: int, rate: int, cycles: int, p_ev: float) -> dict[str, int]:
    n = len(dut.fire)
    tick = int(dut.TICK_CYCLES.value)
    f = REG.unpack("IV_COAL", coal)
    thr, units, cd, dbr = f["THR"], f["TIME"], f["CD"], f["DB_RESTART"]
    active = not cd and thr and units
    for v in range(n):
        await write_reg(dut, REG.array("IV", v, "COAL"), coal)
        await write_reg(dut, REG.array("IV", v, "RATE"), rate)
    for v in range(n):
        dut.reg_raddr.value, dut.reg_re.value = REG.array("IV", v, "COAL"), 1     # latched at the edge
        await FallingEdge(dut.clk)
        dut.reg_re.value = 0
        assert int(dut.reg_rdata.value) == coal, f"IVR_COAL of vector {v} reads back"
    merged0 = int(dut.merged.value)
    vs = [Vector() for _ in range(n)]
    vw = len(dut.sent_vec)
    events = fires = event_cycles = 0
    ev_prev = [0] * n                            # events per vector in the previous cycle
    send_delay: dict[int, int] = {}
    p_lane = min(0.9, p_ev * n / 2)              # three lanes: about p_ev events per vector and cycle
    for cycle in range(cycles):
        await FallingEdge(dut.clk)
        fire = int(dut.fire.value)
        # the test plays msi_vector_ctrl: one message leaves per cycle, the lowest ready vector
        ready = [v for v, st in enumerate(vs) if st.in_flight and not fire >> v & 1 and send_delay[v] <= 1]
        sent_v = ready[0] if ready else None
        for v, st in enumerate(vs):
            if fire >> v & 1:
                fires += 1
                st.fire_at.append(cycle)
                if rate:
                    assert not st.in_flight, f"vector {v}: fired again while its message was queued"
                if active and not rate:
                    # at most THR+1 aggregated: the message goes in the cycle the count is reached
                    # (a cycle that brings several events may overshoot)
                    assert len(st.waiting) - ev_prev[v] <= thr, \
                        f"vector {v}: {len(st.waiting)} events in one message, {len(st.waiting) - ev_prev[v]} " \
                        f"before its last cycle > THR {thr}"
                st.waiting.clear()
                st.restarted = False
                st.in_flight = True
                send_delay[v] = rng.randint(1, 6)
            elif st.in_flight:
                if v == sent_v:
                    st.in_flight = False
                    st.last_sent = cycle
                else:
                    send_delay[v] -= 1
            if rate and fire >> v & 1 and len(st.fire_at) > 1:
                assert cycle - st.last_sent >= rate, \
                    f"vector {v}: message {cycle - st.last_sent} cycles after the last was sent < RATE {rate}"
            # no event waits beyond its bound (the time may end early, never late)
            if st.waiting and not rate and not st.restarted:
                bound = (units * tick + 2) if active else 1
                assert cycle - st.waiting[0] <= bound, f"vector {v}: event of cycle {st.waiting[0]} waited " \
                                                       f"{cycle - st.waiting[0]} > {bound} cycles"
        # ---- stimulus for the next edge ----
        lanes = [(rng.randrange(n), rng.random() < 0.05) if rng.random() < p_lane else None for _ in range(3)]
        ev_prev = [0] * n
        ev_valid = ev_vec = ev_now = 0
        for k, lane in enumerate(lanes):
            if lane is None:
                continue
            v, now = lane
            ev_valid |= 1 << k
            ev_vec |= v << (vw * k)
            ev_now |= int(now) << k
            ev_prev[v] += 1
            vs[v].waiting.append(cycle)
            events += 1
        event_cycles += sum(1 for c in ev_prev if c)
        db = rng.randrange(n) if rng.random() < min(0.5, 0.02 * n) else None
        if db is not None and dbr and vs[db].waiting:
            vs[db].restarted = True
        serviced = 0
        for v, st in enumerate(vs):
            if not ev_prev[v] and rng.random() < 0.005:
                serviced |= 1 << v
                st.waiting.clear()            # serviced: nothing left to interrupt for
                st.restarted = False
        if rate and sent_v is not None:       # with a rate, events up to the cycle a queued message leaves ride on it
            vs[sent_v].waiting.clear()
        # pending as msi_vector_ctrl shows it: still set in the cycle its message is sent
        pending = sum(1 << v for v, st in enumerate(vs) if st.in_flight) | (1 << sent_v if sent_v is not None else 0)
        dut.ev_valid.value, dut.ev_vec.value, dut.ev_now.value = ev_valid, ev_vec, ev_now
        dut.db_valid.value, dut.db_vec.value = int(db is not None), db or 0
        dut.serviced.value, dut.pending.value = serviced, pending
        dut.sent_valid.value, dut.sent_vec.value = int(sent_v is not None), sent_v or 0
    await RisingEdge(dut.clk)                     # the last cycle's stimulus is taken
    await idle(dut)
    # drain: everything waiting must be signalled
    step = 1 << int(dut.RATE_SHIFT.value)
    for _ in range(units * tick + 2 * (rate + step) + 20):
        await FallingEdge(dut.clk)
        fire = int(dut.fire.value)
        ready = [v for v, st in enumerate(vs) if st.in_flight]
        sent_v = ready[0] if ready else None
        if sent_v is not None:
            vs[sent_v].in_flight = False
            if rate:
                vs[sent_v].waiting.clear()
        for v, st in enumerate(vs):
            if fire >> v & 1:
                fires += 1
                st.waiting.clear()
                st.in_flight = True
        dut.sent_valid.value, dut.sent_vec.value = int(sent_v is not None), sent_v or 0
        await RisingEdge(dut.clk)
        dut.sent_valid.value = 0
    for v, st in enumerate(vs):
        assert not st.waiting, f"vector {v}: events of cycles {st.waiting[:5]} never signalled"
    return {"events": events, "event_cycles": event_cycles, "fires": fires,
            "merged": int(dut.merged.value) - merged0}


@cocotb.test()
async def coalescing_rules_hold_under_random_traffic(dut) -> None:
    rng = stream(int(cocotb.RANDOM_SEED), "irq_moderation")
    await idle(dut)
    await start(dut)
    cases = [
        (coal_word(THR=3, TIME=2), 0),                     # THR 3 (4 per message), TIME 2 units
        (coal_word(THR=7, TIME=1, DB_RESTART=1), 0),       # doorbells restart the time
        (coal_word(THR=15, TIME=3, CD=1), 0),              # Coalescing Disable: one per event
        (coal_word(THR=0, TIME=5), 0),                     # THR 0: no aggregation
        (coal_word(THR=5, TIME=0), 0),                     # TIME 0 ("no delay"): no aggregation
        (0, 40),                                      # rate limit only
    ]
    for coal, rate in cases:
        r = await run_case(dut, rng, coal, rate, 3000, 0.08)
        assert r["events"] > 100, r
        f = REG.unpack("IV_COAL", coal)
        thr, units, cd = f["THR"], f["TIME"], f["CD"]
        if (cd or not thr or not units) and not rate:
            # no aggregation: every cycle with events sends one message at once; nothing is merged
            assert r["fires"] == r["event_cycles"] and r["merged"] == 0, r
        elif rate:
            assert r["fires"] < r["event_cycles"], f"rate {rate} let {r['fires']} of {r['event_cycles']} through"
        else:
            assert r["fires"] < r["events"], f"coalescing {coal:#x} sent {r['fires']} for {r['events']} events"
        dut._log.info(f"IVR_COAL={coal:#07x} IVR_RATE={rate}: {r['events']} events -> {r['fires']} messages, "
                      f"merged {r['merged']}")


@cocotb.test()
async def merged_counts_events_without_their_own_message(dut) -> None:
    """Exact count on a known sequence: THR=2 (3 per message), TIME large; 10 single events then
    an immediate one: messages at events 3, 6, 9 and at the immediate 11th; merged = 11 - 4."""
    await idle(dut)
    await start(dut)
    await write_reg(dut, REG.array("IV", 0, "COAL"), coal_word(THR=2, TIME=100))
    merged0 = int(dut.merged.value)
    thr0, time0 = int(dut.by_thr.value), int(dut.by_time.value)
    fires = []
    for i in range(11):
        await FallingEdge(dut.clk)
        dut.ev_valid.value = 1                      # lane 0, vector 0
        dut.ev_now.value = int(i == 10)
        for k in range(5):
            await FallingEdge(dut.clk)              # the edge before this one took the event
            dut.ev_valid.value = dut.ev_now.value = 0
            if int(dut.fire.value) & 1:
                fires.append(i + 1)
    assert fires == [3, 6, 9, 11]
    assert int(dut.merged.value) - merged0 == 11 - 4
    # three aggregations reached THR + 1 = 3 events; the immediate event ended the fourth
    assert (int(dut.by_thr.value) - thr0, int(dut.by_time.value) - time0) == (3, 0)


@cocotb.test()
async def aggregation_time_ends_an_aggregation_below_the_threshold(dut) -> None:
    """THR=7 (8 per message), TIME=1 unit: two events, then quiet. The message goes when the time
    runs out, TICK_CYCLES after the first event (counted in steps of TIME_STEP cycles from the step
    after it: up to TIME_STEP - 1 cycles early), and by_time (not by_thr) counts it. Started at
    every phase of the step, the message comes at every cycle of that window."""
    tick, step = int(dut.TICK_CYCLES.value), int(dut.TIME_STEP.value)
    seen = set()
    for phase in range(step):
        fired = await one_aggregation_by_time(dut, phase)
        assert tick - step < fired <= tick + 3, (fired, tick, step)
        seen.add(fired)
    assert len(seen) == step, f"the time's end moves with the phase of its start: {sorted(seen)}"


async def one_aggregation_by_time(dut, phase: int) -> int:
    await idle(dut)
    await start(dut)
    tick = int(dut.TICK_CYCLES.value)
    for _ in range(phase):
        await FallingEdge(dut.clk)
    await write_reg(dut, REG.array("IV", 0, "COAL"), coal_word(THR=7, TIME=1))
    thr0, time0, merged0 = int(dut.by_thr.value), int(dut.by_time.value), int(dut.merged.value)
    fired_at = []
    for cycle in range(tick + 20):
        await FallingEdge(dut.clk)
        dut.ev_valid.value = 1 if cycle in (0, 3) else 0
        if int(dut.fire.value) & 1:
            fired_at.append(cycle)
    assert len(fired_at) == 1, fired_at
    assert (int(dut.by_thr.value) - thr0, int(dut.by_time.value) - time0) == (0, 1)
    assert int(dut.merged.value) - merged0 == 2
    return fired_at[0]


@cocotb.test()
async def rate_interval_ends_on_the_first_step_at_least_rate_cycles_after_the_send(dut) -> None:
    """RATE=11, an event every cycle on vector 0, each message sent in the cycle it fires: the
    next message comes no sooner than RATE cycles after the send and less than one rate step
    (2^RATE_SHIFT cycles) later than that; with steps longer than a cycle the gap varies."""
    await idle(dut)
    await start(dut)
    rate, step = 11, 1 << int(dut.RATE_SHIFT.value)
    await write_reg(dut, REG.array("IV", 0, "RATE"), rate)
    gaps, last_sent = [], None
    dut.ev_valid.value = 1
    for cycle in range(40 * (rate + step)):
        await FallingEdge(dut.clk)
        dut.sent_valid.value = 0
        if int(dut.fire.value) & 1:
            if last_sent is not None:
                gaps.append(cycle - last_sent)
            last_sent = cycle
            dut.sent_valid.value, dut.sent_vec.value = 1, 0
    dut.ev_valid.value = 0
    # the fire output is registered: the message can be seen one cycle after the interval's end
    assert len(gaps) > 20 and all(rate + 1 <= g <= rate + step for g in gaps), (gaps, rate, step)
    if step == 1:
        assert set(gaps) == {rate + 1}, gaps            # cycle-exact: always RATE (+ the register)
    else:
        assert len(set(gaps)) > 1, gaps                 # the send's phase in the step moves the end
