"""Block test of rtl/cq_csr.v, the completion queues' register block, against a dictionary model:
base addresses (16-byte aligned), the mapping table (a vector beyond the table is refused),
queue creation (a size outside 2..65535 is refused, a good one pulses cfg_we once), head doorbells
passed on with their queue (db_q_next naming it a cycle ahead), read-back of head/tail/size from
the engine's register port (the test plays the engine), the base RAM's engine port (cpl_base a
cycle after cpl_q_next named the queue), the generator settings RAM's port (TG_PERIOD and TG_BURST
a cycle after tg_q_next named the queue, the scanner's read), registered reads, and a reset in
traffic. The RAMs are not reset (random initial values): a word reads 0 until its first write."""

from __future__ import annotations


import cocotb
from cocotb.triggers import FallingEdge, Timer

from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start


@cocotb.test()
async def registers_creation_and_doorbells_match_the_model(dut) -> None:
    n = len(dut.q_ien)
    n_vec = int(dut.NUM_VEC.value)
    rng = stream(int(cocotb.RANDOM_SEED), "cq_csr")
    for s in ("reg_we", "reg_waddr", "reg_wdata", "reg_raddr", "reg_re", "cpl_q_next", "tg_q_next", "ctx_head",
              "ctx_tail", "ctx_size"):
        getattr(dut, s).value = 0
    await start(dut)

    def fresh() -> dict[str, list[int]]:
        return {"BASE_LO": [0] * n, "BASE_HI": [0] * n, "IV": [REG.bit("VEC_CQ0") + q for q in range(n)],
                "TG_PERIOD": [0] * n, "TG_BURST": [0] * n}

    m = fresh()
    heads, tails, sizes = ([rng.getrandbits(16) for _ in range(n)] for _ in range(3))
    names = list(REG.array_regs["CQ"])
    for step in range(1500):
        if step == 1000:
            dut.rst.value = 1
            await FallingEdge(dut.clk)
            dut.rst.value = 0
            m = fresh()
        await FallingEdge(dut.clk)
        q, name = rng.randrange(n), rng.choice(names)
        v = rng.choice([rng.getrandbits(32), rng.randrange(70000), REG.pack("CQ_IV", VECTOR=rng.randrange(n_vec + 3), IEN=rng.getrandbits(1))])
        dut.reg_we.value, dut.reg_waddr.value, dut.reg_wdata.value = 1, REG.array("CQ", q, name), v
        await Timer(1, unit="ps")
        if name == "HEAD":
            assert int(dut.db_q_next.value) == q, f"step {step}: db_q_next"
        eq, tq = rng.randrange(n), rng.randrange(n)
        dut.cpl_q_next.value, dut.tg_q_next.value = eq, tq
        await FallingEdge(dut.clk)
        dut.reg_we.value = 0
        cfg, db, err = int(dut.cfg_we.value), int(dut.db_we.value), int(dut.reg_error.value)
        if name == "SIZE":
            ok = 2 <= v <= 65535
            assert (cfg, err) == (int(ok), int(not ok)), f"step {step}: size {v}"
            if ok:
                assert (int(dut.cfg_q.value), int(dut.cfg_size.value)) == (q, v)
        elif name == "HEAD":
            assert (db, err) == (1, 0) and (int(dut.db_q.value), int(dut.db_head.value)) == (q, v & 0xFFFF)
        elif name == "IV":
            vector = REG.unpack("CQ_IV", v)["VECTOR"]
            ok = vector < n_vec
            assert err == int(not ok), f"step {step}: vector {vector} of {n_vec}"
            if ok:
                m["IV"][q] = v & REG.implemented("CQ_IV")
        elif name in m:
            m[name][q] = v & REG.implemented(f"CQ_{name}")       # the bits its fields hold
        if name not in ("SIZE", "HEAD"):
            assert cfg == db == 0
        assert int(dut.db_q_next.value) == int(dut.db_q.value), f"step {step}: db_q_next holds db_q"
        # read back a random register of a random queue
        assert int(dut.cpl_base.value) == m["BASE_LO"][eq] | m["BASE_HI"][eq] << 32, f"step {step}: cpl_base"
        assert (int(dut.tg_period.value), int(dut.tg_burst.value)) == (m["TG_PERIOD"][tq], m["TG_BURST"][tq]), \
            f"step {step}: generator settings of queue {tq}"
        rq, rname = rng.randrange(n), rng.choice(names)
        dut.reg_raddr.value, dut.reg_re.value = REG.array("CQ", rq, rname), 1
        await Timer(1, unit="ps")
        assert (int(dut.ctx_re.value), int(dut.ctx_q.value)) == (1, rq), f"step {step}: context read"
        await FallingEdge(dut.clk)
        dut.reg_re.value = 0
        # the engine's register port: its registered size, head and tail of queue rq
        dut.ctx_size.value, dut.ctx_head.value, dut.ctx_tail.value = sizes[rq], heads[rq], tails[rq]
        await Timer(1, unit="ps")
        want = {"SIZE": sizes[rq], "HEAD": heads[rq], "TAIL": tails[rq]}.get(rname)
        if want is None:
            want = m[rname][rq]
        assert int(dut.reg_rdata.value) == want, f"step {step}: {rname} of queue {rq}"
        assert int(dut.q_ien.value) >> rq & 1 == REG.unpack("CQ_IV", m["IV"][rq])["IEN"]
        assert int(dut.q_vec.value) >> (6 * rq) & 0x3F == m["IV"][rq] & 0x3F
    dut.reg_raddr.value, dut.reg_re.value = REG.array("CQ", 0, "BASE_LO") - 4, 1   # outside the block
    await Timer(1, unit="ps")
    assert int(dut.ctx_re.value) == 0
    await FallingEdge(dut.clk)
    assert int(dut.reg_rdata.value) == 0
