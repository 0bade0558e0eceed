"""Block test of rtl/cpl_traffic_gen.v, the device's completion sources, with random backpressure
on its output (cq_engine holding a completion for a full queue):

- the generator gives queue q exactly TG_LIMIT completions in bursts of TG_BURST every TG_PERIOD
  cycles (never more than the bursts due so far), DW0 counting 0, 1, 2... per queue, SQ id 1;
- every TG_ERR_EVERY-th generated completion, counted over all queues, has status 1;
- DMA chunk completions go first, in order, DW0 = chunk sequence from the stream start, SQ id 0;
- an offered completion is held unchanged until taken; nothing is lost or duplicated;
- a full queue holds only its own completions: nothing is offered for it while it is full, the
  other queues go on, and the cycles of waiting are counted."""

from __future__ import annotations


import cocotb
from cocotb.triggers import FallingEdge, RisingEdge, Timer

from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start


async def idle(dut) -> None:
    for s in ("dma_en", "dma_q", "dma_chunk", "stream_start", "run", "limit", "err_every", "tg_period",
              "tg_burst", "cpl_ready", "q_full"):
        getattr(dut, s).value = 0


@cocotb.test()
async def bursts_limits_errors_and_dma_priority(dut) -> None:
    rng = stream(int(cocotb.RANDOM_SEED), "cpl_traffic_gen")
    n = len(dut.tg_burst) // 16
    await idle(dut)
    await start(dut)
    period = [rng.randint(15, 90) for _ in range(n)]
    burst = [rng.randint(1, 4) for _ in range(n)]
    limit, err_every, dma_q = 9, 4, n - 1
    dut.tg_period.value = sum(p << (32 * q) for q, p in enumerate(period))
    dut.tg_burst.value = sum(b << (16 * q) for q, b in enumerate(burst))
    dut.limit.value, dut.err_every.value = limit, err_every
    dut.dma_en.value, dut.dma_q.value = 1, dma_q
    await FallingEdge(dut.clk)
    dut.stream_start.value = 1
    dut.run.value = 1
    await FallingEdge(dut.clk)
    dut.stream_start.value = 0
    taken: list[tuple[int, int, int, int, int]] = []      # (cycle, q, dw0, sqid, status)
    held = None
    dma_done = 0
    q_next = None                  # cpl_q_next before the last edge: cpl_q after it
    for cycle in range(1, 4000):
        await FallingEdge(dut.clk)
        if q_next is not None:
            assert int(dut.cpl_q.value) == q_next, f"cycle {cycle}: cpl_q_next named {q_next}"
        valid = int(dut.cpl_valid.value)
        offer = (int(dut.cpl_q.value), int(dut.cpl_dw0.value), int(dut.cpl_sqid.value), int(dut.cpl_cid.value),
                 int(dut.cpl_status.value)) if valid else None
        if held is not None:
            assert offer == held, f"cycle {cycle}: offered completion changed before it was taken"
        ready = rng.random() < 0.4
        dut.cpl_ready.value = int(ready)
        dut.dma_chunk.value = int(cycle % 97 == 0 and dma_done < 12)
        dma_done += int(cycle % 97 == 0 and dma_done < 12)
        if valid and ready:
            q, dw0, sqid, cid, status = offer
            assert cid == dw0 & 0xFFFF
            taken.append((cycle, q, dw0, sqid, status))
            held = None
        else:
            held = offer
        await Timer(1, unit="ns")
        q_next = int(dut.cpl_q_next.value)
        await RisingEdge(dut.clk)
    gen = [t for t in taken if t[3] == 1]
    dma = [t for t in taken if t[3] == 0]
    assert [t[2] for t in dma] == list(range(12)) and all(t[1] == dma_q for t in dma)
    for q in range(n):
        mine = [t for t in gen if t[1] == q]
        assert [t[2] for t in mine] == list(range(limit)), f"queue {q}: {[t[2] for t in mine]}"
        for k, t in enumerate(mine):                    # never ahead of the bursts due by then
            due = min(limit, (t[0] // period[q]) * burst[q])
            assert k < due + burst[q], f"queue {q}: completion {k} at cycle {t[0]} before its burst"
    assert [t[4] for t in gen] == [int((i + 1) % err_every == 0) for i in range(len(gen))]


@cocotb.test()
async def a_full_queue_holds_only_its_own_completions(dut) -> None:
    n = len(dut.tg_burst) // 16
    await idle(dut)
    await start(dut)
    dut.tg_period.value = sum(20 << (32 * q) for q in range(n))
    dut.tg_burst.value = sum(1 << (16 * q) for q in range(n))
    dut.limit.value = 10
    dut.dma_en.value, dut.dma_q.value = 1, 0
    dut.q_full.value = 1                                   # queue 0 (also the DMA's) is full
    await FallingEdge(dut.clk)
    dut.stream_start.value = dut.run.value = 1
    await FallingEdge(dut.clk)
    dut.stream_start.value = 0
    got: list[int] = []
    full_for = 600
    for cycle in range(1500):
        await FallingEdge(dut.clk)
        if cycle == full_for:
            dut.q_full.value = 0                           # the host frees room
        dut.dma_chunk.value = int(cycle in (50, 51))
        dut.cpl_ready.value = 1
        if int(dut.cpl_valid.value):
            q = int(dut.cpl_q.value)
            assert not (q == 0 and cycle < full_for), f"cycle {cycle}: offered a completion for the full queue"
            got.append(q)
        await RisingEdge(dut.clk)
    for q in range(1, n):
        assert got.count(q) == 10, f"queue {q} got {got.count(q)} of 10 while queue 0 was full"
    assert got.count(0) == 10 + 2                           # its 10 generated and the 2 chunk completions
    waited = int(dut.full_wait_cycles.value)
    assert 0 < waited <= full_for, waited
