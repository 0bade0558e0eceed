"""irqloop's simulation runner: `make sim TEST=...` and friends call this.

    python -m tb.runner list
    python -m tb.runner sim TEST [--seed N] [--waves none|fst|vcd] [--uvm-test NAME] [name=value ...]
    python -m tb.runner params TEST

Every scenario run gets its own directory, runs/<TEST>/seed<SEED>[-<changed params>]/, holding report.txt,
report.json, the simulator log and, with waves, dump.fst (or dump.vcd). The exit status is 0
only when the observed outcome matches the scenario's declared expectation.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from tb import scenarios, simbuild, toolchain
from tb.scenarios.params import ParamError, describe, parse_overrides

ROOT = toolchain.ROOT
TOPLEVEL = "tb_irqloop"
DEFAULT_UVM_TEST = "ScenarioTest"     #: tb/uvm/tests.py; UVM_TEST= picks another (factory overrides)


def tb_sources() -> list[Path]:
    return [toolchain.TB / "tb_irqloop.v", toolchain.TB / "host_mem_axi.v",
            toolchain.TB / "mmio_axil_master.v", toolchain.TB / "host_activity.v"] + [toolchain.RTL / s for s in toolchain.RTL_SOURCES]


def build(waves: str, num_cq: int = 1) -> Path:
    """Build (or reuse) the end-to-end simulator; one build per waves setting and queue count
    (the streaming scenarios use one queue: the 32-queue device simulates ~3x slower)."""
    params = {"NUM_CQ": num_cq} if num_cq != 1 else {}
    tag = f"{TOPLEVEL}-{waves}" + (f"-cq{num_cq}" if num_cq != 1 else "")
    return simbuild.build(TOPLEVEL, tb_sources(), parameters=params, waves=waves, timing=True, dpi=True,
                          name=tag, public_vlt=toolchain.TB / "tb_irqloop.vlt")


def run_dir_for(test: str, seed: int, values: dict[str, Any], run_root: Path | None = None,
                uvm_test: str = DEFAULT_UVM_TEST) -> Path:
    """runs/<test>/seed<N>[-<name>=<value>...]: parameters that differ from the defaults name the
    directory, so runs with different parameters never overwrite each other's results."""
    defaults = {p.name: p.default for p in scenarios.get(test).spec}
    changed = [f"{k}={values[k]:g}" if isinstance(values[k], float) else f"{k}={values[k]}"
               for k in sorted(values) if values[k] != defaults[k]]
    if uvm_test != DEFAULT_UVM_TEST:
        changed.insert(0, uvm_test)
    suffix = re.sub(r"[^A-Za-z0-9=._-]", "_", "-".join(changed))
    if len(suffix) > 100:
        suffix = suffix[:60] + "-" + hashlib.sha256(suffix.encode()).hexdigest()[:10]
    return (run_root or ROOT / "runs") / test / (f"seed{seed}" + (f"-{suffix}" if suffix else ""))


def uvm_test_class(name: str) -> Any:
    """The pyuvm test class ``name`` (tb/uvm/tests.py), with its factory overrides applied in this
    process, so the plan a scenario prepares here follows them."""
    from tb.uvm import tests as uvm_tests
    try:
        cls = uvm_tests.get_test(name)
    except KeyError as exc:
        raise ParamError(str(exc.args[0])) from None
    cls.apply_overrides()
    return cls


def run_scenario(test: str, seed: int, waves: str, overrides: list[str], run_root: Path | None = None,
                 quiet: bool = False, uvm_test: str = DEFAULT_UVM_TEST) -> int:
    sc = scenarios.get(test)
    values = parse_overrides(sc.spec, overrides)
    cls = uvm_test_class(uvm_test)
    if cls.overrides and not getattr(sc, "takes_overrides", False):
        takers = [n for n in scenarios.names() if getattr(scenarios.get(n), "takes_overrides", False)]
        raise ParamError(f"UVM_TEST={uvm_test} overrides the driver strategy and MSI faults, which scenario {test} "
                         f"fixes itself; use it with: {', '.join(takers)}")
    plan = sc.prepare(values, seed)
    build_dir = build(waves, getattr(sc, "num_cq", 1))

    run_dir = run_dir_for(test, seed, values, run_root, uvm_test)
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    report_path = run_dir / "report.json"
    wave_file = run_dir / f"dump.{waves}"
    env = {"IRQLOOP_TEST": test, "IRQLOOP_PLAN": json.dumps(plan), "IRQLOOP_SEED": str(seed),
           "IRQLOOP_REPORT": str(report_path), "IRQLOOP_WAVES": "0" if waves == "none" else "1",
           "IRQLOOP_UVM_TEST": uvm_test}
    log = run_dir / "sim.log"
    simbuild.run(TOPLEVEL, build_dir, "tb.test_scenario", run_dir, env=env, seed=seed, waves=waves,
                 test_args=["--trace-file", str(wave_file)] if waves != "none" else [], log_file=log)
    if not report_path.exists():
        tail = log.read_text().splitlines()[-40:] if log.exists() else []
        print("\n".join(tail), file=sys.stderr)
        print(f"error: {test} (seed {seed}) produced no report: the simulation failed; log: {log}", file=sys.stderr)
        return 2
    from tb.report import format_report

    report: dict[str, Any] = json.loads(report_path.read_text())
    text = format_report(report)
    (run_dir / "report.txt").write_text(text + "\n")
    if quiet:
        return 0 if report["pass"] else 1
    print(text)
    print(f"\nrun directory: {run_dir.relative_to(ROOT) if run_dir.is_relative_to(ROOT) else run_dir}")
    if waves != "none":
        from tb.gtkw import key_moments, write_view
        view = write_view(run_dir, wave_file, report, getattr(scenarios.get(test), "num_cq", 1))
        print(f"waves: {wave_file}")
        print(f"view:  {view}   (make waves TEST={test} opens it)")
        for letter, (what, t) in zip("ABCDEFGH", key_moments(report)):
            print(f"  marker {letter}: {what} at {t / 1e6:.3f} us")
    if not report["pass"]:
        print(f"reproduce: {repro_command(test, seed, overrides, uvm_test)}")
    return 0 if report["pass"] else 1


def repro_command(test: str, seed: int, overrides: list[str], uvm_test: str = DEFAULT_UVM_TEST) -> str:
    """The one command that reruns a run with waves."""
    uvm = f" UVM_TEST={uvm_test}" if uvm_test != DEFAULT_UVM_TEST else ""
    return f"make sim TEST={test} SEED={seed}{make_params(overrides)}{uvm} WAVES=1"


def make_params(overrides: list[str]) -> str:
    """` PARAMS=...` for a make command line that reproduces ``overrides`` (quoted for the shell)."""
    return f" PARAMS={shlex.quote(shlex.join(overrides))}" if overrides else ""


def _existing_view(test: str, seed: int, overrides: list[str], run_root: Path | None,
                   uvm_test: str = DEFAULT_UVM_TEST) -> Path:
    values = parse_overrides(scenarios.get(test).spec, overrides)
    run_dir = run_dir_for(test, seed, values, run_root, uvm_test)
    view = run_dir / "view.gtkw"
    if not view.exists():
        raise ParamError(f"no waveform for {test} seed {seed} in {run_dir}; "
                         f"run: {repro_command(test, seed, overrides, uvm_test)}")
    return view


def open_waves(view: Path) -> int:
    if shutil.which("gtkwave") is None:
        raise ParamError("gtkwave not found; install it with: sudo apt-get install gtkwave")
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise ParamError(f"no display to open GTKWave on; open {view} on a machine with one, "
                         f"or render it with make wave-png")
    return subprocess.call(["gtkwave", view.name], cwd=view.parent)


def wave_png(view: Path, report: dict[str, Any]) -> Path:
    """Render the view to view.png with GTKWave under Xvfb, zoomed on the key moments."""
    from tb.gtkw import key_moments

    for tool, pkg in (("gtkwave", "gtkwave"), ("xvfb-run", "xvfb xauth")):
        if shutil.which(tool) is None:
            raise ParamError(f"{tool} not found; install it with: sudo apt-get install {pkg}")
    times = [t for _, t in key_moments(report)] or [0, report["observed"]["end_ps"]]
    span = max(times) - min(times) or report["observed"]["end_ps"]
    start, end = max(0, min(times) - span // 4), max(times) + span // 4
    png = view.with_name("view.png")
    script = view.with_name("render.tcl")
    script.write_text(f"gtkwave::setZoomRangeTimes {start} {end}\n"
                      f"gtkwave::/File/Grab_To_File {png}\ngtkwave::/File/Quit\n")
    r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1200x24", "gtkwave", "-S", str(script), view.name],
                       cwd=view.parent, capture_output=True, text=True, timeout=120)
    if r.returncode != 0 or not png.exists():
        raise SystemExit(f"error: GTKWave could not render {view}: {(r.stderr or r.stdout).strip()[-300:]}")
    return png


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.runner", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the scenarios")
    pp = sub.add_parser("params", help="list a scenario's parameters")
    pp.add_argument("test")
    sp = sub.add_parser("sim", help="run a scenario")
    sp.add_argument("test")
    sp.add_argument("--seed", default="1")
    sp.add_argument("--waves", default="none")
    sp.add_argument("--runs", default=None, help="results root (default: runs/)")
    sp.add_argument("--uvm-test", default="", help=f"pyuvm test class (default {DEFAULT_UVM_TEST})")
    sp.add_argument("params", nargs="*", help="name=value overrides")
    sub.add_parser("build", help="build the simulator")
    for cmd in ("waves", "wave-png"):
        wp = sub.add_parser(cmd, help="open the last waveform of a run" if cmd == "waves" else "render it to PNG")
        wp.add_argument("test")
        wp.add_argument("params", nargs="*")
        wp.add_argument("--seed", default="1")
        wp.add_argument("--runs", default=None)
        wp.add_argument("--uvm-test", default="")
    a = ap.parse_args(argv)
    if hasattr(a, "params"):       # make passes PARAMS in the environment (see Makefile)
        try:
            a.params = shlex.split(os.environ.get("IRQLOOP_PARAMS", "")) + a.params
        except ValueError as e:
            print(f"error: PARAMS={os.environ.get('IRQLOOP_PARAMS', '')!r} cannot be split: {e}", file=sys.stderr)
            return 2
    try:
        if a.cmd == "list":
            for n in scenarios.names():
                print(f"{n:<20} {scenarios.get(n).question}")
            return 0
        if a.cmd == "params":
            print(describe(scenarios.get(a.test).spec))
            return 0
        if a.cmd == "build":
            build("none")
            return 0
        if a.cmd in ("waves", "wave-png"):
            if not a.seed.isdigit():
                raise ParamError(f"SEED={a.seed!r} is not valid; use an integer in 0..4294967295")
            view = _existing_view(a.test, int(a.seed), a.params, Path(a.runs).resolve() if a.runs else None,
                                  a.uvm_test or DEFAULT_UVM_TEST)
            if a.cmd == "waves":
                return open_waves(view)
            png = wave_png(view, json.loads(view.with_name("report.json").read_text()))
            print(f"wave-png: {png}")
            return 0
        waves = {"0": "none", "": "none", "none": "none", "1": "fst", "fst": "fst", "vcd": "vcd"}.get(a.waves.lower())
        if waves is None:
            raise ParamError(f"WAVES={a.waves!r} is not valid; use 0, 1 (FST), fst or vcd")
        try:
            seed = int(a.seed)
            if seed < 0 or seed >= 2**32:
                raise ValueError
        except ValueError:
            raise ParamError(f"SEED={a.seed!r} is not valid; use an integer in 0..4294967295") from None
        return run_scenario(a.test, seed, waves, a.params, run_root=Path(a.runs).resolve() if a.runs else None,
                            uvm_test=a.uvm_test or DEFAULT_UVM_TEST)
    except ParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
