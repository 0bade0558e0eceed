"""Block test of rtl/cq_vector_map.v (combinational): the mapping table applied to a landed entry
and an accepted doorbell (their vectors) and the busy rule (a vector with a queue holding
entries), against a Python model on random inputs."""

from __future__ import annotations


import cocotb
from cocotb.triggers import Timer

from irqloop.hostmodel.seeds import stream


@cocotb.test()
async def vectors_match_the_model(dut) -> None:
    n = len(dut.q_ien)
    n_vec = int(dut.NUM_VEC.value)
    fixed = (int(dut.FIXED0.value), int(dut.FIXED1.value))
    rng = stream(int(cocotb.RANDOM_SEED), "cq_vector_map")
    looked = 0
    for step in range(3000):
        # vectors beyond the table too (cq_csr refuses them, the map must still not signal them)
        vec = [rng.randrange(n_vec + 2) if rng.random() < 0.1 else rng.randrange(n_vec) for _ in range(n)]
        ien, empty = rng.getrandbits(n), rng.getrandbits(n)
        ev, ev_q = rng.getrandbits(1), rng.randrange(n)
        db, db_q = rng.getrandbits(1), rng.randrange(n)
        look = rng.getrandbits(1)
        dut.q_vec.value = sum(v << 6 * q for q, v in enumerate(vec))
        dut.q_ien.value, dut.q_empty.value = ien, empty
        dut.ev.value, dut.ev_q.value, dut.db.value, dut.db_q.value, dut.look.value = ev, ev_q, db, db_q, look
        await Timer(1, unit="ns")
        signals = lambda q: bool(ien >> q & 1) and vec[q] < n_vec  # noqa: E731
        busy = lambda v: any(signals(q) and vec[q] == v and not empty >> q & 1 for q in range(n))  # noqa: E731
        want_ev, want_db = bool(ev) and signals(ev_q), bool(db) and signals(db_q)
        assert int(dut.vec_ev.value) == want_ev, f"step {step}: vec_ev"
        assert int(dut.vec_db.value) == want_db, f"step {step}: vec_db"
        if want_ev:
            assert int(dut.ev_vec.value) == vec[ev_q], f"step {step}: ev_vec"
        if want_db:
            assert int(dut.db_vec.value) == vec[db_q], f"step {step}: db_vec"
        want_busy = int(look and want_db and busy(vec[db_q]))
        want_fixed = sum(1 << k for k, v in enumerate(fixed) if look and busy(v))
        assert int(dut.db_busy.value) == want_busy, f"step {step}: db_busy"
        assert int(dut.fixed_busy.value) == want_fixed, f"step {step}: fixed_busy"
        looked += look and want_db
    assert looked > 200, looked
