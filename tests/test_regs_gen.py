"""The register map's one source (regs/irqloop.rdl) and what is generated from it: the committed
files are a fresh generation, the C header compiles and has the map's numbers, the RTL header keeps
the names the RTL uses, and fields pack by name to the values worked out by hand."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from irqloop import regs_gen
from irqloop.hostmodel.regs import REG

ROOT = Path(__file__).resolve().parent.parent


def test_generated_files_are_not_stale() -> None:
    """Regenerate into a temporary directory and compare byte for byte with the committed files."""
    bad = regs_gen.stale()
    assert not bad, f"stale generated files (run make regs): {', '.join(bad)}"


def test_the_staleness_check_sees_an_edit(tmp_path: Path) -> None:
    for rel in [regs_gen.RDL, *regs_gen.OUTPUTS.values()]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, tmp_path / rel)
    assert regs_gen.stale(tmp_path) == []
    vh = tmp_path / regs_gen.OUTPUTS["vh"]
    vh.write_text(vh.read_text().replace("12'h024", "12'h028", 1))
    assert regs_gen.stale(tmp_path) == ["rtl/irqloop_regs.vh"]


def test_c_header_compiles_and_has_the_map(tmp_path: Path) -> None:
    # gcc is one of the build's system packages (irqloop/toolchain.py BUILD_NEEDS): missing, the test fails
    exe = tmp_path / "test_regs_header"
    r = subprocess.run(["gcc", "-Wall", "-Werror", "-std=c11", f"-I{ROOT / 'include'}",
                        str(ROOT / "tests" / "c" / "test_regs_header.c"), "-o", str(exe)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert subprocess.run([str(exe)]).returncode == 0


# the localparams the RTL and older code use, with the values they have always had
RTL_NAMES = {"REG_CTRL": 0x008, "REG_INT_CAUSE": 0x02C, "REG_MSIX_CTRL": 0x068, "REG_CNT_COAL_TIME": 0x0A0,
             "CQ_BLOCK": 0x400, "CQ_STRIDE": 0x20, "CQR_IV": 0x14, "VT_BLOCK": 0x800, "VTR_CTRL": 0x0C,
             "PBA_BLOCK": 0xC00, "PBA_STRIDE": 4, "PBAR_BITS": 0, "IV_BLOCK": 0xE00, "IV_STRIDE": 8, "IVR_RATE": 4,
             "DEVICE_ID": 0x49524C50, "DEVICE_VERSION": 1, "CTRL_ENABLE": 0, "CTRL_FLOWCTL": 1, "ST_RUNNING": 0,
             "ST_CFG_ERROR": 1, "ST_OVERRUN": 2, "ST_STALLED": 3, "ST_BUS_ERROR": 4, "ST_DONE": 5, "CAUSE_DATA": 0,
             "CAUSE_OVERRUN": 1, "CAUSE_CFGERR": 2, "CAUSE_DBERR": 3, "MSIX_ENABLE": 0, "MSIX_FUNC_MASK": 1,
             "DMA_CQ_EN": 8, "CQ_IEN": 16, "COAL_CD": 16, "COAL_DB_RESTART": 17, "VEC_CQ0": 2, "VEC_DATA": 0,
             "VEC_ERROR": 1}


def test_rtl_header_keeps_the_names_the_rtl_uses() -> None:
    text = (ROOT / "rtl" / "irqloop_regs.vh").read_text()
    found = {m[0]: int(m[1].split("'h")[1], 16) if "'h" in m[1] else int(m[1])
             for m in re.findall(r"localparam (?:\[\d+:0\]|integer)\s+(\w+)\s*=\s*(\d+'h[0-9A-F]+|\d+);", text)}
    assert {n: found.get(n) for n in RTL_NAMES} == RTL_NAMES
    assert {n: REG.bits[n] for n in REG.bits} == {n: RTL_NAMES[n] for n in REG.bits}


def test_pack_and_unpack_fields_by_name() -> None:
    assert REG.pack("CQ_IV", VECTOR=5, IEN=1) == 0x1_0005
    assert REG.pack("IV_COAL", THR=3, TIME=2) == 0x0203                    # 4 events or 2 units of 100 us
    assert REG.pack("IV_COAL", THR=3, TIME=1, CD=1) == 0x1_0103
    assert REG.pack("IV_COAL", THR=7, TIME=1, DB_RESTART=1) == 0x2_0107
    assert REG.pack("DMA_CQ", QUEUE=3, EN=1) == 0x103
    assert REG.pack("CTRL", ENABLE=1, FLOWCTL=1) == 0x3
    assert REG.unpack("IV_COAL", 0x3_0A05) == {"THR": 5, "TIME": 10, "CD": 1, "DB_RESTART": 1}
    assert REG.unpack("CQ_IV", 0xFFFF_FFFF) == {"VECTOR": 63, "IEN": 1}
    assert REG.unpack("DB_ERROR_Q", 0x8000_0007) == {"QUEUE": 7, "VALID": 1}
    f = REG.field("IV_RATE", "CYCLES")
    assert (f.lsb, f.width, f.mask, f.access) == (0, 24, 0xFF_FFFF, "RW")


def test_pack_refuses_what_does_not_fit() -> None:
    with pytest.raises(ValueError, match=r"IV_COAL.THR = 256 does not fit its 8 bits"):
        REG.pack("IV_COAL", THR=256)
    with pytest.raises(KeyError, match="register CQ_IV has no field 'VEC'; fields: VECTOR, IEN"):
        REG.pack("CQ_IV", VEC=1)
    with pytest.raises(KeyError, match="no register 'COAL'"):
        REG.pack("COAL", THR=1)


def test_implemented_bits_and_resets_from_the_fields() -> None:
    """The bits the RTL keeps (rtl/irqloop_csr.v, cq_csr.v, msix_table.v, irq_moderation.v) and
    the values it resets them to."""
    assert {r: REG.implemented(r) for r in ("MSI_ADDR_LO", "INT_ENABLE", "CQ_BASE_LO", "VT_ADDR_LO", "IV_COAL",
                                             "IV_RATE", "CQ_TG_BURST", "MSIX_CTRL", "CHUNK_PERIOD")} == {
        "MSI_ADDR_LO": 0xFFFF_FFFC, "INT_ENABLE": 0x3, "CQ_BASE_LO": 0xFFFF_FFF0, "VT_ADDR_LO": 0xFFFF_FFFC,
        "IV_COAL": 0x3_FFFF, "IV_RATE": 0xFF_FFFF, "CQ_TG_BURST": 0xFFFF, "MSIX_CTRL": 0x3, "CHUNK_PERIOD": 0xFFFF_FFFF}
    assert REG.reset("ID") == 0x49524C50 and REG.reset("OVERRUN_SEQ") == 0xFFFF_FFFF
    assert [REG.reset("CQ_IV", q) for q in (0, 1, 31)] == [2, 3, 33]     # queue q's default vector VEC_CQ0 + q
    assert REG.access["INT_CAUSE"] == "W1C" and REG.field("INT_CAUSE", "DBERR").access == "W1C"
