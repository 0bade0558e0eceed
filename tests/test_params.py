"""Scenario parameters, the register map source, and the runner's answers to bad input."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from irqloop.hostmodel.regs import REG, RegisterMap
from irqloop.tb import scenarios
from irqloop.tb.board import CLOCK_PS
from irqloop.tb.scenarios.overrun import SPEC, predict
from irqloop.tb.scenarios.params import ParamError, parse_overrides

ROOT = Path(__file__).resolve().parent.parent


def test_register_map_and_the_rtl_header_come_from_one_source() -> None:
    text = (ROOT / "rtl" / "irqloop_regs.vh").read_text()
    assert re.search(r"localparam \[11:0\] REG_PROD_IDX +\= 12'h024;", text) and REG.PROD_IDX == 0x24
    assert REG.access["INT_CAUSE"] == "W1C" and REG.access["PROD_IDX"] == "RO"
    assert REG.consts["DEVICE_ID"] == 0x49524C50
    assert len(set(REG.offsets.values())) == len(REG.offsets)


def test_register_arrays_fit_the_csr_space_at_32_queues() -> None:
    """The arrays of the largest device (32 queues, 34 vectors) neither overlap each other nor the
    scalar registers, and stay inside the 4 KiB CSR window."""
    n_cq, n_vec = 32, 34
    spans = {"regs": (0, max(REG.offsets.values()) + 4)}
    sizes = {"CQ": n_cq, "VT": n_vec, "PBA": (n_vec + 31) // 32, "IV": n_vec}
    for arr, count in sizes.items():
        blk = REG.blocks[arr]
        assert max(off for off, _, _ in REG.array_regs[arr].values()) < blk["STRIDE"], arr
        spans[arr] = (blk["BLOCK"], blk["BLOCK"] + count * blk["STRIDE"])
    ordered = sorted(spans.values())
    assert all(a[1] <= b[0] for a, b in zip(ordered, ordered[1:])), spans
    assert ordered[-1][1] <= 0x1000
    assert REG.array("CQ", 3, "HEAD") == 0x400 + 3 * 0x20 + 0xC
    assert REG.array("VT", 33, "CTRL") == 0x800 + 33 * 0x10 + 0xC
    with pytest.raises(AttributeError, match="no register 'NOPE' in array 'CQ'"):
        REG.array("CQ", 0, "NOPE")


def test_register_map_rejects_a_reused_offset() -> None:
    reg = {"offset": 0, "access": "RO", "doc": "", "fields": {}}
    with pytest.raises(ValueError, match="register B reuses offset 0x0"):
        RegisterMap({"A": reg, "B": reg}, {}, {}, {})


def test_unknown_test_names_the_valid_ones() -> None:
    with pytest.raises(ParamError, match="unknown test 'nosuch'; valid tests: .*overrun"):
        scenarios.get("nosuch")


@pytest.mark.parametrize("item,msg", [
    ("slots=0", "slots=0 is below its minimum 1"),
    ("slots=many", r"slots='many' is not valid; expected an integer in 1\.\.65535"),
    ("mode=fast", "mode='fast' is not valid; choose one of: free, flow"),
    ("bogus=1", "unknown parameter 'bogus'"),
    ("slots", "must be name=value"),
])
def test_bad_parameters_get_one_clear_line(item: str, msg: str) -> None:
    with pytest.raises(ParamError, match=msg):
        parse_overrides(SPEC, [item])


def test_impossible_combinations_are_refused() -> None:
    sc = scenarios.get("overrun")
    with pytest.raises(ParamError, match="shorter than one chunk write"):
        sc.prepare(parse_overrides(SPEC, ["period_us=0.1"]))
    with pytest.raises(ParamError, match="not a multiple of the 8-byte"):
        sc.prepare(parse_overrides(SPEC, ["slot_bytes=100"]))
    with pytest.raises(ParamError, match="within .* of the ring's headroom"):
        sc.prepare(parse_overrides(SPEC, ["spike_us=77"]))


def test_prediction_of_the_default_overrun() -> None:
    """Headroom = slots x period; the late DPC's chunk is the first lost; the chunk `slots` later
    overwrites it at stream cycle (seq + slots) x period + 1 (the cycle after it became due)."""
    v = parse_overrides(SPEC, [])
    p = predict(v)
    period_cycles = round(v["period_us"] * 1e6 / CLOCK_PS)
    assert p.outcome == "loss"
    assert p.headroom_ps == v["slots"] * period_cycles * CLOCK_PS
    assert (p.first_lost_seq, p.first_lost_slot, p.overwriting_seq) == (20, 4, 28)
    assert p.overwrite_cycle == 28 * period_cycles + 1
    assert predict(parse_overrides(SPEC, ["spike_us=0"])).outcome == "clean"
    flow = predict(parse_overrides(SPEC, ["mode=flow"]))
    assert flow.outcome == "clean" and flow.stall_expected


def test_runner_cli_rejects_bad_input_with_exit_2() -> None:
    for args, msg in ((["sim", "nosuch"], "valid tests: coalescing, "),
                      (["sim", "overrun", "--seed", "x"], "SEED='x' is not valid"),
                      (["sim", "overrun", "--waves", "2"], "WAVES='2' is not valid"),
                      (["sim", "overrun", "slots=0"], "below its minimum")):
        r = subprocess.run([sys.executable, "-m", "irqloop.runner", *args], cwd=ROOT, capture_output=True, text=True)
        assert r.returncode == 2, (args, r.stderr)
        assert msg in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args,msg", [
    (["TEST=nosuch"], "unknown test 'nosuch'; valid tests: coalescing, "),
    (["SIM=questa"], "SIM=questa is not supported; valid: verilator icarus"),
    (["SEED=abc"], "SEED='abc' is not valid"),
    (["WAVES=yes"], "WAVES='yes' is not valid"),
    (["PARAMS=slots=0 mode=flow"], "slots=0 is below its minimum 1"),
    (["PARAMS=mode=fast"], "mode='fast' is not valid; choose one of: free, flow"),
])
def test_make_sim_rejects_bad_input_before_simulating(args: list[str], msg: str) -> None:
    """What a user types: `make sim ...` with a bad value gets one error line and exit 2."""
    r = subprocess.run(["make", "-s", "sim", *args], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode != 0
    errors = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and msg in errors[0], r.stderr


def test_a_parameter_given_twice_with_two_values_is_a_conflict_not_an_override() -> None:
    """make's DRIVER= and PROFILE= become driver_file= and profile=; PARAMS may name them too. Two
    different values are refused in one line naming both; the same value twice is harmless."""
    from irqloop.tb import scenarios
    spec = scenarios.get("multiqueue").spec
    with pytest.raises(ParamError, match=r"^profile is given twice, as 'server2s' and 'desktop' \(make's PROFILE= sets "
                       r"profile=\): give it once$"):
        parse_overrides(spec, ["profile=server2s", "profile=desktop"])
    assert parse_overrides(spec, ["queues=8", "queues=8"])["queues"] == 8
    with pytest.raises(ParamError, match=r"^unknown parameter 'driver_file' \(make's DRIVER= sets driver_file=\); "):
        parse_overrides(scenarios.get("polling").spec, ["driver_file=x.c"])


def test_the_default_profile_is_accepted_by_every_scenario() -> None:
    """PROFILE=fixed is the constant costs every scenario has: nothing to apply where a scenario has
    no profiles; another profile there is refused, naming the scenarios that take one."""
    from irqloop.runner import with_profile
    assert with_profile("overrun", ["slots=4"], "fixed") == ["slots=4"]
    assert with_profile("multiqueue", [], "fixed") == ["profile=fixed"]
    with pytest.raises(ParamError, match=r"^PROFILE=desktop: scenario overrun has no host profile; profiles apply to: "):
        with_profile("overrun", [], "desktop")
