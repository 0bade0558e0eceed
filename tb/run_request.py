"""What crosses the process boundary of a run, as files in its run directory.

The runner (irqloop/runner.py, no cocotb) writes ``run.json``, a ``RunRequest``: which scenario, seed
and pyuvm test, whether waves are recorded, and the scenario's prepared plan. The simulator side
(tb/sim/test_scenario.py, under cocotb) reads it through ``current()`` and writes back what it
observed, ``observations.json``; the runner computes the verdict from the two (irqloop/report.py
``evaluate``) and writes ``report.json``. The environment carries only the path of run.json.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from irqloop.tb.plans import PLAN_TYPES, Plan

RUN_FILE = "run.json"
OBSERVATIONS_FILE = "observations.json"
TIMING_FILE = "timing.json"           #: wall-clock figures of the simulation (make bench), not part of the report
TIMELINE_FILE = "trace.json"          #: the host's activity in the Chrome trace event format (tb/sim/timeline.py)
ENV_VAR = "IRQLOOP_RUN"               #: the path of run.json, for the simulator process


@dataclass(frozen=True)
class RunRequest:
    test: str
    seed: int
    uvm_test: str
    waves: bool
    plan: Plan

    def save(self, directory: Path) -> Path:
        path = directory / RUN_FILE
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        # in the plan's own order: the simulator side sees its dicts as the scenario built them
        data["plan"] = self.plan.to_json()
        data["plan_type"] = type(self.plan).__name__
        write_atomically(path, json.dumps(data, indent=1))
        return path

    @classmethod
    def load(cls, path: Path) -> RunRequest:
        data = json.loads(path.read_text())
        plan = PLAN_TYPES[data.pop("plan_type")].from_json(data.pop("plan"))
        return cls(**data, plan=plan)


def write_atomically(path: Path, text: str) -> None:
    """``path`` holds all of ``text`` or what it held before, never a part (a crash mid-write
    leaves a file the other side would misread)."""
    part = path.with_name(f".{path.name}.part")
    part.write_text(text)
    os.replace(part, path)


@cache
def current() -> RunRequest:
    """The request of the run this simulator process was started for."""
    return RunRequest.load(Path(os.environ[ENV_VAR]))


def write_observations(directory: Path, observations: dict[str, Any]) -> None:
    """The simulator side's result: what the scenario observed, in the order it observed it (the
    checks that quote a part of it quote it in that order)."""
    write_atomically(directory / OBSERVATIONS_FILE, json.dumps(observations, indent=1))


def read_observations(directory: Path) -> dict[str, Any]:
    return json.loads((directory / OBSERVATIONS_FILE).read_text())
