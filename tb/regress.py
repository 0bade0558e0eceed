"""`make regress`: scenario regressions as lists of tests x seeds, run in parallel.

    python -m tb.regress run [--suite smoke|nightly] [--seeds N] [--jobs N] [--shard i/N] [--out DIR]
    python -m tb.regress merge DIR [DIR ...] [--out DIR]

A suite (tb/suites.py) is a list of entries, each a scenario with parameters and a number of
seeds. Every (entry, seed) is one run in its own directory under OUT/runs; runs of the same
simulator build share it (builds happen once, before the runs start). A live line shows done /
total, passes, failures and the time left. At the end OUT holds:

- results.json: every run's verdict, time, command and functional-coverage bins;
- junit.xml: one testcase per run (classname = scenario, name = entry[seed]);
- coverage.txt: the functional coverage (tb/fcov.py) merged over the runs;
- for each failure, one line with the command that reproduces it.

SHARD=i/N keeps the runs whose index modulo N is i-1 (the order is fixed by the suite), so N
machines can each run a shard and `merge` combines their results.json into one report.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from tb import fcov, runner, scenarios
from tb.scenarios.params import ParamError, parse_overrides
from tb.suites import SUITES


def plan_runs(suite: str, seeds: int | None) -> list[dict[str, Any]]:
    if suite not in SUITES:
        raise ParamError(f"SUITE={suite!r} is not a suite; suites: {', '.join(SUITES)}")
    runs = []
    for e in SUITES[suite]:
        sc = scenarios.get(e.test)
        parse_overrides(sc.spec, list(e.params))          # a bad suite entry fails before anything runs
        for seed in range(1, (seeds or e.seeds) + 1):
            runs.append({"test": e.test, "params": list(e.params), "seed": seed, "name": e.name,
                         "num_cq": getattr(sc, "num_cq", 1), "uvm_test": e.uvm_test})
    return runs


def parse_shard(text: str) -> tuple[int, int]:
    try:
        i, n = (int(x) for x in text.split("/"))
        if not 1 <= i <= n:
            raise ValueError
    except ValueError:
        raise ParamError(f"SHARD={text!r} is not valid; use i/N with 1 <= i <= N, e.g. SHARD=2/4") from None
    return i, n


def repro(run: dict[str, Any]) -> str:
    return runner.repro_command(run["test"], run["seed"], run["params"], run.get("uvm_test", runner.DEFAULT_UVM_TEST))


def run_one(run: dict[str, Any], out: Path) -> dict[str, Any]:
    """One scenario run in a subprocess (the simulator is one process per run)."""
    root = out / "runs"
    t0 = time.perf_counter()
    uvm_test = run.get("uvm_test", runner.DEFAULT_UVM_TEST)
    cmd = [sys.executable, "-m", "tb.runner", "sim", run["test"], "--seed", str(run["seed"]), "--runs", str(root),
           "--uvm-test", uvm_test]
    env = dict(os.environ, IRQLOOP_PARAMS=shlex.join(run["params"]))
    if os.environ.get("IRQLOOP_COVERAGE") == "1":
        env["IRQLOOP_COVERAGE_DIR"] = str(out / "linecov")
    p = subprocess.run(cmd, cwd=runner.ROOT, capture_output=True, text=True, env=env)
    values = parse_overrides(scenarios.get(run["test"]).spec, run["params"])
    run_dir = runner.run_dir_for(run["test"], run["seed"], values, root, uvm_test)
    report_path = run_dir / "report.json"
    result = dict(run, rc=p.returncode, wall_s=round(time.perf_counter() - t0, 2), run_dir=str(run_dir),
                  reproduce=repro(run))
    if report_path.exists():
        report = json.loads(report_path.read_text())
        result["pass"] = bool(report["pass"]) and p.returncode == 0
        result["failed_checks"] = [c["name"] for c in report["checks"] if not c["ok"]]
        result["coverage"] = fcov.bins(report)
    else:
        result["pass"] = False
        result["failed_checks"] = ["no report: " + (p.stderr.strip().splitlines() or ["simulation failed"])[-1]]
        result["coverage"] = {}
    return result


def write_outputs(results: list[dict[str, Any]], out: Path, label: str, linecov: list[Path] | None = None) -> int:
    results = sorted(results, key=lambda r: (r["test"], r["name"], r["seed"]))
    (out / "results.json").write_text(json.dumps({"label": label, "results": results}, indent=1))
    fails = [r for r in results if not r["pass"]]
    cases = []
    for r in results:
        body = ""
        if not r["pass"]:
            body = (f"<failure message={quoteattr('; '.join(r['failed_checks'])[:500])}>"
                    f"{escape(r['reproduce'])}</failure>")
        case = f"{r['name']}[seed{r['seed']}]"
        cases.append(f'  <testcase classname={quoteattr(r["test"])} name={quoteattr(case)} '
                     f'time="{r["wall_s"]}">{body}</testcase>')
    (out / "junit.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<testsuite name={quoteattr("irqloop " + label)} '
        f'tests="{len(results)}" failures="{len(fails)}" errors="0">\n' + "\n".join(cases) + "\n</testsuite>\n")
    merged = fcov.merge([r["coverage"] for r in results])
    text = fcov.report(merged)
    (out / "coverage.txt").write_text(text + "\n")
    print(f"\n{label}: {len(results) - len(fails)} passed, {len(fails)} failed of {len(results)} runs")
    print(text)
    if linecov:                     # COVERAGE=1: the runs' Verilator line/toggle coverage, merged
        from tb import coverage
        line_text = coverage.text(linecov)
        (out / "line_coverage.txt").write_text(line_text + "\n")
        print(line_text)
    for r in fails:
        print(f"FAIL {r['test']} {r['name']} seed {r['seed']}: {'; '.join(r['failed_checks'])[:200]}")
        print(f"  reproduce: {r['reproduce']}")
    print(f"results: {out}/results.json  junit: {out}/junit.xml  coverage: {out}/coverage.txt"
          + (f"  line coverage: {out}/line_coverage.txt" if linecov else ""))
    return 1 if fails else 0


def positive(name: str, text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or int(text) < 1:
        raise ParamError(f"{name}={text!r} is not valid; use a positive integer")
    return int(text)


def cmd_run(a: argparse.Namespace) -> int:
    seeds, jobs_arg = positive("SEEDS", a.seeds), positive("JOBS", a.jobs)
    runs = plan_runs(a.suite, seeds)
    label = f"{a.suite}"
    if a.shard:
        i, n = parse_shard(a.shard)
        runs = [r for k, r in enumerate(runs) if k % n == i - 1]
        label += f" shard {i}/{n}"
    jobs = jobs_arg or os.cpu_count() or 1
    out = Path(a.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "linecov", ignore_errors=True)
    for num_cq in sorted({r["num_cq"] for r in runs}):         # each build once, before the runs
        runner.build("none", num_cq)
    print(f"{label}: {len(runs)} runs on {jobs} jobs", flush=True)
    results: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_one, r, out) for r in runs]
        for f in as_completed(futures):
            results.append(f.result())
            done = len(results)
            passed = sum(r["pass"] for r in results)
            eta = (time.perf_counter() - t0) / done * (len(runs) - done)
            line = f"[{done}/{len(runs)}] pass {passed} fail {done - passed}  ETA {eta:4.0f} s"
            print("\r" + line if sys.stdout.isatty() else line, end="" if sys.stdout.isatty() else "\n", flush=True)
    return write_outputs(results, out, label, sorted((out / "linecov").glob("*.dat")))


def cmd_merge(a: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    labels = []
    for d in a.dirs:
        path = Path(d) / "results.json"
        if not path.exists():
            raise ParamError(f"{path} not found: give the OUT directories of the shards")
        data = json.loads(path.read_text())
        labels.append(data["label"])
        results += data["results"]
    keys = [(r["test"], r["name"], r["seed"]) for r in results]
    if len(keys) != len(set(keys)):
        raise ParamError("the shards overlap: a run appears twice (were they made with the same SHARD?)")
    out = Path(a.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    linecov = sorted(f for d in a.dirs for f in (Path(d) / "linecov").glob("*.dat"))
    return write_outputs(results, out, "merged " + " + ".join(labels), linecov)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tb.regress", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--suite", default="smoke")
    r.add_argument("--seeds", default="", help="seeds per entry (default: the suite's)")
    r.add_argument("--jobs", default="", help="parallel runs (default: all cores)")
    r.add_argument("--shard", default="")
    r.add_argument("--out", default=str(runner.ROOT / "regress"))
    m = sub.add_parser("merge")
    m.add_argument("dirs", nargs="+")
    m.add_argument("--out", default=str(runner.ROOT / "regress" / "merged"))
    a = ap.parse_args(argv)
    try:
        return cmd_run(a) if a.cmd == "run" else cmd_merge(a)
    except ParamError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
