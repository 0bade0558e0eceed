"""`make sweep` (irqloop/sweep.py): crossovers placed by hand-checked arithmetic, the table that
names them, and one small sweep on the RTL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from irqloop import sweep
from irqloop.runner import run_dir_for
from irqloop.tb import scenarios
from irqloop.tb.scenarios.params import parse_overrides
from irqloop.sweep import Axes, Point, crossover

ROOT = Path(__file__).resolve().parents[1]


def test_a_crossover_is_placed_between_the_counts_where_the_difference_changes_sign() -> None:
    xs = [4, 8, 16, 32]
    # differences -1, -0.5, +0.5, +1.5: the sign changes between 8 and 16, halfway
    assert crossover(xs, [1, 2, 3, 4], [2, 2.5, 2.5, 2.5]) == (12.0, "dearer")
    assert crossover(xs, [2, 2.5, 2.5, 2.5], [1, 2, 3, 4]) == (12.0, "cheaper")
    assert crossover(xs, [1, 1, 1, 1], [2, 3, 4, 5]) is None
    assert crossover(xs, [1, 2, 3, 4], [1, 1, 1, 1]) == (4, "dearer")       # equal at the first count


def point(profile: str, cpus: int, queues: int, strategy: str, dpc_us: float, isr_us: float = 1.0) -> Point:
    return Point(profile, cpus, "isr", queues, strategy, dpc_us, isr_us, 100, 5.0, 9.0, True)


def test_the_table_names_the_cheapest_strategy_and_the_scans_crossover() -> None:
    axes = Axes(queues=(4, 8, 16, 32), cpus=(2,), profiles=("desktop",), placements=("isr",))
    pts = []
    for i, q in enumerate(axes.queues):
        for s in sweep.STRATEGIES:
            dpc = {"scan_phase": 10 + 10 * i, "spinlock_bitmap": 25.0}.get(s, 50.0)   # per 100 completions
            # the bitmap's lock makes its ISRs dear: in ISR + DPC time the scan stays cheaper
            pts.append(point("desktop", 2, q, s, dpc, isr_us=30.0 if s == "spinlock_bitmap" else 1.0))
    md = sweep.markdown(pts, axes, 1, 3.0, "make sweep")
    row = next(line for line in md.splitlines() if line.startswith("| 2 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert cells[1] == "ISR's CPU"
    assert cells[2] == "scan_phase (100 ns)" and cells[3] == "spinlock_bitmap (250 ns)"
    # scan 100, 200, 300, 400 ns against the bitmap's 250: dearer from 12 queues (halfway 8..16)
    others = [x for x in sweep.STRATEGIES if x != sweep.PIVOT]
    assert cells[4 + others.index("spinlock_bitmap")] == "dearer above ~12"
    assert cells[4 + others.index("interlocked_or")] == "cheaper at every count"
    # ISR + DPC: scan 110..410 ns against the bitmap's 550 and interlocked_or's 510
    assert cells[4 + len(others):4 + len(others) + 2] == ["cheaper at every count", "cheaper at every count"]


@pytest.mark.parametrize("args, msg", [
    (["--queues", "8"], "SWEEP_QUEUES='8': give two or more integers in 1..32, comma-separated"),
    (["--profiles", "desktop,laptop"], "profile='laptop' is not a profile; choose fixed (default), desktop"),
    (["--placements", "isr,2", "--cpus", "2,4"], "SWEEP_DPC='isr,2': a DPC's CPU must be below the smallest CPU count 2"),
])
def test_sweep_refuses_bad_axes_in_one_line(args: list[str], msg: str) -> None:
    r = subprocess.run([sys.executable, "-m", "irqloop.compare", "--sweep", *args], cwd=ROOT, capture_output=True,
                       text=True)
    assert r.returncode == 2 and r.stderr.startswith(f"error: {msg}") and r.stderr.count("\n") == 1


@pytest.mark.sim
def test_a_small_sweep_on_the_rtl_runs_every_point_clean_and_writes_its_table(tmp_path: Path) -> None:
    axes = Axes(queues=(2, 4), cpus=(2,), profiles=("server2s",), placements=("isr",), per_queue=4)
    assert sweep.sweep(3, axes, tmp_path, [], quiet=True) == 0
    out = tmp_path / "multiqueue" / "sweep-seed3"
    data = json.loads((out / "sweep.json").read_text())
    assert len(data["points"]) == 2 * len(sweep.STRATEGIES)
    assert all(p["clean"] and p["completions"] == p["queues"] * 4 for p in data["points"])
    md = (out / "sweep.md").read_text()
    assert "## server2s" in md and (out / "sweep.png").stat().st_size > 10_000
    # each point is an ordinary multiqueue run directory, its profile in the report
    params = ["queues=2", "cpus=2", "profile=server2s", "dpc_cpu=isr", "per_queue=4",
              "strategies=" + ",".join(sweep.STRATEGIES)]
    run_dir = run_dir_for("multiqueue", 3, parse_overrides(scenarios.get("multiqueue").spec, params), tmp_path)
    report = json.loads((run_dir / "report.json").read_text())
    assert report["plan"]["values"]["profile"] == "server2s"
    assert all(r["caches"]["dma_misses"] > 0 for r in report["observed"]["runs"])
    # the report names the profile and the lines' accesses
    text = (run_dir / "report.txt").read_text()
    assert "host profile server2s (2 sockets x 1 die, device on socket 0" in text
    assert text.count("  shared cache lines: ") == len(sweep.STRATEGIES)
