"""Block test of rtl/irqloop_csr.v: the AXI4-Lite register file against a dictionary model.

Byte strobes, read-only and unmapped registers, write-1-to-clear cause bits racing a hardware
set, the consumer-index write pulse, random B/R backpressure, and a reset in mid-traffic."""

from __future__ import annotations


import cocotb
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiLiteBus, AxiLiteMaster

from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import pauses, start

# held by other register blocks on the internal bus (MSI_MASK, MSIX_CTRL: msix_table)
EXT = ("MSI_MASK", "MSI_PENDING", "MSIX_CTRL")
RW = [n for n, a in REG.access.items()
      if a == "RW" and n not in ("CTRL", "CONS_IDX", "INT_ENABLE", "TG_CTRL") + EXT]
RO_INPUTS = {"STATUS": "status", "PROD_IDX": "prod_idx", "CONS_IDX": "cons_idx", "CNT_CHUNKS": "cnt_chunks",
             "CNT_OVERWRITE": "cnt_overwrite", "CNT_IRQS": "cnt_irqs", "CNT_STALL": "cnt_stall",
             "OVERRUN_SEQ": "overrun_seq", "OVERRUN_CYCLE": "overrun_cycle", "CQ_FULL": "cq_full",
             "CNT_CQ_STALL": "cnt_cq_stall", "CNT_CQ_ENTRY": "cnt_cq_entry", "CNT_DB_ERROR": "cnt_db_error",
             "DB_ERROR_Q": "db_error_q", "CNT_COALESCED": "cnt_coalesced"}


def setup(dut, seed: int) -> AxiLiteMaster:
    dut.cause_set.value = 0
    dut.ext_rdata.value = 0
    for sig in RO_INPUTS.values():
        getattr(dut, sig).value = 0
    csr = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axil"), dut.clk, dut.rst)
    csr.write_if.b_channel.set_pause_generator(pauses(seed, "csr_b", 0.4))
    csr.read_if.r_channel.set_pause_generator(pauses(seed, "csr_r", 0.4))
    return csr


def masked(name: str, value: int) -> int:
    return value & ~3 if name == "MSI_ADDR_LO" else value


@cocotb.test()
async def byte_strobes_and_read_only_registers(dut) -> None:
    rng = stream(int(cocotb.RANDOM_SEED), "irqloop_csr")
    csr = setup(dut, rng.getrandbits(16))
    await start(dut)
    model = {n: 0 for n in RW}
    for _ in range(300):
        name = rng.choice(RW)
        off = rng.randrange(4)
        data = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4 - off)))
        await csr.write(getattr(REG, name) + off, data)
        b = bytearray(model[name].to_bytes(4, "little"))
        b[off:off + len(data)] = data
        model[name] = masked(name, int.from_bytes(b, "little"))
        check = rng.choice(RW)
        assert await csr.read_dword(getattr(REG, check)) == model[check], check
    for name, sig in RO_INPUTS.items():
        v = rng.getrandbits(32)
        getattr(dut, sig).value = v
        await csr.write_dword(getattr(REG, name), ~v & 0xFFFFFFFF)     # ignored
        await RisingEdge(dut.clk)
        assert await csr.read_dword(getattr(REG, name)) == v, name
    # narrow registers keep only their defined bits
    for name, width_mask in (("INT_ENABLE", 0x3), ("CTRL", 0x3), ("TG_CTRL", 0x1)):   # the documented bits
        await csr.write_dword(getattr(REG, name), 0xFFFFFFFF)
        assert await csr.read_dword(getattr(REG, name)) == width_mask, name
        await csr.write_dword(getattr(REG, name), 0)
        assert await csr.read_dword(getattr(REG, name)) == 0, name
    assert await csr.read_dword(0xFFC) == 0                            # unmapped reads 0
    assert await csr.read_dword(REG.ID) == REG.consts["DEVICE_ID"]
    n_cq = int(dut.NUM_CQ.value)
    assert await csr.read_dword(REG.CAPS) == REG.pack("CAPS", QUEUES=n_cq, VECTORS=n_cq + 2)
    assert await csr.read_dword(REG.COAL_TICK) == int(dut.COAL_TICK.value)


@cocotb.test()
async def other_blocks_see_every_write_and_answer_their_reads(dut) -> None:
    """The internal register bus: one write strobe per AXI write with the word address, and reads of
    addresses this block does not hold come from ext_rdata."""
    csr = setup(dut, 15)
    await start(dut)
    seen: list[tuple[int, int]] = []

    async def watch() -> None:
        while True:
            await RisingEdge(dut.clk)
            if int(dut.ext_we.value):
                seen.append((int(dut.ext_waddr.value), int(dut.ext_wdata.value)))

    cocotb.start_soon(watch())
    await csr.write_dword(REG.array("CQ", 3, "HEAD"), 0x1234)
    await csr.write(REG.MSI_MASK + 2, b"\x01")                       # byte write: word address on the bus
    await csr.write_dword(REG.PATTERN_KEY, 0x55)
    await ClockCycles(dut.clk, 2)
    assert [a for a, _ in seen] == [REG.array("CQ", 3, "HEAD"), REG.MSI_MASK, REG.PATTERN_KEY]
    assert seen[0][1] == 0x1234
    dut.ext_rdata.value = 0xA5A5F00D
    assert await csr.read_dword(REG.array("VT", 1, "DATA")) == 0xA5A5F00D
    assert await csr.read_dword(REG.PATTERN_KEY) == 0x55                 # held here: ext_rdata not used


@cocotb.test()
async def cause_is_write_one_to_clear_and_hardware_set_wins(dut) -> None:
    csr = setup(dut, 11)
    await start(dut)
    dut.cause_set.value = 0b101
    await RisingEdge(dut.clk)
    dut.cause_set.value = 0
    await ClockCycles(dut.clk, 2)
    assert await csr.read_dword(REG.INT_CAUSE) == 0b101
    await csr.write_dword(REG.INT_CAUSE, 0b001)                       # clears bit 0 only
    assert await csr.read_dword(REG.INT_CAUSE) == 0b100
    await csr.write_dword(REG.INT_CAUSE, 0b010)                       # clearing a clear bit: no effect
    assert await csr.read_dword(REG.INT_CAUSE) == 0b100
    dut.cause_set.value = 0b100                                       # set while software clears it
    await csr.write_dword(REG.INT_CAUSE, 0b100)
    dut.cause_set.value = 0
    await ClockCycles(dut.clk, 2)
    assert await csr.read_dword(REG.INT_CAUSE) == 0b100, "an event during the clear must not be lost"
    await csr.write_dword(REG.INT_CAUSE, 0b111)
    assert await csr.read_dword(REG.INT_CAUSE) == 0


@cocotb.test()
async def consumer_index_write_pulses_once_with_merged_data(dut) -> None:
    csr = setup(dut, 12)
    await start(dut)
    dut.cons_idx.value = 0x11223344
    pulses: list[int] = []

    async def watch() -> None:
        while True:
            await RisingEdge(dut.clk)
            if int(dut.cons_wr.value):
                pulses.append(int(dut.cons_wr_data.value))

    cocotb.start_soon(watch())
    await csr.write(REG.CONS_IDX + 1, b"\xAA")                         # one byte lane
    await ClockCycles(dut.clk, 3)
    assert pulses == [0x1122AA44]


@cocotb.test()
async def reset_in_mid_traffic_returns_registers_to_zero(dut) -> None:
    csr = setup(dut, 13)
    await start(dut)
    for name in RW:
        await csr.write_dword(getattr(REG, name), 0xFFFFFFFF)
    cocotb.start_soon(csr.write_dword(REG.SLOT_COUNT, 5))
    await ClockCycles(dut.clk, 1)
    dut.rst.value = 1
    await ClockCycles(dut.clk, 3)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 3)
    csr = setup(dut, 14)
    for name in RW:
        assert await csr.read_dword(getattr(REG, name)) == 0, name
    assert int(dut.ctrl_enable.value) == 0 and int(dut.cause.value) == 0
