"""Block test of rtl/dma_axi_writer.v (with chunk_pattern.v) against cocotbext-axi's AXI RAM.

Random backpressure on AW, W and B; chunks placed across 4 KiB boundaries; an MSI requested at
each chunk completion. Checks every byte against tb.models.pattern, the burst rules, and the
PCIe posted-write ordering (an MSI lands after all data of the chunk it announces)."""

from __future__ import annotations


import cocotb
from cocotb.triggers import ClockCycles, FallingEdge, RisingEdge
from cocotbext.axi import AxiRamWrite, AxiWriteBus

from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import pauses, start
from irqloop.tb.models.pattern import chunk_words

MSI_ADDR = 0xF000
MSI_DATA = 0xBEEF0040


class Recorder:
    """Watches the AXI write channels (per cycle; a block test only)."""

    def __init__(self, dut) -> None:
        self.dut = dut
        self.aw: list[tuple[int, int, int]] = []      # (cycle, addr, len)
        self.b: list[int] = []                        # cycles of B handshakes
        self.cycle = 0
        cocotb.start_soon(self.run())

    async def run(self) -> None:
        d = self.dut
        while True:
            await RisingEdge(d.clk)
            self.cycle += 1
            if int(d.rst.value):
                continue
            if int(d.m_axi_awvalid.value) and int(d.m_axi_awready.value):
                self.aw.append((self.cycle, int(d.m_axi_awaddr.value), int(d.m_axi_awlen.value)))
            if int(d.m_axi_bvalid.value) and int(d.m_axi_bready.value):
                self.b.append(self.cycle)


async def setup(dut, seed: int) -> tuple[AxiRamWrite, Recorder]:
    for s in ("chunk_start", "msi_valid", "cq_valid"):
        getattr(dut, s).value = 0
    dut.cq_addr.value = dut.cq_data.value = 0
    dut.chunk_addr.value = dut.chunk_bytes.value = dut.chunk_seq.value = 0
    dut.pattern_key.value = 0
    dut.msi_addr.value = MSI_ADDR
    dut.msi_data.value = MSI_DATA
    ram = AxiRamWrite(AxiWriteBus.from_prefix(dut, "m_axi"), dut.clk, dut.rst, size=1 << 17)
    ram.aw_channel.set_pause_generator(pauses(seed, "aw", 0.3))
    ram.w_channel.set_pause_generator(pauses(seed, "w", 0.3))
    ram.b_channel.set_pause_generator(pauses(seed, "b", 0.3))
    rec = Recorder(dut)
    await start(dut)
    return ram, rec


async def write_chunk(dut, addr: int, nbytes: int, seq: int, key: int, with_msi: bool) -> None:
    while int(dut.chunk_busy.value):
        await RisingEdge(dut.clk)
    dut.chunk_addr.value, dut.chunk_bytes.value, dut.chunk_seq.value = addr, nbytes, seq
    dut.pattern_key.value = key
    dut.chunk_start.value = 1
    await RisingEdge(dut.clk)
    dut.chunk_start.value = 0
    while True:
        await RisingEdge(dut.clk)
        if int(dut.chunk_done.value):
            break
    if with_msi:
        dut.msi_valid.value = 1
        while True:
            await FallingEdge(dut.clk)
            if int(dut.msi_ack.value):          # combinational: taken at the next edge
                await RisingEdge(dut.clk)
                break
        dut.msi_valid.value = 0


@cocotb.test()
async def chunks_land_intact_and_msi_follows_data(dut) -> None:
    seed = int(cocotb.RANDOM_SEED)
    rng = stream(seed, "dma_axi_writer.chunks")
    width = len(dut.m_axi_wdata) // 8
    max_burst = int(dut.MAX_BURST.value)
    ram, rec = await setup(dut, seed)
    jobs = []
    addr = 0x1000 - 3 * width                 # the first chunk crosses a 4 KiB boundary
    for seq in range(12):
        nbytes = width * rng.randint(1, 80)
        key = rng.getrandbits(32)
        jobs.append((addr, nbytes, seq, key))
        n_aw_before = len(rec.aw)
        await write_chunk(dut, addr, nbytes, seq, key, with_msi=True)
        for _ in range(20000):
            if rec.aw[n_aw_before:] and rec.aw[-1][1] == MSI_ADDR and len(rec.b) == len(rec.aw):
                break
            await RisingEdge(dut.clk)
        else:
            raise AssertionError(f"chunk {seq}: no MSI write within 20000 cycles of its completion")
        chunk_aw = rec.aw[n_aw_before:]
        assert chunk_aw[-1][1] == MSI_ADDR, "the MSI is the last write of its chunk"
        data_aw = chunk_aw[:-1]
        total_beats = 0
        for _, a, ln in data_aw:
            beats = ln + 1
            assert beats <= max_burst, f"burst of {beats} beats > MAX_BURST {max_burst}"
            assert a // 4096 == (a + beats * width - 1) // 4096, f"burst at {a:#x} crosses 4 KiB"
            total_beats += beats
        assert total_beats * width == nbytes
        msi_cycle = chunk_aw[-1][0]
        data_b = [c for c in rec.b if c < msi_cycle]
        assert len(data_b) >= len(data_aw) + n_aw_before, "MSI issued before the chunk's data was acknowledged"
        got = ram.read_dword(MSI_ADDR)
        assert got == MSI_DATA, f"MSI data {got:#x}"
        ram.write_dword(MSI_ADDR, 0)
        addr = (addr + nbytes + width * rng.randint(0, 40)) % 0x10000
    for addr, nbytes, seq, key in jobs[-1:]:
        data = ram.read(addr, nbytes)
        exp = chunk_words(seq, nbytes // 4, key).tobytes()
        assert data == exp, f"chunk {seq} differs"
    # all chunks that were not overwritten by later ones: check each against the pattern
    written: dict[int, int] = {}
    for i, (addr, nbytes, seq, key) in enumerate(jobs):
        for b in range(addr, addr + nbytes, 4):
            written[b] = i
    for i, (addr, nbytes, seq, key) in enumerate(jobs):
        exp = chunk_words(seq, nbytes // 4, key)
        for w in range(nbytes // 4):
            if written[addr + 4 * w] == i:
                assert ram.read_dword(addr + 4 * w) == int(exp[w]), f"chunk {seq} word {w}"


@cocotb.test()
async def reset_mid_burst_then_recovers(dut) -> None:
    seed = int(cocotb.RANDOM_SEED) + 17
    width = len(dut.m_axi_wdata) // 8
    ram, rec = await setup(dut, seed)
    dut.chunk_addr.value, dut.chunk_bytes.value, dut.chunk_seq.value = 0x2000, 64 * width, 5
    dut.chunk_start.value = 1
    await RisingEdge(dut.clk)
    dut.chunk_start.value = 0
    while not int(dut.m_axi_wvalid.value):
        await RisingEdge(dut.clk)
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 4)
    assert not int(dut.m_axi_awvalid.value) and not int(dut.m_axi_wvalid.value)
    assert not int(dut.chunk_busy.value)
    # the RAM model also resets; start over and check a full chunk lands intact
    dut.rst.value = 0
    await ClockCycles(dut.clk, 4)
    await write_chunk(dut, 0x3000, 40 * width, 9, 0x77, with_msi=True)
    await ClockCycles(dut.clk, 20)
    assert ram.read(0x3000, 40 * width) == chunk_words(9, 40 * width // 4, 0x77).tobytes()
    assert ram.read_dword(MSI_ADDR) == MSI_DATA


@cocotb.test()
async def cq_entries_interleave_with_chunks_one_write_in_flight(dut) -> None:
    """16-byte completion entries share the bus with chunk bursts: each lands whole, cq_done follows
    its own B, and no write starts before the previous B (PCIe posted-write ordering)."""
    seed = int(cocotb.RANDOM_SEED) + 29
    rng = stream(seed, "dma_axi_writer.bursts")
    width = len(dut.m_axi_wdata) // 8
    ram, rec = await setup(dut, seed)
    entries = {0x8000 + 16 * i: rng.getrandbits(128) for i in range(40)}
    done_seen = 0

    async def offer_entries() -> None:
        nonlocal done_seen
        for addr, data in entries.items():
            await ClockCycles(dut.clk, rng.randint(0, 30))
            await FallingEdge(dut.clk)
            dut.cq_addr.value, dut.cq_data.value, dut.cq_valid.value = addr, data, 1
            while True:
                await FallingEdge(dut.clk)
                if int(dut.cq_ready.value):
                    break
            await RisingEdge(dut.clk)
            dut.cq_valid.value = 0
            while True:                                  # wait for this entry's B
                await RisingEdge(dut.clk)
                if int(dut.cq_done.value):
                    done_seen += 1
                    break

    task = cocotb.start_soon(offer_entries())
    for seq in range(6):
        await write_chunk(dut, 0x1000 + seq * 0x800, width * rng.randint(8, 100), seq, seq * 7, with_msi=False)
    await task
    await ClockCycles(dut.clk, 20)
    assert done_seen == len(entries)
    for addr, data in entries.items():
        assert int.from_bytes(ram.read(addr, 16), "little") == data, f"entry at {addr:#x}"
    # one transaction at a time: every AW after the first comes after the previous B
    for i, (cycle, _, _) in enumerate(rec.aw[1:]):
        assert rec.b[i] <= cycle, f"write {i + 1} issued at cycle {cycle} before B of write {i} ({rec.b[i]})"
