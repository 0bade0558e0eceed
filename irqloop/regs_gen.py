"""`make regs`: compile the register map (regs/irqloop.rdl) and write what is generated from it.

Outputs, all committed (tests/test_regs_gen.py fails while one is stale):

- ``rtl/irqloop_regs.vh``: the localparams the RTL includes (offsets, array blocks and strides,
  bit positions under the names the RTL uses, field LSB/WIDTH);
- ``include/irqloop_regs.h``: the C header for driver writers (PeakRDL-cheader: a struct per
  block, and per field ``_bm`` mask, ``_bp`` bit position, ``_bw`` width, ``_reset``);
- ``hostmodel/regs_map.py``: the map as Python data, read by ``hostmodel/regs.py``;
- ``docs/registers.md``: the register documentation.

    python -m irqloop.regs_gen            write the files into the checkout
    python -m irqloop.regs_gen --out DIR  write them under DIR (same relative paths)
    python -m irqloop.regs_gen --check    exit 1 naming the committed files that differ from a fresh generation
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from systemrdl import RDLCompileError, RDLCompiler
from systemrdl.node import AddrmapNode, FieldNode, RegfileNode, RegNode
from systemrdl.rdltypes import OnWriteType

from irqloop.toolchain import SOURCE

ROOT = SOURCE                   #: the checkout (or the installed package) the outputs belong to
RDL = Path("regs") / "irqloop.rdl"
OUTPUTS = {"vh": Path("rtl") / "irqloop_regs.vh", "c": Path("include") / "irqloop_regs.h",
           "py": Path("hostmodel") / "regs_map.py", "md": Path("docs") / "registers.md"}
BANNER = f"Generated from {RDL.as_posix()} by `make regs` (python -m irqloop.regs_gen); do not edit."


def compile_map(rdl: Path = ROOT / RDL) -> AddrmapNode:
    compiler = RDLCompiler()
    compiler.compile_file(str(rdl))
    return compiler.elaborate().top


# ---- the map as plain data (what hostmodel/regs_map.py holds) ----

def field_access(f: FieldNode) -> str:
    """The UVM access policy of a field: the names pyuvm's uvm_reg_field and driver writers use."""
    if not f.is_sw_writable:
        return "RO"
    if not f.is_sw_readable:
        return "WO"
    if f.get_property("onwrite") == OnWriteType.woclr:
        return "W1C"
    if f.get_property("onwrite") is not None:
        raise ValueError(f"{f.get_path()}: onwrite={f.get_property('onwrite').name} has no access name here")
    return "RW"


def register_access(fields: dict[str, dict[str, Any]]) -> str:
    """One access kind per register, as the map has always named them (RO, RW, W1C)."""
    kinds = {f["access"] for f in fields.values()}
    if "W1C" in kinds:
        return "W1C"
    return "RO" if kinds == {"RO"} else "RW"


def describe_field(f: FieldNode) -> dict[str, Any]:
    reset = f.get_property("reset")
    return {
        "lsb": f.lsb, "width": f.width, "access": field_access(f),
        "reset": reset if isinstance(reset, int) else 0,
        # index i of an array resets to reset + i (the default vector of queue q)
        "reset_step": 1 if f.get_property("reset_adds_index", default=None) is True else 0,
        # hardware changes it: a mirror of it is not to be trusted without a read
        "volatile": bool(f.is_hw_writable or f.get_property("hwset") or f.get_property("hwclr")),
        "doc": f.get_property("desc") or "",
        "lsb_name": f.get_property("lsb_name", default=None) or "",
    }


def describe_register(r: RegNode) -> dict[str, Any]:
    if r.get_property("regwidth") != 32:
        raise ValueError(f"{r.get_path()}: registers on the CSR bus are 32 bits wide")
    fields = {f.inst_name: describe_field(f) for f in r.fields()}
    return {"offset": r.address_offset, "access": register_access(fields), "doc": r.get_property("desc") or "",
            "fields": fields}


def describe(top: AddrmapNode) -> dict[str, Any]:
    registers: dict[str, Any] = {}
    arrays: dict[str, Any] = {}
    bit_names: dict[str, int] = {}
    constants: dict[str, tuple[int, int]] = {}      # name -> (value, width in bits)
    for child in top.children():
        if isinstance(child, RegNode):
            if child.is_array:
                raise ValueError(f"{child.get_path()}: arrays of single registers are not supported; use a regfile")
            registers[child.inst_name] = describe_register(child)
            regs = [child]
        elif isinstance(child, RegfileNode) and child.is_array and len(child.array_dimensions) == 1:
            regs = list(child.registers())
            arrays[child.inst_name] = {
                "block": child.raw_address_offset, "stride": child.array_stride, "count": child.array_dimensions[0],
                "doc": child.get_property("desc") or "",
                "registers": {r.inst_name: describe_register(r) for r in regs}}
        else:
            raise ValueError(f"{child.get_path()}: only registers and one-dimensional regfile arrays are supported")
        for r in regs:
            for f in r.fields():
                if (name := f.get_property("lsb_name", default=None)) is not None:
                    if name in bit_names:
                        raise ValueError(f"{f.get_path()}: lsb_name {name} is already used")
                    bit_names[name] = f.lsb
                if (name := f.get_property("reset_name", default=None)) is not None:
                    constants[name] = (f.get_property("reset"), f.width)
    for arr in arrays:
        for name in arrays[arr]["registers"]:
            if f"{arr}_{name}" in registers:
                raise ValueError(f"array register {arr}_{name} has the name of a register")
    return {"registers": registers, "arrays": arrays, "bit_names": bit_names, "constants": constants}


# ---- rtl/irqloop_regs.vh ----

def _vh_line(decl: str, comment: str = "") -> str:
    return f"{decl:<52} // {comment}" if comment else decl


def _field_text(fields: dict[str, dict[str, Any]]) -> str:
    """'; fields [5:0] VECTOR, [16] IEN': the fields of a register for a one-line comment."""
    if len(fields) == 1 and next(iter(fields.values()))["width"] == 32:
        return ""
    return "; fields " + ", ".join(f"{_bits(f)} {name}" for name, f in fields.items())


def _bits(f: dict[str, Any]) -> str:
    return f"[{f['lsb'] + f['width'] - 1}:{f['lsb']}]" if f["width"] > 1 else f"[{f['lsb']}]"


def _field_params(prefix: str, fields: dict[str, dict[str, Any]]) -> list[str]:
    """<prefix>_<FIELD>_LSB / _WIDTH of the fields narrower than the register (a single bit that has
    a name of its own in BIT_NAMES, e.g. ST_OVERRUN, gets nothing more)."""
    out = []
    for name, f in fields.items():
        if f["width"] == 32 or (f["width"] == 1 and f["lsb_name"]):
            continue
        out.append(f"localparam integer {prefix}_{name}_LSB = {f['lsb']};")
        if f["width"] > 1:
            out.append(f"localparam integer {prefix}_{name}_WIDTH = {f['width']};")
    return out


IRQLOOP_VH_PREAMBLE = (
    f"irqloop device register map. {BANNER}",
    "",
    "REG_<name>: offset of a register. Arrays (one block per completion queue, per vector):",
    "<ARR>_BLOCK + index * <ARR>_STRIDE + <ARR>R_<name>. Single-bit fields keep the names the RTL",
    "has always used (ST_OVERRUN, CAUSE_DATA, VEC_CQ0...); <REG>_<FIELD>_LSB / _WIDTH give the rest.",
    "All registers are 32 bits wide on the AXI4-Lite CSR bus. Registers from 0x400 up (the arrays)",
    "take whole 32-bit writes only: byte strobes are ignored there.")


def render_vh(d: dict[str, Any], preamble: tuple[str, ...] = IRQLOOP_VH_PREAMBLE) -> str:
    """The localparams of a map; ``preamble`` is the header comment (irqloop's own by default; a
    user's device gets its own from :func:`irqloop.device.write_register_header`)."""
    out = [f"// {line}".rstrip() for line in preamble] + ["", "/* verilator lint_off UNUSEDPARAM */", ""]
    for name, r in d["registers"].items():
        out.append(_vh_line(f"localparam [11:0] REG_{name:<17} = 12'h{r['offset']:03X};",
                            f"{r['access']:<3} {r['doc'].rstrip('.')}{_field_text(r['fields'])}"))
    for arr, a in d["arrays"].items():
        out += ["", f"// {a['doc']} Registers at {arr}_BLOCK + index * {arr}_STRIDE + {arr}R_<name>"
                    f" ({a['count']} elements at most)",
                f"localparam [11:0] {arr + '_BLOCK':<21} = 12'h{a['block']:03X};",
                f"localparam [11:0] {arr + '_STRIDE':<21} = 12'h{a['stride']:03X};"]
        for name, r in a["registers"].items():
            out.append(_vh_line(f"localparam [7:0]  {arr + 'R_' + name:<21} = 8'h{r['offset']:02X};",
                                f"{r['access']:<3} {r['doc'].rstrip('.')}{_field_text(r['fields'])}"))
    out += ["", "// constants of the device"]
    for name, (value, width) in d["constants"].items():
        out.append(f"localparam [{width - 1}:0] {name} = {width}'h{value:0{(width + 3) // 4}X};")
    out += ["", "// bit positions under the names the RTL uses"]
    for name, lsb in d["bit_names"].items():
        out.append(f"localparam integer {name} = {lsb};")
    out += ["", "// field positions and widths"]
    for name, r in d["registers"].items():
        out += _field_params(name, r["fields"])
    for arr, a in d["arrays"].items():
        for name, r in a["registers"].items():
            out += _field_params(f"{arr}R_{name}", r["fields"])
    out += ["/* verilator lint_on UNUSEDPARAM */", ""]
    return "\n".join(out)


# ---- hostmodel/regs_map.py ----

def _q(text: str) -> str:
    """A Python string literal in double quotes, as the rest of the code base writes them."""
    return json.dumps(text, ensure_ascii=False)


def _py_register(r: dict[str, Any], indent: str) -> list[str]:
    out = [f"{indent}\"offset\": {r['offset']:#05x}, \"access\": {_q(r['access'])}, \"doc\": {_q(r['doc'])},",
           f"{indent}\"fields\": {{"]
    for name, f in r["fields"].items():
        out.append(f"{indent}    {_q(name)}: {{\"lsb\": {f['lsb']}, \"width\": {f['width']}, \"access\": {_q(f['access'])}, "
                   f"\"reset\": {f['reset']:#x}, \"reset_step\": {f['reset_step']}, \"volatile\": {f['volatile']},")
        out.append(f"{indent}        \"doc\": {_q(f['doc'])}}},")
    out.append(f"{indent}}},")
    return out


def render_py(d: dict[str, Any]) -> str:
    out = [f'"""The irqloop register map as data. {BANNER}',
           "",
           "Read it through ``hostmodel.regs.REG`` (offsets, arrays, fields packed by name).",
           '"""',
           "",
           "from __future__ import annotations",
           "",
           "from typing import Any",
           "",
           "#: name -> offset, access (RO/RW/W1C), doc, fields (name -> lsb, width, access, reset, reset_step, volatile, doc)",
           "REGISTERS: dict[str, dict[str, Any]] = {"]
    for name, r in d["registers"].items():
        out.append(f"    {_q(name)}: {{")
        out += _py_register(r, " " * 8)
        out.append("    },")
    out += ["}", "",
            "#: array -> block, stride, count (elements at most), doc, registers (as REGISTERS, offset within an element)",
            "ARRAYS: dict[str, dict[str, Any]] = {"]
    for arr, a in d["arrays"].items():
        out.append(f"    {_q(arr)}: {{\"block\": {a['block']:#05x}, \"stride\": {a['stride']:#x}, \"count\": {a['count']}, "
                   f"\"doc\": {_q(a['doc'])}, \"registers\": {{")
        for name, r in a["registers"].items():
            out.append(f"        {_q(name)}: {{")
            out += _py_register(r, " " * 12)
            out.append("        },")
        out.append("    }},")
    out += ["}", "",
            "#: bit positions under the names the RTL uses (ST_OVERRUN, CAUSE_DATA, VEC_CQ0, ...)",
            "BIT_NAMES: dict[str, int] = {"]
    out += [f"    {_q(name)}: {lsb}," for name, lsb in d["bit_names"].items()]
    out += ["}", "", "#: named constants of the device (reset values of read-only fields)",
            "CONSTANTS: dict[str, int] = {"]
    out += [f"    {_q(name)}: {value:#x}," for name, (value, _w) in d["constants"].items()]
    out += ["}", ""]
    return "\n".join(out)


# ---- C header and Markdown, by the PeakRDL exporters ----

def write_c_header(top: AddrmapNode, path: Path) -> None:
    from peakrdl_cheader.exporter import CHeaderExporter
    CHeaderExporter().export(top, str(path))
    # the exporter names no source; say where the header comes from, and that it is not edited
    text = path.read_text()
    path.write_text(f"// {BANNER}\n" + text)


def _md_register(title: str, r: dict[str, Any], reset_note: str = "") -> list[str]:
    out = [f"### {title}", "", r["doc"], "",
           "| Bits | Field | Access | Reset | Description |", "|---|---|---|---|---|"]
    for name, f in sorted(r["fields"].items(), key=lambda kv: -kv[1]["lsb"]):
        reset = f"{f['reset']:#x}" + (" + index" if f["reset_step"] else "")
        alias = f" (`{f['lsb_name']}` = {f['lsb']})" if f["lsb_name"] else ""
        out.append(f"| {_bits(f)[1:-1]} | {name} | {f['access']} | {reset} | {f['doc']}{alias} |".replace("  ", " "))
    return out + [""]


def render_md(d: dict[str, Any]) -> str:
    """One table of registers, then each register's fields; an array is shown once, not per element
    (an element-by-element listing of 32 queues and 34 vectors buries the map)."""
    out = ["# irqloop register map", "", f"<!-- {BANNER} -->", "",
           "All registers are 32 bits wide on the AXI4-Lite CSR bus (4 KiB window). Access: RO read-only,",
           "RW read/write, W1C write 1 to clear. Resets are those of the default build (DATA_W = 64,",
           "NUM_CQ = 4, COAL_TICK = 25000) where a value depends on the build. Registers from 0x400 up",
           "(the arrays) take whole 32-bit writes only. For C: `include/irqloop_regs.h`; for Python:",
           "`hostmodel.regs.REG` (`REG.pack(\"CQ_IV\", VECTOR=v, IEN=1)`).", "",
           "| Offset | Register | Access | Description |", "|---|---|---|---|"]
    for name, r in d["registers"].items():
        out.append(f"| {r['offset']:#05x} | [{name}](#{name.lower()}) | {r['access']} | {r['doc']} |")
    for arr, a in d["arrays"].items():
        out.append(f"| {a['block']:#05x} + i * {a['stride']:#x} | [{arr}\\[i\\]](#{arr.lower()}-array) "
                   f"| | {a['doc']} {a['count']} elements at most. |")
    out += ["", "## Registers", ""]
    for name, r in d["registers"].items():
        out += _md_register(name, r)
    for arr, a in d["arrays"].items():
        out += [f"## {arr} array", "", f"{a['doc']} Element i at {a['block']:#05x} + i * {a['stride']:#x} "
                f"({a['count']} elements at most); the register at offset o of element i is at "
                f"{a['block']:#05x} + i * {a['stride']:#x} + o.", "",
                "| Offset | Register | Access | Description |", "|---|---|---|---|"]
        for name, r in a["registers"].items():
            out.append(f"| {r['offset']:#04x} | {arr}_{name} | {r['access']} | {r['doc']} |")
        out.append("")
        for name, r in a["registers"].items():
            out += _md_register(f"{arr}_{name}", r)
    if d["constants"]:
        out += ["## Constants", "", "| Name | Value |", "|---|---|"]
        out += [f"| {n} | {v:#x} |" for n, (v, _w) in d["constants"].items()] + [""]
    return "\n".join(out)


def generate(out: Path, rdl: Path = ROOT / RDL) -> list[Path]:
    """Every output under ``out``, all or none: they are generated into a temporary folder first
    and each replaces its old version by a rename, so a failure leaves the old set as it was."""
    top = compile_map(rdl)
    d = describe(top)
    paths = {k: out / p for k, p in OUTPUTS.items()}
    with tempfile.TemporaryDirectory(dir=out) as tmp:
        staged = {k: Path(tmp) / p.name for k, p in OUTPUTS.items()}
        staged["vh"].write_text(render_vh(d))
        staged["py"].write_text(render_py(d))
        write_c_header(top, staged["c"])
        staged["md"].write_text(render_md(d))
        for k, p in paths.items():
            p.parent.mkdir(parents=True, exist_ok=True)
            staged[k].replace(p)
    return list(paths.values())


def stale(root: Path = ROOT) -> list[str]:
    """The generated files under ``root`` that differ from a fresh generation (missing ones too)."""
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), root / RDL)
        return [p.as_posix() for p in OUTPUTS.values()
                if not (root / p).is_file() or (root / p).read_bytes() != (Path(tmp) / p).read_bytes()]


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    ap = argparse.ArgumentParser(prog=prog or "python -m irqloop.regs_gen", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT, help="directory to write into (default: the checkout)")
    ap.add_argument("--check", action="store_true", help="only compare the committed files with a fresh generation")
    args = ap.parse_args(argv)
    try:
        if args.check:
            if bad := stale():
                print(f"regs: stale generated files (run make regs): {', '.join(bad)}", file=sys.stderr)
                return 1
            print("regs: generated files are up to date")
            return 0
        for p in generate(args.out):
            print(f"regs: wrote {p}")
    except (RDLCompileError, ValueError) as e:
        print(f"regs: error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
