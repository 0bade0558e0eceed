"""A device's register map as the host model uses it: offsets, access kinds, register arrays and
fields packed by name, built from the data the register generator (irqloop/regs_gen.py) makes of a
SystemRDL file.

irqloop's own map is :data:`irqloop.hostmodel.regs.REG`; a user's device gets its own
:class:`RegisterMap` from its RDL through :func:`irqloop.device.register_map`. Nothing here knows
either device.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class Field:
    """One field of a register: bits [lsb + width - 1 : lsb]."""
    name: str
    lsb: int
    width: int
    access: str          # RO, RW, W1C (uvm_reg_field policy names)
    reset: int           # reset value (of element 0 of an array; element i adds i * reset_step)
    reset_step: int
    volatile: bool       # hardware changes it
    doc: str

    @property
    def mask(self) -> int:
        """The field's bits in place in the register (the C header's ``_bm``)."""
        return ((1 << self.width) - 1) << self.lsb

    @property
    def max(self) -> int:
        return (1 << self.width) - 1


class RegisterMap:
    """Register offsets (``REG.PROD_IDX``), access kinds and bit positions (``REG.bit("CAUSE_DATA")``),
    register arrays (``REG.array("CQ", q, "HEAD")``: the head doorbell of completion queue q) and
    fields packed by name (``REG.pack("IV_COAL", THR=3, TIME=1)``)."""

    def __init__(self, registers: Mapping[str, Any], arrays: Mapping[str, Any], bit_names: Mapping[str, int],
                 constants: Mapping[str, int]) -> None:
        self.offsets: dict[str, int] = {}
        self.access: dict[str, str] = {}
        self.doc: dict[str, str] = {}
        self.bits: dict[str, int] = dict(bit_names)
        self.consts: dict[str, int] = dict(constants)
        self.blocks: dict[str, dict[str, int]] = {}          # array -> {"BLOCK": addr, "STRIDE": n, "COUNT": n}
        self.array_regs: dict[str, dict[str, tuple[int, str, str]]] = {}   # array -> name -> (offset, access, doc)
        #: register name (CTRL, CQ_IV) -> field name -> Field, fields in bit order
        self.fields: dict[str, dict[str, Field]] = {}
        for name, r in registers.items():
            if r["offset"] in self.offsets.values():
                raise ValueError(f"register {name} reuses offset {r['offset']:#x}")
            self.offsets[name], self.access[name], self.doc[name] = r["offset"], r["access"], r["doc"]
            self._add_fields(name, r["fields"])
        for arr, a in arrays.items():
            self.blocks[arr] = {"BLOCK": a["block"], "STRIDE": a["stride"], "COUNT": a["count"]}
            self.array_regs[arr] = {}
            for name, r in a["registers"].items():
                if r["offset"] >= a["stride"]:
                    raise ValueError(f"register {arr}_{name} at {r['offset']:#x} lies outside its {a['stride']:#x}-byte element")
                self.array_regs[arr][name] = (r["offset"], r["access"], r["doc"])
                self._add_fields(f"{arr}_{name}", r["fields"])
        if not self.offsets:
            raise ValueError("no register definitions found")

    def offset(self, name: str) -> int:
        """Register ``name``'s offset; KeyError naming the map's registers if it has none."""
        try:
            return self.offsets[name]
        except KeyError:
            raise KeyError(f"the device's map has no register {name!r}; registers: {', '.join(self.offsets)}") from None

    def _add_fields(self, reg: str, fields: Mapping[str, Any]) -> None:
        if reg in self.fields:
            raise ValueError(f"register name {reg} is used twice")
        made = {n: Field(n, f["lsb"], f["width"], f["access"], f["reset"], f["reset_step"], f["volatile"], f["doc"])
                for n, f in fields.items()}
        taken = 0
        for f in made.values():
            if f.mask & taken or f.lsb + f.width > 32:
                raise ValueError(f"register {reg}: field {f.name} overlaps another field or leaves the 32 bits")
            taken |= f.mask
        self.fields[reg] = dict(sorted(made.items(), key=lambda kv: kv[1].lsb))

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

    # ---- fields by name ----
    def field(self, reg: str, name: str) -> Field:
        """``REG.field("IV_COAL", "TIME")``: position, width, access and reset of one field."""
        fields = self._fields_of(reg)
        try:
            return fields[name]
        except KeyError:
            raise KeyError(f"register {reg} has no field {name!r}; fields: {', '.join(fields)}") from None

    def pack(self, reg: str, **values: int) -> int:
        """The register value with the named fields set and every other bit 0:
        ``REG.pack("IV_COAL", THR=thr - 1, TIME=units)``. A value wider than its field is refused."""
        word = 0
        for name, v in values.items():
            f = self.field(reg, name)
            if not 0 <= int(v) <= f.max:
                raise ValueError(f"{reg}.{name} = {v} does not fit its {f.width} bits")
            word |= int(v) << f.lsb
        return word

    def unpack(self, reg: str, value: int) -> dict[str, int]:
        """Each field's value in ``value`` (bits outside the fields are dropped)."""
        return {n: value >> f.lsb & f.max for n, f in self._fields_of(reg).items()}

    def implemented(self, reg: str) -> int:
        """The bits of ``reg`` its fields cover: what a written 1 can come back as."""
        return sum(f.mask for f in self._fields_of(reg).values())

    def reset(self, reg: str, index: int = 0) -> int:
        """The value ``reg`` (element ``index`` of its array) has after reset."""
        return sum((f.reset + index * f.reset_step) << f.lsb for f in self._fields_of(reg).values())

    def _fields_of(self, reg: str) -> dict[str, Field]:
        try:
            return self.fields[reg]
        except KeyError:
            raise KeyError(f"no register {reg!r} (array registers are named like CQ_IV, IV_COAL)") from None
