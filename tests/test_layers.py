"""Imports run one way: the runner side (irqloop/: build, run, report, regress, compare, coverage,
lint, bench; and the scenarios' specifications) never imports cocotb or pyuvm, so it runs without
a simulator; the host model imports nothing of the testbench or the runner; the board's facts
import nothing; every module is named under the one namespace, irqloop."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: the folders of the checkout and the names they have in the package
PACKAGES = {"irqloop": "irqloop", "tb": "irqloop.tb", "hostmodel": "irqloop.hostmodel"}


def modules() -> dict[str, Path]:
    """Every Python module of the project under its package name (irqloop.tb.sim.e2e, ...)."""
    out: dict[str, Path] = {}
    for folder, package in PACKAGES.items():
        for p in (ROOT / folder).rglob("*.py"):
            rel = p.relative_to(ROOT / folder).with_suffix("").parts
            out[".".join((package, *rel)).removesuffix(".__init__")] = p
    return out

SIMULATOR_SIDE = ("irqloop.tb.sim", "irqloop.tb.uvm", "irqloop.tb.block")   #: the only packages that import cocotb


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at its top or inside a function."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_runner_side_and_every_scenario_import_without_cocotb() -> None:
    """Every module outside the simulator side's packages (the runner, the scenarios, the models,
    the host model) imports in a process where cocotb and pyuvm are never loaded."""
    runner_side = sorted(m for m in modules() if not m.startswith(SIMULATOR_SIDE) and not m.endswith("__main__"))
    assert "irqloop.runner" in runner_side and "irqloop.tb.scenarios.overrun" in runner_side
    code = ("import sys\n"
            f"for m in {runner_side!r}: __import__(m)\n"
            "from irqloop.tb import scenarios\n"
            "from irqloop.tb.choices import TESTS\n"
            "from irqloop.tb.scenarios.params import parse_overrides\n"
            "for n in scenarios.names():\n"
            "    sc = scenarios.get(n)\n"
            "    for choices in (TESTS.values() if sc.takes_overrides else [TESTS['ScenarioTest']]):\n"
            "        sc.prepare(parse_overrides(sc.spec, []), 1, choices)\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('cocotb', 'cocotb_tools', 'pyuvm'))\n"
            "print(' '.join(loaded))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"the runner side loaded simulator modules: {r.stdout.strip()}"


def test_no_scenario_reaches_into_the_simulator_side() -> None:
    """Scenarios are specifications: not even a function of one imports the simulator side."""
    for name, path in sorted(modules().items()):
        if name.startswith("irqloop.tb.scenarios") or name in ("irqloop.tb.plans", "irqloop.tb.choices",
                                                                "irqloop.tb.run_request"):
            bad = sorted(m for m in imported_modules(path)
                         if m.startswith(SIMULATOR_SIDE) or m.split(".")[0] in ("cocotb", "pyuvm"))
            assert not bad, f"{name} imports {', '.join(bad)}"


def test_the_host_model_imports_nothing_of_the_testbench() -> None:
    for path in sorted((ROOT / "hostmodel").glob("*.py")):
        bad = sorted(m for m in imported_modules(path) if m.split(".")[0] in ("tb", "cocotb", "pyuvm")
                     or m.startswith("irqloop") and not m.startswith("irqloop.hostmodel"))
        assert not bad, f"{path.relative_to(ROOT)} imports {', '.join(bad)}"


def test_the_board_facts_import_nothing_of_the_project() -> None:
    bad = sorted(m for m in imported_modules(ROOT / "tb" / "board.py") if m.split(".")[0] in ("irqloop", "tb", "hostmodel"))
    assert not bad


def test_every_import_of_the_project_names_it_under_irqloop() -> None:
    """`import tb.x` beside `import irqloop.tb.x` would load the module twice (two registries,
    two sets of classes): the checkout's top-level folder names are never imported as such."""
    for name, path in sorted(modules().items()):
        old = sorted(m for m in imported_modules(path) if m.split(".")[0] in ("tb", "hostmodel"))
        assert not old, f"{name} imports {', '.join(old)} (name it irqloop.{old[0]})"


def test_no_module_imports_itself_through_others() -> None:
    """No import circle among the project's modules (imports inside functions count too)."""
    paths = modules()

    def module_of(name: str) -> str | None:
        """The project module an import names: itself, or the package that holds it."""
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for m, path in paths.items():
        deps: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                deps |= {module_of(a.name) for a in node.names} - {None}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # `from irqloop.tb import scenarios` imports the module irqloop.tb.scenarios, not only the package
                deps |= {module_of(f"{node.module}.{a.name}") for a in node.names} - {None}
        graph[m] = deps - {m}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        path.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                raise AssertionError("import circle: " + " -> ".join(path[path.index(n):] + [n]))
            if n not in state:
                visit(n)
        path.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


EXAMPLE = ROOT / "examples" / "minidma"
#: irqloop's own device, which a user's device must not need: its board (ring and queue areas),
#: its register map, its drivers and bus programming, its scenarios, plans, models and testbench
IRQLOOP_DEVICE = ("irqloop.tb.board", "irqloop.hostmodel.regs", "irqloop.hostmodel.regs_map",
                  "irqloop.hostmodel.driver", "irqloop.hostmodel.strategies", "irqloop.hostmodel.cdriver",
                  "irqloop.tb.scenarios", "irqloop.tb.plans", "irqloop.tb.choices", "irqloop.tb.models",
                  "irqloop.tb.streaming", "irqloop.tb.uvm", "irqloop.tb.sim.e2e", "irqloop.tb.sim.e2e_cq",
                  "irqloop.tb.sim.test_scenario", "irqloop.runner")


def test_the_example_device_imports_nothing_of_irqloops_own_device() -> None:
    """examples/minidma is attached through the API only (irqloop.device, irqloop.tb.sim.device,
    the host model's generic parts): if it needed irqloop's device, the API would not be done."""
    files = sorted(EXAMPLE.glob("*.py"))
    assert {p.name for p in files} >= {"minidma_driver.py", "minidma_model.py", "tb_minidma.py"}
    for path in files:
        bad = sorted(m for m in imported_modules(path) if m.startswith(IRQLOOP_DEVICE)
                     or m.split(".")[0] in ("tb", "hostmodel"))
        assert not bad, f"{path.relative_to(ROOT)} imports {', '.join(bad)}"


def test_the_example_device_does_not_load_irqloops_register_map_or_board() -> None:
    """Not even through the modules it does import: its driver, model and variants load without
    irqloop's register map or board facts (the cocotb test adds the harness's clock, through the API)."""
    code = ("import sys\n"
            f"sys.path.insert(0, {str(EXAMPLE)!r})\n"
            "import minidma_driver, minidma_model, minidma_variants, irqloop.device\n"
            "irqloop.device.register_map(irqloop.device.Path(sys.path[0]) / 'minidma.rdl')\n"
            f"print(' '.join(sorted(m for m in sys.modules if m.startswith({IRQLOOP_DEVICE!r}))))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"the example loaded irqloop's device: {r.stdout.strip()}"


def test_the_example_rtl_uses_nothing_of_irqloops_rtl() -> None:
    from irqloop import toolchain
    irqloop_modules = {Path(s).stem for s in toolchain.RTL_SOURCES}
    for path in sorted((EXAMPLE / "rtl").glob("*.v*")):
        text = path.read_text()
        assert "irqloop_regs.vh" not in text, f"{path.name} includes irqloop's register header"
        used = sorted(m for m in irqloop_modules if f"{m} " in text or f"{m}#" in text)
        assert not used, f"{path.name} instantiates irqloop's {', '.join(used)}"
