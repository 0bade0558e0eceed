"""The device register map, from the one description ``regs/irqloop.rdl``.

``make regs`` compiles the SystemRDL into ``hostmodel/regs_map.py`` (data), the RTL header, the
C header and the documentation; this module gives that data the API the host model, the
testbench and the scenarios use:

- ``REG.PROD_IDX``: a register's offset; ``REG.array("CQ", q, "HEAD")``: an array element's;
- ``REG.access["INT_CAUSE"]`` (RO, RW, W1C), ``REG.bit("CAUSE_DATA")``, ``REG.consts["DEVICE_ID"]``;
- fields by name: ``REG.pack("CQ_IV", VECTOR=v, IEN=1)``, ``REG.unpack("IV_COAL", value)``,
  ``REG.field("IV_COAL", "TIME")``. Array registers are named ``<array>_<register>`` (CQ_IV,
  VT_ADDR_LO, PBA_BITS, IV_COAL), as a driver writer would name them.
"""

from __future__ import annotations

from irqloop.hostmodel import regs_map
from irqloop.hostmodel.regmap import Field, RegisterMap

__all__ = ["Field", "REG", "RegisterMap"]

REG = RegisterMap(regs_map.REGISTERS, regs_map.ARRAYS, regs_map.BIT_NAMES, regs_map.CONSTANTS)
