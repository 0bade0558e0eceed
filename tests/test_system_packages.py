"""System packages: scripts/require-system.sh (the one place that checks for Debian packages and
installs them), tb/toolchain.require_system() in front of it, the package list in irqloop/toolchain.py
and the scripts that read it (bootstrap.sh, install-system-deps.sh).

Simulator-free and fast. Nothing is ever installed: missing things are named so that no package
provides them (irqloop-no-such-*), installs are refused with IRQLOOP_NO_INSTALL=1, apt-get is
left off PATH, or a fake apt-get on PATH records what it was asked to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from irqloop import toolchain
from irqloop.toolchain import InfrastructureError

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "require-system.sh"
MISSING = "cmd:irqloop-no-such-tool=irqloop-no-such-pkg"
NO_INSTALL_LINE = "error: a test needs irqloop-no-such-tool; install it with: sudo apt-get install -y irqloop-no-such-pkg"
NO_APT_LINE = ("error: a test needs irqloop-no-such-tool (Debian packages: irqloop-no-such-pkg); "
               "no apt-get here: install them with your package manager")
# what the script may run before and around apt-get (bash builtins aside)
TOOLS = ("bash", "env", "id", "mktemp", "tail", "flock", "find", "mkdir", "touch", "rm", "python3")


def script_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without irqloop's switches; markers, locks and logs in tmp_path."""
    env = {k: v for k, v in os.environ.items() if k not in ("IRQLOOP_NO_INSTALL", "IRQLOOP_REQUIRE_ERRFILE",
                                                          "IRQLOOP_PYTHON")}
    env.update(XDG_CACHE_HOME=str(tmp_path / "cache"), TMPDIR=str(tmp_path), **extra)
    return env


def run(args: list[str], env: dict[str, str], bash: str = "bash") -> subprocess.CompletedProcess[str]:
    return subprocess.run([bash, str(SCRIPT), *args], env=env, capture_output=True, text=True, timeout=60)


def bin_without_apt(tmp_path: Path) -> Path:
    """A PATH directory with the tools the script uses, and no apt-get (nor sudo)."""
    d = tmp_path / "bin"
    d.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool)
        if found is not None:
            (d / tool).symlink_to(found)
    return d


def fake_apt(tmp_path: Path, installs: bool) -> Path:
    """A directory to put first on PATH: apt-get that records its environment and arguments and
    either fails like an offline machine or 'installs' irqloop-no-such-tool into the same
    directory; id that says root, so that the result does not depend on who runs the tests."""
    d = tmp_path / "fakebin"
    d.mkdir()
    calls = tmp_path / "apt-calls"
    effect = (f'[ "$1" = install ] && printf "#!/bin/sh\\n" >"{d}/irqloop-no-such-tool" && chmod +x "{d}/irqloop-no-such-tool"'
              if installs else 'echo "E: Unable to locate package irqloop-no-such-pkg"; exit 100')
    (d / "apt-get").write_text(f'#!/bin/bash\necho "DEBIAN_FRONTEND=$DEBIAN_FRONTEND $*" >>"{calls}"\n'
                               'while [ "${1:-}" = -o ] || [ "${1:-}" = -qq ]; do [ "$1" = -o ] && shift; shift; done\n'
                               f'{effect}\nexit 0\n')
    (d / "id").write_text("#!/bin/sh\necho 0\n")
    for f in ("apt-get", "id"):
        (d / f).chmod(0o755)
    return d


def apt_calls(tmp_path: Path) -> list[str]:
    calls = tmp_path / "apt-calls"
    return calls.read_text().splitlines() if calls.exists() else []


def test_present_check_is_silent(tmp_path: Path) -> None:
    r = run(["a test", "cmd:bash=bash", "header:stdio.h=libc6-dev"], script_env(tmp_path))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


def test_missing_without_install_is_one_line_with_the_command_and_exit_3(tmp_path: Path) -> None:
    r = run(["a test", "cmd:bash=bash", MISSING], script_env(tmp_path, IRQLOOP_NO_INSTALL="1"))
    assert (r.returncode, r.stdout, r.stderr.splitlines()) == (3, "", [NO_INSTALL_LINE])


def test_packages_whose_names_contain_plus_are_named_whole(tmp_path: Path) -> None:
    # ',' separates packages because '+' is part of names such as g++
    r = run(["a test", "cmd:irqloop-no-such-tool=g++,xauth"], script_env(tmp_path, IRQLOOP_NO_INSTALL="1"))
    assert r.returncode == 3 and r.stderr.splitlines()[-1].endswith("sudo apt-get install -y g++ xauth")


def test_optional_missing_without_install_is_silent(tmp_path: Path) -> None:
    r = run(["--optional", "a test", MISSING], script_env(tmp_path, IRQLOOP_NO_INSTALL="1"))
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")


@pytest.mark.parametrize("args", [
    [],                                                   # no purpose
    ["a test"],                                           # no item
    ["", MISSING],                                        # empty purpose
    ["a test", "cmd:irqloop-no-such-tool"],               # no =PACKAGE
    ["a test", "irqloop-no-such-pkg"],                    # no check at all
    ["a test", "lib:irqloop-no-such=irqloop-no-such-pkg"],   # unknown kind
    ["a test", "cmd:=irqloop-no-such-pkg"],               # empty name
    ["a test", "cmd:irqloop-no-such-tool="],              # empty package
    ["a test", "cmd:irqloop-no-such-tool=-o"],            # an apt-get option, not a package
    ["a test", "cmd:irqloop-no-such-tool=irqloop pkg"],   # two words in one name
    ["a test", "py:os;import sys=irqloop-no-such-pkg"],   # not a module name
    ["--optional", "a test", "cmd:irqloop-no-such-tool"],
])
def test_malformed_arguments_are_one_line_and_exit_2_and_never_reach_apt(tmp_path: Path, args: list[str]) -> None:
    fake = fake_apt(tmp_path, installs=False)
    r = run(args, script_env(tmp_path, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}"))
    assert r.returncode == 2 and r.stdout == "", r.stderr
    assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("error: "), r.stderr
    assert apt_calls(tmp_path) == []


def test_no_apt_get_says_use_your_package_manager(tmp_path: Path) -> None:
    bindir = bin_without_apt(tmp_path)
    r = run(["a test", MISSING], script_env(tmp_path, PATH=str(bindir)), bash=str(bindir / "bash"))
    assert (r.returncode, r.stdout, r.stderr.splitlines()) == (3, "", [NO_APT_LINE])


def test_errfile_takes_the_error_line_instead_of_stderr(tmp_path: Path) -> None:
    errfile = tmp_path / "err"
    r = run(["a test", MISSING], script_env(tmp_path, IRQLOOP_NO_INSTALL="1", IRQLOOP_REQUIRE_ERRFILE=str(errfile)))
    assert (r.returncode, r.stderr) == (3, "")
    assert errfile.read_text().splitlines() == [NO_INSTALL_LINE]


def test_require_system_raises_the_line_once_without_prefix(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capfd: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("IRQLOOP_NO_INSTALL", "1")
    with pytest.raises(InfrastructureError) as exc:
        toolchain.require_system("a test", (MISSING,))
    assert str(exc.value) == NO_INSTALL_LINE.removeprefix("error: ")
    monkeypatch.delenv("IRQLOOP_NO_INSTALL")
    monkeypatch.setenv("PATH", str(bin_without_apt(tmp_path)))
    with pytest.raises(InfrastructureError) as exc:
        toolchain.require_system("a test", (MISSING,))
    assert str(exc.value) == NO_APT_LINE.removeprefix("error: ")
    out, err = capfd.readouterr()
    assert (out, err) == ("", "")                   # the front end prints it, once
    assert list(tmp_path.glob("irqloop-require-*")) == []


def test_failed_install_streams_progress_and_raises_the_error_once(tmp_path: Path) -> None:
    fake = fake_apt(tmp_path, installs=False)
    env = script_env(tmp_path, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}", PYTHONPATH=str(ROOT))
    code = ("from irqloop import toolchain\n"
            "try:\n"
            f"    toolchain.require_system('a test', ({MISSING!r},))\n"
            "except toolchain.InfrastructureError as exc:\n"
            "    print(exc)\n")
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert r.stderr.splitlines() == ["irqloop: installing irqloop-no-such-pkg (for a test)"]
    assert r.stdout.startswith("installing irqloop-no-such-pkg for a test failed (E: Unable to locate package")
    assert "full log: " in r.stdout and len(r.stdout.splitlines()) == 1


def test_install_passes_the_frontend_through_sudo_and_waits_for_apt_locks(tmp_path: Path) -> None:
    fake = fake_apt(tmp_path, installs=True)
    # the shared lock file is not ours to open (another user's, under protected_regular): the
    # script falls back to a lock of its own
    (tmp_path / "irqloop-apt.lock").mkdir()
    r = run(["a test", MISSING], script_env(tmp_path, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}"))
    assert (r.returncode, r.stderr.splitlines()) == (0, ["irqloop: installing irqloop-no-such-pkg (for a test)"])
    assert apt_calls(tmp_path) == ["DEBIAN_FRONTEND=noninteractive -o DPkg::Lock::Timeout=120 -qq install -y "
                                   "--no-install-recommends irqloop-no-such-pkg"]
    assert (tmp_path / f"irqloop-apt-{os.getuid()}.lock").exists()
    assert list(tmp_path.glob("irqloop-apt.??????")) == []          # the log goes when it went well


def test_failed_optional_install_is_not_retried_for_a_day(tmp_path: Path) -> None:
    fake = fake_apt(tmp_path, installs=False)
    env = script_env(tmp_path, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
    r = run(["--optional", "a test", MISSING], env)
    assert (r.returncode, r.stderr.splitlines()) == (0, ["irqloop: installing irqloop-no-such-pkg (for a test)"])
    assert [c.split()[4] for c in apt_calls(tmp_path)] == ["install", "update", "install"]
    assert all(c.startswith("DEBIAN_FRONTEND=noninteractive -o DPkg::Lock::Timeout=120 ") for c in apt_calls(tmp_path))
    assert list(tmp_path.glob("irqloop-apt.??????")) == []          # no log left behind
    marker = tmp_path / "cache" / "irqloop" / "optional-unavailable-irqloop-no-such-pkg"
    assert marker.exists()
    r = run(["--optional", "a test", MISSING], env)
    assert (r.returncode, r.stdout, r.stderr, len(apt_calls(tmp_path))) == (0, "", "", 3)
    day_and_more = time.time() - 25 * 3600
    os.utime(marker, (day_and_more, day_and_more))
    r = run(["--optional", "a test", MISSING], env)
    assert r.returncode == 0 and len(apt_calls(tmp_path)) == 6        # a day later: tried again


def system_python() -> str:
    """The interpreter the shell scripts read the list with: the system's, not the venv's."""
    return "/usr/bin/python3" if Path("/usr/bin/python3").exists() else sys.executable


def test_toolchain_imports_only_the_standard_library() -> None:
    code = ("import sys\n"
            "before = set(sys.modules)\n"
            "import irqloop.toolchain\n"
            "print(sorted({m.split('.')[0] for m in set(sys.modules) - before} - set(sys.stdlib_module_names) - {'irqloop'}))")
    r = subprocess.run([system_python(), "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert (r.returncode, r.stdout.strip(), r.stderr) == (0, "[]", "")


def test_needs_all_is_what_install_system_deps_installs(tmp_path: Path) -> None:
    r = subprocess.run([system_python(), "-m", "irqloop.toolchain", "needs", "all"], cwd=ROOT, capture_output=True,
                       text=True, timeout=60, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert r.returncode == 0 and r.stderr == ""
    items = r.stdout.split()
    groups = [v for k, v in vars(toolchain).items() if k.endswith("_NEEDS") or k == "CCACHE"]
    assert len(groups) >= 7 and all(i in items for g in groups for i in g)
    packages = {p for i in items for p in i.split("=", 1)[1].split(",")}
    assert {"g++", "make", "perl", "python3-venv", "liblz4-dev", "zlib1g-dev", "ccache", "gtkwave", "xvfb",
            "xauth", "lcov"} <= packages
    # install-system-deps.sh in a copy of the tree whose require-system.sh only records its arguments
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "install-system-deps.sh", tmp_path / "scripts")
    (tmp_path / "irqloop").symlink_to(ROOT / "irqloop")
    record = tmp_path / "args"
    (tmp_path / "scripts" / "require-system.sh").write_text(f'#!/bin/bash\necho "$*" >>"{record}"\n')
    (tmp_path / "scripts" / "require-system.sh").chmod(0o755)
    r = subprocess.run(["bash", str(tmp_path / "scripts" / "install-system-deps.sh")], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert record.read_text().splitlines()[-1] == "irqloop (all features) " + " ".join(items)


def test_needs_with_an_unknown_group_is_one_line_and_exit_2() -> None:
    r = subprocess.run([system_python(), "-m", "irqloop.toolchain", "needs", "everything"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and r.stderr.startswith("error: usage: ")


def test_bootstrap_asks_for_the_venv_package_of_the_python_it_uses(tmp_path: Path) -> None:
    # python3.13 here is this Python without ensurepip (as on Debian without python3.13-venv)
    d = tmp_path / "pybin"
    d.mkdir()
    (d / "python3.13").write_text(f'#!/bin/bash\n[ "$*" = "-c import ensurepip" ] && exit 1\nexec {sys.executable} "$@"\n')
    (d / "python3.13").chmod(0o755)
    env = script_env(tmp_path, PATH=f"{d}{os.pathsep}{os.environ['PATH']}", IRQLOOP_NO_INSTALL="1",
                     PYTHONDONTWRITEBYTECODE="1")
    venv = tmp_path / "venv"
    r = subprocess.run(["bash", str(ROOT / "scripts" / "bootstrap.sh"), str(venv)], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 3 and len(r.stderr.splitlines()) == 1, r.stderr
    assert "needs " in r.stderr and "ensurepip" in r.stderr and r.stderr.rstrip().endswith("python3.13-venv")
    assert not venv.exists()
    # an existing venv needs no venv package: bootstrap goes on to pip (a stub here that fails)
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").write_text("#!/bin/sh\nexit 1\n")
    (venv / "bin" / "python").chmod(0o755)
    r = subprocess.run(["bash", str(ROOT / "scripts" / "bootstrap.sh"), str(venv)], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 3 and "venv" not in r.stderr.replace(str(venv), "") and "pip could not install" in r.stderr
