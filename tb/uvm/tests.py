"""The pyuvm tests. Every scenario runs under one of them (``make sim TEST=<scenario>
UVM_TEST=<test>``, default ``ScenarioTest``); the others differ only by factory overrides, as in
pyuvm's TinyALU example: which driver strategy the host model runs, and which faults the MSI
path injects (a ``CqStrategy`` and an ``MsiFaultPolicy`` from the factory, tb/uvm/choices.py);
the base classes leave the scenario's own choice in place.

The runner prepares the plan with the same choices, read by the test's name from tb/choices.py
without pyuvm; the test checks that the plan it was handed is the one its overrides give.
"""

from __future__ import annotations

import json
from typing import Any

from pyuvm import ConfigDB, uvm_active_passive_enum, uvm_factory, uvm_test

from irqloop.tb.uvm.choices import (CqStrategy, DropQueue0Messages, DropSomeMessages, InterlockedOrStrategy,
                                    MsiFaultPolicy, NaiveStrategy, ScanTimerStrategy, factory_choices)
from irqloop.tb.plans import Plan
from irqloop.tb.run_request import current
from irqloop.tb.uvm.env import IrqloopEnv
from irqloop.tb.uvm.sequences import sequence_for


# ---- tests ----
class ScenarioTest(uvm_test):
    """Runs the scenario the runner prepared (its RunRequest, tb/run_request.py) in the environment."""

    overrides: list[tuple[type, type]] = []
    result: dict[str, Any] = {}

    @classmethod
    def apply_overrides(cls) -> None:
        for base, override in cls.overrides:
            uvm_factory().set_type_override_by_type(base, override)

    def build_phase(self) -> None:
        from irqloop.tb import scenarios
        self.apply_overrides()
        # the host model drives the CSR bus; the agent only watches, unless the scenario drives it
        active = scenarios.get(current().test).uses_csr_agent
        ConfigDB().set(self, "env.csr", "is_active",
                       uvm_active_passive_enum.UVM_ACTIVE if active else uvm_active_passive_enum.UVM_PASSIVE)
        self.env = IrqloopEnv.create("env", self)

    async def run_phase(self) -> None:
        from irqloop.tb import scenarios
        self.raise_objection()
        request = current()
        plan, seed = request.plan, request.seed
        sc = scenarios.get(request.test)
        self.check_plan(sc, plan, seed)
        sequence = sequence_for(plan)("scenario", sc, plan, seed)
        try:
            await sequence.start()
            obs = sequence.observations
        finally:
            env_summary = self.env.finish()
        obs["env"] = env_summary | {"uvm_test": type(self).__name__}
        type(self).result = {"scenario": sc, "plan": plan, "obs": obs}
        self.drop_objection()

    def check_plan(self, sc: Any, plan: Plan, seed: int) -> None:
        if not self.overrides:
            return
        again = sc.prepare(plan.values, seed, factory_choices())
        if json.dumps(again.to_json()) != json.dumps(plan.to_json()):
            raise RuntimeError(f"{type(self).__name__}: the plan was not prepared with this test's overrides "
                               f"(run it through `make sim ... UVM_TEST={type(self).__name__}`)")


class LostVectorTest(ScenarioTest):
    """Every message of queue 0 is dropped and the driver is interlocked_or (work found only
    through messages): queue 0's completions are never consumed; the declared outcome is loss."""
    overrides = [(MsiFaultPolicy, DropQueue0Messages), (CqStrategy, InterlockedOrStrategy)]


class LostVectorScanTimerTest(ScenarioTest):
    """The same lost messages with scan_timer (a periodic KTIMER scans every queue): clean."""
    overrides = [(MsiFaultPolicy, DropQueue0Messages), (CqStrategy, ScanTimerStrategy)]


class DropMessagesScanTimerTest(ScenarioTest):
    """One message in five lost at random, scan_timer: clean."""
    overrides = [(MsiFaultPolicy, DropSomeMessages), (CqStrategy, ScanTimerStrategy)]


class NaiveStrategyTest(ScenarioTest):
    """The naive driver (one DPC argument overwritten by each ISR) on the scenario's traffic:
    reported, not judged on random traffic; the device rules are still checked."""
    overrides = [(CqStrategy, NaiveStrategy)]


TESTS: dict[str, type[ScenarioTest]] = {t.__name__: t for t in (ScenarioTest, LostVectorTest, LostVectorScanTimerTest,
                                                                 DropMessagesScanTimerTest, NaiveStrategyTest)}


def get_test(name: str) -> type[ScenarioTest]:
    try:
        return TESTS[name]
    except KeyError:
        raise KeyError(f"unknown UVM_TEST {name!r}; valid: {', '.join(TESTS)}") from None
