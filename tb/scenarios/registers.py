"""`registers`: the register map through the register model, on the real AXI4-Lite bus.

The one scenario that drives the CSR agent itself: every access is a pyuvm register-model
``read()`` / ``write()`` that goes through the adapter, the agent's sequencer and driver and the
RTL AXI4-Lite master, and that the monitor and predictor see coming back. After reset:

- identity: ID reads the device id, VERSION the version, CAPS the queue and vector counts;
- read-only registers ignore writes (ID, VERSION and CAPS are written all-ones and read back);
- every read/write register without side effects keeps what is written, within the bits it
  implements: all-ones reads back its implemented bits, zero reads back zero, and a seeded
  random value reads back masked by those bits; for the registers whose fields leave bits out
  (address and base alignment, IVR widths, the stream's two enables) the implemented bits must be
  exactly those of the fields (regs/irqloop.rdl);
- a queue's mapping-table row (CQR_IV) takes a vector below the vector count with IEN, and
  refuses a vector at or above it: the row keeps its old value (cq_csr.v);
- after the last write of 0 the register model's mirror holds 0: the predictor followed the
  accesses the monitor saw on the bus;
- mask and pending (PCIe 6.1.4, MSI-X): a completion on a queue whose vector is masked sets the
  vector's Pending Bit and sends nothing; unmasking sends the message (the MSI monitor sees it)
  and clears the bit.
Registers whose write starts something (CTRL, TG_CTRL, a queue's SIZE and head doorbell,
CONS_IDX, INT_CAUSE) are left to the scenarios that exercise their effects.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from irqloop.hostmodel.regs import REG
from irqloop.tb.choices import NO_CHOICES, Choices
from irqloop.tb.plans import RegistersPlan
from irqloop.tb.scenarios.base import Scenario, register
from irqloop.tb.scenarios.params import Check, Param

#: writes with side effects (starting the stream or generator, re-creating a queue, doorbells)
SIDE_EFFECTS = {"CTRL", "TG_CTRL", "CONS_IDX", "INT_CAUSE", "MSI_MASK", "DMA_CQ"}
SIDE_EFFECT_ARRAY = {"SIZE", "HEAD", "CTRL", "IV"}   # CQ SIZE / HEAD; VT CTRL aliases MSI_MASK; IV below
#: registers whose bits read back are checked against their fields (element 0 stands for its
#: array). The fields give the bits; the list of names stays as the first version of this check
#: had it so that reports compare byte for byte across the move to SystemRDL. CQ TG_BURST and
#: MSIX_CTRL also leave bits out and could join (the report's check line would then change).
FIELD_CHECKED = ("MSI_ADDR_LO", "INT_ENABLE", "CQ0_BASE_LO", "VT0_ADDR_LO", "IV0_COAL", "IV0_RATE")


def implemented_bits(name: str) -> int:
    """The bits a register's fields cover, by its name in the register model (CQ0_BASE_LO)."""
    m = re.fullmatch(r"([A-Z]+)\d+_(\w+)", name)
    return REG.implemented(f"{m[1]}_{m[2]}" if m and m[1] in REG.array_regs else name)


@register
class RegistersScenario(Scenario):
    name = "registers"
    question = ("Does every register behave as the map says when driven through the register model on the "
                "AXI4-Lite bus (identity, read-only, implemented bits, mirror)?")
    spec = [Param("values", 3, "seeded random values written to each read/write register", int, lo=1, hi=100)]
    plan_type = RegistersPlan
    num_cq = 32
    uses_csr_agent = True

    def prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                choices: Choices = NO_CHOICES) -> RegistersPlan:
        return RegistersPlan(values, "every register as the map says")

    def checks(self, plan: RegistersPlan, obs: dict[str, Any]) -> list[Check]:
        ident, caps, pend = obs["ident"], REG.unpack("CAPS", obs["ident"]["CAPS"]), obs["pending"]
        vectors = self.num_cq + REG.bit("VEC_CQ0")
        masks = {k: int(v, 16) for k, v in obs["masks"].items()}
        documented = {k: implemented_bits(k) for k in FIELD_CHECKED if k in masks}
        wrong_doc = {k: f"{masks[k]:#x} (documented {v:#x})" for k, v in documented.items() if masks[k] != v}
        return [
            ("ID and VERSION identify the device", ident["ID"] == REG.consts["DEVICE_ID"]
             and REG.unpack("VERSION", ident["VERSION"])["VERSION"] == REG.consts["DEVICE_VERSION"], f"ID={ident['ID']:#010x} VERSION={ident['VERSION']:#010x}"),
            ("CAPS gives the queue and vector counts", caps["QUEUES"] == self.num_cq and caps["VECTORS"] == vectors,
             f"CAPS={ident['CAPS']:#x}: {caps['QUEUES']} queues, {caps['VECTORS']} vectors (build: {self.num_cq}, {vectors})"),
            ("read-only registers ignore writes", obs["ro_after_write"] == ident,
             f"after writing all-ones: {obs['ro_after_write']}"),
            ("every plain read/write register keeps its implemented bits", not obs["problems"],
             f"{obs['rw_registers']} registers, {plan.values['values']} random values each"
             + (f"; {len(obs['problems'])} problems, first: {obs['problems'][0]}" if obs["problems"] else "")),
            ("mapping-table rows take valid vectors and refuse invalid ones", not obs["iv_problems"],
             f"{self.num_cq} rows" + (f"; first problem: {obs['iv_problems'][0]}" if obs["iv_problems"] else "")),
            ("a masked vector holds its message pending; unmasking sends it and clears the bit",
             pend["entries"] == 1 and pend["pba_while_masked"] >> pend["vector"] & 1 == 1
             and pend["messages_while_masked"] == 0 and pend["messages_after_unmask"] == 1
             and pend["pba_after_unmask"] >> pend["vector"] & 1 == 0,
             f"vector {pend['vector']}: PBA {pend['pba_while_masked']:#x} and {pend['messages_while_masked']} messages "
             f"while masked; unmasked at {pend['unmask_ps'] / 1e6:.3f} us: {pend['messages_after_unmask']} message, "
             f"PBA {pend['pba_after_unmask']:#x}; CNT_CQ_ENTRY={pend['entries']}"),
            ("documented bit widths are the implemented ones", not wrong_doc and len(documented) >= 5,
             f"checked {sorted(documented)}" + (f"; differ: {wrong_doc}" if wrong_doc else "")),
        ]

    def describe(self, plan: RegistersPlan, r: dict[str, Any]) -> list[str]:
        obs = r["observed"]
        masks = obs["masks"]
        distinct: dict[str, list[str]] = {}
        for k, v in masks.items():
            distinct.setdefault(f"{obs['kinds'][k]}={v}", []).append(k)
        lines = [f"register model: {len(masks)} read/write registers driven through the RAL, "
                 f"{obs['bus_accesses']} AXI4-Lite accesses",
                 "implemented bits (register=mask: instances):"]
        for key, names in sorted(distinct.items()):
            lines.append(f"  {key:<28} {len(names)}" + (f" ({names[0]})" if len(names) == 1 else ""))
        return lines
