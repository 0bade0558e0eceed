"""`make testplan`: which items of tests/testplan.toml are covered by passing tests.

Reads the last `make test` results (build/pytest-junit.xml) and the last regressions
(regress/*/results.json). An item is covered when at least one of its tests ran and every one
of its tests that ran passed; it fails when one of them failed; it is not run when none ran.
"""

from __future__ import annotations

import argparse

import json
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

from irqloop.toolchain import RESULTS, SOURCE, WORK

PLAN = SOURCE / "tests" / "testplan.toml"
JUNIT = WORK / "build" / "pytest-junit.xml"
NIGHTLY_JUNIT = WORK / "build" / "pytest-nightly-junit.xml"      #: make test-nightly


def pytest_results(path: Path) -> dict[str, bool]:
    """node id -> passed, from pytest's JUnit XML (classname tests.test_x, name test_y[param])."""
    out: dict[str, bool] = {}
    if not path.exists():
        return out
    for case in ET.parse(path).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/") + ".py"
        node = f"{module}::{case.get('name')}"
        failed = case.find("failure") is not None or case.find("error") is not None
        if case.find("skipped") is None:
            out[node] = not failed
    return out


def regress_results(root: Path) -> dict[str, dict[str, bool]]:
    """where ("make regress SUITE=smoke") -> regress:<entry> -> passed, from regress/*/results.json."""
    out: dict[str, dict[str, bool]] = {}
    for f in sorted(root.glob("*/results.json")):
        data = json.loads(f.read_text())
        where = f"make regress ({data.get('label', f.parent.name)})"
        for r in data["results"]:
            key = f"regress:{r['name']}"
            out.setdefault(where, {})[key] = out.get(where, {}).get(key, True) and bool(r["pass"])
    return out


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    argparse.ArgumentParser(prog=prog or "python -m irqloop.testplan", description=(__doc__ or "").splitlines()[0]).parse_args(argv)
    plan = tomllib.loads(PLAN.read_text())["item"]
    # which command ran each result: the plan says where each item is covered
    sources = {"make test": pytest_results(JUNIT), "make test-nightly": pytest_results(NIGHTLY_JUNIT)} \
        | regress_results(RESULTS / "regress")
    if not any(sources.values()):
        print(f"error: no results found: run `make test` (writes {JUNIT.relative_to(WORK)}) or `make regress` first",
              file=sys.stderr)
        return 2
    results: dict[str, bool] = {}
    for by_test in sources.values():        # a test that failed anywhere fails its items
        for k, ok in by_test.items():
            results[k] = results.get(k, True) and ok
    status_count = {"covered": 0, "FAILED": 0, "not run": 0}
    for item in plan:
        ran = {k: ok for k, ok in results.items() if any(k.startswith(t) for t in item["tests"])}
        status = "not run" if not ran else ("covered" if all(ran.values()) else "FAILED")
        status_count[status] += 1
        passed = sum(ran.values())
        print(f"{status:<8} {item['id']:<36} {passed}/{len(ran)} passing  ({item['source']})")
        print(f"         {item['rule']}")
        where = [f"{name} ({n})" for name, by_test in sources.items()
                 if (n := sum(1 for k in by_test if any(k.startswith(t) for t in item["tests"])))]
        if where:
            print(f"         covered by: {', '.join(where)}")
        for k, ok in ran.items():
            if not ok:
                print(f"         failed: {k}")
    print(f"\ntest plan: {status_count['covered']} of {len(plan)} items covered by passing tests, "
          f"{status_count['FAILED']} failing, {status_count['not run']} not run "
          f"(from {JUNIT.relative_to(WORK)}, {NIGHTLY_JUNIT.relative_to(WORK)} and regress/*/results.json)")
    return 1 if status_count["FAILED"] else 0


if __name__ == "__main__":
    sys.exit(main())
