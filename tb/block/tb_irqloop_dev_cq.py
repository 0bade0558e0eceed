"""Block test of the device's completion queues and interrupt path (rtl/irqloop_dev.v built with
NUM_CQ queues and a short aggregation tick), over real AXI buses with random backpressure on AW, W
and B and on the CSR bus.

Each test names the rule it checks (../shared/references.md): NVMe completion queues (phase tag,
full queue, head doorbell), NVMe Interrupt Coalescing (Feature 08h) and Interrupt Vector
Configuration (Feature 09h), PCIe 6.1.4 MSI/MSI-X (table, Function Mask, PBA, collapse), the
rate limiter, and PCIe posted-write ordering (an interrupt never passes the data it announces)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster, AxiRamWrite, AxiWriteBus

from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import pauses, start

B = REG.bits
MEM = 1 << 20
CQ_MEM = 0x40000          # queue q at CQ_MEM + q * 0x1000
MSI_BASE = 0xF0000        # MSI / MSI-X message window
MSI_DATA = 0x100


def cq(q: int, name: str) -> int:
    return REG.array("CQ", q, name)


@dataclass
class Write:
    issue_cycle: int          # AWVALID rose: the cycle after the device took the request
    aw_cycle: int
    addr: int
    beats: int
    b_cycle: int = -1
    data: int = 0


@dataclass
class Bus:
    """Every AXI write of the device in order (one is in flight at a time, so B i belongs to AW i)."""
    writes: list[Write] = field(default_factory=list)
    n_b: int = 0

    def msis(self) -> list[Write]:
        return [w for w in self.writes if w.addr >= MSI_BASE and w.b_cycle >= 0]

    def entries(self, q: int) -> list[Write]:
        lo = CQ_MEM + q * 0x1000
        return [w for w in self.writes if lo <= w.addr < lo + 0x1000 and w.b_cycle >= 0]


class Env:
    def __init__(self, dut: Any, seed: int) -> None:
        self.dut = dut
        self.n_cq = int(dut.NUM_CQ.value)
        self.tick = int(dut.COAL_TICK.value)
        self.csr = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        self.ram = AxiRamWrite(AxiWriteBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM)
        for i, ch in enumerate((self.ram.aw_channel, self.ram.w_channel, self.ram.b_channel)):
            ch.set_pause_generator(pauses(seed, ("aw", "w", "b")[i], 0.25))
        self.csr.write_if.b_channel.set_pause_generator(pauses(seed, "csr_b", 0.3))
        self.csr.read_if.r_channel.set_pause_generator(pauses(seed, "csr_r", 0.3))
        self.bus = Bus()
        self.cycle = 0
        cocotb.start_soon(self._watch())

    async def _watch(self) -> None:
        d = self.dut
        issued = prev_awvalid = 0
        while True:
            await RisingEdge(d.clk)
            bus = self.bus
            self.cycle += 1
            awvalid = int(d.m_axi_awvalid.value)
            if awvalid and not prev_awvalid:
                issued = self.cycle
            prev_awvalid = awvalid
            if awvalid and int(d.m_axi_awready.value):
                bus.writes.append(Write(issued, self.cycle, int(d.m_axi_awaddr.value), int(d.m_axi_awlen.value) + 1))
                prev_awvalid = 0
            if int(d.m_axi_wvalid.value) and int(d.m_axi_wready.value) and bus.writes:
                w = bus.writes[-1]
                if w.addr >= MSI_BASE:
                    lane = (w.addr % (len(d.m_axi_wdata) // 8)) // 4
                    w.data = int(d.m_axi_wdata.value) >> (32 * lane) & 0xFFFFFFFF
            if int(d.m_axi_bvalid.value) and int(d.m_axi_bready.value):
                bus.writes[bus.n_b].b_cycle = self.cycle
                bus.n_b += 1

    async def wr(self, addr: int, value: int) -> None:
        await self.csr.write_dword(addr, value)

    async def rd(self, addr: int) -> int:
        return await self.csr.read_dword(addr)

    async def create_queue(self, q: int, size: int, vec: int | None = None, ien: bool = True) -> None:
        await self.wr(cq(q, "BASE_LO"), CQ_MEM + q * 0x1000)
        await self.wr(cq(q, "BASE_HI"), 0)
        await self.wr(cq(q, "SIZE"), size)
        v = REG.bit("VEC_CQ0") + q if vec is None else vec
        await self.wr(cq(q, "IV"), REG.pack("CQ_IV", VECTOR=v, IEN=int(ien)))

    async def msi_mode(self) -> None:
        await self.wr(REG.MSI_ADDR_LO, MSI_BASE)
        await self.wr(REG.MSI_DATA, MSI_DATA)

    async def generate(self, q: int, period: int, burst: int, limit: int) -> None:
        await self.wr(cq(q, "TG_PERIOD"), period)
        await self.wr(cq(q, "TG_BURST"), burst)
        await self.wr(REG.TG_LIMIT, limit)
        await self.wr(REG.TG_CTRL, 0)
        await self.wr(REG.TG_CTRL, 1)

    def entry(self, q: int, i: int) -> tuple[int, int, int, int, int]:
        """(dw0, sq id, command id, phase, status) of entry i of queue q in host memory."""
        raw = int.from_bytes(self.ram.read(CQ_MEM + q * 0x1000 + 16 * i, 16), "little")
        dw3 = raw >> 96
        return raw & 0xFFFFFFFF, raw >> 80 & 0xFFFF, dw3 & 0xFFFF, dw3 >> 16 & 1, dw3 >> 17

    async def until(self, cond: Any, limit: int = 100000, what: str = "condition") -> None:
        for _ in range(limit):
            if cond():
                return
            await RisingEdge(self.dut.clk)
        raise AssertionError(f"{what} not reached in {limit} cycles")


async def begin(dut: Any, offset: int) -> Env:
    await start(dut)
    return Env(dut, int(cocotb.RANDOM_SEED) + offset)


def msis_of(env: Env, vec: int) -> list[Write]:
    return [w for w in env.bus.msis() if w.data == MSI_DATA + vec]


@cocotb.test()
async def queue_entries_phase_tag_full_and_doorbell(dut) -> None:
    """NVMe CQ: entries in order with P=1 on the first pass and inverted on each wrap; the device
    never writes into a full queue (holds, counts the stall, CQ_FULL); the head doorbell frees."""
    env = await begin(dut, 0)
    q, size = env.n_cq - 1, 5
    await env.create_queue(q, size, ien=False)
    await env.generate(q, period=40, burst=3, limit=11)
    await env.until(lambda: len(env.bus.entries(q)) == size - 1, what="queue filled")
    await ClockCycles(dut.clk, 400)
    assert len(env.bus.entries(q)) == size - 1, "wrote into a full queue"
    assert await env.rd(REG.CQ_FULL) == 1 << q
    stall = await env.rd(REG.CNT_CQ_STALL)
    assert stall > 0
    assert [env.entry(q, i)[:4] for i in range(size - 1)] == [(i, 1, i, 1) for i in range(size - 1)]
    assert await env.rd(cq(q, "TAIL")) == size - 1
    await env.wr(cq(q, "HEAD"), 3)                                    # consume three
    await env.until(lambda: len(env.bus.entries(q)) == size + 2, what="three more entries")
    # entries 4 (last slot, phase 1), then 5, 6 wrap to slots 0, 1 with phase 0
    assert env.entry(q, 4)[:4] == (4, 1, 4, 1)
    assert env.entry(q, 0)[:4] == (5, 1, 5, 0) and env.entry(q, 1)[:4] == (6, 1, 6, 0)
    assert await env.rd(REG.CNT_CQ_STALL) > stall
    assert await env.rd(REG.CNT_CQ_ENTRY) == size + 2


@cocotb.test()
async def a_full_queue_does_not_block_the_others(dut) -> None:
    """The device holds a completion for a full queue, and only that one: the other queues keep
    receiving theirs (no head-of-line blocking across queues)."""
    env = await begin(dut, 10)
    if env.n_cq < 2:
        return
    await env.create_queue(0, 2, ien=False)                # room for one entry
    await env.create_queue(1, 16, ien=False)
    for q, period in ((0, 30), (1, 40)):
        await env.wr(cq(q, "TG_PERIOD"), period)
        await env.wr(cq(q, "TG_BURST"), 1)
    await env.wr(REG.TG_LIMIT, 8)
    await env.wr(REG.TG_CTRL, 1)
    await env.until(lambda: len(env.bus.entries(1)) == 8, 20000, "queue 1's entries")
    assert len(env.bus.entries(0)) == 1 and await env.rd(REG.CQ_FULL) == 1
    assert await env.rd(REG.CNT_CQ_STALL) > 0
    for i in range(1, 8):                                    # the host consumes queue 0 one by one
        await env.wr(cq(0, "HEAD"), i % 2)
        await env.until(lambda: len(env.bus.entries(0)) == i + 1, 2000, f"queue 0 entry {i}")
    assert [env.entry(0, i % 2)[0] for i in (6, 7)] == [6, 7]


@cocotb.test()
async def bad_doorbell_and_bad_settings_raise_the_error_vector(dut) -> None:
    """NVMe: a head doorbell past the tail (or outside the queue) is an error, reported with the
    error interrupt and ignored; a queue size outside 2..65535 or a vector beyond the table is refused."""
    env = await begin(dut, 1)
    await env.msi_mode()
    await env.wr(REG.INT_ENABLE, 1 << B["VEC_ERROR"])
    q = 0
    await env.create_queue(q, 8, ien=False)
    await env.generate(q, period=30, burst=1, limit=3)
    await env.until(lambda: len(env.bus.entries(q)) == 3)
    await env.wr(cq(q, "HEAD"), 5)                                     # tail is 3
    await env.until(lambda: len(msis_of(env, B["VEC_ERROR"])) == 1, 2000, "error MSI")
    assert await env.rd(REG.INT_CAUSE) == 1 << B["CAUSE_DBERR"]
    assert await env.rd(REG.CNT_DB_ERROR) == 1
    assert await env.rd(REG.DB_ERROR_Q) == 1 << 31 | q
    assert await env.rd(cq(q, "HEAD")) == 0, "refused doorbell moved the head"
    await env.wr(REG.INT_CAUSE, 0xF)
    await env.wr(cq(q, "HEAD"), 9)                                     # outside the queue
    await env.until(lambda: len(msis_of(env, B["VEC_ERROR"])) == 2, 2000, "second error MSI")
    await env.wr(REG.INT_CAUSE, 0xF)
    await env.wr(cq(q, "HEAD"), 3)                                     # a good one
    await ClockCycles(dut.clk, 20)
    assert await env.rd(cq(q, "HEAD")) == 3 and await env.rd(REG.CNT_DB_ERROR) == 2
    # a refused size or vector is a setting error (CFGERR), not a doorbell error: the doorbell
    # error count and DB_ERROR_Q keep what the last refused doorbell left (rtl/irqloop_regs.vh)
    other = env.n_cq - 1
    for addr, value in ((cq(other, "SIZE"), 1), (cq(other, "SIZE"), 70000), (cq(q, "IV"), env.n_cq + 2)):
        n = len(msis_of(env, B["VEC_ERROR"]))
        await env.wr(addr, value)
        await env.until(lambda: len(msis_of(env, B["VEC_ERROR"])) == n + 1, 2000, f"refusal MSI for {value}")
        assert await env.rd(REG.INT_CAUSE) == 1 << B["CAUSE_CFGERR"]
        assert await env.rd(REG.CNT_DB_ERROR) == 2, "a refused setting counted as a doorbell error"
        assert await env.rd(REG.DB_ERROR_Q) == 1 << 31 | q, "a refused setting moved DB_ERROR_Q"
        await env.wr(REG.INT_CAUSE, 0xF)
    assert await env.rd(cq(q, "SIZE")) == 8 and await env.rd(cq(q, "IV")) == REG.bit("VEC_CQ0") + q


@cocotb.test()
async def dma_posts_one_completion_per_chunk_after_its_data(dut) -> None:
    """One completion per chunk, DW0 = chunk sequence; PCIe posted-write ordering: the entry is
    written after the chunk's last data write is acknowledged, and the queue's MSI after the entry."""
    env = await begin(dut, 2)
    width = len(dut.m_axi_wdata) // 8
    await env.msi_mode()
    q = env.n_cq // 2
    await env.create_queue(q, 16)
    await env.wr(REG.DMA_CQ, q | 1 << B["DMA_CQ_EN"])
    for name, value in (("RING_BASE_LO", 0x1000), ("SLOT_COUNT", 4), ("SLOT_SIZE", 8 * width),
                        ("CHUNK_PERIOD", 300), ("CHUNK_LIMIT", 6)):
        await env.wr(getattr(REG, name), value)
    await env.wr(REG.CTRL, 1)
    await env.until(lambda: len(env.bus.entries(q)) == 6, what="six completions")
    await ClockCycles(dut.clk, 100)
    assert [env.entry(q, i)[:3] for i in range(6)] == [(i, 0, i) for i in range(6)]
    writes = [w for w in env.bus.writes if w.b_cycle >= 0]
    vec = REG.bit("VEC_CQ0") + q
    for i, w in enumerate(writes):
        if CQ_MEM <= w.addr < MSI_BASE:
            data_before = [x for x in writes[:i] if x.addr < CQ_MEM]
            assert data_before and data_before[-1].b_cycle <= w.aw_cycle, "entry passed its chunk's data"
        if w.addr >= MSI_BASE and w.data == MSI_DATA + vec:
            entries_before = [x for x in writes[:i] if CQ_MEM <= x.addr < MSI_BASE]
            assert entries_before and entries_before[-1].b_cycle <= w.aw_cycle, "MSI passed its entry"
    assert len(msis_of(env, vec)) >= 1


@cocotb.test()
async def coalescing_by_threshold_and_by_time(dut) -> None:
    """NVMe Feature 08h: THR is zero-based (THR+1 entries per interrupt), TIME in 100 us units
    (COAL_TICK cycles here); an interrupt when either is met."""
    env = await begin(dut, 3)
    await env.msi_mode()
    q, vec = 0, REG.bit("VEC_CQ0")
    thr, time_units, n = 3, 4, 10                       # 4 entries per MSI by count, rest by time
    await env.create_queue(q, 64)
    await env.wr(REG.array("IV", vec, "COAL"), REG.pack("IV_COAL", THR=thr, TIME=time_units))
    await env.generate(q, period=60, burst=1, limit=n)
    await env.until(lambda: len(env.bus.entries(q)) == n, what="entries")
    await ClockCycles(dut.clk, time_units * env.tick + 200)
    msis = msis_of(env, vec)
    assert len(msis) == n // (thr + 1) + 1, f"{len(msis)} MSIs for {n} entries at THR={thr}"
    ent = env.bus.entries(q)
    for k in range(n // (thr + 1)):                     # by count: right after the (thr+1)-th entry
        last = ent[(k + 1) * (thr + 1) - 1]
        assert last.b_cycle < msis[k].aw_cycle < last.b_cycle + 40, f"MSI {k} not at entry {(k + 1) * (thr + 1) - 1}"
    # by time: TIME units after the first left over, counted in steps of COAL_STEP cycles from the
    # step after it (up to COAL_STEP - 1 cycles early, never late)
    first_left = ent[n // (thr + 1) * (thr + 1)]
    delay = msis[-1].aw_cycle - first_left.b_cycle
    step = int(dut.COAL_STEP.value)
    assert time_units * env.tick - step < delay < time_units * env.tick + 40, f"time-out MSI after {delay} cycles"
    # merged: every event that did not send its own message (all but the THR+1-th of each batch)
    assert await env.rd(REG.CNT_COALESCED) == n - n // (thr + 1)


@cocotb.test()
async def coalescing_disable_and_error_completions_are_never_coalesced(dut) -> None:
    """NVMe Feature 09h Coalescing Disable: one interrupt per entry; error completions are not
    coalesced: an entry with a non-zero status interrupts at once and takes the aggregated ones."""
    env = await begin(dut, 4)
    await env.msi_mode()
    q, vec = 0, REG.bit("VEC_CQ0")
    await env.create_queue(q, 64)
    await env.wr(REG.array("IV", vec, "COAL"), REG.pack("IV_COAL", THR=7, TIME=200, CD=1))
    await env.generate(q, period=80, burst=1, limit=5)
    await env.until(lambda: len(env.bus.entries(q)) == 5)
    await ClockCycles(dut.clk, 100)
    assert len(msis_of(env, vec)) == 5, "CD set: one MSI per entry"
    # now coalescing on (8 per MSI, long time) and every 3rd completion an error
    await env.wr(REG.array("IV", vec, "COAL"), REG.pack("IV_COAL", THR=7, TIME=200))
    await env.wr(REG.TG_ERR_EVERY, 3)
    await env.wr(cq(q, "HEAD"), 5)
    before = len(msis_of(env, vec))
    await env.generate(q, period=80, burst=1, limit=6)
    await env.until(lambda: len(env.bus.entries(q)) == 11)
    await ClockCycles(dut.clk, 100)
    statuses = [env.entry(q, 5 + i)[4] for i in range(6)]
    assert statuses == [0, 0, 1, 0, 0, 1]
    ent = env.bus.entries(q)
    msis = msis_of(env, vec)[before:]
    assert len(msis) == 2, f"{len(msis)} MSIs: expected one per error completion"
    for m, e in zip(msis, (ent[7], ent[10])):
        assert e.b_cycle < m.aw_cycle < e.b_cycle + 40


@cocotb.test()
async def doorbell_restart_delays_the_interrupt(dut) -> None:
    """NVMe Feature 08h allows the aggregation time to restart on a head doorbell ("may result in
    interrupts being delayed indefinitely"): with DB_RESTART set, doorbells keep the interrupt back;
    without it, the time-out fires on schedule."""
    env = await begin(dut, 5)
    await env.msi_mode()
    q, vec = 0, REG.bit("VEC_CQ0")
    await env.create_queue(q, 64)
    for restart in (False, True):
        await env.wr(REG.array("IV", vec, "COAL"), REG.pack("IV_COAL", THR=15, TIME=2, DB_RESTART=int(restart)))
        n0, m0 = len(env.bus.entries(q)), len(msis_of(env, vec))
        await env.generate(q, period=50, burst=2, limit=2)
        await env.until(lambda: len(env.bus.entries(q)) == n0 + 2)
        first = env.bus.entries(q)[n0]
        # the host consumes one entry, leaving one, and rings the doorbell every tick / 2 cycles
        await env.wr(cq(q, "HEAD"), n0 + 1)
        for _ in range(8):
            await ClockCycles(dut.clk, env.tick // 2)
            await env.wr(cq(q, "HEAD"), n0 + 1)
        sent = msis_of(env, vec)[m0:]
        if restart:
            assert sent == [], "DB_RESTART: the doorbells must keep restarting the time"
            await env.until(lambda: len(msis_of(env, vec)) == m0 + 1, 4 * env.tick, "MSI after the doorbells stop")
        else:
            assert len(sent) == 1
            delay = sent[0].aw_cycle - first.b_cycle
            assert 2 * env.tick <= delay < 2 * env.tick + 40, f"time-out after {delay} cycles"
        await env.wr(cq(q, "HEAD"), n0 + 2)


@cocotb.test()
async def rate_limiter_spaces_messages_and_collapses_events(dut) -> None:
    """Minimum interval per vector: no two messages closer than RATE cycles; events inside an
    interval collapse into one message at its end (verilog-pcie irq_rate_limit behaviour)."""
    env = await begin(dut, 6)
    await env.msi_mode()
    q, vec, rate = 0, REG.bit("VEC_CQ0"), 500
    await env.create_queue(q, 128)
    await env.wr(REG.array("IV", vec, "RATE"), rate)
    await env.generate(q, period=45, burst=1, limit=60)
    await env.until(lambda: len(env.bus.entries(q)) == 60, what="entries")
    await ClockCycles(dut.clk, rate + 100)
    msis = msis_of(env, vec)
    gaps = [b.issue_cycle - a.issue_cycle for a, b in zip(msis, msis[1:])]
    assert min(gaps) >= rate, f"messages {min(gaps)} cycles apart < RATE {rate}"
    # the interval counts steps of 2^RATE_SHIFT cycles: it ends less than a step after RATE cycles
    step = 1 << int(dut.RATE_SHIFT.value)
    span = env.bus.entries(q)[-1].b_cycle - env.bus.entries(q)[0].b_cycle
    assert span // (rate + step) <= len(msis) <= span // rate + 2, f"{len(msis)} MSIs over {span} cycles"
    assert msis[-1].aw_cycle > env.bus.entries(q)[-1].b_cycle, "the last events were not signalled"


@cocotb.test()
async def msix_table_function_mask_and_pba(dut) -> None:
    """PCIe 6.1.4 MSI-X: each vector uses its own table address and data; while the Function Mask
    (or the vector's Mask) is set nothing is sent and the PBA shows pending; unmasking sends one
    message per pending vector (events while pending collapse)."""
    env = await begin(dut, 7)
    queues = list(range(min(env.n_cq, 3)))
    for q in queues:
        v = REG.bit("VEC_CQ0") + q
        await env.wr(REG.array("VT", v, "ADDR_LO"), MSI_BASE + 0x100 + 16 * v + 3)   # [1:0] read as 0
        await env.wr(REG.array("VT", v, "DATA"), 0xC0DE00 + v)
        await env.create_queue(q, 32)
    assert await env.rd(REG.array("VT", REG.bit("VEC_CQ0"), "ADDR_LO")) == MSI_BASE + 0x100 + 16 * REG.bit("VEC_CQ0")
    await env.wr(REG.MSIX_CTRL, 1 << B["MSIX_ENABLE"] | 1 << B["MSIX_FUNC_MASK"])
    for q in queues:
        await env.wr(cq(q, "TG_PERIOD"), 40 + 10 * q)
        await env.wr(cq(q, "TG_BURST"), 2)
    await env.wr(REG.TG_LIMIT, 4)
    await env.wr(REG.TG_CTRL, 1)
    await env.until(lambda: all(len(env.bus.entries(q)) == 4 for q in queues), what="entries")
    await ClockCycles(dut.clk, 50)
    assert env.bus.msis() == [], "sent while the Function Mask was set"
    want = sum(1 << (REG.bit("VEC_CQ0") + q) for q in queues)
    assert await env.rd(REG.array("PBA", 0, "BITS")) == want
    # mask one vector by its own bit, then clear the Function Mask
    masked_v = REG.bit("VEC_CQ0") + queues[-1]
    await env.wr(REG.array("VT", masked_v, "CTRL"), 1)
    await env.wr(REG.MSIX_CTRL, 1 << B["MSIX_ENABLE"])
    await ClockCycles(dut.clk, 100)
    got = sorted((w.addr, w.data) for w in env.bus.msis())
    assert got == sorted((MSI_BASE + 0x100 + 16 * (REG.bit("VEC_CQ0") + q), 0xC0DE00 + REG.bit("VEC_CQ0") + q)
                         for q in queues[:-1]), got
    assert await env.rd(REG.array("PBA", 0, "BITS")) == 1 << masked_v
    await env.wr(REG.array("VT", masked_v, "CTRL"), 0)
    await ClockCycles(dut.clk, 50)
    assert len(env.bus.msis()) == len(queues) and await env.rd(REG.array("PBA", 0, "BITS")) == 0


@cocotb.test()
async def shared_vector_mapping_and_serviced_while_masked(dut) -> None:
    """Mapping table: several queues on one vector. PCIe 6.1.4: if software services the events
    while the vector is masked (all its queues consumed), Pending clears and nothing is sent."""
    env = await begin(dut, 8)
    await env.msi_mode()
    queues = list(range(min(env.n_cq, 4)))
    shared = REG.bit("VEC_CQ0")
    for q in queues:
        await env.create_queue(q, 16, vec=shared)
    await env.wr(REG.MSI_MASK, 1 << shared)
    for q in queues:
        await env.wr(cq(q, "TG_PERIOD"), 35 + 7 * q)
        await env.wr(cq(q, "TG_BURST"), 1)
    await env.wr(REG.TG_LIMIT, 3)
    await env.wr(REG.TG_CTRL, 1)
    await env.until(lambda: all(len(env.bus.entries(q)) == 3 for q in queues), what="entries")
    await ClockCycles(dut.clk, 30)
    assert env.bus.msis() == [] and await env.rd(REG.MSI_PENDING) == 1 << shared
    for q in queues[:-1]:
        await env.wr(cq(q, "HEAD"), 3)
        assert await env.rd(REG.MSI_PENDING) == 1 << shared, "pending cleared with a queue unconsumed"
    await env.wr(cq(queues[-1], "HEAD"), 3)
    await ClockCycles(dut.clk, 4)
    assert await env.rd(REG.MSI_PENDING) == 0
    await env.wr(REG.MSI_MASK, 0)
    await ClockCycles(dut.clk, 50)
    assert env.bus.msis() == [], "a serviced vector sent on unmask"


@cocotb.test()
async def many_queues_round_robin_with_reset_in_traffic(dut) -> None:
    """Every queue gets its own sequence with no entry lost, duplicated or reordered under
    backpressure; a reset in the middle of traffic returns the queues to their defaults."""
    env = await begin(dut, 9)
    rng = stream(int(cocotb.RANDOM_SEED), "irqloop_dev_cq")
    queues = list(range(env.n_cq))
    for q in queues:
        await env.create_queue(q, 8, ien=False)
        await env.wr(cq(q, "TG_PERIOD"), rng.randint(20, 120))
        await env.wr(cq(q, "TG_BURST"), rng.randint(1, 3))
    await env.wr(REG.TG_CTRL, 1)
    await ClockCycles(dut.clk, 300)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 3)
    assert await env.rd(REG.TG_CTRL) == 0 and await env.rd(REG.CNT_CQ_ENTRY) == 0
    assert await env.rd(cq(queues[-1], "IV")) == REG.bit("VEC_CQ0") + queues[-1]
    env.bus = Bus()
    for q in queues:                                     # clear the queues' memory, then run again
        env.ram.write(CQ_MEM + q * 0x1000, bytes(16 * 8))
        await env.create_queue(q, 8, ien=False)
        await env.wr(cq(q, "TG_PERIOD"), rng.randint(20, 120))
        await env.wr(cq(q, "TG_BURST"), rng.randint(1, 3))
    await env.wr(REG.TG_LIMIT, 7)
    await env.wr(REG.TG_CTRL, 1)
    await env.until(lambda: all(len(env.bus.entries(q)) == 7 for q in queues), 200000, "entries")
    for q in queues:
        assert [env.entry(q, i)[:4] for i in range(7)] == [(i, 1, i, 1) for i in range(7)], f"queue {q}"
    assert await env.rd(REG.CNT_CQ_ENTRY) == 7 * len(queues)
