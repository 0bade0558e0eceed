"""irqloop's simulation runner: `make sim TEST=...` and friends call this.

    python -m irqloop.runner list
    python -m irqloop.runner sim TEST [--seed N] [--waves none|fst|vcd] [--sim verilator|icarus] [--uvm-test NAME] [--gui 0|1] [name=value ...]
    python -m irqloop.runner params TEST
    python -m irqloop.runner waves|wave-png TEST [--seed N] [name=value ...]

Every scenario run gets its own directory, runs/<TEST>/seed<SEED>[-<changed params>]/, holding report.txt,
report.json, results.xml, the simulator log and, with waves, dump.fst (or dump.vcd) and view.gtkw.
The run crosses into the simulator as files there (tb/run_request.py): run.json, the request with
the prepared plan, goes in; observations.json comes back; the verdict is computed here, once.
A run simulates into a sibling staging directory (<run dir>.tmp-<pid>) and replaces the run
directory only when it has finished, so an interrupted or crashed run leaves the earlier results
as they were; a run that produced no report is kept in <run dir>.failed for its log.

Exit codes (the same in tb.compare):
    0  the observed outcome matches the scenario's declared expectation
    1  the outcome differs from the declaration (the report says which checks failed)
    2  bad input: unknown test, parameter, value, seed, SIM/WAVES/GUI/UVM_TEST, unusable RUNS folder
    3  infrastructure: the Verilator build failed, a tool is missing, the simulation crashed or
       produced no report
  130  interrupted (Ctrl-C or SIGTERM); the earlier results are untouched
`make` itself exits 2 whenever a recipe fails and shows the runner's code as "Error N".
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import shlex
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any, Callable, Optional

from irqloop import simbuild, toolchain
from irqloop.tb import scenarios
from irqloop.tb.board import CLOCK_PS
from irqloop.tb.choices import DEFAULT_TEST, Choices, choices_of
from irqloop.tb.plans import Plan
from irqloop.tb.run_request import ENV_VAR, OBSERVATIONS_FILE, RUN_FILE, RunRequest, read_observations
from irqloop.tb.scenarios.params import ParamError, describe, parse_overrides
from irqloop.toolchain import (EXIT_AS_DECLARED, EXIT_BAD_INPUT, EXIT_INFRASTRUCTURE, EXIT_INTERRUPTED,
                               EXIT_OUTCOME_DIFFERS, InfrastructureError)

TOPLEVEL = "tb_irqloop"
DEFAULT_UVM_TEST = DEFAULT_TEST      #: tb/uvm/tests.py; UVM_TEST= picks another (tb/choices.py)



#: tb_irqloop's clock, toggled by the simulator's main loop under Verilator (no --timing)
MAIN_CLOCK = simbuild.MainClock(field=f"{TOPLEVEL}__DOT__clk", half_period_ps=CLOCK_PS // 2)


def tb_sources() -> list[Path]:
    return [toolchain.HDL / "tb_irqloop.v", toolchain.HDL / "host_mem_axi.v",
            toolchain.HDL / "mmio_axil_master.v", toolchain.HDL / "host_activity.v"] + [toolchain.RTL / s for s in toolchain.RTL_SOURCES]


def build(waves: str, num_cq: int = 1, sim: str = "verilator") -> Path:
    """Build (or reuse) the end-to-end simulator; one build per simulator, waves setting and queue
    count (the streaming scenarios use one queue: the 32-queue device simulates ~3x slower)."""
    params = {"NUM_CQ": num_cq} if num_cq != 1 else {}
    tag = f"{TOPLEVEL}-{waves}" + (f"-cq{num_cq}" if num_cq != 1 else "")
    return simbuild.build(TOPLEVEL, tb_sources(), parameters=params, waves=waves, timing=True, dpi=True,
                          name=tag, public_vlt=toolchain.HDL / "tb_irqloop.vlt", sim=sim, main_clock=MAIN_CLOCK)


def file_label(path: str) -> str:
    """A file parameter in a directory name: its name and a digest of where it is, so two files
    of one name never share a run directory and one file named two ways does not get two."""
    where = str(Path(path).expanduser().resolve())
    return f"{Path(path).name}.{hashlib.sha256(where.encode()).hexdigest()[:8]}"


def run_dir_for(test: str, seed: int, values: dict[str, Any], run_root: Path | None = None,
                uvm_test: str = DEFAULT_UVM_TEST) -> Path:
    """runs/<test>/seed<N>[-<name>=<value>...]: parameters that differ from the defaults name the
    directory, so runs with different parameters never overwrite each other's results."""
    defaults = {p.name: p.default for p in scenarios.get(test).spec}
    changed = [f"{k}={values[k]:g}" if isinstance(values[k], float) else
               f"{k}={file_label(values[k])}" if k.endswith("_file") or str(values[k]).endswith(".toml")
               else f"{k}={values[k]}"
               for k in sorted(values) if values[k] != defaults[k]]
    if uvm_test != DEFAULT_UVM_TEST:
        changed.insert(0, uvm_test)
    suffix = re.sub(r"[^A-Za-z0-9=._-]", "_", "-".join(changed))
    if len(suffix) > 100:
        suffix = suffix[:60] + "-" + hashlib.sha256(suffix.encode()).hexdigest()[:10]
    return (run_root or toolchain.RESULTS / "runs") / test / (f"seed{seed}" + (f"-{suffix}" if suffix else ""))


def uvm_test_choices(name: str) -> Choices:
    """What the pyuvm test ``name`` chooses (tb/choices.py; no pyuvm in this process)."""
    try:
        return choices_of(name)
    except KeyError as exc:
        raise ParamError(str(exc.args[0])) from None


def shown_path(path: Path) -> Path:
    """``path`` relative to the current folder when it is inside it (shorter lines for the user)."""
    cwd = Path.cwd()
    return path.relative_to(cwd) if path.is_absolute() and path.is_relative_to(cwd) else path


def staging_dir_for(run_dir: Path, pid: int | None = None) -> Path:
    """Where a run (by default this process's) simulates before it replaces ``run_dir``: a
    sibling, so the final rename stays on one file system and is atomic; the pid keeps two
    concurrent runs apart."""
    return run_dir.with_name(f"{run_dir.name}.tmp-{os.getpid() if pid is None else pid}")


def _remove_stale_staging_dirs(run_dir: Path) -> None:
    """Staging (and replaced) directories of runs that were killed outright (SIGKILL gives no
    chance to clean up)."""
    stale_dirs = [*run_dir.parent.glob(f"{glob.escape(run_dir.name)}.tmp-*"),
                  *run_dir.parent.glob(f"{glob.escape(run_dir.name)}.old-*")]
    for stale in stale_dirs:
        pid = stale.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not _process_alive(int(pid)):
            shutil.rmtree(stale, ignore_errors=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def create_staging_dir(run_dir: Path, run_root: Path | None) -> Path:
    """The empty staging directory of ``run_dir``; a RUNS that cannot hold results is bad input,
    found here, before anything is built."""
    staging = staging_dir_for(run_dir)
    try:
        run_dir.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_staging_dirs(run_dir)
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir()
    except OSError as exc:
        root = run_root or toolchain.RESULTS / "runs"
        blocker = next((p for p in staging.parents if p.exists()), None)
        why = (f"{blocker} is a file, not a folder" if blocker is not None and not blocker.is_dir()
               else f"cannot create {exc.filename or staging} ({exc.strerror or exc})")
        raise ParamError(f"RUNS={root} cannot hold results: {why}; RUNS must be a folder you can write to") from None
    return staging


def replace_run_dir(staging: Path, run_dir: Path) -> None:
    """Put the finished ``staging`` directory in place of ``run_dir``. Two renames (a directory
    cannot be renamed over a non-empty one); SIGINT and SIGTERM are held back in between, so an
    interrupt finds either the old results or the new ones, never neither."""
    previous = run_dir.with_name(f"{run_dir.name}.old-{os.getpid()}")
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        if run_dir.exists():
            run_dir.rename(previous)
        try:
            staging.rename(run_dir)
        except OSError:
            if previous.exists() and not run_dir.exists():
                previous.rename(run_dir)
            raise
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def run_into_dir(test: str, seed: int, overrides: list[str], run_root: Path | None = None,
                 **options: Any) -> tuple[int, Path]:
    """run_scenario without waves, and the run directory it wrote (report.json, timing.json, ...):
    for the commands that read a run's results back (compare, sweep, bench)."""
    rc = run_scenario(test, seed, "none", overrides, run_root=run_root, **options)
    return rc, run_dir_for(test, seed, parse_overrides(scenarios.get(test).spec, overrides), run_root)


def run_scenario(test: str, seed: int, waves: str, overrides: list[str], run_root: Path | None = None,
                 quiet: bool = False, uvm_test: str = DEFAULT_UVM_TEST, gui: bool = False,
                 summary: bool = False, sim: str = "verilator") -> int:
    """Run one scenario into its run directory; returns EXIT_AS_DECLARED or EXIT_OUTCOME_DIFFERS.
    Raises ParamError on bad input (before any build), InfrastructureError when a system package
    is missing, the Verilator build fails or the simulation produces no report, and KeyboardInterrupt
    when interrupted; in every one of those cases the earlier run directory is left as it was."""
    sc = scenarios.get(test)
    values = parse_overrides(sc.spec, overrides)
    choices = uvm_test_choices(uvm_test)
    if choices.override_anything and not sc.takes_overrides:
        takers = [n for n in scenarios.names() if scenarios.get(n).takes_overrides]
        raise ParamError(f"UVM_TEST={uvm_test} overrides the driver strategy and MSI faults, which scenario {test} "
                         f"fixes itself; use it with: {', '.join(takers)}")
    check_simulator(sim, waves)
    plan = sc.prepare(values, seed, choices)
    run_dir = run_dir_for(test, seed, values, run_root, uvm_test)
    staging = create_staging_dir(run_dir, run_root)
    had_results = run_dir.exists()
    try:
        report = _simulate_into(staging, run_dir, test, seed, waves, plan, uvm_test, sc.num_cq, sim)
        replace_run_dir(staging, run_dir)
        shutil.rmtree(failed_attempt_dir(run_dir), ignore_errors=True)    # superseded by this finished run
    except KeyboardInterrupt:
        if staging.exists():        # not yet swapped in: nothing of this run reached the run directory
            print(f"interrupted: {test} seed {seed} did not finish; " +
                  (f"the earlier results in {shown_path(run_dir)} are untouched" if had_results
                   else f"nothing was written to {shown_path(run_dir)}"), file=sys.stderr, flush=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)

    rc = EXIT_AS_DECLARED if report["pass"] else EXIT_OUTCOME_DIFFERS
    if quiet:
        return rc
    if summary:
        from irqloop.report import verdict_line
        print(f"{test} seed {seed}: {' '.join(verdict_line(report).split())}  ({shown_path(run_dir)})")
        return rc
    print((run_dir / "report.txt").read_text(), end="")
    print(f"\nrun directory: {shown_path(run_dir)}")
    if waves != "none":
        from irqloop.gtkw import key_moments
        print(f"waves: {run_dir / f'dump.{waves}'}")
        print(f"view:  {run_dir / 'view.gtkw'}   (make waves TEST={test} opens it)")
        for letter, (what, t) in zip("ABCDEFGH", key_moments(report)):
            print(f"  marker {letter}: {what} at {t / 1e6:.3f} us")
    if not report["pass"]:
        print(f"reproduce: {repro_command(test, seed, overrides, uvm_test)}")
    if gui:
        _open_view_after_run(run_dir / "view.gtkw")
    return rc


def _simulate_into(staging: Path, run_dir: Path, test: str, seed: int, waves: str, plan: Plan,
                   uvm_test: str, num_cq: int, sim: str = "verilator") -> dict[str, Any]:
    """Build, simulate into ``staging`` and complete it (report.txt, view.gtkw) as the run
    directory ``run_dir`` it will become: every path written inside names ``run_dir``."""
    build_dir = build(waves, num_cq, sim)
    wave_name = f"dump.{waves}"
    log = staging / "sim.log"
    request = RunRequest(test=test, seed=seed, uvm_test=uvm_test, waves=waves != "none", plan=plan)
    env = {ENV_VAR: str(request.save(staging)),
           # cocotb names results.xml's attachments after its own guess of the dump (always
           # dump.vcd for Verilator) in the directory it runs in; name the real files where they
           # will be once the run directory is in place
           "COCOTB_RESULTS_ATTACHMENTS": ",".join(
               str(run_dir / name) for name in ([wave_name] if waves != "none" else []) + ["sim.log"])}
    simbuild.run(TOPLEVEL, build_dir, "irqloop.tb.sim.test_scenario", staging, env=env, seed=seed, waves=waves,
                 test_args=["--trace-file", str(staging / wave_name)] if waves != "none" else [], log_file=log,
                 sim=sim)
    if not (staging / OBSERVATIONS_FILE).exists():
        changed = _replayed_file_changed(plan)
        if changed:         # the user's file, not the harness: bad input, kept with its log
            raise ParamError(_keep_failed_attempt(staging, run_dir, test, seed,
                                                  f"{changed} changed while the run was going (a replayed file must "
                                                  f"stay as it was when the run started)"))
        raise InfrastructureError(_keep_failed_attempt(staging, run_dir, test, seed, _why_no_report(plan, log)))
    from irqloop.report import evaluate, format_report, mark_verdict_in_junit, report_json

    try:
        # the verdict, computed here and only here, from the plan as the simulator read it and what it observed
        judged = evaluate(scenarios.get(test), RunRequest.load(staging / RUN_FILE).plan, read_observations(staging))
        saved = report_json(judged)
        # everything after reads the report as saved (its maps keyed and ordered as in report.json)
        report: dict[str, Any] = json.loads(saved)
        text = format_report(report) + "\n"
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        # observations.json cut short or not what the scenario expects: a harness fault, kept with its log
        raise InfrastructureError(_keep_failed_attempt(
            staging, run_dir, test, seed, f"its observations could not be judged ({type(exc).__name__}: {exc})")) from None
    (staging / "report.json").write_text(saved)
    (staging / "report.txt").write_text(text)
    mark_verdict_in_junit(staging / "results.xml", report)
    if waves != "none":
        from irqloop.gtkw import write_view
        write_view(run_dir, run_dir / wave_name, report, num_cq, written_in=staging)
    return report


def _replayed_file_changed(plan: Plan) -> Optional[str]:
    """The file of a plan's replay (latency_file=, interference_file=) that no longer has the
    content the run was prepared with, or None."""
    replay = getattr(plan, "replay", None) or {}
    for key in ("latency", "interference"):
        path = replay.get(f"{key}_file")
        if path and (not Path(path).is_file()
                     or hashlib.sha256(Path(path).read_bytes()).hexdigest() != replay[f"{key}_sha256"]):
            return path
    return None


def _why_no_report(plan: Plan, log: Path) -> str:
    """Why a simulation gave no report, as far as the runner can tell from the plan and the log."""
    tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
    crashed = re.search(r"exited abnormally \(Command failed with return code: -(\d+)\)", tail)
    c_driver = plan.values.get("driver_file", "none") != "none"
    shim = re.findall(r"^irqloop WDK shim: (.*)$", tail, re.M)
    if shim:                        # the C driver's shim said why it stopped the simulator
        return f"{shim[-1]} ({plan.values.get('driver_file', 'the C driver')})"
    if crashed:
        number = int(crashed.group(1))
        name = signal.Signals(number).name if number in signal.valid_signals() else f"signal {number}"
        if c_driver:
            return (f"the simulation was killed by {name}, most likely in your C driver "
                    f"({plan.values['driver_file']}): a bad pointer in its ISR or DPC (registers only through "
                    f"READ_/WRITE_REGISTER_*, docs/c-driver.md)")
        return f"the simulator was killed by {name}"
    return "the simulation failed"


def failed_attempt_dir(run_dir: Path) -> Path:
    """Where the last attempt at ``run_dir`` that produced no report is kept, until a run finishes."""
    return run_dir.with_name(f"{run_dir.name}.failed")


def _keep_failed_attempt(staging: Path, run_dir: Path, test: str, seed: int,
                         why: str = "the simulation failed") -> str:
    """Move a run that produced no report to <run dir>.failed (its log is what the user needs next)
    and return the one-line error; the log's tail goes to stderr first."""
    failed = failed_attempt_dir(run_dir)
    shutil.rmtree(failed, ignore_errors=True)
    staging.rename(failed)
    log = failed / "sim.log"
    tail = log.read_text(errors="replace").splitlines()[-40:] if log.exists() else []
    print("\n".join(tail), file=sys.stderr)
    earlier = (f"the earlier results in {shown_path(run_dir)} are untouched" if run_dir.exists()
               else f"nothing was written to {shown_path(run_dir)}")
    return (f"{test} (seed {seed}) produced no report: {why}; "
            f"log: {shown_path(log)}; {earlier}")


def _open_view_after_run(view: Path) -> None:
    """GUI=1: open the run's view; where that cannot work, say how to open it (the run's own exit
    code stands either way)."""
    try:
        open_waves(view)
    except (ParamError, InfrastructureError) as exc:
        print(f"GUI=1: {exc}", file=sys.stderr)


def repro_command(test: str, seed: int, overrides: list[str], uvm_test: str = DEFAULT_UVM_TEST) -> str:
    """The one command that reruns a run with waves."""
    uvm = f" UVM_TEST={uvm_test}" if uvm_test != DEFAULT_UVM_TEST else ""
    return f"make sim TEST={test} SEED={seed}{make_params(overrides)}{uvm} WAVES=1"


def make_params(overrides: list[str]) -> str:
    """` PARAMS=...` for a make command line that reproduces ``overrides`` (quoted for the shell)."""
    return f" PARAMS={shlex.quote(shlex.join(overrides))}" if overrides else ""


def _existing_view(test: str, seed: int, overrides: list[str], run_root: Path | None,
                   uvm_test: str = DEFAULT_UVM_TEST) -> Path:
    values = parse_overrides(scenarios.get(test).spec, overrides)
    run_dir = run_dir_for(test, seed, values, run_root, uvm_test)
    view = run_dir / "view.gtkw"
    if not view.exists():
        raise ParamError(f"no waveform for {test} seed {seed} in {run_dir}; "
                         f"run: {repro_command(test, seed, overrides, uvm_test)}")
    return view


def open_waves(view: Path) -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        raise InfrastructureError(f"no display to open GTKWave on; open the view on a machine with one "
                                  f"(gtkwave {view}), or render it with make wave-png")
    toolchain.require_system("make waves (GTKWave)", toolchain.VIEWER_NEEDS)
    return subprocess.call(["gtkwave", view.name], cwd=view.parent)


def wave_png(view: Path, report: dict[str, Any]) -> Path:
    """Render the view to view.png with GTKWave under Xvfb, zoomed on the key moments."""
    from irqloop.gtkw import key_moments

    toolchain.require_system("make wave-png (GTKWave under Xvfb)", toolchain.RENDER_NEEDS)
    times = [t for _, t in key_moments(report)] or [0, report["observed"]["end_ps"]]
    span = max(times) - min(times) or report["observed"]["end_ps"]
    start, end = max(0, min(times) - span // 4), max(times) + span // 4
    png = view.with_name("view.png")
    script = view.with_name("render.tcl")
    script.write_text(f"gtkwave::setZoomRangeTimes {start} {end}\n"
                      f"gtkwave::/File/Grab_To_File {png}\ngtkwave::/File/Quit\n")
    try:
        r = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1200x24", "gtkwave", "-S", str(script),
                            view.name], cwd=view.parent, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        raise InfrastructureError(f"GTKWave did not render {view} within 120 s") from None
    if r.returncode != 0 or not png.exists():
        detail = " ".join((r.stderr or r.stdout).split())[-300:]    # one line, however GTKWave wrapped it
        raise InfrastructureError(f"GTKWave could not render {view}: {detail}")
    return png


def parse_seed(text: str) -> int:
    """SEED as given on the command line; the simulator's own seed is 32 bits."""
    if not text.isdigit() or int(text) >= 2**32:
        raise ParamError(f"SEED={text!r} is not valid; use an integer in 0..4294967295")
    return int(text)


def parse_sim(text: str) -> str:
    """SIM: the simulator (toolchain.SIMULATORS; Verilator unless given)."""
    if text not in toolchain.SIMULATORS:
        raise ParamError(f"SIM={text} is not supported; valid: {' '.join(toolchain.SIMULATORS)}")
    return text


def check_simulator(sim: str, waves: str) -> None:
    """What a run cannot do under Icarus, refused in one line before anything is built."""
    parse_sim(sim)
    if sim == "icarus" and waves != "none":
        raise ParamError("WAVES is not supported with SIM=icarus (the waveform view is Verilator's); "
                         "record waves with SIM=verilator")
    if sim == "icarus" and toolchain.coverage_enabled():
        raise ParamError("COVERAGE=1 is not supported with SIM=icarus (line and toggle coverage are "
                         "Verilator's); use SIM=verilator")


def parse_waves(text: str) -> str:
    waves = {"0": "none", "": "none", "none": "none", "1": "fst", "fst": "fst", "vcd": "vcd"}.get(text.lower())
    if waves is None:
        raise ParamError(f"WAVES={text!r} is not valid; use 0, 1 (FST), fst or vcd")
    return waves


def parse_gui(text: str) -> bool:
    if text not in ("", "0", "1"):
        raise ParamError(f"GUI={text!r} is not valid; use 0 or 1 (1: open the run's waveform in GTKWave)")
    return text == "1"


def resolve_uvm_test(uvm_test: str, uvm_testname: str) -> str:
    """UVM_TEST, or UVM_TESTNAME (the name UVM and cocotb users know it by); both only if they agree."""
    if uvm_test and uvm_testname and uvm_test != uvm_testname:
        raise ParamError(f"UVM_TEST={uvm_test} and UVM_TESTNAME={uvm_testname} disagree; give one of them")
    return uvm_test or uvm_testname or DEFAULT_UVM_TEST


def exit_code_of(action: Callable[[], int]) -> int:
    """Run a front end's ``action`` and turn what it raises into one line on stderr and the
    documented exit code (see the module doc); used by every front end (tb.runner, tb.compare)."""
    # SIGTERM (a regression's timeout, a CI cancel) cleans up like Ctrl-C instead of killing the
    # process with its staging directory left behind
    previous_sigterm = signal.signal(signal.SIGTERM, _interrupt_on_sigterm)
    try:
        return action()
    except ParamError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (InfrastructureError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INFRASTRUCTURE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:        # a fault of irqloop itself: one line, and the traceback on request
        if os.environ.get("IRQLOOP_DEBUG") == "1":
            raise
        print(f"error: internal error in irqloop ({type(exc).__name__}: {exc}); "
              f"IRQLOOP_DEBUG=1 shows the traceback", file=sys.stderr)
        return EXIT_INFRASTRUCTURE
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)


def _interrupt_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    ap = argparse.ArgumentParser(prog=prog or "python -m irqloop.runner", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="list the scenarios")
    pp = sub.add_parser("params", help="list a scenario's parameters")
    pp.add_argument("test")
    sp = sub.add_parser("sim", help="run a scenario")
    sp.add_argument("test")
    sp.add_argument("--seed", default="1")
    sp.add_argument("--waves", default="none")
    sp.add_argument("--sim", default=toolchain.SIMULATORS[0],
                    help=f"the simulator: {' or '.join(toolchain.SIMULATORS)} (default {toolchain.SIMULATORS[0]})")
    sp.add_argument("--runs", default=None, help="results root (default: runs/)")
    sp.add_argument("--gui", default="0", help="1: open the waveform view in GTKWave after the run")
    sp.add_argument("--summary", action="store_true", help="print the verdict line instead of the report")
    sp.add_argument("--profile", default="", help="host profile (fixed, desktop, workstation, server2s or a .toml "
                    "file; docs/host-profiles.md): the completion-queue scenarios' profile= parameter")
    sp.add_argument("params", nargs="*", help="name=value overrides")
    bp = sub.add_parser("build", help="build the simulator")
    bp.add_argument("--sim", default=toolchain.SIMULATORS[0])
    for cmd in ("waves", "wave-png"):
        wp = sub.add_parser(cmd, help="open the last waveform of a run" if cmd == "waves" else "render it to PNG")
        wp.add_argument("test")
        wp.add_argument("params", nargs="*")
        wp.add_argument("--seed", default="1")
        wp.add_argument("--runs", default=None)
    for p in (sp, *(sub.choices[c] for c in ("waves", "wave-png"))):
        p.add_argument("--uvm-test", default="", help=f"pyuvm test class (default {DEFAULT_UVM_TEST})")
        p.add_argument("--uvm-testname", default="", help="the same, under UVM's and cocotb's name UVM_TESTNAME")
    args = sys.argv[1:] if argv is None else list(argv)
    if args and args[0] in ("sim", "waves", "wave-png") and not [x for x in args[1:] if not x.startswith("-")] \
            and not {"-h", "--help"} & set(args):
        print(f"error: {args[0]} needs a test; tests: {', '.join(scenarios.names())}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if args and args[0] in ("sim", "waves", "wave-png"):
        # name=value items may come before or after the options (`sim overrun --seed 3 slots=4`)
        a = sub.choices[args[0]].parse_intermixed_args(args[1:])
        a.cmd = args[0]
    else:
        a = ap.parse_args(args)
    return exit_code_of(lambda: _dispatch(a))


def with_profile(test: str, params: list[str], profile: str) -> list[str]:
    """PROFILE / --profile as the scenario's ``profile=`` parameter (the completion-queue
    scenarios'); a scenario without one refuses it in one line."""
    if not profile:
        return params
    sc = scenarios.get(test)
    if "profile" not in {p.name for p in sc.spec} and profile == "fixed":
        return params                   # the default profile: the constant costs every scenario has
    if "profile" not in {p.name for p in sc.spec}:
        takers = [n for n in scenarios.names() if "profile" in {p.name for p in scenarios.get(n).spec}]
        raise ParamError(f"PROFILE={profile}: scenario {test} has no host profile; profiles apply to: {', '.join(takers)}")
    return params + [f"profile={profile}"]


def with_make_params(params: list[str]) -> list[str]:
    """make passes PARAMS in the environment (IRQLOOP_PARAMS, see the Makefile), unsplit by the
    shell so that values may hold quotes and ';'; the command line's own items follow."""
    text = os.environ.get("IRQLOOP_PARAMS", "")
    try:
        return shlex.split(text) + params
    except ValueError as e:
        raise ParamError(f"PARAMS={text!r} cannot be split: {e}") from None


def _dispatch(a: argparse.Namespace) -> int:
    if hasattr(a, "params"):
        a.params = with_make_params(a.params)
    if a.cmd == "list":
        for n in scenarios.names():
            print(f"{n:<20} {scenarios.get(n).question}")
        return EXIT_AS_DECLARED
    if a.cmd == "params":
        print(describe(scenarios.get(a.test).spec))
        return EXIT_AS_DECLARED
    if a.cmd == "build":
        build("none", sim=parse_sim(a.sim))
        return EXIT_AS_DECLARED
    run_root = Path(a.runs).resolve() if a.runs else None
    uvm_test = resolve_uvm_test(a.uvm_test, a.uvm_testname)
    if a.cmd in ("waves", "wave-png"):
        view = _existing_view(a.test, parse_seed(a.seed), a.params, run_root, uvm_test)
        if a.cmd == "waves":
            return open_waves(view)
        png = wave_png(view, json.loads(view.with_name("report.json").read_text()))
        print(f"wave-png: {png}")
        return EXIT_AS_DECLARED
    waves, gui, seed, sim = parse_waves(a.waves), parse_gui(a.gui), parse_seed(a.seed), parse_sim(a.sim)
    if gui and waves == "none":
        raise ParamError("GUI=1 opens the run's waveform, but WAVES=0 records none; "
                         "use WAVES=1 (or leave WAVES out)")
    params = with_profile(a.test, a.params, a.profile)
    return run_scenario(a.test, seed, waves, params, run_root=run_root, uvm_test=uvm_test, gui=gui,
                        summary=a.summary, sim=sim)


if __name__ == "__main__":
    sys.exit(main())
