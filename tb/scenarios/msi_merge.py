"""`msi_merge`: MSIs are not one per completion. The device merges events while a vector waits
out its rate limit (IVR_RATE), and messages are dropped on the way (fault injection).

A driver that trusts one MSI per completion (naive) loses completions; one that trusts that
every queue with work got a message of its own (interlocked_list) strands a queue whose last
messages were all dropped (whether that happens depends on the seed, so it is reported, not
judged); one that scans every queue's phase bit on any message and on a periodic timer
(scan_timer) loses nothing.
"""

from __future__ import annotations

from typing import Any

from irqloop.tb.board import CLOCK_PS, US
from irqloop.tb.choices import Choices
from irqloop.tb.plans import CqPlan, Variant
from irqloop.tb.scenarios.base import register
from irqloop.tb.scenarios.cqbase import CqScenario, base_setup, common_params
from irqloop.tb.scenarios.params import Check, Param


@register
class MsiMergeScenario(CqScenario):
    name = "msi_merge"
    question = ("MSIs are merged while pending and some are lost: which drivers lose completions, "
                "and does scanning with a timer re-check recover all of them?")
    spec = common_params(msi_faults="drop:p=0.2", per_queue=32, burst=4) + [
        Param("rate_us", 10.0, "the device's minimum interval between messages of a vector (IVR_RATE)",
              float, lo=0.0, hi=60.0),
    ]

    def variants(self, v: dict[str, Any], seed: int, choices: Choices) -> list[Variant]:
        setup = base_setup(v, seed)
        rate = round(v["rate_us"] * US / CLOCK_PS)
        setup["rate"] = {str(2 + q): rate for q in range(v["queues"])}
        return [Variant("naive", "naive", "loss", setup, "buggy: one completion per message"),
                Variant("interlocked_list", "interlocked_list", "any", setup,
                        "fragile: trusts every queue with work to get a message of its own; it strands a "
                        "queue only when that queue's last messages are all dropped, so it is reported, "
                        "not judged"),
                Variant("scan_timer", "scan_timer", "clean", setup,
                        "correct: scans every queue on any message and every 100 us")]

    def extra_checks(self, plan: CqPlan, var: Variant, r: dict[str, Any],
                     obs: dict[str, Any]) -> list[Check]:
        hw, v = r["hardware"], plan.values
        c: list[Check] = []
        if v["rate_us"] > 0:
            c.append((f"{var.name}: the device merged events into fewer messages",
                      hw["CNT_COALESCED"] > 0 and hw["CNT_IRQS"] < hw["CNT_CQ_ENTRY"],
                      f"CNT_IRQS={hw['CNT_IRQS']} for CNT_CQ_ENTRY={hw['CNT_CQ_ENTRY']}, CNT_COALESCED={hw['CNT_COALESCED']}"))
        if v["msi_faults"] != "none":
            c.append((f"{var.name}: fault injection acted on messages", bool(r["msi_faults"]),
                      f"{len(r['msi_faults'])} faults"))
        return c
