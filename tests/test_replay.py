"""Your measurements in the RTL: `overrun` replays a latency file (one start latency per queued DPC)
and turns a DPC/ISR trace's other drivers into interference on their CPUs (issue 15, section 1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from irqloop import runner
from irqloop.runner import run_dir_for, run_scenario
from irqloop.tb import scenarios
from irqloop.tb.scenarios.params import parse_overrides

TRACES = Path(__file__).resolve().parent / "data" / "traces"


def latency_file(tmp_path: Path, values_us: list[float]) -> Path:
    path = tmp_path / "latencies.txt"
    path.write_text("# DPC start latency, microseconds\n" + "\n".join(f"{v:g}" for v in values_us) + "\n")
    return path


def prepare(*overrides: str) -> Any:
    sc = scenarios.get("overrun")
    return sc.prepare(parse_overrides(sc.spec, list(overrides)), 1)


@pytest.mark.parametrize("overrides, message", [
    (["latency_file=/no/such/file.txt", "spike_us=0", "expect=loss"], "error: /no/such/file.txt: no such file"),
    (["latency_file={lat}", "expect=loss"], "error: latency_file= replays measured latencies, without a spike or "
                                            "jitter on top: set spike_us=0 and jitter_us=0"),
    (["latency_file={lat}", "spike_us=0"], "error: with replayed latencies the outcome is not predicted from the "
                                           "parameters: set expect=loss or expect=clean"),
    ([f"latency_file={TRACES / 'xperf_dpcisr.txt'}", "spike_us=0", "expect=loss"],
     "a xperf file gives run times only: use it as interference_file="),
    ([f"latency_file={TRACES / 'wpa_enter_exit.tsv'}", "spike_us=0", "expect=loss"],
     "the trace gives no start latencies of the driver's own DPC; name the driver's module with latency_module="),
    (["latency_file={lat}", "latency_format=etl", "spike_us=0", "expect=loss"],
     "error: latency_format='etl' is not valid; choose one of: auto, plain, wpa, xperf, latencymon"),
])
def test_a_replay_that_cannot_run_is_one_line_and_exit_2(overrides: list[str], message: str, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    lat = latency_file(tmp_path, [2.0, 3.0])
    args = [o.format(lat=lat) for o in overrides]
    assert runner.main(["sim", "overrun", "--runs", str(tmp_path / "runs"), *args]) == runner.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0], err
    assert not (tmp_path / "runs").exists()


def test_the_plan_names_the_files_it_replays_and_what_was_made_of_them(tmp_path: Path) -> None:
    lat = latency_file(tmp_path, [2.0, 3.5, 150.0])
    plan = prepare(f"latency_file={lat}", f"interference_file={TRACES / 'wpa_enter_exit.tsv'}", "spike_us=0",
                   "expect=loss")
    replay = plan.to_json()["replay"]
    assert replay["latency_file"] == str(lat) and replay["dpc_latency_ps"] == 3 and len(replay["latency_sha256"]) == 64
    assert replay["latency_format"] == "plain" and replay["latency_trace"][1] == \
        "given:    DPC start latency: 3 samples in microseconds"
    assert replay["interference_sources"] == [
        "mydev.sys.dpc@0: 1 DPCs at their trace times on CPU 0, measured run times",
        "nvlddmkm.sys.dpc@0: 1 DPCs at their trace times on CPU 0, measured run times",
        "mydev.sys.isr@0: 1 ISRs at their trace times on CPU 0, measured run times"]
    assert plan.prediction.late_latency_ps == 150_000_000
    assert "replay" not in prepare().to_json()          # an ordinary plan is as it was


def run(tmp_path: Path, *overrides: str) -> dict[str, Any]:
    assert run_scenario("overrun", 1, "none", list(overrides), run_root=tmp_path, quiet=True) == 0
    values = parse_overrides(scenarios.get("overrun").spec, list(overrides))
    return json.loads((run_dir_for("overrun", 1, values, tmp_path) / "report.json").read_text())


@pytest.mark.sim
def test_a_replayed_late_latency_loses_what_the_same_spike_is_predicted_to_lose(tmp_path: Path) -> None:
    """The 21st queued DPC (the one for chunk 20, each ordinary DPC taking one chunk) starts 150 us
    late: the chunks, overwrite and cycle predicted for a 148 us spike on the 2 us base."""
    lat = latency_file(tmp_path, [2.0] * 20 + [150.0])
    replayed = run(tmp_path, f"latency_file={lat}", "spike_us=0", "expect=loss")
    predicted = prepare("spike_us=148").prediction
    hw, lost = replayed["observed"]["hardware"], replayed["observed"]["scoreboard"]["lost"]
    assert lost[0] == predicted.first_lost_seq == 20 and lost == list(range(20, 28))
    assert (hw["OVERRUN_SEQ"], hw["OVERRUN_CYCLE"]) == (predicted.overwriting_seq, predicted.overwrite_cycle)
    assert replayed["observed"]["late_dpc"]["latency_ps"] == 150_000_000 + 300_000     # + the dispatcher's call
    assert replayed["pass"]


@pytest.mark.sim
def test_a_traces_other_driver_delays_the_dpc_behind_it(tmp_path: Path) -> None:
    """wpa_enter_exit.tsv: nvlddmkm.sys runs a 496 us DPC on CPU 0 3 us after the trace starts; at
    the stream's start it takes CPU 0, and the driver's first DPC waits behind it past the headroom."""
    r = run(tmp_path, f"interference_file={TRACES / 'wpa_enter_exit.tsv'}", "expect=loss")
    obs = r["observed"]
    assert obs["interference"]["arrivals"] == {"mydev.sys.dpc@0": 1, "nvlddmkm.sys.dpc@0": 1, "mydev.sys.isr@0": 1}
    assert obs["interference"]["busy_ps"]["nvlddmkm.sys.dpc@0"] == 496_000_000
    late = obs["late_dpc"]
    assert late["latency_ps"] > 496_000_000 and "nvlddmkm.sys.dpc@0" in late["behind"]["dpcs"]
    assert obs["scoreboard"]["lost"][0] == 0 and r["pass"]
