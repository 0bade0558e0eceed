"""Build a simulator once per (sources, parameters, options) and run cocotb tests on it: Verilator
(the default) or Icarus Verilog (``sim="icarus"``)."""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

from irqloop import toolchain


@dataclass(frozen=True)
class MainClock:
    """A clock the simulator's main loop toggles (tb/hdl/cocotb_main.cpp) instead of the HDL: the
    build needs no --timing, and no edge pays its delay scheduler. The HDL leaves its own clock
    generator out when IRQLOOP_MAIN_CLOCK is defined, and its .vlt makes the clock public."""
    field: str               #: the clock's member of Verilator's root model, e.g. tb_irqloop__DOT__clk
    half_period_ps: int      #: edges at one half period, two, ...: the first one rises

    def build_args(self) -> list[str]:
        # --no-timing: a delay in a user's device is ignored (as synthesis does), not a stop
        return ["--no-timing", "+define+IRQLOOP_MAIN_CLOCK", "-CFLAGS",
                f"-DIRQLOOP_CLOCK_FIELD={self.field} -DIRQLOOP_CLOCK_HALF_PERIOD={self.half_period_ps}"]


MAIN_CPP = toolchain.HDL / "cocotb_main.cpp"     #: the main loop of a MainClock build


def _runner(lean: bool, main_clock: MainClock | None = None, quick: bool = False) -> object:
    """cocotb's Verilator runner; `lean` drops its --public-flat-rw (a .vlt names what is public),
    `main_clock` puts irqloop's main loop in place of cocotb's. Both builds' C++ is compiled at
    toolchain.CXX_OPT, the main loop included (toolchain.make_opt_args)."""
    from cocotb_tools.runner import Verilator

    class LeanVerilator(Verilator):
        def _build_command(self):  # type: ignore[no-untyped-def]
            cmds = super()._build_command()
            if lean:
                cmds[0] = [a for a in cmds[0] if a != "--public-flat-rw"]
            if main_clock is not None:
                cmds[0] = [str(MAIN_CPP) if a.endswith("/verilator/verilator.cpp") else a for a in cmds[0]]
                if str(MAIN_CPP) not in cmds[0]:
                    raise toolchain.InfrastructureError("cocotb's Verilator runner no longer names its "
                                                        "verilator.cpp main: irqloop's main loop cannot replace it")
            cmds[1] = cmds[1] + toolchain.make_opt_args(quick)
            return cmds

    return LeanVerilator()


HOST_SHIM = "irqloop_host"       #: the VPI module of an Icarus build with the C host (vvp -m irqloop_host)


def build(toplevel: str, sources: Sequence[Path], parameters: Mapping[str, object] | None = None,
          waves: str = "none", timing: bool = False, dpi: bool = False, name: str | None = None,
          public_vlt: Path | None = None, quick: bool = False, sim: str = "verilator",
          includes: Sequence[Path] = (), main_clock: MainClock | None = None) -> Path:
    """Build once per inputs. With `public_vlt`, only the signals that file names are visible to
    Python; `quick` trades simulation speed for compile time (see toolchain.CXX_FLAGS_QUICK).
    `dpi`: the HDL host's C code (tb/hdl/hostmem_dpi.cpp), through DPI-C under Verilator and
    through the VPI shim under Icarus, where `timing`, `public_vlt` and `quick` mean nothing
    (Icarus schedules delays itself and every signal is visible). `includes`: folders of a user's
    device's `include files, searched after irqloop's own (their files are part of the inputs).
    `main_clock`: the main loop toggles that clock, and the build has no --timing (Verilator only;
    Icarus generates the clock in the HDL)."""
    if sim == "icarus":
        return build_icarus(toplevel, sources, parameters, waves, host_shim=dpi, name=name, includes=includes)
    if sim != "verilator":
        raise ValueError(f"unknown simulator {sim!r}; valid: {', '.join(toolchain.SIMULATORS)}")
    toolchain.setup_env()
    if waves == "fst":
        toolchain.require_system("FST waves (Verilator's FST writer)", toolchain.FST_NEEDS)

    parameters = dict(parameters or {})
    args = toolchain.build_args(waves, timing=timing and main_clock is None, dpi=dpi, quick=quick)
    if main_clock is not None:
        args += main_clock.build_args()
    if public_vlt is not None:
        args.append(str(public_vlt))
    deps = list(sources) + ([public_vlt] if public_vlt is not None else []) + [toolchain.RTL / "irqloop_regs.vh"] \
        + ([MAIN_CPP] if main_clock is not None else []) \
        + [toolchain.HDL / h for h in toolchain.HOST_C_HEADERS] + ([toolchain.HDL / "hostmem_dpi.cpp"] if dpi else []) \
        + include_files(includes)
    h = hashlib.sha256()
    for s in deps:
        h.update(s.name.encode())
        h.update(s.read_bytes())
    h.update(repr((args, waves, timing, dpi, sorted(parameters.items()), str(toolchain.verilator_root()),
                   toolchain.make_opt_args(quick))).encode())
    digest = h.hexdigest()[:16]
    tag = name or "-".join([toplevel] + [f"{k}{v}" for k, v in sorted(parameters.items())] + [waves])
    if quick:
        tag += "-quick"
    if toolchain.coverage_enabled():
        tag += "-cov"
    build_dir = toolchain.WORK / "sim_build" / tag
    stamp = build_dir / ".irqloop-build"
    if stamp.exists() and stamp.read_text() == digest and (build_dir / toplevel).exists():
        return build_dir
    build_dir.mkdir(parents=True, exist_ok=True)
    # parallel test workers and regression jobs may want the same build: one builds, the others wait
    with open(build_dir.parent / f".{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == digest and (build_dir / toplevel).exists():
            return build_dir
        return _build(toplevel, sources, parameters, args, waves, build_dir, stamp, digest, tag, public_vlt, includes,
                      main_clock, quick)


def include_files(includes: Sequence[Path]) -> list[Path]:
    """The files of a user's include folders, in a stable order (a changed header rebuilds)."""
    return sorted(f for d in includes for f in Path(d).iterdir() if f.is_file() and f.suffix in (".vh", ".svh", ".v", ".sv"))


def _build(toplevel: str, sources: Sequence[Path], parameters: Mapping[str, object], args: list[str], waves: str,
           build_dir: Path, stamp: Path, digest: str, tag: str, public_vlt: Path | None,
           includes: Sequence[Path] = (), main_clock: MainClock | None = None, quick: bool = False) -> Path:
    log = _start_build(build_dir, tag, "Verilator")
    try:
        _runner(public_vlt is not None, main_clock, quick).build(sources=list(sources), includes=[toolchain.RTL, toolchain.HDL, *includes],
                                              hdl_toplevel=toplevel,
                                      parameters=parameters, build_args=args, build_dir=build_dir,
                                      always=True, timescale=("1ns", "1ps"), log_file=log,
                                      waves=waves != "none")
    except (SystemExit, Exception) as exc:
        raise _build_failed("Verilator", tag, log, exc) from None
    stamp.write_text(digest)
    return build_dir


def _start_build(build_dir: Path, tag: str, simulator: str) -> Path:
    """Empty ``build_dir`` and say what is built; returns the build's log. A build of other sources
    or settings starts clean: make's dependency files of the last one may name files that have
    since moved (ccache keeps the rebuild of unchanged objects cheap)."""
    for old in build_dir.iterdir():
        shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    log = build_dir / "build.log"
    print(f"irqloop: building {tag} with {simulator}; log: {log.relative_to(toolchain.WORK)}", flush=True)
    return log


def _build_failed(simulator: str, tag: str, log: Path, exc: BaseException) -> toolchain.InfrastructureError:
    """The log's tail on stderr, and the one-line error of a failed build."""
    tail = log.read_text().splitlines()[-30:] if log.exists() else []
    print("\n".join(tail), file=sys.stderr)
    return toolchain.InfrastructureError(f"{simulator} build of {tag} failed ({exc}); full log: {log}")


def build_icarus(toplevel: str, sources: Sequence[Path], parameters: Mapping[str, object] | None = None,
                 waves: str = "none", host_shim: bool = False, name: str | None = None,
                 includes: Sequence[Path] = ()) -> Path:
    """An Icarus Verilog build (sim.vvp) and, with `host_shim`, the VPI module that holds the C host
    (irqloop_host.vpi: tb/hdl/hostmem_dpi.cpp with its VPI shim hostmem_vpi.cpp), built once per
    inputs into WORK/sim_build/<name>-icarus."""
    if waves != "none":
        raise ValueError("waves are not recorded under Icarus (the runner refuses WAVES with SIM=icarus)")
    toolchain.require_system("an Icarus Verilog build (SIM=icarus)", toolchain.ICARUS_NEEDS)
    toolchain.drop_make_variables()
    if host_shim:
        toolchain.require_system("the Icarus VPI shim (a C++ build)", toolchain.BUILD_NEEDS)
    parameters = dict(parameters or {})
    deps = list(sources) + [toolchain.RTL / "irqloop_regs.vh"] + [toolchain.HDL / h for h in toolchain.HOST_C_HEADERS] \
        + ([toolchain.HDL / c for c in toolchain.HOST_SHIM_SOURCES] if host_shim else []) + include_files(includes)
    h = hashlib.sha256()
    for s in deps:
        h.update(s.name.encode())
        h.update(s.read_bytes())
    h.update(repr((host_shim, sorted(parameters.items()), _icarus_version(), _SHIM_CXX_FLAGS)).encode())
    digest = h.hexdigest()[:16]
    tag = (name or "-".join([toplevel] + [f"{k}{v}" for k, v in sorted(parameters.items())] + [waves])) + "-icarus"
    build_dir = toolchain.WORK / "sim_build" / tag
    products = [build_dir / "sim.vvp"] + ([build_dir / f"{HOST_SHIM}.vpi"] if host_shim else [])
    stamp = build_dir / ".irqloop-build"

    def current() -> bool:
        return stamp.exists() and stamp.read_text() == digest and all(p.exists() for p in products)

    if current():
        return build_dir
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir.parent / f".{tag}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if current():
            return build_dir
        log = _start_build(build_dir, tag, "Icarus Verilog")
        if host_shim:
            _build_host_shim(build_dir / f"{HOST_SHIM}.vpi", log)
        from cocotb_tools.runner import Icarus

        try:
            Icarus().build(sources=list(sources), includes=[toolchain.RTL, toolchain.HDL, *includes], hdl_toplevel=toplevel,
                           parameters=parameters, defines={"IRQLOOP_VPI": 1} if host_shim else {},
                           build_dir=build_dir, always=True, timescale=("1ns", "1ps"), log_file=log)
        except (SystemExit, Exception) as exc:
            raise _build_failed("Icarus", tag, log, exc) from None
        stamp.write_text(digest)
    return build_dir


_SHIM_CXX_FLAGS = ("-std=c++17", "-O2", "-fPIC", "-shared", "-Wall")


def _build_host_shim(out: Path, log: Path) -> None:
    """The C host and its VPI shim as one module for vvp -m. Its VPI functions are left undefined:
    vvp defines them (no -lvpi is needed on Linux: Debian's libvpi.a holds only a placeholder)."""
    cmd = ["g++", *_SHIM_CXX_FLAGS, "-I/usr/include/iverilog", *(str(toolchain.HDL / c) for c in toolchain.HOST_SHIM_SOURCES),
           "-o", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    with open(log, "a") as f:
        f.write(" ".join(cmd) + "\n" + r.stdout + r.stderr)
    if r.returncode != 0:
        print((r.stdout + r.stderr)[-3000:], file=sys.stderr)
        raise toolchain.InfrastructureError(f"the Icarus VPI shim did not compile; full log: {log}")


def _icarus_version() -> str:
    """`iverilog -V`'s first line: a new Icarus rebuilds."""
    r = subprocess.run(["iverilog", "-V"], capture_output=True, text=True)
    return (r.stdout.splitlines() or [""])[0]


def run(toplevel: str, build_dir: Path, test_module: str, test_dir: Path, env: Mapping[str, str] | None = None,
        seed: int = 1, waves: str = "none", test_args: Sequence[str] = (), testcase: str | None = None,
        log_file: Path | None = None, sim: str = "verilator") -> Path:
    """Run cocotb tests; returns the results XML path (raises nothing on test failure)."""
    from cocotb_tools.runner import get_runner

    runner = get_runner(sim)
    test_dir.mkdir(parents=True, exist_ok=True)
    # cocotb reads COVERAGE (deprecated) as "measure the testbench's Python coverage"; here it is
    # `make regress COVERAGE=1` (RTL coverage), so cocotb is told explicitly unless the user asked
    full_env = {"PYTHONPATH": str(toolchain.PACKAGE.parent),
                "COCOTB_USER_COVERAGE": os.environ.get("COCOTB_USER_COVERAGE", "0")} | dict(env or {})
    if sim == "icarus":
        shim = build_dir / f"{HOST_SHIM}.vpi"
        if shim.exists():
            # vvp loads the shim beside cocotb's VPI library; Python opens it by this path
            test_args = ["-M", str(build_dir), "-m", HOST_SHIM, *test_args]
            full_env[toolchain.HOST_LIB_ENV] = str(shim)
        plusargs: list[str] = []
    else:
        plusargs = ["+verilator+rand+reset+2", f"+verilator+seed+{seed + 1}"]
    if toolchain.coverage_enabled() and sim == "verilator":
        # make regress COVERAGE=1 gives each regression its own directory
        cov_dir = Path(os.environ.get("IRQLOOP_COVERAGE_DIR") or toolchain.WORK / "build" / "coverage")
        cov_dir.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256(f"{test_dir}:{test_module}:{testcase}".encode()).hexdigest()[:12]
        plusargs.append(f"+verilator+coverage+file+{cov_dir / f'{toplevel}-{digest}.dat'}")
    try:
        return Path(runner.test(test_module=test_module, hdl_toplevel=toplevel, hdl_toplevel_lang="verilog",
                                build_dir=build_dir, test_dir=test_dir, extra_env=full_env, seed=seed,
                                waves=waves != "none", test_args=list(test_args), testcase=testcase,
                                results_xml=str(test_dir / "results.xml"), log_file=log_file,
                                # uninitialized state is random but follows the seed: same seed, same waves
                                plusargs=plusargs))
    except SystemExit:
        # cocotb's runner exits on a failed test; the caller reads the verdict from results.xml
        # and the scenario report, and reports a missing one
        return test_dir / "results.xml"
    except RuntimeError as exc:
        # cocotb 2.1 raises RuntimeError when the simulator exits non-zero (a crash): say so at
        # the end of the log, which is where the caller sends the user
        if log_file is not None:
            with open(log_file, "a") as log:
                log.write(f"irqloop: the simulator exited abnormally ({exc})\n")
        return test_dir / "results.xml"
