"""Imports run one way: the runner side (build, run, report, regress, compare, coverage, lint,
bench, the scenarios' specifications) never imports cocotb or pyuvm, so it runs without a
simulator; the host model imports nothing of the testbench; the board's facts import nothing."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RUNNER_SIDE = ["tb.runner", "tb.regress", "tb.compare", "tb.testplan", "tb.lint", "tb.coverage", "tb.bench",
               "tb.fcov", "tb.report", "tb.suites", "tb.run_request", "tb.simbuild", "tb.toolchain", "tb.board",
               "tb.streaming"]


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
    code = ("import sys\n"
            f"for m in {RUNNER_SIDE!r}: __import__(m)\n"
            "from tb import scenarios\n"
            "for n in scenarios.names(): scenarios.get(n)\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('cocotb', 'cocotb_tools', 'pyuvm'))\n"
            "print(' '.join(loaded))\n")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"the runner side loaded simulator modules: {r.stdout.strip()}"


def test_the_host_model_imports_nothing_of_the_testbench() -> None:
    for path in sorted((ROOT / "hostmodel").glob("*.py")):
        bad = sorted(m for m in imported_modules(path) if m.split(".")[0] in ("tb", "cocotb", "pyuvm"))
        assert not bad, f"{path.relative_to(ROOT)} imports {', '.join(bad)}"


def test_the_board_facts_import_nothing_of_the_project() -> None:
    bad = sorted(m for m in imported_modules(ROOT / "tb" / "board.py") if m.split(".")[0] in ("tb", "hostmodel"))
    assert not bad


def test_no_module_imports_itself_through_others() -> None:
    """No import circle among the project's modules (imports inside functions count too)."""
    paths = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
             for folder in ("tb", "hostmodel") for p in (ROOT / folder).rglob("*.py")}

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
                # `from tb import scenarios` imports the module tb.scenarios, not only the package tb
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
