"""Icarus Verilog as the second simulator (SIM=icarus): the same RTL, the same HDL host and the same
C host memory and MMIO queue (behind the VPI shim tb/hdl/hostmem_vpi.cpp instead of DPI-C) must
give the same report as Verilator, byte for byte; what Icarus cannot do is refused in one line.

The default overrun comparison costs ~15 s on top of the Verilator build the other end-to-end tests
share (the Icarus build is ~3 s, its run ~6 s), so it is in make test; the other streaming
scenarios are compared nightly.
"""

from __future__ import annotations

import json

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from irqloop import runner, simbuild, toolchain
from irqloop.tb import scenarios
from irqloop.tb.scenarios.params import ParamError, parse_overrides

ROOT = Path(__file__).resolve().parent.parent
IRQLOOP = ROOT / ".venv" / "bin" / "irqloop"
#: what a run writes that must not depend on the simulator (timing.json holds wall-clock seconds
#: and sim.log the simulator's own banner, so neither is compared)
SAME_FILES = ("report.json", "report.txt", "observations.json", "trace.json", "run.json")


def run_both(tmp_path: Path, test: str, overrides: list[str], seed: int = 1) -> tuple[Path, Path]:
    """The scenario under each simulator; the two run directories. Both must reach a verdict (a
    declared outcome that differs is exit 1 under both: the reports then say the same)."""
    dirs, codes = [], []
    for sim in ("verilator", "icarus"):
        root = tmp_path / sim
        codes.append(runner.run_scenario(test, seed, "none", overrides, run_root=root, quiet=True, sim=sim))
        dirs.append(runner.run_dir_for(test, seed, parse_overrides(scenarios.get(test).spec, overrides), root))
    assert codes[0] in (toolchain.EXIT_AS_DECLARED, toolchain.EXIT_OUTCOME_DIFFERS) and codes[1] == codes[0], codes
    return dirs[0], dirs[1]


def assert_same_run(verilator: Path, icarus: Path) -> None:
    present = [name for name in SAME_FILES if (verilator / name).exists()]      # not every scenario writes trace.json
    assert "report.json" in present and all((icarus / name).exists() for name in present)
    for name in present:
        a, b = (verilator / name).read_bytes(), (icarus / name).read_bytes()
        assert a == b, f"{name} differs between Verilator and Icarus ({verilator} vs {icarus})"
    # the shim never saw an unknown (x/z) bit: Verilator has none, so one would be a difference in waiting
    assert "unknown (x/z) bits" not in (icarus / "sim.log").read_text(errors="replace")


@pytest.mark.sim
def test_overrun_report_is_byte_identical_under_icarus_and_verilator(tmp_path: Path) -> None:
    verilator, icarus = run_both(tmp_path, "overrun", [])
    assert_same_run(verilator, icarus)
    report = (icarus / "report.json").read_text()
    assert '"lost": [' in report and '"OVERRUN_SEQ": 28' in report     # the lossy default, not an empty run


@pytest.mark.sim
def test_coalescing_on_the_32_queue_build_is_byte_identical_under_icarus(tmp_path: Path) -> None:
    """The moderation timers (stepped aggregation time, doorbell restart) and the generator's scan
    on the 32-queue build: an event-driven simulator and Verilator agree to the byte. (It caught a
    continuous assignment through a function reading the settings RAM, which Icarus did not
    re-evaluate when the RAM changed.)"""
    verilator, icarus = run_both(tmp_path, "hw_coalescing", ["per_queue=24"])
    assert_same_run(verilator, icarus)
    observed = json.loads((icarus / "report.json").read_text())["observed"]["outcome"]
    assert "db_restart: stall" in observed and "time: clean" in observed, observed   # the restart really delays


@pytest.mark.sim
@pytest.mark.nightly
@pytest.mark.parametrize("test,overrides", [
    ("overrun", ["mode=flow"]),
    ("overrun", ["jitter_us=3", "interference=dpc:3000:20:pareto=1.5", "msi_faults=drop:nth=5", "expect=loss"]),
    ("overrun", ["slots=4", "slot_bytes=256", "period_us=4", "spike_us=30", "expect=loss"]),
    ("overrun_flowcontrol", []),
    ("error_vector", []),
    ("latency_sweep", []),
    ("random_stream", []),
    ("registers", []),
])
def test_streaming_scenarios_are_byte_identical_under_icarus(tmp_path: Path, test: str, overrides: list[str]) -> None:
    assert_same_run(*run_both(tmp_path, test, overrides, seed=3))


@pytest.mark.sim
def test_the_vpi_module_exports_the_c_host_to_ctypes() -> None:
    """The names cocotb_platform.HostBridge looks up are dynamic symbols of the shim, beside VPI's
    entry point (vvp loads it RTLD_LOCAL; Python opens it again by its path)."""
    build_dir = runner.build("none", sim="icarus")
    shim = build_dir / f"{simbuild.HOST_SHIM}.vpi"
    symbols = subprocess.run(["nm", "-D", "--defined-only", str(shim)], capture_output=True, text=True,
                             check=True).stdout.split()
    bridge = (toolchain.HDL.parent / "sim" / "cocotb_platform.py").read_text()
    used = {name for name in symbols if name.startswith("irqloop_") and f'"{name}"' in bridge}
    assert {"irqloop_hostmem", "irqloop_msi_count", "irqloop_mmio_completed", "irqloop_burst_time"} <= used
    assert "vlog_startup_routines" in symbols and "irqloop_mmio_push" in symbols and "irqloop_set_hook" in symbols


def test_an_unknown_simulator_lists_the_valid_ones() -> None:
    with pytest.raises(ParamError, match=r"^SIM=questa is not supported; valid: verilator icarus$"):
        runner.parse_sim("questa")


@pytest.mark.parametrize("args,line", [
    (["sim", "overrun", "--sim", "xcelium"], "error: SIM=xcelium is not supported; valid: verilator icarus"),
    (["sim", "overrun", "--sim", "icarus", "--waves", "fst"],
     "error: WAVES is not supported with SIM=icarus (the waveform view is Verilator's); record waves with SIM=verilator"),
    (["bench", "--sim", "nosuch"], "error: SIM=nosuch is not supported; valid: verilator icarus"),
])
def test_what_icarus_cannot_do_is_refused_in_one_line(args: list[str], line: str, tmp_path: Path) -> None:
    if args[0] == "sim":
        args = [*args, "--runs", str(tmp_path)]
    r = subprocess.run([str(IRQLOOP), *args], capture_output=True, text=True, timeout=60)
    assert r.stderr.strip().splitlines() == [line] and r.returncode == toolchain.EXIT_BAD_INPUT, r.stderr


@pytest.mark.parametrize("target", ["compare", "regress", "coverage", "check"])
def test_make_targets_that_run_under_verilator_only_refuse_sim_icarus(target: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    r = subprocess.run(["make", "-s", target, "SIM=icarus"], cwd=ROOT, env=env, capture_output=True, text=True,
                       timeout=60)
    own = [line for line in r.stderr.splitlines() if not line.startswith("make: ***")]
    assert own == [f"error: make {target} runs under Verilator only; SIM=icarus works with make sim and make bench"]
    assert r.returncode == 2


def test_missing_iverilog_gets_the_install_command(tmp_path: Path) -> None:
    """No iverilog on PATH and no permission to install: one line with the apt-get command, exit 3,
    before anything is built."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "env", "id", "mktemp", "tail", "flock", "find", "mkdir", "touch", "rm", "python3", "apt-get"):
        found = shutil.which(tool)
        if found is not None:
            (bin_dir / tool).symlink_to(found)
    env = {k: v for k, v in os.environ.items() if k not in ("IRQLOOP_REQUIRE_ERRFILE", "IRQLOOP_PYTHON")}
    env.update(PATH=str(bin_dir), IRQLOOP_NO_INSTALL="1", XDG_CACHE_HOME=str(tmp_path / "cache"),
               IRQLOOP_WORK=str(tmp_path / "work"))
    r = subprocess.run([str(IRQLOOP), "sim", "overrun", "--sim", "icarus", "--runs", str(tmp_path / "runs")],
                       env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == toolchain.EXIT_INFRASTRUCTURE, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: an Icarus Verilog build (SIM=icarus) needs iverilog"), r.stderr
    assert ("apt-get install -y iverilog" if shutil.which("apt-get") else "(Debian packages: iverilog)") in lines[0]
    assert not (tmp_path / "work" / "sim_build").exists()


def test_iverilog_is_in_the_system_package_list() -> None:
    assert set(toolchain.ICARUS_NEEDS) <= set(toolchain.NEEDS["all"])
    assert all(item.endswith("=iverilog") for item in toolchain.ICARUS_NEEDS)
