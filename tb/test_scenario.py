"""cocotb entry point of every scenario: `make sim TEST=<name>` lands here via tb/runner.py.

The runner passes the scenario's prepared plan (validated parameters, prediction, declared
outcome) in IRQLOOP_PLAN, where to write the report in IRQLOOP_REPORT, and the pyuvm test to run
in IRQLOOP_UVM_TEST (tb/uvm/tests.py). The scenario runs inside the pyuvm environment: its
device scoreboard's verdict is one of the report's checks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cocotb
from pyuvm import uvm_root

import tb.e2e  # noqa: F401  (imported before the test starts, so its import is not timed)
from tb.report import evaluate
from tb.uvm.tests import get_test


@cocotb.test()
async def scenario(dut) -> None:  # type: ignore[no-untyped-def]
    test_cls = get_test(os.environ.get("IRQLOOP_UVM_TEST", "ScenarioTest"))
    await uvm_root().run_test(test_cls)
    result = test_cls.result
    if not result:
        raise RuntimeError(f"{test_cls.__name__} ended without a result (see the log for the UVM error)")
    obs = result["obs"]
    timing = obs.pop("timing", {})
    report = evaluate(result["scenario"], result["plan"], obs)
    out = Path(os.environ["IRQLOOP_REPORT"])
    out.write_text(json.dumps(report, indent=1, sort_keys=True))
    out.with_name("timing.json").write_text(json.dumps(timing, indent=1))
    failed = [c for c in report["checks"] if not c["ok"]]
    assert not failed, "outcome differs from the declared expectation: " + "; ".join(c["name"] for c in failed)
