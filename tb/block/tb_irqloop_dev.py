"""Block test of the whole device (rtl/irqloop_dev.v) over real AXI buses, against tb/models/refmodel.py.

CSR accesses go through cocotbext-axi's AXI4-Lite master; the device's DMA and MSI writes land in
cocotbext-axi's AXI RAM with random backpressure on AW, W and B. The reference model runs the same
register sequence at chunk granularity; counters, ring contents and MSIs must agree."""

from __future__ import annotations

from typing import Any

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster, AxiRamWrite, AxiWriteBus

from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import pauses, start
from irqloop.tb.models.pattern import chunk_words
from irqloop.tb.models.refmodel import StreamDeviceModel

RING = 0x4000
MSI_ADDR = 0xF000
MSI_DATA = 0x40
MEM = 1 << 17
B = REG.bits


class Env:
    def __init__(self, dut: Any, seed: int) -> None:
        self.dut = dut
        self.csr = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
        self.ram = AxiRamWrite(AxiWriteBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=MEM)
        self.ram.aw_channel.set_pause_generator(pauses(seed, "aw", 0.25))
        self.ram.w_channel.set_pause_generator(pauses(seed, "w", 0.25))
        self.ram.b_channel.set_pause_generator(pauses(seed, "b", 0.25))
        self.csr.write_if.b_channel.set_pause_generator(pauses(seed, "csr_b", 0.3))
        self.csr.read_if.r_channel.set_pause_generator(pauses(seed, "csr_r", 0.3))
        self.msis: list[int] = []
        self.model_msis: list[int] = []
        self.model = StreamDeviceModel(np.zeros(MEM, np.uint8), self.model_msis.append,
                                       bus_bytes=len(dut.m_axi_wdata) // 8)
        cocotb.start_soon(self._watch_msi())

    async def _watch_msi(self) -> None:
        d = self.dut
        while True:
            await RisingEdge(d.clk)
            if int(d.m_axi_awvalid.value) and int(d.m_axi_awready.value) and int(d.m_axi_awaddr.value) == MSI_ADDR:
                while not (int(d.m_axi_wvalid.value) and int(d.m_axi_wready.value)):
                    await RisingEdge(d.clk)
                self.msis.append(int(d.m_axi_wdata.value) & 0xFFFFFFFF)

    async def wr(self, name: str, value: int) -> None:
        await self.csr.write_dword(getattr(REG, name), value)
        self.model.write(getattr(REG, name), value)

    async def rd(self, name: str) -> int:
        return await self.csr.read_dword(getattr(REG, name))

    async def configure(self, slots: int, slot_bytes: int, period: int, limit: int, flow: bool, key: int) -> None:
        for name, value in (("RING_BASE_LO", RING), ("RING_BASE_HI", 0), ("SLOT_COUNT", slots),
                            ("SLOT_SIZE", slot_bytes), ("CHUNK_PERIOD", period), ("CHUNK_LIMIT", limit),
                            ("PATTERN_KEY", key), ("MSI_ADDR_LO", MSI_ADDR), ("MSI_ADDR_HI", 0),
                            ("MSI_DATA", MSI_DATA), ("INT_ENABLE", 3)):
            await self.wr(name, value)
        await self.wr("CTRL", 1 | (int(flow) << B["CTRL_FLOWCTL"]))

    async def wait_idle(self, cycles: int = 200) -> None:
        await ClockCycles(self.dut.clk, cycles)

    def ring_seqs(self, slots: int, slot_bytes: int, key: int) -> list[int]:
        out = []
        for s in range(slots):
            words = np.frombuffer(self.ram.read(RING + s * slot_bytes, slot_bytes), dtype=np.uint32)
            seq = int(words[0])
            assert np.array_equal(words, chunk_words(seq, slot_bytes // 4, key)), f"slot {s} is not a whole chunk"
            out.append(seq)
        return out


async def begin(dut: Any, offset: int) -> tuple[Env, int]:
    """Reset, start the environment with its own seed, and return it with the bus width in bytes."""
    await start(dut)
    return Env(dut, int(cocotb.RANDOM_SEED) + offset), len(dut.m_axi_wdata) // 8


async def until(dut: Any, cond: Any, limit: int = 200000) -> None:
    for _ in range(limit):
        if cond():
            return
        await RisingEdge(dut.clk)
    raise AssertionError("condition not reached")


@cocotb.test()
async def registers_read_back_and_w1c(dut) -> None:
    """Register semantics from rtl/irqloop_regs.vh: RW read back, RO ignore writes, W1C clears."""
    await start(dut)
    env = Env(dut, int(cocotb.RANDOM_SEED))
    assert await env.rd("ID") == REG.consts["DEVICE_ID"]
    version = await env.rd("VERSION")
    assert version & 0xFFFF == REG.consts["DEVICE_VERSION"] and version >> 16 & 0xFF == len(dut.m_axi_wdata) // 8
    rng = stream(int(cocotb.RANDOM_SEED), "irqloop_dev.registers")
    for name, acc in REG.access.items():
        if acc != "RW" or name in ("CTRL", "CONS_IDX", "MSI_MASK", "INT_ENABLE", "MSIX_CTRL", "TG_CTRL"):
            continue
        v = rng.getrandbits(32) | 3
        await env.wr(name, v)
        expect = v & ~3 if name == "MSI_ADDR_LO" else v        # PCIe: Message Address [1:0] are 0
        assert await env.rd(name) == expect, name
    await env.wr("MSI_MASK", 0xFFFFFFFF)
    n_vec = int(dut.NUM_CQ.value) + 2
    assert await env.rd("MSI_MASK") == (1 << min(n_vec, 32)) - 1
    await env.wr("MSI_MASK", 0)
    before = await env.rd("PROD_IDX")
    await env.wr("PROD_IDX", 0x1234)
    assert await env.rd("PROD_IDX") == before
    # an invalid enable sets the configuration-error cause; W1C of another bit leaves it
    await env.wr("SLOT_COUNT", 0)
    await env.wr("CTRL", 1)
    await ClockCycles(dut.clk, 4)
    cause = await env.rd("INT_CAUSE")
    assert cause == 1 << B["CAUSE_CFGERR"]
    await env.wr("INT_CAUSE", 1 << B["CAUSE_DATA"])
    assert await env.rd("INT_CAUSE") == cause
    await env.wr("INT_CAUSE", cause)
    assert await env.rd("INT_CAUSE") == 0


@cocotb.test()
async def invalid_settings_are_refused_with_the_error_vector(dut) -> None:
    env, width = await begin(dut, 1)
    good = {"SLOT_COUNT": 4, "SLOT_SIZE": 8 * width, "RING_BASE_LO": RING, "CHUNK_PERIOD": 100, "MSI_ADDR_LO": MSI_ADDR}
    # half a bus word off: a slot size and a ring base misaligned at every DATA_W (the cases were
    # width + 4 and RING + 4, which a 32-bit bus accepts)
    bad_cases = [("SLOT_COUNT", 0), ("SLOT_SIZE", 0), ("SLOT_SIZE", 8 * width + width // 2),
                 ("RING_BASE_LO", RING + width // 2),
                 ("CHUNK_PERIOD", 0), ("SLOT_COUNT", 70000)]
    await env.wr("MSI_DATA", MSI_DATA)
    await env.wr("INT_ENABLE", 3)
    for field, value in bad_cases:
        for n, v in good.items():
            await env.wr(n, v)
        await env.wr(field, value)
        await env.wr("CTRL", 0)
        n_msi = len(env.msis)
        await env.wr("CTRL", 1)
        await until(dut, lambda: len(env.msis) > n_msi, 2000)
        status = await env.rd("STATUS")
        assert status >> B["ST_CFG_ERROR"] & 1, f"{field}={value} accepted"
        assert not status >> B["ST_RUNNING"] & 1, f"{field}={value} started the stream"
        assert env.msis[-1] == MSI_DATA + B["VEC_ERROR"]
        assert env.model.config_error() is not None
        await env.wr("INT_CAUSE", 0x7)
    for n, v in good.items():
        await env.wr(n, v)
    await env.wr("CTRL", 0)
    await env.wr("CTRL", 1)
    await ClockCycles(dut.clk, 4)
    status = await env.rd("STATUS")
    assert status >> B["ST_RUNNING"] & 1 and not status >> B["ST_CFG_ERROR"] & 1


@cocotb.test()
async def free_running_overwrites_and_counts_like_the_model(dut) -> None:
    """Free-running mode overwrites unfreed slots; counters, ring and MSIs match the reference model."""
    env, width = await begin(dut, 2)
    slots, size, limit, key = 4, 16 * width, 11, 0xC0FFEE
    await env.configure(slots, size, period=300, limit=limit, flow=False, key=key)
    for _ in range(limit):
        env.model.produce_chunk()
    await until(dut, lambda: int(dut.u_producer.done.value) == 1)
    await env.wait_idle()
    for name in ("PROD_IDX", "CNT_CHUNKS", "CNT_OVERWRITE", "OVERRUN_SEQ", "CNT_IRQS"):
        assert await env.rd(name) == env.model.regs[name], name
    assert await env.rd("OVERRUN_CYCLE") == slots * 300 + 1       # due at cycle k*period, starts one later
    assert (await env.rd("STATUS")) >> B["ST_OVERRUN"] & 1
    assert env.ring_seqs(slots, size, key) == [8, 9, 10, 7]
    assert env.msis == env.model_msis


@cocotb.test()
async def flow_control_stalls_and_never_overwrites(dut) -> None:
    env, width = await begin(dut, 3)
    slots, size, key = 4, 8 * width, 0x1111
    await env.configure(slots, size, period=200, limit=10, flow=True, key=key)
    await ClockCycles(dut.clk, 200 * 8)
    assert await env.rd("PROD_IDX") == slots
    stall0 = await env.rd("CNT_STALL")
    assert stall0 > 0 and (await env.rd("STATUS")) >> B["ST_STALLED"] & 1
    assert env.ring_seqs(slots, size, key) == [0, 1, 2, 3]
    await env.wr("CONS_IDX", 2)                              # free two slots: exactly two more chunks
    await ClockCycles(dut.clk, 200 * 6)
    assert await env.rd("PROD_IDX") == 6
    assert env.ring_seqs(slots, size, key) == [4, 5, 2, 3]
    assert await env.rd("CNT_OVERWRITE") == 0
    assert await env.rd("CNT_STALL") > stall0
    # a consumer index ahead of the producer is refused
    await env.wr("CONS_IDX", 9)
    await ClockCycles(dut.clk, 4)
    assert await env.rd("CONS_IDX") == 2
    assert (await env.rd("STATUS")) >> B["ST_CFG_ERROR"] & 1


@cocotb.test()
async def masked_data_vector_collapses_into_one_msi_on_unmask(dut) -> None:
    """PCIe 6.1.4: events while masked set Pending; unmask sends one message; collapse while pending."""
    env, width = await begin(dut, 4)
    await env.wr("MSI_MASK", 1 << B["VEC_DATA"])
    await env.configure(8, 4 * width, period=150, limit=5, flow=False, key=7)
    await until(dut, lambda: int(dut.u_producer.done.value) == 1)
    await env.wait_idle()
    assert env.msis == []
    assert await env.rd("MSI_PENDING") == 1 << B["VEC_DATA"]
    await env.wr("MSI_MASK", 0)
    await env.wait_idle(50)
    assert env.msis == [MSI_DATA + B["VEC_DATA"]]
    assert await env.rd("MSI_PENDING") == 0
    assert await env.rd("CNT_IRQS") == 1


@cocotb.test()
async def reset_mid_stream_returns_to_defaults_and_restarts(dut) -> None:
    env, width = await begin(dut, 5)
    await env.configure(4, 32 * width, period=100, limit=0, flow=False, key=3)
    await until(dut, lambda: int(dut.m_axi_wvalid.value) == 1)
    await ClockCycles(dut.clk, 700)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 3)
    for name in ("CTRL", "PROD_IDX", "CNT_CHUNKS", "INT_CAUSE", "STATUS"):
        assert await env.rd(name) == 0, name
    env.model = StreamDeviceModel(np.zeros(MEM, np.uint8), env.model_msis.append,
                                   bus_bytes=len(dut.m_axi_wdata) // 8)
    env.msis.clear()
    env.model_msis.clear()
    await env.configure(4, 8 * width, period=120, limit=6, flow=False, key=0xABC)
    for _ in range(6):
        env.model.produce_chunk()
    await until(dut, lambda: int(dut.u_producer.done.value) == 1)
    await env.wait_idle()
    assert await env.rd("CNT_CHUNKS") == 6
    assert env.ring_seqs(4, 8 * width, 0xABC) == [4, 5, 2, 3]
    assert env.msis == env.model_msis
