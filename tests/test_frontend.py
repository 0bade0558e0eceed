"""The front end as a user meets it: `make sim|compare|regress|waves|params ...` typed with bad
input, exit codes, and a run that never destroys an earlier result.

Every bad input must get one line `error: ...` naming the problem and the valid choices, the
front end's exit code 2, and no traceback, before anything is built: these tests run in seconds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import pytest

from irqloop import runner, simbuild

from irqloop.tb import scenarios
from irqloop.tb.scenarios.params import parse_overrides
from irqloop.toolchain import InfrastructureError

ROOT = Path(__file__).resolve().parent.parent
MAKE_FAILURE = re.compile(r"^make: \*\*\* \[[^\]]*\] Error (\d+)$")


def user_env(**extra: str) -> dict[str, str]:
    """The environment of a user's shell: no MAKEFLAGS from an enclosing `make test` (its -j and
    variables would change what the inner make does), no seed or waves variables of our own."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS", "COCOTB_RANDOM_SEED", "RANDOM_SEED", "WAVES", "GUI")}
    return env | extra


def make(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["make", "-s", *args], cwd=ROOT, env=env or user_env(), capture_output=True, text=True,
                          timeout=timeout)


def front_end_exit_code(stderr: str) -> int | None:
    """The code the recipe (tb.runner, tb.compare, tb.regress) exited with: make itself exits 2 on
    any failure and names the recipe's code only in its `make: *** [...] Error N` line."""
    codes = [int(m[1]) for line in stderr.splitlines() if (m := MAKE_FAILURE.match(line))]
    return codes[-1] if codes else None


def own_lines(stderr: str) -> list[str]:
    """stderr without make's own failure line."""
    return [line for line in stderr.splitlines() if line.strip() and not MAKE_FAILURE.match(line)]


@pytest.fixture(scope="module")
def a_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    f = tmp_path_factory.mktemp("runs-file") / "results.txt"
    f.write_text("not a folder\n")
    return f


# (make arguments, the exact error line or a regular expression for it); {file} is a plain file
BAD_INPUTS: list[tuple[list[str], str]] = [
    (["sim", "PARAMS=slots=inf"], "error: slots='inf' is not valid; expected an integer in 1..65535"),
    (["sim", "PARAMS=spike_us=nan"], "error: spike_us='nan' is not valid; expected a finite number in 0..10000000"),
    (["sim", "PARAMS=period_us=inf"], "error: period_us='inf' is not valid; expected a finite number in 0.004..1000000"),
    (["sim", "PARAMS=dpc_latency_us=nan"],
     "error: dpc_latency_us='nan' is not valid; expected a finite number in 0..1000000"),
    (["sim", "PARAMS=jitter_us=-inf"], "error: jitter_us='-inf' is not valid; expected a finite number in 0..1000000"),
    (["sim", "PARAMS=spike_us=1e999"],
     "error: spike_us='1e999' is not valid; expected a finite number in 0..10000000"),
    (["sim", "PARAMS=slots=8.5"], "error: slots='8.5' is not valid; expected an integer in 1..65535"),
    (["sim", "PARAMS=slots=abc"], "error: slots='abc' is not valid; expected an integer in 1..65535"),
    (["sim", "PARAMS=slots=0"], "error: slots=0 is below its minimum 1; expected an integer in 1..65535"),
    (["sim", "PARAMS=interference=dpc:inf:20"], "error: interference rule 'dpc:inf:20': expected "
     "kind:rate_per_s:service_us[:cpu=N][:pareto=ALPHA] with finite numbers"),
    (["sim", "PARAMS=msi_faults=delay=nanus"],
     "error: msi fault rule 'delay=nanus': delay must be > 0 and finite, e.g. delay=20us"),
    (["sim", "PARAMS=bogus=1"], r"re:^error: unknown parameter 'bogus'; parameters: mode, slots, .*spike_us"),
    (["sim", "PARAMS='slots=8"], r"re:^error: PARAMS=\"'slots=8\" cannot be split: No closing quotation$"),
    (["sim", "TEST=nosuch"], r"re:^error: unknown test 'nosuch'; valid tests: .*\boverrun\b"),
    (["sim", "SEED=-1"], "error: SEED='-1' is not valid; use an integer in 0..4294967295"),
    (["sim", "SEED=x"], "error: SEED='x' is not valid; use an integer in 0..4294967295"),
    (["sim", "SEED=4294967296"], "error: SEED='4294967296' is not valid; use an integer in 0..4294967295"),
    (["sim", "WAVES=2"], "error: WAVES='2' is not valid; use 0, 1 (FST), fst or vcd"),
    (["sim", "GUI=2"], "error: GUI='2' is not valid; use 0 or 1 (1: open the run's waveform in GTKWave)"),
    (["sim", "GUI=1", "WAVES=0"],
     "error: GUI=1 opens the run's waveform, but WAVES=0 records none; use WAVES=1 (or leave WAVES out)"),
    (["sim", "SIM=foo"], "error: SIM=foo is not supported; valid: verilator icarus"),
    (["sim", "UVM_TEST=NoSuchTest"], r"re:^error: unknown UVM_TEST 'NoSuchTest'; valid: ScenarioTest, "),
    (["sim", "UVM_TESTNAME=NoSuchTest"], r"re:^error: unknown UVM_TEST 'NoSuchTest'; valid: ScenarioTest, "),
    (["sim", "UVM_TEST=ScenarioTest", "UVM_TESTNAME=LostVectorTest"],
     "error: UVM_TEST=ScenarioTest and UVM_TESTNAME=LostVectorTest disagree; give one of them"),
    (["sim", "RUNS={file}"],
     "error: RUNS={file} cannot hold results: {file} is a file, not a folder; RUNS must be a folder you can write to"),
    (["sim", "RUNS={file}/sub"], "error: RUNS={file}/sub cannot hold results: {file} is a file, not a folder; "
     "RUNS must be a folder you can write to"),
    (["sim", "RUNS=/proc/irqloop"], "error: RUNS=/proc/irqloop cannot hold results: cannot create /proc/irqloop "
     "(No such file or directory); RUNS must be a folder you can write to"),
    (["compare", "TEST=overrun"], r"re:^error: compare needs a scenario that runs several strategies or settings; "
     r"'overrun' runs one; choose one of: .*\bmultiqueue\b"),
    (["compare", "PARAMS=jitter_us=nan"],
     "error: jitter_us='nan' is not valid; expected a finite number in 0..1000000"),
    (["compare", "SEED=x"], "error: SEED='x' is not valid; use an integer in 0..4294967295"),
    (["compare", "RUNS={file}"],
     "error: RUNS={file} cannot hold results: {file} is a file, not a folder; RUNS must be a folder you can write to"),
    (["waves", "SEED=x"], "error: SEED='x' is not valid; use an integer in 0..4294967295"),
    (["wave-png", "TEST=nosuch"], r"re:^error: unknown test 'nosuch'; valid tests: "),
    (["params", "TEST=nosuch"], r"re:^error: unknown test 'nosuch'; valid tests: "),
    # irqloop/regress.py's own checks: named variable and value, the same exit code
    (["regress", "COVERAGE=2"], r"re:^error: COVERAGE=2 is not valid; use 0 or 1"),
    (["regress", "SUITE=nosuch"], r"re:^error: .*SUITE.*'nosuch'.*\bsmoke\b"),
    (["regress", "SHARD=3/2"], r"re:^error: SHARD='3/2' is not valid; use i/N with 1 <= i <= N"),
]


@pytest.mark.parametrize("args,expected", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input_through_make_is_one_line_and_exit_2(args: list[str], expected: str, a_file: Path,
                                                      tmp_path: Path) -> None:
    args = [a.replace("{file}", str(a_file)) for a in args]
    expected = expected.replace("{file}", str(a_file))
    if not any(a.startswith("RUNS=") for a in args):
        args.append(f"RUNS={tmp_path / 'runs'}")          # a mistake here must not write into the checkout
    t0 = time.monotonic()
    r = make(*args, timeout=60)
    for out in (r.stdout, r.stderr):
        assert "Traceback" not in out, out
    lines = own_lines(r.stderr)
    assert len(lines) == 1, r.stderr
    if expected.startswith("re:"):
        assert re.search(expected[3:], lines[0]), lines[0]
    else:
        assert lines[0] == expected
    assert r.returncode == 2 and front_end_exit_code(r.stderr) == 2, r.stderr
    assert "building" not in r.stdout and time.monotonic() - t0 < 30    # refused before any Verilator build


def test_a_read_only_runs_folder_is_bad_input(tmp_path: Path) -> None:
    """RUNS where results cannot be written: a read-only folder (an immutable one for root, which
    writes through a read-only mode); where root cannot mark a folder immutable (a container
    without CAP_LINUX_IMMUTABLE), a RUNS below a file, which nobody can create."""
    read_only = tmp_path / "read-only"
    read_only.mkdir()
    as_root = os.geteuid() == 0
    immutable = as_root and subprocess.run(["chattr", "+i", str(read_only)], capture_output=True).returncode == 0
    if as_root and not immutable:
        a_file = tmp_path / "a-file"
        a_file.write_text("")
        r = make("sim", f"RUNS={a_file}/runs")
        assert own_lines(r.stderr) == [f"error: RUNS={a_file}/runs cannot hold results: {a_file} is a file, not a "
                                       f"folder; RUNS must be a folder you can write to"]
        assert front_end_exit_code(r.stderr) == 2 and "Traceback" not in r.stdout + r.stderr
        return
    if not as_root:
        read_only.chmod(0o555)
    try:
        r = make("sim", f"RUNS={read_only}")
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(read_only)], check=True)
        read_only.chmod(0o755)
    reason = "Operation not permitted" if as_root else "Permission denied"
    assert own_lines(r.stderr) == [f"error: RUNS={read_only} cannot hold results: cannot create {read_only}/overrun "
                                   f"({reason}); RUNS must be a folder you can write to"]
    assert front_end_exit_code(r.stderr) == 2 and "Traceback" not in r.stdout + r.stderr


@pytest.mark.parametrize("env,args,expected", [
    ({"COCOTB_RANDOM_SEED": "7"}, [], '--seed "7"'),
    ({"RANDOM_SEED": "9"}, [], '--seed "9"'),
    ({"COCOTB_RANDOM_SEED": "7", "RANDOM_SEED": "9"}, [], '--seed "7"'),
    ({"COCOTB_RANDOM_SEED": "7"}, ["SEED=3"], '--seed "3"'),
    ({}, [], '--seed "1"'),
    ({}, ["GUI=1"], '--waves "1" --sim "verilator" --runs "runs" --uvm-test "" --uvm-testname "" --gui "1"'),
    ({}, ["GUI=1", "WAVES=vcd"], '--waves "vcd"'),
    ({}, ["UVM_TESTNAME=LostVectorTest"], '--uvm-test "" --uvm-testname "LostVectorTest"'),  # the runner resolves
])
def test_make_sim_takes_cocotbs_variables(env: dict[str, str], args: list[str], expected: str) -> None:
    """SEED defaults to COCOTB_RANDOM_SEED, then RANDOM_SEED; GUI=1 records waves unless WAVES is
    given; UVM_TESTNAME stands for UVM_TEST (make -n: the command make would run)."""
    r = subprocess.run(["make", "-n", "-s", "sim", *args], cwd=ROOT, env=user_env(**env), capture_output=True,
                       text=True, timeout=30)
    command = [line for line in r.stdout.splitlines() if "irqloop sim" in line]
    assert r.returncode == 0 and len(command) == 1 and expected in command[0], r.stdout + r.stderr


# -- exit codes and the earlier results, with the simulator replaced (no build, no simulation) --

@pytest.fixture
def earlier_run(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A finished earlier run of overrun seed 1 in tmp_path (its files as the runner leaves them)."""
    run_dir = runner.run_dir_for("overrun", 1, parse_overrides(scenarios.get("overrun").spec, []), tmp_path)
    run_dir.mkdir(parents=True)
    files = {"report.json": b'{"pass": true}\n', "report.txt": b"== irqloop overrun (seed 1) ==\n",
             "results.xml": b"<testsuites/>\n", "sim.log": b"earlier log\n"}
    for name, data in files.items():
        (run_dir / name).write_bytes(data)
    return run_dir, files


def contents(run_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in run_dir.iterdir()}


def run_main_with_simulation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             simulate: Callable[..., Any]) -> int:
    monkeypatch.setattr(runner, "build", lambda waves, num_cq=1, sim="verilator": tmp_path / "no-build")
    monkeypatch.setattr(simbuild, "run", simulate)
    return runner.main(["sim", "overrun", "--runs", str(tmp_path)])


def test_a_failed_build_is_exit_3_and_keeps_the_earlier_results(
        tmp_path: Path, earlier_run: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    def failing_build(waves: str, num_cq: int = 1, sim: str = "verilator") -> Path:     # as irqloop/simbuild.py stops
        raise InfrastructureError("Verilator build of tb_irqloop-none failed (exit 1); full log: build.log")
    monkeypatch.setattr(runner, "build", failing_build)
    run_dir, files = earlier_run
    assert runner.main(["sim", "overrun", "--runs", str(tmp_path)]) == runner.EXIT_INFRASTRUCTURE
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["error: Verilator build of tb_irqloop-none failed (exit 1); full log: build.log"]
    assert contents(run_dir) == files
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["seed1"]       # no staging directory left


def test_compare_gives_the_same_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    from irqloop import compare

    def failing_build(waves: str, num_cq: int = 1, sim: str = "verilator") -> Path:
        raise InfrastructureError("Verilator build of tb_irqloop-none-cq32 failed (exit 1); full log: build.log")
    monkeypatch.setattr(runner, "build", failing_build)
    assert compare.main(["--test", "rearm_race", "--runs", str(tmp_path)]) == runner.EXIT_INFRASTRUCTURE
    assert compare.main(["--test", "rearm_race", "--runs", str(tmp_path), "jitter_us=inf"]) == runner.EXIT_BAD_INPUT
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: Verilator build of tb_irqloop-none-cq32 failed (exit 1); full log: build.log",
        "error: jitter_us='inf' is not valid; expected a finite number in 0..1000000"]


@pytest.mark.parametrize("how", ["no report", "simulator crashed"])
def test_a_simulation_without_report_is_exit_3_and_keeps_the_earlier_results(
        how: str, tmp_path: Path, earlier_run: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from cocotb_tools.runner import Verilator
    real_run = simbuild.run

    def simulate(toplevel: str, build_dir: Path, module: str, test_dir: Path, **kw: Any) -> Path:
        assert test_dir.name.startswith("seed1.tmp-") and test_dir.parent == earlier_run[0].parent
        kw["log_file"].write_text("%Error: the simulator's last words\n")
        if how == "simulator crashed":      # what cocotb 2.1's runner does when the simulator dies
            def crash(self: Verilator, **kwargs: Any) -> Path:
                raise RuntimeError("Command failed with return code: -11")
            monkeypatch.setattr(Verilator, "test", crash)
            return real_run(toplevel, build_dir, module, test_dir, **kw)
        return test_dir / "results.xml"

    run_dir, files = earlier_run
    assert run_main_with_simulation(tmp_path, monkeypatch, simulate) == runner.EXIT_INFRASTRUCTURE
    err = capsys.readouterr().err.strip().splitlines()
    why = "the simulator was killed by SIGSEGV" if how == "simulator crashed" else "the simulation failed"
    assert err[-1].startswith(f"error: overrun (seed 1) produced no report: {why}")
    assert err[-1].endswith(f"; log: {run_dir}.failed/sim.log; the earlier results in {run_dir} are untouched")
    assert ("irqloop: the simulator exited abnormally (Command failed with return code: -11)" in err) == \
        (how == "simulator crashed")
    assert "%Error: the simulator's last words" in err                    # the log's tail, for a first look
    assert contents(run_dir) == files
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["seed1", "seed1.failed"]


def test_an_interrupt_keeps_the_earlier_results(tmp_path: Path, earlier_run: tuple[Path, dict[str, bytes]],
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    def interrupted(toplevel: str, build_dir: Path, module: str, test_dir: Path, **kw: Any) -> Path:
        (test_dir / "report.json").write_text("{}")       # half-way: a report of this run exists, unfinished
        raise KeyboardInterrupt

    run_dir, files = earlier_run
    assert run_main_with_simulation(tmp_path, monkeypatch, interrupted) == runner.EXIT_INTERRUPTED
    assert capsys.readouterr().err.strip().splitlines() == [
        f"interrupted: overrun seed 1 did not finish; the earlier results in {run_dir} are untouched"]
    assert contents(run_dir) == files
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["seed1"]


def test_a_finished_rerun_replaces_the_earlier_results_and_the_failed_attempt(
        tmp_path: Path, earlier_run: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch) -> None:
    import irqloop.report

    def simulate(toplevel: str, build_dir: Path, module: str, test_dir: Path, **kw: Any) -> Path:
        kw["log_file"].write_text("new log\n")
        (test_dir / "observations.json").write_text("{}")       # what the simulator side hands back
        return test_dir / "results.xml"

    run_dir, _ = earlier_run
    runner.failed_attempt_dir(run_dir).mkdir()
    monkeypatch.setattr(irqloop.report, "evaluate", lambda scenario, plan, obs: {"pass": False})
    monkeypatch.setattr(irqloop.report, "format_report", lambda report: "the new report")
    monkeypatch.setattr(runner, "build", lambda waves, num_cq=1, sim="verilator": tmp_path / "no-build")
    monkeypatch.setattr(simbuild, "run", simulate)
    assert runner.run_scenario("overrun", 1, "none", [], run_root=tmp_path, quiet=True) == runner.EXIT_OUTCOME_DIFFERS
    files = contents(run_dir)
    assert files.pop("run.json").startswith(b'{\n "test": "overrun",')     # the request the simulator was given
    assert files == {"report.json": b'{\n "pass": false\n}', "report.txt": b"the new report\n",
                     "sim.log": b"new log\n", "observations.json": b"{}"}
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["seed1"]


def test_a_leftover_staging_directory_of_a_killed_run_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    run_dir = runner.run_dir_for("overrun", 1, parse_overrides(scenarios.get("overrun").spec, []), tmp_path)
    dead = subprocess.Popen(["true"])           # a pid that no process has any more
    dead.wait()
    leftover = run_dir.with_name(f"{run_dir.name}.tmp-{dead.pid}")
    (leftover / "sub").mkdir(parents=True)
    alive = run_dir.with_name(f"{run_dir.name}.tmp-1")           # pid 1 is running: another run's, kept
    alive.mkdir()

    def interrupted(*args: Any, **kw: Any) -> Path:
        raise KeyboardInterrupt
    run_main_with_simulation(tmp_path, monkeypatch, interrupted)
    assert not leftover.exists() and alive.exists()


# -- real simulations --------------------------------------------------------------------------

@pytest.mark.sim
def test_an_interrupted_rerun_leaves_the_earlier_results_byte_identical(tmp_path: Path) -> None:
    """Ctrl-C while `make sim` reruns a run directory: the terminal sends SIGINT to the whole
    foreground process group (make, the runner, the simulator)."""
    runs = tmp_path / "runs"
    first = make("sim", f"RUNS={runs}", timeout=600)
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    run_dir = runs / "overrun" / "seed1"
    before = contents(run_dir)
    assert {"report.json", "report.txt", "results.xml", "sim.log"} <= before.keys()

    # its own process group, as a shell's foreground job; SIGINT at its default action, since a
    # process started in the background (a CI script's `&`, a test worker) may inherit it ignored
    rerun = subprocess.Popen(["make", "-s", "sim", f"RUNS={runs}"], cwd=ROOT, env=user_env(), text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while not list(run_dir.parent.glob("seed1.tmp-*/sim.log")):      # the simulator has started
        assert rerun.poll() is None and time.monotonic() < deadline, "the rerun never started simulating"
        time.sleep(0.05)
    time.sleep(0.3)
    os.killpg(rerun.pid, signal.SIGINT)
    out, err = rerun.communicate(timeout=120)

    assert rerun.returncode != 0 and front_end_exit_code(err) == runner.EXIT_INTERRUPTED, err
    assert f"interrupted: overrun seed 1 did not finish; the earlier results in {run_dir} are untouched" in err
    assert "Traceback" not in out + err
    assert contents(run_dir) == before
    assert sorted(p.name for p in run_dir.parent.iterdir()) == ["seed1"]


@pytest.mark.sim
def test_cocotb_random_seed_sets_the_seed_of_make_sim(tmp_path: Path) -> None:
    r = make("sim", f"RUNS={tmp_path}", env=user_env(COCOTB_RANDOM_SEED="7"), timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "overrun").iterdir()) == ["seed7"]
    report = json.loads((tmp_path / "overrun" / "seed7" / "report.json").read_text())
    assert report["observed"]["seed"] == 7 and "== irqloop overrun (seed 7) ==" in r.stdout


@pytest.mark.sim
def test_outcome_differs_is_exit_1_and_results_xml_names_the_real_files(tmp_path: Path) -> None:
    """A finished run replaces the earlier one even when its outcome differs; results.xml's
    attachments are the dump and the log in the final run directory."""
    import xml.etree.ElementTree as ET

    r = make("sim", "PARAMS=expect=clean chunks=30 spike_at_chunk=10", "WAVES=1", f"RUNS={tmp_path}", timeout=600)
    assert front_end_exit_code(r.stderr) == runner.EXIT_OUTCOME_DIFFERS, r.stdout[-2000:] + r.stderr[-2000:]
    run_dir = tmp_path / "overrun" / "seed1-chunks=30-expect=clean-spike_at_chunk=10"
    out = "".join(e.text or "" for e in ET.parse(run_dir / "results.xml").getroot().iter("system-out"))
    assert re.findall(r"\[\[ATTACHMENT\|(.*?)\]\]", out) == [str(run_dir / "dump.fst"), str(run_dir / "sim.log")]
    assert (run_dir / "dump.fst").stat().st_size > 0
    view = (run_dir / "view.gtkw").read_text()
    assert f'[dumpfile] "{run_dir}/dump.fst"' in view and f'[savefile] "{run_dir}/view.gtkw"' in view
    assert ".tmp-" not in view and ".tmp-" not in (run_dir / "results.xml").read_text()


@pytest.mark.sim
def test_gui_without_a_display_says_how_to_open_the_view_and_keeps_the_exit_code(tmp_path: Path) -> None:
    env = {k: v for k, v in user_env().items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    r = make("sim", "GUI=1", "PARAMS=chunks=30 spike_at_chunk=10", f"RUNS={tmp_path}", env=env, timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    view = tmp_path / "overrun" / "seed1-chunks=30-spike_at_chunk=10" / "view.gtkw"
    lines = [line for line in r.stderr.splitlines() if line.startswith("GUI=1: ")]
    assert len(lines) == 1 and f"gtkwave {view}" in lines[0], r.stderr
    assert view.exists() and (view.parent / "dump.fst").exists()


def test_observations_that_cannot_be_judged_are_exit_3_and_keep_the_attempt(
        tmp_path: Path, earlier_run: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """observations.json cut short (a simulator killed while writing it, a disk full): one line,
    exit 3, the earlier results untouched and the attempt kept with its log."""
    def simulate(toplevel: str, build_dir: Path, module: str, test_dir: Path, **kw: Any) -> Path:
        kw["log_file"].write_text("the log of the attempt\n")
        (test_dir / "observations.json").write_text('{"seed": 1, "scoreboard": {"lo')
        return test_dir / "results.xml"

    run_dir, files = earlier_run
    assert run_main_with_simulation(tmp_path, monkeypatch, simulate) == runner.EXIT_INFRASTRUCTURE
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("error: overrun (seed 1) produced no report: its observations could not be judged "
                              "(JSONDecodeError: Unterminated string")
    assert err[-1].endswith(f"; log: {run_dir}.failed/sim.log; the earlier results in {run_dir} are untouched")
    assert "Traceback" not in "\n".join(err)
    assert contents(run_dir) == files
    kept = contents(runner.failed_attempt_dir(run_dir))
    assert kept["sim.log"] == b"the log of the attempt\n" and "observations.json" in kept and "report.json" not in kept


def test_a_run_that_differs_from_its_expectation_fails_in_results_xml_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import irqloop.report

    def simulate(toplevel: str, build_dir: Path, module: str, test_dir: Path, **kw: Any) -> Path:
        kw["log_file"].write_text("log\n")
        (test_dir / "observations.json").write_text("{}")
        (test_dir / "results.xml").write_text(      # as cocotb 2.1 writes it for a test that completed
            '<testsuites name="results"><testsuite name="all" package="all"><testcase name="scenario" '
            'classname="irqloop.tb.sim.test_scenario" time="1.0" sim_time_ns="5.0" ratio_time="5.0" />'
            '</testsuite></testsuites>')
        return test_dir / "results.xml"

    checks = [{"name": "zero loss", "ok": False, "detail": "lost: 20-32"}, {"name": "run completed", "ok": True,
                                                                            "detail": "ended"}]
    monkeypatch.setattr(irqloop.report, "evaluate", lambda scenario, plan, obs: {"pass": False, "checks": checks})
    monkeypatch.setattr(irqloop.report, "format_report", lambda report: "report")
    monkeypatch.setattr(runner, "build", lambda waves, num_cq=1, sim="verilator": tmp_path / "no-build")
    monkeypatch.setattr(simbuild, "run", simulate)
    assert runner.run_scenario("overrun", 1, "none", [], run_root=tmp_path, quiet=True) == runner.EXIT_OUTCOME_DIFFERS
    import xml.etree.ElementTree as ET
    run_dir = runner.run_dir_for("overrun", 1, parse_overrides(scenarios.get("overrun").spec, []), tmp_path)
    (case,) = ET.parse(run_dir / "results.xml").iter("testcase")
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "verdict: FAIL (differs from expectation)"
    assert failure.text == "zero loss: lost: 20-32"


def test_a_fault_of_irqloop_itself_is_one_line_and_exit_3(monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> int:
        raise ZeroDivisionError("division by zero")
    monkeypatch.delenv("IRQLOOP_DEBUG", raising=False)
    assert runner.exit_code_of(broken) == runner.EXIT_INFRASTRUCTURE
    assert capsys.readouterr().err.strip().splitlines() == [
        "error: internal error in irqloop (ZeroDivisionError: division by zero); IRQLOOP_DEBUG=1 shows the traceback"]
    monkeypatch.setenv("IRQLOOP_DEBUG", "1")
    with pytest.raises(ZeroDivisionError):
        runner.exit_code_of(broken)


def test_every_irqloop_command_takes_its_options_and_refuses_bad_ones(capsys: pytest.CaptureFixture[str]) -> None:
    """The `irqloop` command dispatches to each front end with its own options (no simulation here)."""
    from irqloop import cli
    assert cli.main(["bench", "--cycles", "5"]) == runner.EXIT_BAD_INPUT
    assert cli.main(["bench", "--baseline", "no-such-ref"]) == runner.EXIT_BAD_INPUT
    assert cli.main(["no-such-command"]) == runner.EXIT_BAD_INPUT
    assert cli.main(["params", "overrun"]) == 0
    err = capsys.readouterr()
    assert err.err.strip().splitlines() == [
        "error: BENCH_CYCLES='5' is not valid; use an integer >= 10000",
        "error: BASELINE='no-such-ref' is not a commit of this checkout; use a commit, tag or branch (e.g. "
        "BASELINE=HEAD~3), from a git checkout",
        "error: unknown command 'no-such-command'; valid: " + ", ".join(cli.COMMANDS)]
    assert "slots" in err.out
    for name in cli.COMMANDS:
        with pytest.raises(SystemExit) as exc:
            cli.main([name, "--help"])
        assert exc.value.code == 0
    assert capsys.readouterr().out.count("usage: irqloop") == len(cli.COMMANDS)


def test_the_verdict_line_names_a_failed_check_when_the_outcome_is_the_declared_one() -> None:
    from irqloop.report import verdict_line
    checks = [{"name": "run completed (the stream did not stall)", "ok": False, "detail": ""},
              {"name": "zero loss", "ok": True, "detail": ""}]
    same = {"plan": {"expected": "loss"}, "observed": {"outcome": "loss"}, "pass": False, "checks": checks}
    assert verdict_line(same).endswith("verdict: FAIL (1 check failed: run completed (the stream did not stall))")
    other = dict(same, observed={"outcome": "clean"})
    assert verdict_line(other).endswith("verdict: FAIL (differs from expectation)")
    assert verdict_line(dict(same, **{"pass": True})).endswith("verdict: PASS (matches expectation)")


def test_a_sim_without_a_test_and_an_empty_file_parameter_are_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert runner.main(["sim"]) == runner.EXIT_BAD_INPUT
    assert runner.main(["sim", "overrun", "latency_file=", "spike_us=0", "expect=loss"]) == runner.EXIT_BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("error: sim needs a test; tests: coalescing, error_vector")
    assert err[1] == "error: latency_file= is empty; give a file, or none"
