"""cocotb entry point of every scenario: `make sim TEST=<name>` lands here via irqloop/runner.py.

The runner hands this process a RunRequest (tb/run_request.py, run.json in the run directory):
the scenario, its prepared plan (validated parameters, prediction, declared outcome), the seed
and the pyuvm test to run (tb/uvm/tests.py). The scenario runs inside the pyuvm environment, and
what it observed (the environment's device scoreboard among it) goes back as observations.json;
the runner judges it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import cocotb
from pyuvm import uvm_root

from irqloop.tb.run_request import ENV_VAR, TIMELINE_FILE, TIMING_FILE, current, write_atomically, write_observations
import irqloop.tb.sim.e2e  # noqa: F401  (imported before the test starts, so its import is not timed)
from irqloop.tb.sim.timeline import TIMELINE
from irqloop.tb.uvm.tests import get_test


@cocotb.test()
async def scenario(dut) -> None:  # type: ignore[no-untyped-def]
    test_cls = get_test(current().uvm_test)
    await uvm_root().run_test(test_cls)
    result = test_cls.result
    if not result:
        raise RuntimeError(f"{test_cls.__name__} ended without a result (see the log for the UVM error)")
    obs = result["obs"]
    timing = obs.pop("timing", {})
    directory = Path(os.environ[ENV_VAR]).parent
    write_observations(directory, obs)
    (directory / TIMING_FILE).write_text(json.dumps(timing, indent=1))
    if TIMELINE.runs:
        write_atomically(directory / TIMELINE_FILE, TIMELINE.to_json())
