"""Scenario verdicts and the parts of the report every scenario shares (pure Python)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from irqloop.tb.plans import Plan


def evaluate(scenario: Any, plan: Plan, obs: dict[str, Any]) -> dict[str, Any]:
    checks = [{"name": n, "ok": bool(ok), "detail": d} for n, ok, d in scenario.checks(plan, obs)]
    env = obs.get("env")
    if env is not None:               # the pyuvm environment's device scoreboard (tb/uvm/scoreboard.py)
        checks.append({"name": "device rules (UVM scoreboard)", "ok": env["error_count"] == 0,
                       "detail": (f"{env['error_count']} violations; first: {env['errors'][0]}" if env["error_count"]
                                  else f"{sum(env['entries_by_queue'].values())} queue entries, "
                                       f"{env['chunks_checked']} ring chunks, {env['messages']} messages checked "
                                       f"({env['uvm_test']})")})
    return {"test": scenario.name, "plan": plan.to_json(), "observed": obs, "checks": checks,
            "pass": all(c["ok"] for c in checks)}


def report_json(report: dict[str, Any]) -> str:
    """report.json: keys sorted."""
    return json.dumps(report, indent=1, sort_keys=True)


def verdict_line(r: dict[str, Any]) -> str:
    """The outcome in one line: what was declared, what happened, and whether they match."""
    expected, observed = r["plan"]["expected"], r["observed"]["outcome"]
    if r["pass"]:
        verdict = "PASS (matches expectation)"
    elif expected == observed:      # the outcome is the declared one, but a check of the run failed
        failed = [c["name"] for c in r["checks"] if not c["ok"]]
        verdict = f"FAIL ({len(failed)} check{'s' * (len(failed) > 1)} failed: {failed[0]})"
    else:
        verdict = "FAIL (differs from expectation)"
    return f"expected outcome: {expected}   observed: {observed}   verdict: {verdict}"


def format_report(r: dict[str, Any]) -> str:
    """Header, the scenario's own lines, and the checks."""
    from irqloop.tb import scenarios

    plan, obs = r["plan"], r["observed"]
    v = plan["values"]
    lines = [
        f"== irqloop {r['test']} (seed {obs['seed']}) ==",
        "parameters: " + " ".join(f"{k}={v[k]}" for k in sorted(v)),
        verdict_line(r),
        "",
    ]
    scenario = scenarios.get(r["test"])
    lines += scenario.describe(scenario.plan_type.from_json(plan), r)
    lines += ["", "checks:"]
    lines += [f"  [{'ok' if c['ok'] else 'FAIL'}] {c['name']}: {c['detail']}" for c in r["checks"]]
    lines += [f"  warning: {w}" for w in obs.get("kernel", {}).get("warnings", [])]
    return "\n".join(lines)


def mark_verdict_in_junit(results: Path, report: dict[str, Any]) -> None:
    """cocotb's results.xml passes a run whose simulation completed; the verdict is decided after
    it, here. A run that differs from its expectation is marked failed there too (with the failed
    checks), so a CI that reads JUnit files sees what the exit code says."""
    if report["pass"] or not results.exists():
        return
    tree = ET.parse(results)
    failed = [c for c in report["checks"] if not c["ok"]]
    for case in tree.iter("testcase"):
        if case.find("failure") is None:
            failure = ET.SubElement(case, "failure", message="verdict: FAIL (differs from expectation)")
            failure.text = "\n".join(f"{c['name']}: {c['detail']}" for c in failed)
    tree.write(results, encoding="unicode")
