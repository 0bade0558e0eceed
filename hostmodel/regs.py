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


class RegisterMap:
    """Register offsets (``REG.PROD_IDX``), access kinds and bit positions (``REG.bit("CAUSE_DATA")``)."""

    def __init__(self, path: Path = REGS_VH) -> None:
        self.offsets: dict[str, int] = {}
        self.access: dict[str, str] = {}
        self.doc: dict[str, str] = {}
        self.bits: dict[str, int] = {}
        self.consts: dict[str, int] = {}
        for lineno, line in enumerate(path.read_text().splitlines(), 1):
            if m := _REG_RE.search(line):
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

    def __getattr__(self, name: str) -> int:
        try:
            return self.__dict__["offsets"][name]
        except KeyError:
            raise AttributeError(f"no register {name!r}") from None

    def bit(self, name: str) -> int:
        return self.bits[name]

    def mask(self, *names: str) -> int:
        return sum(1 << self.bits[n] for n in names)


REG = RegisterMap()
