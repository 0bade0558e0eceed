"""End-to-end `overrun` scenario: the real RTL (Verilator) against the host model.

The lossy default must be caught (exit 1 if it were declared clean), the lossless variants must
pass with zero loss, the same seed must give the same report, and the FST must agree with it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from irqloop.runner import run_dir_for, run_scenario
from irqloop.tb import scenarios
from irqloop.tb.board import CLOCK_PS
from irqloop.tb.scenarios.params import ParamError, parse_overrides


def run_dir(tmp_path: Path, *overrides: str, seed: int = 1) -> Path:
    return run_dir_for("overrun", seed, parse_overrides(scenarios.get("overrun").spec, list(overrides)), tmp_path)


def run(tmp_path: Path, *overrides: str, seed: int = 1, waves: str = "none") -> tuple[int, dict[str, Any]]:
    rc = run_scenario("overrun", seed, waves, list(overrides), run_root=tmp_path)
    report = json.loads((run_dir(tmp_path, *overrides, seed=seed) / "report.json").read_text())
    return rc, report


@pytest.mark.sim
def test_default_overrun_is_detected_at_the_predicted_slot(tmp_path: Path) -> None:
    rc, r = run(tmp_path)
    assert rc == 0 and r["pass"]
    obs, pred = r["observed"], r["plan"]["prediction"]
    assert r["plan"]["expected"] == "loss"
    lost = obs["scoreboard"]["lost"]
    assert lost[0] == pred["first_lost_seq"] == 20
    assert lost == list(range(20, 20 + len(lost)))
    assert obs["hardware"]["OVERRUN_SEQ"] == 28 and obs["hardware"]["overrun_flag"]
    assert obs["hardware"]["CNT_OVERWRITE"] == len(lost) == obs["driver"]["chunks_lost_ring"]
    # the late DPC is the one that caused it, and it exceeded the headroom
    assert obs["late_dpc"]["latency_ps"] > pred["headroom_ps"]
    assert obs["late_dpc"]["start_ps"] > obs["hw_overrun_ps"]


@pytest.mark.sim
@pytest.mark.parametrize("overrides", [("spike_us=0",), ("mode=flow",), ("spike_us=60",)])
def test_lossless_variants_show_zero_loss(tmp_path: Path, overrides: tuple[str, ...]) -> None:
    rc, r = run(tmp_path, *overrides)
    assert rc == 0 and r["pass"] and r["plan"]["expected"] == "clean"
    sb, hw = r["observed"]["scoreboard"], r["observed"]["hardware"]
    assert sb["lost"] == [] and sb["delivered"] == 64 and sb["divergences"] == 0
    assert hw["CNT_OVERWRITE"] == 0 and not hw["overrun_flag"]
    if "mode=flow" in overrides:
        assert hw["CNT_STALL"] > 0


#: A flow-controlled stream near the DPC's copy-rate limit: a 1 KiB chunk every 1.2 us against
#: 1.05 us of DPC time per chunk (the copy at 1 GB/s, an uncached buffer, plus 50 ns of
#: bookkeeping), so per byte the device's DMA (~1.5 GB/s) outruns the copy. 32 slots absorb the
#: ordinary batches; the late DPC (62 us against 38.4 us of headroom) finds the ring full with a
#: chunk held. Freeing or copying first only matters then.
NEAR_COPY_LIMIT = ("mode=flow", "copy_ns_per_kib=1000", "period_us=1.2", "slots=32", "chunks=96", "spike_us=60")


@pytest.mark.sim
def test_freeing_before_copying_loses_the_refilled_slots_and_copying_first_loses_nothing(tmp_path: Path) -> None:
    """Rule (docs/host-model.md, the driver): the DPC copies every ready slot, then frees them with one
    CONS_IDX write. A DPC that frees first lets the held chunk and its successors refill the
    slots it is still copying: the copies are torn or replaced by the chunk one ring later, the
    hardware sees no overwrite, and only the scoreboard (checking each copy as it ended up)
    notices. Same parameters and seed, the correct driver delivers everything."""
    rc, bad = run(tmp_path, *NEAR_COPY_LIMIT, "driver=free_first", "expect=loss")
    assert rc == 0 and bad["pass"], [c for c in bad["checks"] if not c["ok"]]
    sb, hw = bad["observed"]["scoreboard"], bad["observed"]["hardware"]
    assert (sb["produced"], sb["delivered"], sb["lost"]) == (96, 87, list(range(15, 24)))
    assert sb["corrupted_copies"] == sb["lost"] and bad["observed"]["driver"]["chunks_lost_ring"] == 0
    # each copy as it ended up: (seq, slot, completed at ps, kind, first bad word, words from the refill)
    # the device gains on the copy at first, then the DPC pulls ahead by 150 ns a slot
    assert [(d["seq"], d["slot"], d["t_ps"], d["kind"], d["word"], d["words_differing"])
            for d in sb["copy_divergences"]] == [
        (15, 15, 89_848_000, "torn", 64, 160), (16, 16, 90_898_000, "overwritten", 0, 256),
        (17, 17, 91_948_000, "overwritten", 0, 256), (18, 18, 92_998_000, "overwritten", 0, 256),
        (19, 19, 94_048_000, "overwritten", 0, 256), (20, 20, 95_098_000, "overwritten", 0, 256),
        (21, 21, 96_148_000, "torn", 0, 192), (22, 22, 97_198_000, "torn", 128, 96),
        (23, 23, 98_248_000, "torn", 192, 8)]
    assert all(d["seq_refill"] == d["seq"] + 32 for d in sb["copy_divergences"])
    assert bad["observed"]["late_dpc"]["start_ps"] == 88_790_000
    assert (hw["CNT_OVERWRITE"], hw["overrun_flag"], hw["CNT_STALL"]) == (0, False, 8039)

    rc, good = run(tmp_path, *NEAR_COPY_LIMIT, "expect=clean")
    assert rc == 0 and good["pass"], [c for c in good["checks"] if not c["ok"]]
    sb, hw = good["observed"]["scoreboard"], good["observed"]["hardware"]
    assert (sb["produced"], sb["delivered"], sb["lost"], sb["divergences"]) == (96, 96, [], 0)
    assert good["observed"]["late_dpc"]["start_ps"] == 88_866_000
    # the device waits for the late DPC's copy of the full ring instead
    assert (hw["CNT_OVERWRITE"], hw["overrun_flag"], hw["CNT_STALL"]) == (0, False, 16457)


def test_free_first_with_a_full_ring_is_not_predicted() -> None:
    """Whether the refill overtakes the copy depends on rates and bus timing: expect=auto refuses."""
    spec = scenarios.get("overrun").spec
    with pytest.raises(ParamError, match="set expect=loss or expect=clean"):
        scenarios.get("overrun").prepare(parse_overrides(spec, ["mode=flow", "driver=free_first"]))
    plan = scenarios.get("overrun").prepare(parse_overrides(spec, ["driver=free_first"]))
    assert plan.expected == "loss"        # free-running: the device overwrites regardless of CONS_IDX


@pytest.mark.sim
def test_harness_fails_when_the_outcome_differs_from_the_declaration(tmp_path: Path) -> None:
    rc, r = run(tmp_path, "expect=clean")
    assert rc == 1 and not r["pass"]
    failed = {c["name"] for c in r["checks"] if not c["ok"]}
    assert "zero loss" in failed


@pytest.mark.sim
def test_same_seed_same_report_and_jitter_follows_the_seed(tmp_path: Path) -> None:
    _, a = run(tmp_path / "a", "jitter_us=3", seed=5)
    _, b = run(tmp_path / "b", "jitter_us=3", seed=5)
    _, c = run(tmp_path / "c", "jitter_us=3", seed=6)
    assert a == b
    assert a["observed"]["kernel"] != c["observed"]["kernel"] or a["observed"]["end_ps"] != c["observed"]["end_ps"]


@pytest.mark.sim
@pytest.mark.parametrize("waves,ext", [("vcd", "vcd"), ("fst", "fst")])
def test_make_sim_waves_values_write_the_named_format(waves: str, ext: str, tmp_path: Path) -> None:
    """`make sim WAVES=vcd|fst` as a user types it (make exports WAVES to the environment)."""
    import subprocess
    root = Path(__file__).resolve().parent.parent
    r = subprocess.run(["make", "-s", "sim", f"WAVES={waves}", "PARAMS=chunks=30 spike_at_chunk=10",
                        f"RUNS={tmp_path}"], cwd=root, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    dump = run_dir(tmp_path, "chunks=30", "spike_at_chunk=10") / f"dump.{ext}"
    assert dump.parent.name == "seed1-chunks=30-spike_at_chunk=10"
    assert f"waves: {dump}" in r.stdout and dump.stat().st_size > 0
    head = dump.read_bytes()[:64]
    assert head.startswith(b"$") if ext == "vcd" else head[:1] == b"\x00"    # VCD text; FST header block
    view = (dump.parent / "view.gtkw").read_text()
    obs = json.loads((dump.parent / "report.json").read_text())["observed"]
    assert f"marker A: first unconsumed slot overwritten (hardware overrun flag) at " \
           f"{obs['hw_overrun_ps'] / 1e6:.3f} us" in view                      # the view marks the report's moments
    assert f"marker C: the late DPC starts at {obs['late_dpc']['start_ps'] / 1e6:.3f} us" in view
    assert f'[dumpfile] "{dump}"' in view and "tb_irqloop.u_act.cpu0_state" in view
    if ext == "fst":                                                         # GTKWave renders it headless
        r = subprocess.run(["make", "-s", "wave-png", "PARAMS=chunks=30 spike_at_chunk=10", f"RUNS={tmp_path}"],
                           cwd=root, capture_output=True, text=True)
        png = dump.parent / "view.png"
        assert r.returncode == 0 and f"wave-png: {png}" in r.stdout, r.stderr[-1500:]
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


@pytest.mark.sim
def test_waves_fst_agrees_with_the_report(tmp_path: Path) -> None:
    import pywellen

    rc, r = run(tmp_path, waves="fst")
    fst = run_dir(tmp_path) / "dump.fst"
    assert rc == 0 and fst.stat().st_size > 0
    w = pywellen.Waveform(str(fst))
    sig = {v.full_name: v.signal for v in w.all_vars()}
    # every signal the GTKWave view names is in the dump
    view = (run_dir(tmp_path) / "view.gtkw").read_text().splitlines()
    named = [re.sub(r"\[\d+:\d+\]$", "", line) for line in view if line.startswith("tb_irqloop.")]
    assert named and [n for n in named if n not in sig] == []
    t = r["observed"]["hw_overrun_ps"]
    overrun = sig["tb_irqloop.dut.u_producer.overrun"]
    assert overrun.value_at(t - 1) == 0 and overrun.value_at(t) == 1
    seq = sig["tb_irqloop.dut.u_producer.overrun_seq"]
    assert seq.value_at(t) == r["observed"]["hardware"]["OVERRUN_SEQ"]
    msi = sig["tb_irqloop.u_host.msi_count"]
    assert msi.value_at(r["observed"]["end_ps"]) == r["observed"]["hardware"]["CNT_IRQS"]
    # the clock the main loop toggles is a real clock in the dump: low, rising at half a period,
    # falling at a period, to the end of the run
    clk, half = sig["tb_irqloop.clk"], CLOCK_PS // 2
    last_fall = r["observed"]["end_ps"] // CLOCK_PS * CLOCK_PS
    times = [0, half - 1, half, CLOCK_PS - 1, CLOCK_PS, last_fall - half - 1, last_fall - half, last_fall - 1, last_fall]
    assert [clk.value_at(t) for t in times] == [0, 0, 1, 1, 0, 0, 1, 1, 0]

    # the host model's activity is in the same dump and agrees with the report's event times
    obs = r["observed"]
    late = obs["late_dpc"]
    state = sig["tb_irqloop.u_act.cpu0_state"]                       # 1 ISR, 2 DPC, 3 DISPATCH
    assert state.value_at(late["queued_at_ps"] - 1) == 1               # its ISR queued it
    assert state.value_at(late["queued_at_ps"] + 1) == 3               # draining, held by the latency
    assert state.value_at(late["start_ps"] - 1) == 3 and state.value_at(late["start_ps"]) == 2
    assert sig["tb_irqloop.u_act.cpu0_irql"].value_at(late["start_ps"]) == 2
    # the ISR runs under its interrupt spin lock (the first lock of the run: bit 0 of cpu0_locks)
    isr_time = late["queued_at_ps"] - 1
    assert sig["tb_irqloop.u_act.cpu0_locks"].value_at(isr_time) & 1 == 1
    assert sig["tb_irqloop.u_act.cpu0_locks"].value_at(late["start_ps"]) == 0
    assert sig["tb_irqloop.u_act.consumer_pos"].value_at(obs["end_ps"]) == obs["scoreboard"]["delivered"]
    assert sig["tb_irqloop.u_act.sb_errors"].value_at(obs["end_ps"]) == obs["scoreboard"]["divergences"]

    # determinism: the same seed gives the same waveform (every signal, sampled through the run)
    run(tmp_path / "again", waves="fst")
    w2 = pywellen.Waveform(str(run_dir(tmp_path / "again") / "dump.fst"))
    sig2 = {v.full_name: v.signal for v in w2.all_vars()}
    assert sig2.keys() == sig.keys()
    end = r["observed"]["end_ps"]
    times = [0] + [end * k // 97 for k in range(1, 98)]
    for name, s1 in sig.items():
        assert [s1.value_at(t) for t in times] == [sig2[name].value_at(t) for t in times], name


@pytest.mark.sim
def test_injected_msi_faults_are_logged_and_reach_the_host_as_injected(tmp_path: Path) -> None:
    """Fault injection between the device and the host: a dropped, a delayed and a duplicated data
    MSI, each logged with its simulation time; the host's ISR count is the device's MSI count minus
    the drop plus the duplicate, and the delayed ISR runs delay later than the device sent it."""
    faults = "drop:vec=0:nth=5;delay=20us:vec=0:nth=10;dup:vec=0:nth=15"
    rc, r = run(tmp_path, "spike_us=0", f"msi_faults={faults}")
    assert rc == 0 and r["pass"]
    obs = r["observed"]
    log = obs["msi_faults"]
    assert [(f["action"], f["vector"], f["count"]) for f in log] == [("drop", 0, 5), ("delay", 0, 10), ("dup", 0, 15)]
    period_ps = 10_000_000
    # the n-th data MSI follows chunk n-1, which is due at stream cycle (n-1) * period
    for f in log:
        assert 0 < f["time_ps"] - obs["stream_start_ps"] - (f["count"] - 1) * period_ps < 2_000_000
    assert log[1]["delay_ps"] == 20_000_000
    assert obs["kernel"]["isr_count"] == obs["hardware"]["CNT_IRQS"] - 1 + 1
    assert obs["scoreboard"]["lost"] == []
    # same seed, same faults: the same report
    rc2, r2 = run(tmp_path / "again", "spike_us=0", f"msi_faults={faults}")
    assert r2["observed"]["msi_faults"] == log and r2["observed"]["scoreboard"] == obs["scoreboard"]
