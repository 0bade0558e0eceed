"""trace.json: every run's host activity in the Chrome trace event format (Perfetto opens it):
each ISR and DPC run, lock hold and MSI, and the device's first overwrite, at simulated time."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from irqloop.runner import run_dir_for, run_scenario
from irqloop.tb import scenarios
from irqloop.tb.scenarios.params import parse_overrides


def run(root: Path, test: str, *overrides: str) -> Path:
    assert run_scenario(test, 1, "none", list(overrides), run_root=root, quiet=True) == 0
    return run_dir_for(test, 1, parse_overrides(scenarios.get(test).spec, list(overrides)), root)


@pytest.mark.sim
def test_overrun_timeline_holds_every_isr_dpc_and_msi_and_the_first_overwrite(tmp_path: Path) -> None:
    run_dir = run(tmp_path / "a", "overrun")
    report = json.loads((run_dir / "report.json").read_text())
    obs, k = report["observed"], report["observed"]["kernel"]
    events = json.loads((run_dir / "trace.json").read_text())["traceEvents"]
    by = lambda ph, cat: [e for e in events if e["ph"] == ph and e.get("cat") == cat]  # noqa: E731
    assert len(by("X", "isr")) == k["isr_count"] and len(by("X", "dpc")) == k["dpc_runs"]
    assert len(by("i", "msi")) == obs["hardware"]["CNT_IRQS"]
    (overwrite,) = by("i", "device")
    hw = obs["hardware"]
    assert overwrite["ts"] * 1e6 == pytest.approx(obs["stream_start_ps"] + hw["OVERRUN_CYCLE"] * obs["clock_ps"])
    assert overwrite["args"] == {"OVERRUN_SEQ": 28}
    assert all(e["dur"] >= 0 for e in events if e["ph"] == "X") and {e["tid"] for e in by("X", "dpc")} == {0}
    late = obs["late_dpc"]
    assert any(e["ts"] * 1e6 == pytest.approx(late["start_ps"]) for e in by("X", "dpc"))
    names = {e["args"]["name"] for e in events if e["ph"] == "M"}
    assert {"CPU 0", "CPU 3", "device"} <= names
    # the same seed, the same timeline
    again = run(tmp_path / "b", "overrun")
    assert (again / "trace.json").read_bytes() == (run_dir / "trace.json").read_bytes()


@pytest.mark.sim
def test_a_scenario_with_variants_has_a_process_per_run(tmp_path: Path) -> None:
    run_dir = run(tmp_path, "rearm_race")
    report = json.loads((run_dir / "report.json").read_text())
    events = json.loads((run_dir / "trace.json").read_text())["traceEvents"]
    processes = [e["args"]["name"] for e in events if e["ph"] == "M" and e["name"] == "process_name"]
    assert len(processes) == len(report["observed"]["runs"]) >= 2
    for pid, r in enumerate(report["observed"]["runs"], 1):
        dpcs = [e for e in events if e["pid"] == pid and e.get("cat") == "dpc"]
        assert len(dpcs) == r["metrics"]["totals"]["dpc_runs"]
