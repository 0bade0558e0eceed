"""Block test of rtl/cq_vector_map.v (combinational): the mapping table applied to queue events,
doorbells and emptiness, against a Python model on random inputs."""

from __future__ import annotations


import cocotb

from irqloop.hostmodel.seeds import stream
from cocotb.triggers import Timer


@cocotb.test()
async def vectors_match_the_model(dut) -> None:
    n = len(dut.q_ien)
    n_vec = len(dut.vec_event)
    rng = stream(int(cocotb.RANDOM_SEED), "cq_vector_map")
    for step in range(3000):
        vec = [rng.randrange(n_vec) for _ in range(n)]
        ien = rng.getrandbits(n)
        event = 1 << rng.randrange(n) if rng.random() < 0.7 else 0
        err, db, empty = rng.getrandbits(1), rng.getrandbits(n), rng.getrandbits(n)
        dut.q_vec.value = sum(v << 6 * q for q, v in enumerate(vec))
        dut.q_ien.value, dut.q_event.value, dut.q_event_err.value = ien, event, err
        dut.q_db.value, dut.q_empty.value = db, empty
        await Timer(1, unit="ns")
        mine = [[q for q in range(n) if ien >> q & 1 and vec[q] == v] for v in range(n_vec)]
        want_ev = sum(1 << v for v in range(n_vec) if any(event >> q & 1 for q in mine[v]))
        want_db = sum(1 << v for v in range(n_vec) if any(db >> q & 1 for q in mine[v]))
        want_busy = sum(1 << v for v in range(n_vec) if any(not empty >> q & 1 for q in mine[v]))
        assert int(dut.vec_event.value) == want_ev, f"step {step}: vec_event"
        assert int(dut.vec_event_err.value) == (want_ev if err else 0), f"step {step}: vec_event_err"
        assert int(dut.vec_db.value) == want_db, f"step {step}: vec_db"
        assert int(dut.vec_busy.value) == want_busy, f"step {step}: vec_busy"
