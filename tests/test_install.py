"""irqloop installs as one package: a wheel built from the checkout carries every subpackage, the
RTL, the HDL host and its C++ under the one namespace irqloop, and the `irqloop` command; installed
into a virtual environment of its own and run from another folder, it builds outside
site-packages and gives the same report as the checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from irqloop import toolchain

pytestmark = pytest.mark.slow            # a wheel build and a new virtual environment

ROOT = toolchain.SOURCE
#: checkout folder -> where the wheel puts it (pyproject.toml [tool.setuptools.package-dir])
INSTALLED_AS = {"irqloop": "irqloop", "tb": "irqloop/tb", "hostmodel": "irqloop/hostmodel", "rtl": "irqloop/rtl",
                "regs": "irqloop/regs", "include": "irqloop/include", "scripts": "irqloop/scripts",
                "examples": "irqloop/examples"}
SHIPPED = ("*.py", "*.v", "*.vh", "*.f", "*.c", "*.cpp", "*.vlt", "*.rdl", "*.h", "*.sh")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel of the checkout's files (tracked or new, not ignored), built from a copy: what a
    fresh clone would build, and setuptools' build/ stays out of the checkout."""
    source, out = tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("wheel")
    for name in source_files():
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, source / name)
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "-w", str(out), str(source)], capture_output=True, text=True, timeout=600,
                       env={**os.environ, "PIP_CONSTRAINT": ""})
    assert r.returncode == 0, r.stderr[-3000:]
    (path,) = out.glob("irqloop-*.whl")
    return path


def source_files() -> list[str]:
    r = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                       capture_output=True, text=True, check=True)
    return [f for f in r.stdout.splitlines() if (ROOT / f).is_file()]


def test_the_wheel_carries_every_module_and_hdl_file_under_irqloop(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = set()
    for f in source_files():
        folder = f.split("/", 1)[0]
        if folder in INSTALLED_AS and any(Path(f).match(g) for g in SHIPPED) and "/" in f:
            expected.add(INSTALLED_AS[folder] + "/" + f.split("/", 1)[1])
    missing = sorted(expected - names)
    assert not missing, f"the wheel lacks {len(missing)} files, e.g. {missing[:5]}"
    assert not [n for n in names if n.split("/")[0] in ("tb", "hostmodel")], "top-level tb/hostmodel in the wheel"
    assert "irqloop/tb/hdl/hostmem_dpi.cpp" in names and "irqloop/rtl/sources.f" in names


def test_the_wheel_declares_the_irqloop_command(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        entry_points = next(z.read(n).decode() for n in z.namelist() if n.endswith("entry_points.txt"))
        metadata = next(z.read(n).decode() for n in z.namelist() if n.endswith("METADATA"))
    assert "irqloop = irqloop.cli:main" in entry_points
    assert "Requires-Python: >=3.11" in metadata


def venv_with_the_wheel(wheel: Path, where: Path) -> Path:
    """A new virtual environment holding the wheel; its dependencies are the project's .venv's
    (reached through a .pth file, so pip fetches nothing), and the checkout is not on its path."""
    venv = where / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=120)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "irqloop-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    r = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                        "--no-index", str(wheel)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return venv


def outside_env(venv: Path, work: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "IRQLOOP_PARAMS")}
    return env | {"PATH": f"{venv / 'bin'}{os.pathsep}{env['PATH']}", "IRQLOOP_WORK": str(work)}


def test_the_installed_command_lists_the_scenarios_from_another_folder(wheel: Path, tmp_path: Path) -> None:
    venv = venv_with_the_wheel(wheel, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = outside_env(venv, tmp_path / "work")
    r = subprocess.run([str(venv / "bin" / "irqloop"), "list"], cwd=elsewhere, env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.split("\n")[0].startswith("coalescing"), r.stderr
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import irqloop.tb.hdl, irqloop.toolchain as t; "
                            "print(irqloop.tb.hdl.__path__[0], t.CHECKOUT, t.WORK)"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.split()
    assert Path(where[0]).is_relative_to(venv) and where[1:] == ["False", str(tmp_path / "work")]
    r = subprocess.run([str(venv / "bin" / "irqloop"), "sim", "no_such_test"], cwd=elsewhere, env=env,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.splitlines()) == 1 and "overrun" in r.stderr


@pytest.mark.sim
def test_the_installed_package_runs_overrun_from_another_folder_with_the_same_report(
        wheel: Path, tmp_path: Path) -> None:
    venv = venv_with_the_wheel(wheel, tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    work = tmp_path / "work"
    r = subprocess.run([str(venv / "bin" / "irqloop"), "sim", "overrun", "--seed", "3", "--summary"], cwd=elsewhere,
                       env=outside_env(venv, work), capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    assert (work / "sim_build").is_dir() and not list((venv / "lib").rglob("sim_build"))
    installed = elsewhere / "runs" / "overrun" / "seed3" / "report.json"
    checkout = tmp_path / "checkout-runs"
    r = subprocess.run([sys.executable, "-m", "irqloop", "sim", "overrun", "--seed", "3", "--summary",
                        "--runs", str(checkout)], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stderr[-2000:]
    assert installed.read_bytes() == (checkout / "overrun" / "seed3" / "report.json").read_bytes()
