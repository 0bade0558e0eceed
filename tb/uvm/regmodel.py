"""The device's register model (pyuvm RAL), built from the one description of the map.

``regs/irqloop.rdl`` is the only place the register map is written; ``make regs`` generates the
RTL header and ``hostmodel/regs_map.py`` from it, and this module turns the latter (through
``hostmodel.regs``) into a ``uvm_reg_block``: one ``uvm_reg`` per register (array elements named
``CQ3_HEAD``, ``VT5_DATA``, ``IV2_COAL``, ``PBA0_BITS``) with one ``uvm_reg_field`` per field of
the description (its position, access and reset value), and one address map on the CSR bus.
Nothing here repeats an offset or a field.
"""

from __future__ import annotations

from typing import Any, Iterable, Optional

from pyuvm import uvm_endianness_e, uvm_reg, uvm_reg_block, uvm_reg_field, uvm_reg_map

from irqloop.hostmodel.regs import REG, Field, RegisterMap

#: register access kinds of the description (a register's map rights are RO or RW)
_ACCESS = {"RW", "RO", "W1C"}


class IrqloopRegField(uvm_reg_field):
    """A field that works out its access in a map once per (map, policy): the predictor asks on
    every monitored access, and pyuvm derives it each time from the register's rights in the map,
    which are fixed once the model is locked."""

    def get_access(self, map: Optional[uvm_reg_map] = None) -> Any:
        key = (map, self._access)
        cache: dict[tuple[Any, Any], Any] = self.__dict__.setdefault("_access_in_map", {})
        if key not in cache:
            cache[key] = super().get_access(map)
        return cache[key]


def array_sizes(num_cq: int) -> dict[str, int]:
    """Elements of each register array in a device built with ``num_cq`` queues."""
    vectors = num_cq + REG.bit("VEC_CQ0")
    return {"CQ": num_cq, "VT": vectors, "IV": vectors, "PBA": (vectors + 31) // 32}


class IrqloopRegBlock(uvm_reg_block):
    """``block.reg("CTRL")``, ``block.reg("CQ", 3, "HEAD")``; ``block.by_offset[addr]``."""

    def __init__(self, name: str = "irqloop_regs", num_cq: int = 32, regs: RegisterMap = REG) -> None:
        super().__init__(name)
        self.num_cq = num_cq
        self.map = self.create_map("csr_map", 0, 4, uvm_endianness_e.UVM_LITTLE_ENDIAN)
        self.set_default_map(self.map)
        self.by_offset: dict[int, uvm_reg] = {}
        self.by_name: dict[str, uvm_reg] = {}      # (uvm_reg_block.get_reg_by_name is a linear search)
        #: offset -> (array, index, register) for the elements of register arrays ("CQ", 3, "HEAD")
        self.elements: dict[int, tuple[str, int, str]] = {}
        self.access: dict[str, str] = {}
        for name_, offset in regs.offsets.items():
            self._add(name_, offset, regs.access[name_], regs.fields[name_].values(), 0)
        for arr, count in array_sizes(num_cq).items():
            for i in range(count):
                for rname, (_off, acc, _doc) in regs.array_regs[arr].items():
                    offset = regs.array(arr, i, rname)
                    self._add(f"{arr}{i}_{rname}", offset, acc, regs.fields[f"{arr}_{rname}"].values(), i)
                    self.elements[offset] = (arr, i, rname)
        self.lock_model()
        for r in self.by_offset.values():      # what was asked before the map was complete is not kept
            for f in r.get_fields():
                f.__dict__.pop("_access_in_map", None)

    def _add(self, name: str, offset: int, access: str, fields: Iterable[Field], index: int) -> None:
        if access not in _ACCESS:
            raise ValueError(f"register {name}: access {access!r} is not one of {sorted(_ACCESS)}")
        r = uvm_reg(name, 32)
        for fd in fields:
            f = IrqloopRegField(fd.name)
            # volatile: hardware changes it, so the mirror is not compared on a read
            f.configure(r, fd.width, fd.lsb, fd.access, fd.volatile, fd.reset + index * fd.reset_step, True, False, False)
        r.configure(self)
        self.map.add_reg(r, offset, "RO" if access == "RO" else "RW")
        self.by_offset[offset] = r
        self.by_name[name] = r
        self.access[name] = access

    def reg(self, name: str, index: int | None = None, field: str | None = None) -> uvm_reg:
        key = name if index is None else f"{name}{index}_{field}"
        try:
            return self.by_name[key]
        except KeyError:
            raise KeyError(f"no register {key!r} in the model") from None

    def name_of(self, offset: int) -> str:
        r = self.by_offset.get(offset)
        return r.get_name() if r is not None else f"unmapped@{offset:#05x}"
