"""`make regress`: the smoke suite end to end, sharding and merging, a failing run's JUnit entry
and reproduce line, and the functional coverage bins of a run."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tb import fcov, regress
from tb.runner import ROOT


def regress_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tb.regress", *args], cwd=ROOT, capture_output=True, text=True)


@pytest.mark.sim
def test_smoke_suite_passes_with_junit_and_coverage(tmp_path: Path) -> None:
    r = regress_cli("run", "--suite", "smoke", "--jobs", "1", "--out", str(tmp_path))
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    runs = regress.plan_runs("smoke", None)
    suite = ET.parse(tmp_path / "junit.xml").getroot()
    assert int(suite.get("tests")) == len(runs) == len(suite.findall("testcase")) and suite.get("failures") == "0"
    assert f"[{len(runs)}/{len(runs)}] pass {len(runs)} fail 0" in r.stdout
    cov = (tmp_path / "coverage.txt").read_text()
    assert cov.startswith("functional coverage: ") and "stream.overrun" in cov
    # bins the UVM environment's monitors contribute were hit: ring chunks checked, CQ vectors fired
    hit = {line.split()[1] for line in cov.splitlines()[1:] if line.strip() and line.split()[0].isdigit()
           and int(line.split()[0]) > 0}
    assert {"dma.chunks_checked", "msi.vector.cq", "msi.vector.data"} <= hit, cov
    results = json.loads((tmp_path / "results.json").read_text())["results"]
    assert {x["test"] for x in results} == {e.test for e in regress.SUITES["smoke"]}
    assert all(Path(x["run_dir"]).is_relative_to(tmp_path) for x in results)     # each in its own directory
    lost = next(x for x in results if x["name"] == "random_cq_lost_vector")    # a factory-override test
    assert lost["uvm_test"] == "LostVectorTest" and "LostVectorTest" in lost["run_dir"]
    assert lost["reproduce"].endswith("UVM_TEST=LostVectorTest WAVES=1")
    report = json.loads((Path(lost["run_dir"]) / "report.json").read_text())
    assert report["observed"]["outcome"] == "interlocked_or: loss" and report["observed"]["env"]["error_count"] == 0


@pytest.mark.sim
def test_shards_split_the_runs_and_merge_back(tmp_path: Path) -> None:
    for i in (1, 2):
        r = regress_cli("run", "--suite", "smoke", "--seeds", "1", "--jobs", "1", "--shard", f"{i}/2",
                        "--out", str(tmp_path / f"s{i}"))
        assert r.returncode == 0, r.stdout[-2000:]
    a = json.loads((tmp_path / "s1" / "results.json").read_text())["results"]
    b = json.loads((tmp_path / "s2" / "results.json").read_text())["results"]
    assert a and b and not {(x["name"], x["seed"]) for x in a} & {(x["name"], x["seed"]) for x in b}
    r = regress_cli("merge", str(tmp_path / "s1"), str(tmp_path / "s2"), "--out", str(tmp_path / "m"))
    assert r.returncode == 0
    merged = json.loads((tmp_path / "m" / "results.json").read_text())["results"]
    assert len(merged) == len(regress.plan_runs("smoke", 1)) == len(a) + len(b)
    r = regress_cli("merge", str(tmp_path / "s1"), str(tmp_path / "s1"), "--out", str(tmp_path / "bad"))
    assert r.returncode == 2 and "the shards overlap" in r.stderr


@pytest.mark.sim
def test_a_failing_run_is_a_junit_failure_with_its_reproduce_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run = {"test": "overrun", "params": ["expect=clean"], "seed": 1, "name": "wrong_expectation", "num_cq": 1}
    result = regress.run_one(run, tmp_path)
    assert not result["pass"] and "zero loss" in result["failed_checks"]
    assert result["reproduce"] == "make sim TEST=overrun SEED=1 PARAMS=expect=clean WAVES=1"
    assert regress.write_outputs([result], tmp_path, "t") == 1
    out = capsys.readouterr().out
    assert "reproduce: make sim TEST=overrun SEED=1 PARAMS=expect=clean WAVES=1" in out
    case = ET.parse(tmp_path / "junit.xml").getroot().find("testcase")
    assert case is not None and case.find("failure") is not None
    assert result["coverage"]["stream.overrun"] == 1


@pytest.mark.parametrize("args, msg", [
    (["run", "--suite", "weekly"], "SUITE='weekly' is not a suite; suites: smoke, nightly"),
    (["run", "--seeds", "x"], "SEEDS='x' is not valid; use a positive integer"),
    (["run", "--jobs", "0"], "JOBS='0' is not valid; use a positive integer"),
    (["run", "--shard", "3/2"], "SHARD='3/2' is not valid; use i/N with 1 <= i <= N"),
    (["merge", "/nonexistent"], "/nonexistent/results.json not found"),
])
def test_regress_rejects_bad_input_in_one_line(args: list[str], msg: str) -> None:
    r = regress_cli(*args)
    assert r.returncode == 2 and msg in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_every_bin_a_run_can_report_is_declared() -> None:
    names = set(fcov.BINS)
    assert {"stream.overrun", "cq.phase_wrap", "cq.coalescing.threshold", "cq.coalescing.time",
            "strategy.scan_timer", "dpc.ratio.8+"} <= names
    assert fcov.merge([{"a": 1}, {"a": 2, "b": 1}]) == {"a": 3, "b": 1}


def test_every_test_the_plan_names_exists() -> None:
    import tomllib

    from tb.suites import SUITES

    plan = tomllib.loads((ROOT / "tests" / "testplan.toml").read_text())["item"]
    r = subprocess.run([sys.executable, "-m", "pytest", "tests", "--collect-only", "-q"], cwd=ROOT,
                       capture_output=True, text=True)
    nodes = [line.strip() for line in r.stdout.splitlines() if "::" in line]
    entries = {f"regress:{e.name}" for suite in SUITES.values() for e in suite}
    for item in plan:
        assert item["tests"], item["id"]
        for t in item["tests"]:
            assert t in entries if t.startswith("regress:") else any(n.startswith(t) for n in nodes), (item["id"], t)
