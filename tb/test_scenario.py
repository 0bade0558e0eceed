"""cocotb entry point of every scenario: `make sim TEST=<name>` lands here via tb/runner.py.

The runner passes the scenario's prepared plan (validated parameters, prediction, declared
outcome) in IRQLOOP_PLAN, and where to write the report in IRQLOOP_REPORT.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cocotb

import tb.e2e  # noqa: F401  (imported before the test starts, so its import is not timed)
from tb import scenarios
from tb.report import evaluate


@cocotb.test()
async def scenario(dut) -> None:  # type: ignore[no-untyped-def]
    name = os.environ["IRQLOOP_TEST"]
    plan = json.loads(os.environ["IRQLOOP_PLAN"])
    seed = int(os.environ["IRQLOOP_SEED"])
    sc = scenarios.get(name)
    obs = await sc.run(dut, plan, seed)
    timing = obs.pop("timing", {})
    report = evaluate(sc, plan, obs)
    out = Path(os.environ["IRQLOOP_REPORT"])
    out.write_text(json.dumps(report, indent=1, sort_keys=True))
    out.with_name("timing.json").write_text(json.dumps(timing, indent=1))
    failed = [c for c in report["checks"] if not c["ok"]]
    assert not failed, "outcome differs from the declared expectation: " + "; ".join(c["name"] for c in failed)
