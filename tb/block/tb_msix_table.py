"""Block test of rtl/msix_table.v against a dictionary model of the PCIe 6.1.4 MSI / MSI-X
registers: table entries (Message Address bits [1:0] read 0), Vector Control Mask shared with the
MSI Mask Bits register, MSI-X Enable and Function Mask, the Pending Bit Array, the message chosen
for the vector being sent in each mode (read a cycle ahead at sel_vec_next, seeing that edge's
write), mask_next as the next cycle's mask, registered reads (the value before the edge's write),
and a reset in the middle of register traffic."""

from __future__ import annotations


import cocotb
from cocotb.triggers import FallingEdge, Timer

from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start

B = REG.bits


class Model:
    def __init__(self, n: int) -> None:
        self.n = n
        self.addr = [0] * n
        self.data = [0] * n
        self.mask = 0
        self.en = self.fmask = 0

    def write(self, a: int, v: int) -> None:
        vt, stride = REG.blocks["VT"]["BLOCK"], REG.blocks["VT"]["STRIDE"]
        if vt <= a < vt + self.n * stride:
            i, off = (a - vt) // stride, (a - vt) % stride
            if off == REG.array_regs["VT"]["ADDR_LO"][0]:
                self.addr[i] = self.addr[i] & ~0xFFFFFFFF | v & 0xFFFFFFFC
            elif off == REG.array_regs["VT"]["ADDR_HI"][0]:
                self.addr[i] = self.addr[i] & 0xFFFFFFFF | v << 32
            elif off == REG.array_regs["VT"]["DATA"][0]:
                self.data[i] = v
            else:
                self.mask = self.mask & ~(1 << i) | (v & 1) << i
        elif a == REG.MSI_MASK:
            low = (1 << min(self.n, 32)) - 1
            self.mask = self.mask & ~low | v & low
        elif a == REG.MSIX_CTRL:
            self.en, self.fmask = v >> B["MSIX_ENABLE"] & 1, v >> B["MSIX_FUNC_MASK"] & 1

    def read(self, a: int, pending: int) -> int:
        vt, stride = REG.blocks["VT"]["BLOCK"], REG.blocks["VT"]["STRIDE"]
        if vt <= a < vt + self.n * stride:
            i, off = (a - vt) // stride, (a - vt) % stride
            return [self.addr[i] & 0xFFFFFFFF, self.addr[i] >> 32, self.data[i], self.mask >> i & 1][off // 4]
        pba = REG.blocks["PBA"]["BLOCK"]
        if pba <= a < pba + 4 * ((self.n + 31) // 32):
            return pending >> (32 * ((a - pba) // 4)) & 0xFFFFFFFF
        if a == REG.MSI_MASK:
            return self.mask & 0xFFFFFFFF
        if a == REG.MSI_PENDING:
            return pending & 0xFFFFFFFF
        if a == REG.MSIX_CTRL:
            return self.fmask << 1 | self.en
        return 0


@cocotb.test()
async def registers_masks_and_messages_match_the_model(dut) -> None:
    n = len(dut.mask)
    rng = stream(int(cocotb.RANDOM_SEED), "msix_table")
    dut.reg_we.value = dut.reg_waddr.value = dut.reg_wdata.value = dut.reg_raddr.value = dut.reg_re.value = 0
    dut.msi_addr.value, dut.msi_data.value, dut.pending.value, dut.sel_vec_next.value = 0xFEE00000, 0x40, 0, 0
    await start(dut)
    m = Model(n)
    addrs = [REG.array("VT", v, r) for v in range(n) for r in REG.array_regs["VT"]] + \
            [REG.MSI_MASK, REG.MSIX_CTRL, REG.MSI_PENDING] + [REG.array("PBA", k, "BITS") for k in range((n + 31) // 32)]
    for step in range(1500):
        if step == 900:                                   # reset in the middle of register traffic
            dut.rst.value = 1
            await FallingEdge(dut.clk)
            await FallingEdge(dut.clk)
            dut.rst.value = 0
            m = Model(n)
        await FallingEdge(dut.clk)
        pending = rng.getrandbits(n)
        dut.pending.value = pending
        a = rng.choice(addrs)
        dut.reg_raddr.value, dut.reg_re.value = a, 1
        read = m.read(a, pending)                         # a read gives the registers before the edge
        if rng.random() < 0.5:
            wa, v = rng.choice(addrs), rng.getrandbits(32)
            dut.reg_we.value, dut.reg_waddr.value, dut.reg_wdata.value = 1, wa, v
            m.write(wa, v)
        else:
            dut.reg_we.value = 0
        sel = rng.randrange(n)
        dut.sel_vec_next.value = sel
        await Timer(1, unit="ps")
        mask_next = int(dut.mask_next.value)
        await FallingEdge(dut.clk)                        # the write took effect at the edge
        dut.reg_we.value = dut.reg_re.value = 0
        assert int(dut.reg_rdata.value) == read, f"step {step}: read {a:#05x}"
        assert int(dut.mask.value) == mask_next, f"step {step}: mask_next"
        assert int(dut.mask.value) == m.mask | (((1 << n) - 1) if m.en and m.fmask else 0), f"step {step}: mask"
        assert int(dut.msix_enable.value) == m.en
        want = (m.addr[sel], m.data[sel]) if m.en else (0xFEE00000, (0x40 + sel) & 0xFFFFFFFF)
        assert (int(dut.msg_addr.value), int(dut.msg_data.value)) == want, f"step {step}: message of vector {sel}"
