"""Block test of rtl/msi_vector_ctrl.v against a cycle model of the PCIe 6.1.4 rules, and of
req_vec_next: the vector the model offers after the edge under mask_next (where msix_table reads
the message ahead)."""

from __future__ import annotations


import cocotb
from cocotb.triggers import ClockCycles, FallingEdge, RisingEdge, Timer

from irqloop.hostmodel.seeds import stream
from irqloop.tb.block.common import start


class Model:
    """pending' = (pending & ~sent & ~(serviced & mask)) | event; offer the lowest pending, unmasked."""

    def __init__(self, n: int) -> None:
        self.n, self.pending = n, 0

    def outputs(self, mask: int) -> tuple[int, int]:
        ready = self.pending & ~mask
        vec = (ready & -ready).bit_length() - 1 if ready else 0
        return int(ready != 0), vec

    def clock(self, event: int, mask: int, clear: int, ack: int) -> None:
        valid, vec = self.outputs(mask)
        sent = (1 << vec) if ack and valid else 0
        self.pending = (self.pending & ~sent & ~(clear & mask)) | event


async def step(dut, model: Model, event: int, mask: int, clear: int, ack: int, mask_next: int | None = None) -> None:
    mask_next = mask if mask_next is None else mask_next
    dut.event_in.value, dut.mask.value, dut.clear_masked.value = event, mask, clear
    dut.mask_next.value = mask_next
    await Timer(1, unit="ns")           # inputs settled; check the combinational request
    valid, vec = model.outputs(mask)
    assert int(dut.req_valid.value) == valid, "req_valid"
    if valid:
        assert int(dut.req_vec.value) == vec, "req_vec"
    dut.req_ack.value = ack if valid else 0
    await Timer(500, unit="ps")
    vec_next = int(dut.req_vec_next.value)
    await RisingEdge(dut.clk)
    model.clock(event, mask, clear, ack if valid else 0)
    assert vec_next == model.outputs(mask_next)[1], "req_vec_next"
    dut.event_in.value, dut.clear_masked.value, dut.req_ack.value = 0, 0, 0
    await FallingEdge(dut.clk)
    assert int(dut.pending.value) == model.pending, f"pending {int(dut.pending.value):#x} != {model.pending:#x}"


async def idle(dut) -> None:
    dut.event_in.value = 0
    dut.mask.value = 0
    dut.mask_next.value = 0
    dut.clear_masked.value = 0
    dut.req_ack.value = 0


@cocotb.test()
async def masked_event_sets_pending_and_unmask_sends_one(dut) -> None:
    """PCIe 6.1.4: while masked the function sends nothing and sets Pending; unmask sends one."""
    n = len(dut.pending)
    await idle(dut)
    await start(dut)
    m = Model(n)
    await step(dut, m, event=1, mask=1, clear=0, ack=0)
    for _ in range(3):
        await step(dut, m, event=1, mask=1, clear=0, ack=1)      # more events while masked collapse
    assert int(dut.pending.value) & 1 and not int(dut.req_valid.value)
    await step(dut, m, event=0, mask=0, clear=0, ack=1)          # unmask: one message, pending cleared
    assert int(dut.pending.value) & 1 == 0
    await step(dut, m, event=0, mask=0, clear=0, ack=1)
    assert not int(dut.req_valid.value)


@cocotb.test()
async def serviced_while_masked_clears_pending(dut) -> None:
    """PCIe 6.1.4: if software services the events while masked, Pending is cleared, nothing is sent."""
    n = len(dut.pending)
    await idle(dut)
    await start(dut)
    m = Model(n)
    await step(dut, m, event=2 if n > 1 else 1, mask=(1 << n) - 1, clear=0, ack=0)
    await step(dut, m, event=0, mask=(1 << n) - 1, clear=(1 << n) - 1, ack=0)
    assert int(dut.pending.value) == 0
    await step(dut, m, event=0, mask=0, clear=0, ack=1)
    assert not int(dut.req_valid.value)


@cocotb.test()
async def random_traffic_matches_model_with_resets(dut) -> None:
    n = len(dut.pending)
    rng = stream(int(cocotb.RANDOM_SEED), "msi_vector_ctrl")
    await idle(dut)
    await start(dut)
    m = Model(n)
    full = (1 << n) - 1
    mask = 0
    for cycle in range(3000):
        if cycle % 1000 == 999:                     # reset in the middle of traffic
            dut.rst.value = 1
            await ClockCycles(dut.clk, 2)
            dut.rst.value = 0
            m = Model(n)
            await FallingEdge(dut.clk)
            assert int(dut.pending.value) == 0
        mask_next = rng.getrandbits(n) if rng.random() < 0.05 else mask
        event = rng.getrandbits(n) & (full if rng.random() < 0.3 else 0)
        clear = rng.getrandbits(n) if rng.random() < 0.1 else 0
        await step(dut, m, event, mask, clear, int(rng.random() < 0.6), mask_next)
        mask = mask_next
