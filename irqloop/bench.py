"""`make bench`: simulated clock cycles per wall second of the streaming path, waves off.

Two runs of the same RTL (tb_irqloop with the default overrun configuration):
  - cocotb: the full harness (host model in Python, MMIO over the tb's AXI4-Lite master, host
    memory read through ctypes), timed over the streaming phase (tb/sim/e2e.py's timing.json);
  - plain: a Verilator C++ main with a minimal C++ driver and no cocotb (tb/hdl/bench/plain_main.cpp).
Their ratio is the cost of the harness. The 32-queue path is timed the same two ways, in the same
rounds: the multiqueue scenario as it stands (NUM_CQ=32, every strategy; its traffic phases'
cycles over their wall time) and a plain C++ main with the same build and shape of traffic and a
minimal driver that frees each queue on its message (tb/hdl/bench/plain_cq_main.cpp). With --sim icarus (make bench SIM=icarus) the same cocotb
run under Icarus Verilog (the C host behind its VPI shim) is timed in the same rounds, and its
ratio to the cocotb run under Verilator is the cost of the simulator.
Beside them, in the same run, the day model (irqloop/daymodel.py ``bench``): chunks per wall
second over a day of 1 kHz chunks, and how many times faster than the RTL harness it moves
through chunks (the harness's chunks per second at the same run's cycle rate), and the same day
in its clocked mode (the RTL harness's timing, ``bench(clocked=True)``). A benchmark reports
figures; no test asserts them.
With --baseline REF (make bench BASELINE=REF) the four RTL figures (streaming and 32-queue, cocotb
and plain) are also taken with REF's rtl/ (git archive into WORK/build/bench-baseline/<commit>,
built apart under its own work folder), in the same rounds, and printed beside today's with their
ratio: the same bench, only the device changed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

from irqloop import daymodel, runner, toolchain
from irqloop.tb.board import CLOCK_PS, US
from irqloop.tb.scenarios.params import ParamError

BENCH = toolchain.HDL / "bench"
REGS_HEADER = toolchain.SOURCE / "include" / "irqloop_regs.h"


#: the plain C++ mains: the streaming path (tb_irqloop with one queue) and the 32-queue path
PLAIN = {"stream": ("plain_main.cpp", 1), "cq32": ("plain_cq_main.cpp", 32)}
#: the 32-queue path's traffic (tb/scenarios/multiqueue.py defaults): mean period (40 us), burst
CQ_MEAN_PERIOD, CQ_BURST = round(40 * US / CLOCK_PS), 2


def build_plain(kind: str = "stream") -> Path:
    toolchain.setup_env()
    main_cpp, num_cq = PLAIN[kind]
    out = toolchain.WORK / "sim_build" / f"bench-plain-{kind}"
    exe = out / "bench_plain"
    srcs = runner.tb_sources() + [BENCH / main_cpp, toolchain.HDL / "hostmem_dpi.cpp", BENCH / "public.vlt"]
    headers = [toolchain.HDL / h for h in toolchain.HOST_C_HEADERS] + [BENCH / "plain_bench.h", REGS_HEADER]
    if exe.exists() and all(exe.stat().st_mtime > s.stat().st_mtime for s in srcs + headers):
        return exe
    print(f"irqloop: building the plain Verilator bench ({kind})", flush=True)
    out.mkdir(parents=True, exist_ok=True)
    # the cocotb build's clock, toggled by the bench's step (plain_bench.h) instead of its main loop
    clock = runner.MAIN_CLOCK.build_args()
    cmd = ["verilator", "--cc", "--exe", "--build", "-j", "2", "-Wno-fatal", "-Wno-lint", "-Wno-style",
           "-CFLAGS", f"{toolchain.CXX_FLAGS} -I{REGS_HEADER.parent} -I{BENCH}", f"-I{toolchain.RTL}", f"-I{toolchain.HDL}",
           "--top-module", "tb_irqloop", f"-GNUM_CQ={num_cq}", "--timescale", "1ns/1ps",
           "-MAKEFLAGS", " ".join(toolchain.make_opt_args()),
           "-Mdir", str(out), "-o", "bench_plain", *clock] + [str(s) for s in srcs]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        print((r.stdout + r.stderr)[-3000:], file=sys.stderr)
        raise toolchain.InfrastructureError("plain Verilator bench build failed")
    return exe


def run_plain(cycles: int, *args: int, kind: str = "stream") -> dict[str, float]:
    exe = build_plain(kind)
    r = subprocess.run([str(exe), str(cycles)] + [str(a) for a in args], capture_output=True, text=True, check=True)
    m = re.search(r"cycles=(\d+) wall_s=([\d.]+) cycles_per_s=(\d+) chunks=(\d+) msis=(\d+)", r.stdout)
    if not m:
        raise toolchain.InfrastructureError(f"unexpected plain bench output: {r.stdout!r}")
    return {"cycles": int(m[1]), "wall_s": float(m[2]), "rate": float(m[3]), "chunks": int(m[4]), "msis": int(m[5])}


def run_cocotb(cycles: int, period: int, sim: str = "verilator") -> dict[str, float]:
    chunks = max(1, cycles // period)
    with tempfile.TemporaryDirectory() as tmp:
        rc, run_dir = runner.run_into_dir("overrun", 1, [f"chunks={chunks}", "spike_us=0"], Path(tmp), quiet=True, sim=sim)
        if rc != 0:
            raise toolchain.InfrastructureError("the cocotb bench run did not pass")
        case = next(ET.parse(run_dir / "results.xml").getroot().iter("testcase"))
        report = json.loads((run_dir / "report.json").read_text())
        timing = json.loads((run_dir / "timing.json").read_text())
    cycles, wall = timing["stream_cycles"], timing["stream_wall_s"]
    return {"cycles": cycles, "wall_s": wall, "rate": cycles / wall, "chunks": chunks,
            "msis": report["observed"]["hardware"]["CNT_IRQS"],
            "test_wall_s": float(case.get("time")), "test_rate": report["observed"]["sim_cycles"] / float(case.get("time"))}


def run_cocotb_cq(sim: str = "verilator") -> dict[str, float]:
    """The multiqueue scenario as it stands (32 queues, every strategy one after the other): cycles
    per wall second over the variants' traffic phases (e2e_cq.py's timing), and over the whole test."""
    with tempfile.TemporaryDirectory() as tmp:
        rc, run_dir = runner.run_into_dir("multiqueue", 1, [], Path(tmp), quiet=True, sim=sim)
        if rc != 0:
            raise toolchain.InfrastructureError("the cocotb multiqueue bench run did not pass")
        case = next(ET.parse(run_dir / "results.xml").getroot().iter("testcase"))
        report = json.loads((run_dir / "report.json").read_text())
        timing = json.loads((run_dir / "timing.json").read_text())
    cycles = sum(t["cycles"] for t in timing.values())
    wall = sum(t["wall_s"] for t in timing.values())
    sim_cycles = report["observed"]["end_ps"] // CLOCK_PS
    return {"cycles": cycles, "wall_s": wall, "rate": cycles / wall, "variants": len(timing),
            "test_wall_s": float(case.get("time")), "test_rate": sim_cycles / float(case.get("time"))}


#: the RTL figures of a round, by name: what --measure takes and --baseline compares
MEASURES = ("stream", "stream-plain", "cq32", "cq32-plain")


def measure(kind: str, cycles: int, period: int) -> dict[str, float]:
    if kind == "stream":
        return run_cocotb(cycles, period)
    if kind == "stream-plain":
        return run_plain(cycles, period)
    if kind == "cq32":
        return run_cocotb_cq()
    return run_plain(cycles, CQ_MEAN_PERIOD, CQ_BURST, kind="cq32")


def baseline_tree(ref: str) -> tuple[str, Path]:
    """REF's rtl/ in a folder of its own (extracted once per commit): (commit, folder)."""
    r = subprocess.run(["git", "-C", str(toolchain.SOURCE), "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
                       capture_output=True, text=True)
    if r.returncode != 0 or not toolchain.CHECKOUT:
        raise ParamError(f"BASELINE={ref!r} is not a commit of this checkout; use a commit, tag or branch "
                         "(e.g. BASELINE=HEAD~3), from a git checkout")
    commit = r.stdout.strip()
    dest = toolchain.WORK / "build" / "bench-baseline" / commit[:12]
    if not (dest / "rtl" / "sources.f").is_file():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(toolchain.SOURCE), "archive", commit, "rtl"], capture_output=True)
        if archive.returncode != 0:
            raise ParamError(f"BASELINE={ref!r}: commit {commit[:12]} has no rtl/ to compare with")
        if subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, capture_output=True).returncode != 0:
            raise ParamError(f"BASELINE={ref!r}: could not unpack commit {commit[:12]}'s rtl/ into {dest}")
    return commit, dest


def measure_baseline(dest: Path, cycles: int) -> dict[str, dict[str, float]]:
    """One round of the RTL figures with the baseline's rtl/, in a process of its own."""
    env = os.environ | {"IRQLOOP_RTL": str(dest / "rtl"), "IRQLOOP_WORK": str(dest / "work")}
    r = subprocess.run([sys.executable, "-m", "irqloop.bench", "--measure", ",".join(MEASURES), "--cycles", str(cycles)],
                       env=env, capture_output=True, text=True)
    if r.returncode != 0:
        raise toolchain.InfrastructureError(f"the baseline bench run failed: {(r.stdout + r.stderr)[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    return runner.exit_code_of(lambda: bench(argv, prog))


def bench(argv: list[str] | None, prog: str | None) -> int:
    ap = argparse.ArgumentParser(prog=prog or "python -m irqloop.bench")
    ap.add_argument("--cycles", default="2000000")
    ap.add_argument("--repeat", default="3", help="runs of each; the median is reported")
    ap.add_argument("--day-chunks", type=int, default=86_400_000, help="chunks of the day model's run (a day at 1 kHz)")
    ap.add_argument("--sim", default="verilator", help="icarus: time the cocotb run under Icarus too")
    ap.add_argument("--baseline", default="", help="a commit whose rtl/ is timed beside today's (make bench BASELINE=)")
    ap.add_argument("--measure", default="", help=argparse.SUPPRESS)   # one round of MEASURES as JSON (--baseline's runs)
    a = ap.parse_args(argv)
    sim = runner.parse_sim(a.sim)
    if not a.cycles.isdigit() or int(a.cycles) < 10_000:
        raise ParamError(f"BENCH_CYCLES={a.cycles!r} is not valid; use an integer >= 10000")
    if not a.repeat.isdigit() or int(a.repeat) < 1:
        raise ParamError(f"--repeat={a.repeat!r} is not valid; use an integer >= 1")
    a.cycles, a.repeat = int(a.cycles), int(a.repeat)
    period = round(10.0 * 1e6 / CLOCK_PS)     # the default overrun chunk period
    if a.repeat < 1:
        raise ParamError(f"--repeat={a.repeat} is not valid; use an integer >= 1")
    if a.measure:
        kinds = a.measure.split(",")
        if any(k not in MEASURES for k in kinds):
            raise ParamError(f"--measure={a.measure!r} is not valid; use names from {', '.join(MEASURES)}")
        print(json.dumps({k: measure(k, a.cycles, period) for k in kinds}))
        return 0
    baseline = baseline_tree(a.baseline) if a.baseline else None
    median = lambda runs: sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]  # noqa: E731
    cocotb_runs, plain_runs, icarus_runs, cq_runs, plain_cq_runs = [], [], [], [], []
    base_runs: dict[str, list[dict[str, float]]] = {k: [] for k in MEASURES}
    for _ in range(a.repeat):                 # interleaved, so load changes hit all alike
        cocotb_runs.append(measure("stream", a.cycles, period))
        plain_runs.append(measure("stream-plain", a.cycles, period))
        cq_runs.append(measure("cq32", a.cycles, period))
        plain_cq_runs.append(measure("cq32-plain", a.cycles, period))
        if sim == "icarus":
            icarus_runs.append(run_cocotb(a.cycles, period, "icarus"))
        if baseline is not None:
            for k, r in measure_baseline(baseline[1], a.cycles).items():
                base_runs[k].append(r)
    cocotb, plain = median(cocotb_runs), median(plain_runs)
    day_runs = [daymodel.bench(chunks=a.day_chunks) for _ in range(a.repeat)]
    day = sorted(day_runs, key=lambda r: r["chunks_per_s"])[len(day_runs) // 2]
    clocked_runs = [daymodel.bench(chunks=a.day_chunks, clocked=True) for _ in range(a.repeat)]
    clocked = sorted(clocked_runs, key=lambda r: r["chunks_per_s"])[len(clocked_runs) // 2]
    ratio = cocotb["rate"] / plain["rate"]
    print(f"bench: streaming path, default overrun configuration, {period} cycles per 1 KiB chunk, waves off;"
          f" median of {a.repeat} runs each")
    spread = lambda runs: ", ".join(f"{r['rate'] / 1e6:.2f}" for r in runs)  # noqa: E731
    print(f"  cocotb + host model : {cocotb['rate'] / 1e6:7.2f} M cycles/s  ({cocotb['cycles']} cycles in "
          f"{cocotb['wall_s']:.2f} s, {cocotb['chunks']} chunks, {cocotb['msis']} MSIs)")
    print(f"  plain Verilator C++ : {plain['rate'] / 1e6:7.2f} M cycles/s  ({plain['cycles']} cycles in "
          f"{plain['wall_s']:.2f} s, {plain['chunks']} chunks, {plain['msis']} MSIs)")
    print(f"  ratio cocotb/plain  : {ratio * 100:6.1f} %   (targets: >= 1 M cycles/s and >= 25 %)")
    print(f"  whole cocotb test   : {cocotb['test_rate'] / 1e6:7.2f} M cycles/s  ({cocotb['test_wall_s']:.2f} s including "
          f"reset, bring-up and the report)")
    if icarus_runs:
        icarus = median(icarus_runs)
        print(f"  cocotb under Icarus : {icarus['rate'] / 1e6:7.3f} M cycles/s  ({icarus['cycles']} cycles in "
              f"{icarus['wall_s']:.2f} s, {icarus['chunks']} chunks, {icarus['msis']} MSIs)")
        print(f"  ratio Icarus/Verilator (both cocotb): {icarus['rate'] / cocotb['rate'] * 100:6.2f} %   "
              f"(Verilator {cocotb['rate'] / icarus['rate']:.1f}x faster)")
        print(f"  whole Icarus test   : {icarus['test_rate'] / 1e6:7.3f} M cycles/s  ({icarus['test_wall_s']:.2f} s)")
    icarus_spread = ", ".join(f"{r['rate'] / 1e6:.3f}" for r in icarus_runs)
    print(f"  all runs (M cycles/s): cocotb [{spread(cocotb_runs)}], plain [{spread(plain_runs)}]"
          + (f", Icarus [{icarus_spread}]" if icarus_runs else ""))
    cq, plain_cq = median(cq_runs), median(plain_cq_runs)
    print(f"bench: 32-queue path (NUM_CQ=32), the multiqueue scenario's traffic (bursts of {CQ_BURST}, mean period "
          f"{CQ_MEAN_PERIOD} cycles); median of {a.repeat} runs each")
    print(f"  cocotb + host model : {cq['rate'] / 1e6:7.3f} M cycles/s  (multiqueue, {cq['variants']} strategies: "
          f"{cq['cycles']} traffic cycles in {cq['wall_s']:.2f} s; whole test {cq['test_rate'] / 1e6:.3f} M cycles/s "
          f"in {cq['test_wall_s']:.2f} s)")
    print(f"  plain Verilator C++ : {plain_cq['rate'] / 1e6:7.3f} M cycles/s  ({plain_cq['cycles']} cycles in "
          f"{plain_cq['wall_s']:.2f} s, {plain_cq['chunks']} entries, {plain_cq['msis']} messages)")
    print(f"  ratio cocotb/plain  : {cq['rate'] / plain_cq['rate'] * 100:6.1f} %")
    print(f"  all runs (M cycles/s): cocotb [{spread(cq_runs)}], plain [{spread(plain_cq_runs)}]")
    if baseline is not None:
        now = {"stream": cocotb, "stream-plain": plain, "cq32": cq, "cq32-plain": plain_cq}
        names = {"stream": "streaming, cocotb + host model", "stream-plain": "streaming, plain Verilator C++",
                 "cq32": "32 queues, cocotb + host model", "cq32-plain": "32 queues, plain Verilator C++"}
        print(f"bench: today's RTL against BASELINE={a.baseline} ({baseline[0][:12]}'s rtl/), the same bench in the "
              f"same rounds (M cycles/s, medians of {a.repeat})")
        print(f"  {'path':34s} {'baseline':>9s} {'today':>9s} {'today/baseline':>15s}")
        for k in MEASURES:
            b = median(base_runs[k])
            print(f"  {names[k]:34s} {b['rate'] / 1e6:9.3f} {now[k]['rate'] / 1e6:9.3f} {now[k]['rate'] / b['rate']:14.2f}x")
    # simulated stream time per wall second: the day model's chunks are 1 ms apart, the harness's cycles 4 ns
    day_sim_rate = day["chunks"] * 1e-3 / day["wall_s"]
    rtl_sim_rate = cocotb["rate"] * CLOCK_PS * 1e-12
    day_spread = ", ".join(f"{r['chunks_per_s'] / 1e6:.2f}" for r in day_runs)
    print(f"  day model           : {day['chunks_per_s'] / 1e6:7.2f} M chunks/s  ({day['chunks']:,} chunks of a 1 kHz "
          f"stream in {day['wall_s']:.2f} s; {day['lost']} lost, {day['dpc_runs']:,} DPC runs); all runs [{day_spread}]")
    print(f"  day model / cocotb  : {day_sim_rate / rtl_sim_rate:9.3g} x the simulated stream time per wall second "
          f"({day_sim_rate:,.0f} s/s vs {rtl_sim_rate * 1e3:.2f} ms/s)")
    clocked_spread = ", ".join(f"{r['chunks_per_s'] / 1e6:.2f}" for r in clocked_runs)
    print(f"  day model, clocked  : {clocked['chunks_per_s'] / 1e6:7.2f} M chunks/s  ({clocked['chunks']:,} chunks, "
          f"the RTL harness's timing, 256-byte slots, in {clocked['wall_s']:.2f} s; {clocked['lost']} lost); "
          f"all runs [{clocked_spread}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
