"""`make regress`: the smoke suite end to end (run as two shards and merged back, once for every
test here), JUnit structure, cocotb-coverage XML and its merge, crosses, a hung run killed at its
time limit, a failing run's JUnit entry and reproduce line, line coverage as lcov, bad input."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from irqloop import coverage, fcov, regress, toolchain
ROOT = toolchain.SOURCE
from irqloop.suites import RegressEntry
from irqloop.toolchain import InfrastructureError


def regress_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "irqloop.regress", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.fixture(scope="session")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The smoke suite run once as shards 1/2 and 2/2 and merged: s1/, s2/, m/ (and each command's
    stdout in <dir>.out). pytest-xdist workers share the session's temporary root (the parent of
    theirs), and a lock makes the first worker that needs it run it while the others wait, so the
    suite runs once per session."""
    session_tmp = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        session_tmp = session_tmp.parent
    root = session_tmp / "smoke-regress"
    root.mkdir(exist_ok=True)
    with open(root / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # a suite that failed once fails every test that needs it, without running it again
        if (root / "failed").exists():
            pytest.fail((root / "failed").read_text())
        if not (root / "done").exists():
            for name in ("s1", "s2", "m"):
                shutil.rmtree(root / name, ignore_errors=True)
            commands = [[("run", "--suite", "smoke", "--jobs", "1", "--shard", f"{i}/2", "--out", str(root / f"s{i}")),
                         root / f"s{i}.out"] for i in (1, 2)]
            commands.append([("merge", str(root / "s1"), str(root / "s2"), "--out", str(root / "m")), root / "m.out"])
            for args, out in commands:
                r = regress_cli(*args)
                out.write_text(r.stdout + r.stderr)
                if r.returncode != 0:
                    (root / "failed").write_text(f"regress {' '.join(args[:1])} exited {r.returncode}:\n"
                                                 + r.stdout[-3000:] + r.stderr[-2000:])
                    pytest.fail((root / "failed").read_text())
            (root / "done").touch()
    return root


def results_of(d: Path) -> list[dict]:
    return json.loads((d / "results.json").read_text())["results"]


@pytest.mark.sim
def test_smoke_suite_passes_in_two_shards_that_merge_back(smoke: Path) -> None:
    runs = regress.plan_runs("smoke", None)
    a, b, merged = results_of(smoke / "s1"), results_of(smoke / "s2"), results_of(smoke / "m")
    assert a and b and not {(x["name"], x["seed"]) for x in a} & {(x["name"], x["seed"]) for x in b}
    assert len(merged) == len(runs) == len(a) + len(b) and all(x["pass"] for x in merged)
    assert f"[{len(a)}/{len(a)}] pass {len(a)} fail 0" in (smoke / "s1.out").read_text()
    assert f"{len(runs)} passed, 0 failed of {len(runs)} runs" in (smoke / "m.out").read_text()
    assert {x["test"] for x in merged} == {e.test for e in regress.SUITES["smoke"]}
    assert all(Path(x["run_dir"]).is_relative_to(smoke) for x in merged)     # each in its own directory
    assert all(x["timeout_s"] == regress.SUITES["smoke"][0].timeout_s for x in merged)
    lost = next(x for x in merged if x["name"] == "random_cq_lost_vector")    # a factory-override test
    assert lost["uvm_test"] == "LostVectorTest" and "LostVectorTest" in lost["run_dir"]
    assert lost["reproduce"].endswith("UVM_TEST=LostVectorTest WAVES=1")
    report = json.loads((Path(lost["run_dir"]) / "report.json").read_text())
    assert report["observed"]["outcome"] == "interlocked_or: loss" and report["observed"]["env"]["error_count"] == 0
    r = regress_cli("merge", str(smoke / "s1"), str(smoke / "s1"), "--out", str(smoke / "bad"))
    assert r.returncode == 2 and "the shards overlap" in r.stderr


@pytest.mark.sim
def test_junit_has_properties_run_directory_and_reproduce_line(smoke: Path) -> None:
    by_case = {f"{x['name']}[seed{x['seed']}]": x for x in results_of(smoke / "m")}
    suite = ET.parse(smoke / "m" / "junit.xml").getroot()
    assert suite.tag == "testsuite" and suite.get("failures") == "0"
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "0")) == len(cases) == len(by_case)
    for case in cases:
        run = by_case[case.get("name", "")]
        assert case.get("classname") == run["test"] and float(case.get("time", "-1")) >= 0
        props = {p.get("name"): p.get("value") for p in case.iterfind("properties/property")}
        assert props["seed"] == str(run["seed"]) and props["scenario"] == run["test"]
        assert props["uvm_test"] == run["uvm_test"] and props["parameters"] == " ".join(run["params"])
        out = case.findtext("system-out", "")
        assert f"run directory: {run['run_dir']}\n" in out and f"reproduce: {run['reproduce']}\n" in out
        assert Path(run["run_dir"], "report.json").exists() and case.find("failure") is None


@pytest.mark.sim
def test_coverage_xml_merges_across_shards_and_reports_crosses(smoke: Path) -> None:
    shards = [fcov.read_xml(smoke / s / "coverage.xml") for s in ("s1", "s2")]
    merged = fcov.read_xml(smoke / "m" / "coverage.xml")
    # cocotb-coverage's merge adds the shards' hits bin by bin...
    for item, hits in merged.items():
        assert hits == {b: shards[0][item][b] + shards[1][item][b] for b in hits}, item
    # ...and agrees with sampling every run in one model
    fcov.write_xml([x["observations"] for x in results_of(smoke / "m")], smoke / "resampled.xml")
    assert fcov.read_xml(smoke / "resampled.xml") == merged
    assert merged["events.stream"]["stream.overrun"] >= 1 and merged["events.dma"]["dma.chunks_checked"] >= 1
    assert merged["events.msi"]["msi.vector.cq"] >= 1 and merged["events.msi"]["msi.vector.data"] >= 1
    # the smoke suite's LostVectorTest entry: interlocked_or under dropped messages
    assert merged["cq.strategy_x_shared_vector_x_msi_fault"]["interlocked_or, own, drop"] >= 1
    assert merged["stream.ring_mode_x_overrun"]["free, overrun"] >= 1
    text = (smoke / "m" / "coverage.txt").read_text()
    out = (smoke / "m.out").read_text()
    assert text.strip() in out and "crosses (covered/total):" in text
    for c in fcov.CROSSES:
        hits = merged[c.name]
        assert f"{c.name:<40} {sum(1 for n in hits.values() if n):>3}/{len(hits):<3}" in text


@pytest.mark.sim
def test_a_hung_run_is_killed_at_its_time_limit_and_the_suite_goes_on(tmp_path: Path,
                                                                     capsys: pytest.CaptureFixture[str]) -> None:
    # a real simulation that would run for about 13 minutes: a chunk every 100 ms of simulated time
    hang = RegressEntry("hang", "overrun", ("period_us=100000",), timeout_s=6)
    entries = [RegressEntry("overrun", "overrun"), hang, RegressEntry("registers", "registers")]
    results = regress.execute(regress.runs_of(entries), tmp_path, 2, "hang test")
    by_name = {r["name"]: r for r in results}
    # its only failure is the harness's (a timeout): exit 3; with an outcome failure too, 1
    assert regress.write_outputs(results, tmp_path, "hang test") == toolchain.EXIT_INFRASTRUCTURE
    outcome_failure = dict(by_name["overrun"], name="overrun_wrong", verdict="outcome", failed_checks=["x"])
    outcome_failure["pass"] = False
    (tmp_path / "with-outcome").mkdir()
    assert regress.write_outputs(results + [outcome_failure], tmp_path / "with-outcome",
                                 "hang test") == toolchain.EXIT_OUTCOME_DIFFERS
    out = capsys.readouterr().out
    hung = by_name["hang"]
    # killed at its limit, not waited for (the run's own length is minutes); no upper bound on the
    # wall time here: a loaded machine may take long to start the others
    assert hung["verdict"] == "timeout" and not hung["pass"] and hung["wall_s"] >= 6
    assert by_name["overrun"]["pass"] and by_name["registers"]["pass"]
    assert "reproduce: make sim TEST=overrun SEED=1 PARAMS=period_us=100000 WAVES=1" in out
    assert "TIMEOUT overrun hang seed 1: still running after 6 s; killed" in out
    assert "2 passed, 1 failed (1 timed out) of 3 runs" in out
    kept = Path(hung["run_dir"]).with_name(Path(hung["run_dir"]).name + ".failed")
    assert (kept / "sim.log").exists() and f"log: {kept / 'sim.log'}" in out     # the simulator had started
    assert not list(kept.parent.glob("*.tmp-*")), "the killed run's staging directory was left behind"
    # SIGKILL is delivered at once, but a process takes a moment to leave /proc
    for _ in range(100):
        if not processes_under(tmp_path):
            break
        time.sleep(0.1)
    assert not processes_under(tmp_path), "the killed run left processes behind"
    case = next(c for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase") if c.get("name") == "hang[seed1]")
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "timeout" and "still running after 6 s" in failure.get("message", "")
    assert "reproduce: make sim TEST=overrun SEED=1 PARAMS=period_us=100000 WAVES=1" in case.findtext("system-out", "")


def processes_under(directory: Path) -> list[int]:
    """Live (not zombie) processes whose working directory or command line is in `directory`."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if (proc / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                continue
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if str(directory) in cmdline or Path(cwd).is_relative_to(directory):
            found.append(int(proc.name))
    return found


@pytest.mark.sim
def test_a_failing_run_is_a_junit_failure_with_its_reproduce_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = {"test": "overrun", "params": ["expect=clean"], "seed": 1, "name": "wrong_expectation", "num_cq": 1}
    result = regress.run_one(run, tmp_path)
    assert not result["pass"] and result["verdict"] == "outcome" and "zero loss" in result["failed_checks"]
    assert result["reproduce"] == "make sim TEST=overrun SEED=1 PARAMS=expect=clean WAVES=1"
    assert regress.write_outputs([result], tmp_path, "t") == 1
    out = capsys.readouterr().out
    assert "FAIL overrun wrong_expectation seed 1" in out
    assert "reproduce: make sim TEST=overrun SEED=1 PARAMS=expect=clean WAVES=1" in out
    case = ET.parse(tmp_path / "junit.xml").getroot().find("testcase")
    assert case is not None
    failure = case.find("failure")
    assert failure is not None and failure.get("type") == "outcome" and "zero loss" in failure.get("message", "")
    assert result["coverage"]["stream.overrun"] == 1
    assert fcov.read_xml(tmp_path / "coverage.xml")["stream.ring_mode_x_overrun"]["free, overrun"] == 1


def test_a_run_the_runner_refuses_is_an_infrastructure_failure(tmp_path: Path) -> None:
    # the runner stops at the unknown UVM test before it builds or simulates anything
    run = {"test": "overrun", "params": [], "seed": 1, "name": "bad_uvm_test", "num_cq": 1, "uvm_test": "NoSuchTest"}
    result = regress.run_one(run, tmp_path)
    assert result["verdict"] == "infrastructure" and not result["pass"] and result["rc"] == 2
    assert "NoSuchTest" in result["failed_checks"][0]
    failure = regress.junit([result], "t").getroot().find("testcase/failure")
    assert failure is not None and failure.get("type") == "infrastructure"


def test_a_build_failure_before_any_run_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    def failing_build(waves: str, num_cq: int = 1, sim: str = "verilator") -> Path:
        raise InfrastructureError("Verilator build of tb_irqloop-none failed (exit 1); full log: build.log")
    monkeypatch.setattr(regress.runner, "build", failing_build)
    assert regress.main(["run", "--suite", "smoke", "--out", str(tmp_path)]) == 3
    err = capsys.readouterr().err
    assert err.strip() == "error: Verilator build of tb_irqloop-none failed (exit 1); full log: build.log"
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("args, msg", [
    (["run", "--suite", "weekly"], "SUITE='weekly' is not a suite; suites: smoke, nightly"),
    (["run", "--seeds", "x"], "SEEDS='x' is not valid; use a positive integer"),
    (["run", "--jobs", "0"], "JOBS='0' is not valid; use a positive integer"),
    (["run", "--shard", "3/2"], "SHARD='3/2' is not valid; use i/N with 1 <= i <= N"),
    (["run", "--timeout", "abc"], "TIMEOUT='abc' is not valid; use a positive number of seconds, e.g. TIMEOUT=600"),
    (["run", "--timeout", "0"], "TIMEOUT='0' is not valid; use a positive number of seconds"),
    (["run", "--timeout", "-5"], "TIMEOUT='-5' is not valid; use a positive number of seconds"),
    (["run", "--timeout", "nan"], "TIMEOUT='nan' is not valid; use a positive number of seconds"),
    (["run", "--timeout", "inf"], "TIMEOUT='inf' is not valid; use a positive number of seconds"),
    (["run", "--out", "/dev/null/x"], "REGRESS_OUT='/dev/null/x' is not a writable directory"),
    (["merge", "/nonexistent"], "/nonexistent/results.json not found"),
])
def test_regress_rejects_bad_input_in_one_line(args: list[str], msg: str) -> None:
    r = regress_cli(*args)
    assert r.returncode == 2 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_timeout_overrides_every_entry() -> None:
    assert {r["timeout_s"] for r in regress.plan_runs("smoke", 1, 7.5)} == {7.5}
    assert {r["timeout_s"] for r in regress.plan_runs("nightly", 1)} == {600.0}


def test_every_bin_a_run_can_report_is_declared() -> None:
    names = set(fcov.BINS)
    assert {"stream.overrun", "cq.phase_wrap", "cq.coalescing.threshold", "cq.coalescing.time",
            "strategy.scan_timer", "strategy.scan_unlocked", "dpc.ratio.8+"} <= names
    # each bin is a bin of exactly one events coverpoint
    in_points = [b for p in fcov.EVENT_POINTS for b in p.bins]
    assert sorted(in_points) == sorted(names)


def test_coverage_model_samples_crosses_and_merges_xml(tmp_path: Path) -> None:
    # cocotb-coverage's XML merge takes any element whose tag holds "bin" for a bin
    assert not [i.name for i in (*fcov.POINTS, *fcov.CROSSES) if "bin" in i.name]
    variant = {"strategy": ["napi"], "shared_vector": ["shared"], "msi_fault": ["drop", "dup"],
               "aggregation": ["threshold", "time"], "coalescing_disable": ["set"]}
    one = {"events": ["cq.vector_shared"], "cq": [variant], "stream": []}
    two = {"events": ["stream.flow_stall"], "cq": [], "stream": [{"ring_mode": ["flow"], "overrun": ["overrun"]}]}
    fcov.write_xml([one], tmp_path / "a.xml")
    fcov.write_xml([one, two], tmp_path / "b.xml")
    a = fcov.read_xml(tmp_path / "a.xml")
    cross = a["cq.strategy_x_shared_vector_x_msi_fault"]
    assert {b for b, n in cross.items() if n} == {"napi, shared, drop", "napi, shared, dup"}
    assert len(cross) == len(fcov.STRATEGIES) * 2 * 4
    assert {b for b, n in a["cq.aggregation_x_coalescing_disable"].items() if n} == {"threshold, set", "time, set"}
    assert not any(a["stream.ring_mode_x_overrun"].values())
    fcov.merge_xml([tmp_path / "a.xml", tmp_path / "b.xml"], tmp_path / "m.xml")
    m = fcov.read_xml(tmp_path / "m.xml")
    assert m["cq.strategy_x_shared_vector_x_msi_fault"]["napi, shared, drop"] == 2
    assert m["stream.ring_mode_x_overrun"]["flow, overrun"] == 1 and m["events.cq"]["cq.vector_shared"] == 2
    text = fcov.report(tmp_path / "m.xml")
    assert "stream.ring_mode_x_overrun                 1/4" in text and "      2  napi, shared, drop" in text
    # same observations, same file
    fcov.write_xml([one], tmp_path / "again.xml")
    assert (tmp_path / "again.xml").read_bytes() == (tmp_path / "a.xml").read_bytes()


def verilator_point(path: str, line: int, page: str, count: int, comment: str = "block") -> str:
    fields = {"f": path, "l": str(line), "page": page, "o": comment, "h": "tb_irqloop.dut"}
    return "C '" + "".join(f"\x01{k}\x02{v}" for k, v in fields.items()) + f"' {count}"


@pytest.mark.tools
def test_line_coverage_as_lcov_tracefile(tmp_path: Path) -> None:
    rtl = str(ROOT / "rtl" / "ring_producer.v")
    runs = [[verilator_point(rtl, 10, "v_line/ring_producer", 3), verilator_point(rtl, 12, "v_branch/ring_producer", 0),
             verilator_point(rtl, 12, "v_toggle/ring_producer", 9, "x:0->1"),
             verilator_point("/elsewhere/tb/tb_irqloop.v", 5, "v_line/tb", 1)],
            [verilator_point(rtl, 10, "v_line/ring_producer", 1), verilator_point(rtl, 14, "v_line/ring_producer", 0)]]
    files = []
    for i, points in enumerate(runs):
        files.append(tmp_path / f"run{i}.dat")
        files[-1].write_text("# SystemC::Coverage-3\n" + "\n".join(points) + "\n")
    coverage.write_lcov(files, tmp_path / "cov.info")
    assert (tmp_path / "cov.info").read_text().splitlines() == [
        "TN:irqloop", f"SF:{rtl}", "DA:10,3", "DA:12,0", "DA:14,0", "LF:3", "LH:1", "end_of_record"]
    assert "1/3" in coverage.text(files)       # the text table counts the same lines
    toolchain.require_system("rendering line coverage with genhtml", toolchain.LCOV_NEEDS)
    r = subprocess.run(["genhtml", str(tmp_path / "cov.info"), "-o", str(tmp_path / "html")], capture_output=True,
                       text=True)
    assert r.returncode == 0 and "(1 of 3 lines)" in r.stdout, r.stdout + r.stderr


def test_ci_nightly_runs_every_shard_and_merges_them() -> None:
    import yaml

    ci = yaml.safe_load((ROOT / "ci" / "github-actions.yml").read_text())
    triggers = ci[True]                   # YAML 1.1 reads the key `on` as true
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    shards = ci["env"]["NIGHTLY_SHARDS"]
    nightly, merge = ci["jobs"]["nightly"], ci["jobs"]["nightly-merge"]
    assert nightly["strategy"]["matrix"]["shard"] == list(range(1, shards + 1))
    run = " ".join(step.get("run", "") for step in nightly["steps"])
    assert "make regress SUITE=nightly SHARD=${{ matrix.shard }}/${{ env.NIGHTLY_SHARDS }}" in run
    assert merge["needs"] == "nightly" and "make regress-merge DIRS=" in " ".join(s.get("run", "") for s in merge["steps"])


def test_every_test_the_plan_names_exists_and_every_item_is_in_make_test_or_a_suite() -> None:
    import tomllib

    from irqloop.suites import SUITES

    plan = tomllib.loads((ROOT / "tests" / "testplan.toml").read_text())["item"]

    def collected(*marker: str) -> list[str]:
        r = subprocess.run([sys.executable, "-m", "pytest", "tests", "--collect-only", "-q", *marker], cwd=ROOT,
                           capture_output=True, text=True)
        return [line.strip() for line in r.stdout.splitlines() if "::" in line]

    make_test, nightly = collected(), collected("-m", "nightly")
    assert make_test and nightly and not set(make_test) & set(nightly)
    entries = {f"regress:{e.name}" for suite in SUITES.values() for e in suite}
    for item in plan:
        assert item["tests"], item["id"]
        for t in item["tests"]:
            assert t in entries if t.startswith("regress:") else any(n.startswith(t) for n in make_test + nightly), \
                (item["id"], t)
        # nothing falls out of the plan: make test, or a regression suite the README names, runs it
        assert any(t in entries or any(n.startswith(t) for n in make_test) for t in item["tests"]), item["id"]