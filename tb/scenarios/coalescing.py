"""`coalescing`: many interrupts arrive before one DPC run. KeInsertQueueDpc returns FALSE while
the DPC is still queued, so a DPC must handle everything that happened since it was queued.

The naive driver handles one completion per DPC run (one interrupt = one completion) and
strands the rest; the InterlockedOr-bitmap driver records every message's queue and its DPC
drains each queue it names. The report gives ISRs against DPC runs for both.
"""

from __future__ import annotations

from typing import Any

from irqloop.tb.choices import Choices
from irqloop.tb.plans import CqPlan, Variant
from irqloop.tb.scenarios.base import register
from irqloop.tb.scenarios.cqbase import CqScenario, base_setup, common_params
from irqloop.tb.scenarios.params import Check


@register
class CoalescingScenario(CqScenario):
    name = "coalescing"
    question = ("An ISR may run many times before its DPC runs once: does the driver handle every completion, "
                "and how many ISRs does one DPC run absorb?")
    spec = common_params(queues=4, per_queue=64, period_us=15.0, burst=4, dpc_latency_us=20.0, jitter_us=10.0)

    def variants(self, v: dict[str, Any], seed: int, choices: Choices) -> list[Variant]:
        setup = base_setup(v, seed)
        return [Variant("naive", "naive", "loss", setup, "buggy: one completion per DPC run"),
                Variant("interlocked_or", "interlocked_or", "clean", setup,
                        "correct: the DPC drains every queue the ISRs recorded")]

    def extra_checks(self, plan: CqPlan, var: Variant, r: dict[str, Any],
                     obs: dict[str, Any]) -> list[Check]:
        t = r["metrics"]["totals"]
        if var.expected != "clean":
            return []
        return [(f"{var.name}: DPC runs absorbed several ISRs each (KeInsertQueueDpc FALSE while queued)",
                 (t["isrs_per_dpc_run"] or 0) >= 2,
                 f"{t['isr_count']} ISRs / {t['dpc_runs']} DPC runs = {t['isrs_per_dpc_run']}; "
                 f"{t['dpc_insert_attempts'] - t['dpc_runs']} KeInsertQueueDpc calls found it queued")]

    def summary(self, plan: CqPlan, obs: dict[str, Any]) -> list[str]:
        lines = super().summary(plan, obs)
        for r in obs["runs"]:
            t = r["metrics"]["totals"]
            lines.append(f"{r['variant']}: {t['isr_count']} ISRs, {t['dpc_runs']} DPC runs "
                         f"({t['isrs_per_dpc_run']} ISRs per run), completions per DPC run mean "
                         f"{t['completions_per_dpc_run']['mean']} max {t['completions_per_dpc_run']['max']}")
        return lines
