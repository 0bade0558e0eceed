"""The device register map, read from the RTL header ``rtl/irqloop_regs.vh``.

The header is the only place the map is written down; this module parses it so the Python
side can never drift from the RTL.
"""

from __future__ import annotations

import re
from pathlib import Path

REGS_VH = Path(__file__).resolve().parent.parent / "rtl" / "irqloop_regs.vh"

_REG_RE = re.compile(r"localparam\s+\[11:0\]\s+REG_(\w+)\s*=\s*12'h([0-9A-Fa-f]+);\s*//\s*(\w+)\s+(.*)")
_INT_RE = re.compile(r"localparam\s+integer\s+(\w+)\s*=\s*(\d+);")
_HEX_RE = re.compile(r"localparam\s+\[\d+:0\]\s+(DEVICE_\w+)\s*=\s*\d+'h([0-9A-Fa-f_]+);")
_BLOCK_RE = re.compile(r"localparam\s+\[11:0\]\s+(\w+)_(BLOCK|STRIDE)\s*=\s*12'h([0-9A-Fa-f]+);")
_AREG_RE = re.compile(r"localparam\s+\[7:0\]\s+([A-Z]+?)R_(\w+)\s*=\s*8'h([0-9A-Fa-f]+);\s*//\s*(\w+)\s+(.*)")


class RegisterMap:
    """Register offsets (``REG.PROD_IDX``), access kinds and bit positions (``REG.bit("CAUSE_DATA")``),
    and register arrays (``REG.array("CQ", q, "HEAD")``: the head doorbell of completion queue q)."""

    def __init__(self, path: Path = REGS_VH) -> None:
        self.offsets: dict[str, int] = {}
        self.access: dict[str, str] = {}
        self.doc: dict[str, str] = {}
        self.bits: dict[str, int] = {}
        self.consts: dict[str, int] = {}
        self.blocks: dict[str, dict[str, int]] = {}          # array -> {"BLOCK": addr, "STRIDE": n}
        self.array_regs: dict[str, dict[str, tuple[int, str, str]]] = {}   # array -> name -> (offset, access, doc)
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if m := _BLOCK_RE.search(line):
                self.blocks.setdefault(m.group(1), {})[m.group(2)] = int(m.group(3), 16)
            elif m := _AREG_RE.search(line):
                self.array_regs.setdefault(m.group(1), {})[m.group(2)] = (int(m.group(3), 16), m.group(4),
                                                                          m.group(5).strip())
            elif m := _REG_RE.search(line):
                name, addr, acc, doc = m.group(1), int(m.group(2), 16), m.group(3), m.group(4)
                if addr in self.offsets.values():
                    raise ValueError(f"{path}:{lineno}: register {name} reuses offset {addr:#x}")
                self.offsets[name], self.access[name], self.doc[name] = addr, acc, doc.strip()
            elif m := _INT_RE.search(line):
                self.bits[m.group(1)] = int(m.group(2))
            elif m := _HEX_RE.search(line):
                self.consts[m.group(1)] = int(m.group(2).replace("_", ""), 16)
        if not self.offsets:
            raise ValueError(f"{path}: no register definitions found")
        for arr in self.array_regs:
            if set(self.blocks.get(arr, {})) != {"BLOCK", "STRIDE"}:
                raise ValueError(f"{path}: register array {arr} has no {arr}_BLOCK / {arr}_STRIDE")

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["offsets"][name]
        except KeyError:
            raise AttributeError(f"no register {name!r}") from None

    def array(self, arr: str, index: int, name: str) -> int:
        """Address of register ``name`` of element ``index`` of array ``arr`` (CQ, VT, PBA, IV)."""
        try:
            off = self.array_regs[arr][name][0]
        except KeyError:
            raise AttributeError(f"no register {name!r} in array {arr!r}; arrays: "
                                 f"{', '.join(f'{a}: {sorted(r)}' for a, r in self.array_regs.items())}") from None
        return self.blocks[arr]["BLOCK"] + index * self.blocks[arr]["STRIDE"] + off

    def bit(self, name: str) -> int:
        return self.bits[name]

    def mask(self, *names: str) -> int:
        return sum(1 << self.bits[n] for n in names)


REG = RegisterMap()
