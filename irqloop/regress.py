"""`make regress`: scenario regressions as lists of tests x seeds, run in parallel.

    python -m irqloop.regress run [--suite smoke|nightly] [--seeds N] [--jobs N] [--shard i/N] [--timeout S] [--out DIR]
    python -m irqloop.regress merge DIR [DIR ...] [--out DIR]

A suite (irqloop/suites.py) is a list of entries, each a scenario with parameters, a number of seeds
and a time limit per run. Every (entry, seed) is one run in its own directory under OUT/runs;
runs of the same simulator build share it (builds happen once, before the runs start). A live
line shows done / total, passes, failures and the time left. A run still going at its time limit
(`timeout_s`, or --timeout for every run) is killed with its whole process group (the runner and
the simulator it started) and counted as a TIMEOUT failure; the other runs go on. At the end OUT
holds:

- results.json: every run's verdict, time, command and functional-coverage observations;
- junit.xml: one testcase per run (classname = scenario, name = entry[seed]) with properties
  (seed, parameters, UVM test, scenario, entry, time limit), the run directory and the reproduce
  command in system-out, and a failure typed outcome, timeout or infrastructure;
- coverage.xml: the functional coverage (irqloop/fcov.py) in cocotb-coverage's XML; coverage.txt: the
  same printed as covered/total per coverpoint and cross;
- with COVERAGE=1 (IRQLOOP_COVERAGE=1): line_coverage.txt and line_coverage.info (lcov, for
  genhtml) of rtl/, merged over the runs;
- for each failure, one line with the command that reproduces it.

SHARD=i/N keeps the runs whose index modulo N is i-1 (the order is fixed by the suite), so N
machines can each run a shard and `merge` combines their results, their coverage XML (with
cocotb-coverage's merge) and their line coverage into one report.

Exit status: 0 every run passed; 1 a run's outcome differed from its declaration; 2 bad input;
3 infrastructure: a simulator build failed or a system package is missing, or the only failures
are runs that timed out or could not run; 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Sequence

from irqloop import fcov, runner, toolchain

from irqloop.suites import DEFAULT_TIMEOUT_S, SUITES, RegressEntry
from irqloop.tb import scenarios
from irqloop.tb.scenarios.params import ParamError, finite_float, parse_overrides
from irqloop.toolchain import EXIT_AS_DECLARED, EXIT_INFRASTRUCTURE, EXIT_OUTCOME_DIFFERS

# why a run failed: the junit failure type
OUTCOME, TIMEOUT, INFRASTRUCTURE = "outcome", "timeout", "infrastructure"


def runs_of(entries: Sequence[RegressEntry], seeds: int | None = None,
            timeout_s: float | None = None) -> list[dict[str, Any]]:
    """The runs of these entries: seeds 1..`seeds` (default: each entry's), each with its time
    limit (`timeout_s` overrides every entry's)."""
    runs = []
    for e in entries:
        sc = scenarios.get(e.test)
        parse_overrides(sc.spec, list(e.params))          # a bad suite entry fails before anything runs
        for seed in range(1, (seeds or e.seeds) + 1):
            runs.append({"test": e.test, "params": list(e.params), "seed": seed, "name": e.name,
                         "num_cq": sc.num_cq, "uvm_test": e.uvm_test,
                         "timeout_s": timeout_s or e.timeout_s})
    return runs


def plan_runs(suite: str, seeds: int | None, timeout_s: float | None = None) -> list[dict[str, Any]]:
    if suite not in SUITES:
        raise ParamError(f"SUITE={suite!r} is not a suite; suites: {', '.join(SUITES)}")
    return runs_of(SUITES[suite], seeds, timeout_s)


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


class LiveProcesses:
    """The process groups of the runs under way. Each run is started in its own session, so a
    timeout can kill the runner and the simulator it started together; that also takes them out
    of the terminal's process group, so Ctrl-C (or CI cancelling the job) reaches only this
    process, which then kills every group still running."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._groups: set[int] = set()

    def add(self, pid: int) -> None:
        with self._lock:
            self._groups.add(pid)

    def discard(self, pid: int) -> None:
        with self._lock:
            self._groups.discard(pid)

    def kill_all(self) -> None:
        with self._lock:
            groups = list(self._groups)
        for pgid in groups:
            kill_group(pgid)


LIVE = LiveProcesses()


def kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)     # a hung run has nothing left worth a graceful stop
    except ProcessLookupError:
        pass


def run_one(run: dict[str, Any], out: Path) -> dict[str, Any]:
    """One scenario run in a subprocess (the simulator is one process per run), killed with its
    process group when it exceeds its time limit."""
    root = out / "runs"
    t0 = time.perf_counter()
    uvm_test = run.get("uvm_test", runner.DEFAULT_UVM_TEST)
    timeout_s = float(run.get("timeout_s", DEFAULT_TIMEOUT_S))
    cmd = [sys.executable, "-m", "irqloop.runner", "sim", run["test"], "--seed", str(run["seed"]), "--runs", str(root),
           "--uvm-test", uvm_test]
    env = dict(os.environ, IRQLOOP_PARAMS=shlex.join(run["params"]))
    if os.environ.get("IRQLOOP_COVERAGE") == "1":
        env["IRQLOOP_COVERAGE_DIR"] = str(out / "linecov")
    values = parse_overrides(scenarios.get(run["test"]).spec, run["params"])
    run_dir = runner.run_dir_for(run["test"], run["seed"], values, root, uvm_test)
    timed_out = False
    # the run's process finds this irqloop whether it is installed or run from a checkout
    env["PYTHONPATH"] = os.pathsep.join([str(toolchain.PACKAGE.parent)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                         start_new_session=True)
    LIVE.add(p.pid)
    try:
        try:
            stdout, stderr = p.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            kill_group(p.pid)
            stdout, stderr = p.communicate()
    finally:
        LIVE.discard(p.pid)
    result = dict(run, rc=p.returncode, wall_s=round(time.perf_counter() - t0, 2), run_dir=str(run_dir),
                  reproduce=repro(run), timeout_s=timeout_s, coverage={}, observations={})
    report_path = run_dir / "report.json"
    if timed_out:
        # the killed runner could not clean up: keep its attempt where a run without a report is
        # kept (<run dir>.failed), since its log is what the user reads next
        staging, kept = runner.staging_dir_for(run_dir, p.pid), runner.failed_attempt_dir(run_dir)
        where = ""
        if staging.exists():
            shutil.rmtree(kept, ignore_errors=True)
            staging.rename(kept)
            where = f"; log: {kept / 'sim.log'}"
        result.update(verdict=TIMEOUT, failed_checks=[f"still running after {timeout_s:g} s; killed{where}"])
    elif report_path.exists() and p.returncode in (EXIT_AS_DECLARED, EXIT_OUTCOME_DIFFERS):
        report = json.loads(report_path.read_text())
        passed = bool(report["pass"]) and p.returncode == EXIT_AS_DECLARED
        result.update(verdict="pass" if passed else OUTCOME,
                      failed_checks=[c["name"] for c in report["checks"] if not c["ok"]],
                      coverage=fcov.bins(report), observations=fcov.observe(report))
        if not passed and not result["failed_checks"]:
            result["failed_checks"] = [f"the runner exited with {p.returncode} but every check passed"]
    else:       # no report, bad input, a crash: the harness, not the design, needs a look
        last = (stderr.strip().splitlines() or stdout.strip().splitlines() or ["no output"])[-1]
        result.update(verdict=INFRASTRUCTURE, failed_checks=[f"runner exit {p.returncode}: {last}"])
    result["pass"] = result["verdict"] == "pass"
    return result


def junit(results: list[dict[str, Any]], label: str) -> ET.ElementTree:
    """One testsuite, one testcase per run (JUnit XML as CI test-report tools read it)."""
    fails = [r for r in results if not r["pass"]]
    suite = ET.Element("testsuite", name=f"irqloop {label}", tests=str(len(results)), failures=str(len(fails)),
                       errors="0", skipped="0", time=f"{sum(r['wall_s'] for r in results):.2f}")
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=r["test"], name=f"{r['name']}[seed{r['seed']}]",
                             time=f"{r['wall_s']:.2f}")
        props = ET.SubElement(case, "properties")
        for name, value in (("scenario", r["test"]), ("entry", r["name"]), ("seed", r["seed"]),
                            ("parameters", shlex.join(r["params"])),
                            ("uvm_test", r.get("uvm_test", runner.DEFAULT_UVM_TEST)),
                            ("timeout_s", f"{r.get('timeout_s', DEFAULT_TIMEOUT_S):g}")):
            ET.SubElement(props, "property", name=name, value=str(value))
        if not r["pass"]:
            message = "; ".join(r["failed_checks"])
            failure = ET.SubElement(case, "failure", message=message[:500], type=r.get("verdict", OUTCOME))
            failure.text = f"{message}\nreproduce: {r['reproduce']}"
        ET.SubElement(case, "system-out").text = f"run directory: {r['run_dir']}\nreproduce: {r['reproduce']}\n"
    ET.indent(suite)
    return ET.ElementTree(suite)


def write_outputs(results: list[dict[str, Any]], out: Path, label: str, linecov: list[Path] | None = None,
                  shard_coverage: list[Path] | None = None) -> int:
    """results.json, junit.xml, coverage.xml/.txt (and line coverage) in `out`; prints the summary.
    `shard_coverage`: the shards' coverage XML files to merge, instead of sampling the results."""
    results = sorted(results, key=lambda r: (r["test"], r["name"], r["seed"]))
    (out / "results.json").write_text(json.dumps({"label": label, "results": results}, indent=1))
    fails = [r for r in results if not r["pass"]]
    junit(results, label).write(out / "junit.xml", encoding="UTF-8", xml_declaration=True)
    coverage_xml = out / "coverage.xml"
    if shard_coverage is None:
        fcov.write_xml([r.get("observations", {}) for r in results], coverage_xml)
    else:
        fcov.merge_xml(shard_coverage, coverage_xml)
    text = fcov.report(coverage_xml)
    (out / "coverage.txt").write_text(text + "\n")
    timeouts = sum(r.get("verdict") == TIMEOUT for r in results)
    print(f"\n{label}: {len(results) - len(fails)} passed, {len(fails)} failed"
          + (f" ({timeouts} timed out)" if timeouts else "") + f" of {len(results)} runs")
    print(text)
    line_files = ""
    if linecov:                     # COVERAGE=1: the runs' Verilator line/toggle coverage, merged
        from irqloop import coverage
        line_text = coverage.text(linecov)
        (out / "line_coverage.txt").write_text(line_text + "\n")
        coverage.write_lcov(linecov, out / "line_coverage.info")
        print(line_text)
        line_files = f"\nline coverage: {out}/line_coverage.txt  lcov: {out}/line_coverage.info (genhtml reads it)"
    for r in fails:
        what = "TIMEOUT" if r.get("verdict") == TIMEOUT else "FAIL"
        print(f"{what} {r['test']} {r['name']} seed {r['seed']}: {'; '.join(r['failed_checks'])[:200]}")
        print(f"  reproduce: {r['reproduce']}")
    print(f"results: {out}/results.json  junit: {out}/junit.xml\n"
          f"functional coverage: {out}/coverage.txt  {out}/coverage.xml (cocotb-coverage)" + line_files)
    # a design verdict outranks the harness's own trouble: 1 when any run's outcome differed,
    # 3 when the only failures are runs that timed out or could not run
    if any(r.get("verdict") == OUTCOME for r in fails):
        return EXIT_OUTCOME_DIFFERS
    return EXIT_INFRASTRUCTURE if fails else EXIT_AS_DECLARED


def positive(name: str, text: str) -> int | None:
    if text == "":
        return None
    if not text.isdigit() or int(text) < 1:
        raise ParamError(f"{name}={text!r} is not valid; use a positive integer")
    return int(text)


def positive_seconds(name: str, text: str) -> float | None:
    if text == "":
        return None
    value = finite_float(text)
    if value is None or value <= 0:
        raise ParamError(f"{name}={text!r} is not valid; use a positive number of seconds, e.g. {name}=600")
    return value


def execute(runs: list[dict[str, Any]], out: Path, jobs: int, label: str) -> list[dict[str, Any]]:
    """Run every run (up to `jobs` at once) with a live progress line; each simulator build is
    made before the runs start (a failing build raises InfrastructureError)."""
    for num_cq in sorted({r["num_cq"] for r in runs}):
        runner.build("none", num_cq)
    print(f"{label}: {len(runs)} runs on {jobs} jobs", flush=True)
    results: list[dict[str, Any]] = []
    t0 = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=jobs)
    try:
        futures = [pool.submit(run_one, r, out) for r in runs]
        for f in as_completed(futures):
            result = f.result()
            results.append(result)
            if result["verdict"] == TIMEOUT:
                print(f"TIMEOUT {result['name']} seed {result['seed']} after {result['timeout_s']:g} s (killed); "
                      f"reproduce: {result['reproduce']}", flush=True)
            done = len(results)
            passed = sum(r["pass"] for r in results)
            eta = (time.perf_counter() - t0) / done * (len(runs) - done)
            line = f"[{done}/{len(runs)}] pass {passed} fail {done - passed}  ETA {eta:4.0f} s"
            print("\r" + line if sys.stdout.isatty() else line, end="" if sys.stdout.isatty() else "\n", flush=True)
    except BaseException:
        # interrupted (Ctrl-C, SIGTERM): the runs live in their own sessions, so stop them here
        pool.shutdown(wait=False, cancel_futures=True)
        LIVE.kill_all()
        print("\nregress: interrupted; the runs under way were stopped", file=sys.stderr)
        raise
    pool.shutdown()
    return results


def cmd_run(a: argparse.Namespace) -> int:
    seeds, jobs_arg = positive("SEEDS", a.seeds), positive("JOBS", a.jobs)
    timeout_s = positive_seconds("TIMEOUT", a.timeout)
    runs = plan_runs(a.suite, seeds, timeout_s)
    label = f"{a.suite}"
    if a.shard:
        i, n = parse_shard(a.shard)
        runs = [r for k, r in enumerate(runs) if k % n == i - 1]
        label += f" shard {i}/{n}"
    jobs = jobs_arg or os.cpu_count() or 1
    out = prepare_out(a.out)
    shutil.rmtree(out / "linecov", ignore_errors=True)
    results = execute(runs, out, jobs, label)
    return write_outputs(results, out, label, sorted((out / "linecov").glob("*.dat")))


def prepare_out(text: str) -> Path:
    out = Path(text).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".irqloop-write-test"
        probe.touch()
        probe.unlink()
    except OSError as exc:
        raise ParamError(f"REGRESS_OUT={text!r} is not a writable directory ({exc.strerror})") from None
    return out


def cmd_merge(a: argparse.Namespace) -> int:
    results: list[dict[str, Any]] = []
    labels = []
    for d in a.dirs:
        path, cov = Path(d) / "results.json", Path(d) / "coverage.xml"
        for needed in (path, cov):
            if not needed.exists():
                raise ParamError(f"{needed} not found: give the OUT directories of the shards")
        try:
            data = json.loads(path.read_text())
            labels.append(data["label"])
            results += data["results"]
            fcov.read_xml(cov)
        except (ValueError, KeyError, TypeError, ET.ParseError) as exc:
            raise ParamError(f"{d} does not hold a shard's results ({type(exc).__name__}: {exc}); "
                             f"give the OUT directories of make regress SHARD=i/N") from None
    keys = [(r["test"], r["name"], r["seed"]) for r in results]
    if len(keys) != len(set(keys)):
        raise ParamError("the shards overlap: a run appears twice (were they made with the same SHARD?)")
    out = prepare_out(a.out)
    linecov = sorted(f for d in a.dirs for f in (Path(d) / "linecov").glob("*.dat"))
    return write_outputs(results, out, "merged " + " + ".join(labels), linecov,
                         shard_coverage=[Path(d) / "coverage.xml" for d in a.dirs])


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    ap = argparse.ArgumentParser(prog=prog or "python -m irqloop.regress", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--suite", default="smoke")
    r.add_argument("--seeds", default="", help="seeds per entry (default: the suite's)")
    r.add_argument("--jobs", default="", help="parallel runs (default: all cores)")
    r.add_argument("--shard", default="")
    r.add_argument("--timeout", default="", help="time limit of every run in seconds (default: each entry's)")
    r.add_argument("--out", default=str(toolchain.RESULTS / "regress"))
    m = sub.add_parser("merge")
    m.add_argument("dirs", nargs="+")
    m.add_argument("--out", default=str(toolchain.RESULTS / "regress" / "merged"))
    a = ap.parse_args(argv)
    # the front ends' one error handling: 2 bad input, 3 a build failed or a package is missing,
    # 130 interrupted (SIGTERM too: execute() then stops the runs under way)
    return runner.exit_code_of(lambda: cmd_run(a) if a.cmd == "run" else cmd_merge(a))


if __name__ == "__main__":
    sys.exit(main())
