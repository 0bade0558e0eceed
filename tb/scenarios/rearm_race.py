"""`rearm_race`: the lost wakeup. A NAPI-style driver disables its queue's interrupt (IEN) in the
ISR, polls in the DPC, and enables it again when the queue looks empty. The device does not
interrupt for entries that landed while IEN was off, so a completion that lands between the
DPC's last look and the enable is never signalled: the queue stalls until the watchdog on the
stream fires. The correct driver reads a device register after the enable (the posted write has
landed) and looks once more.
"""

from __future__ import annotations

from typing import Any

from irqloop.tb.board import US
from irqloop.tb.choices import Choices
from irqloop.tb.plans import Variant
from irqloop.tb.scenarios.base import register
from irqloop.tb.scenarios.cqbase import CqScenario, base_setup, common_params
from irqloop.tb.scenarios.params import Param


@register
class RearmRaceScenario(CqScenario):
    name = "rearm_race"
    question = ("A completion lands between the DPC's last check and its re-arm: does the driver stall "
                "(lost wakeup), and does a re-check after the re-arm close the race?")
    spec = common_params(queues=8, per_queue=64, period_us=3.0, burst=1, jitter_us=4.0, watchdog_us=200.0) + [
        Param("per_completion_us", 1.5, "DPC time per completion (the longer, the wider the race window)",
              float, lo=0.0, hi=1000.0),
    ]

    def variants(self, v: dict[str, Any], seed: int, choices: Choices) -> list[Variant]:
        setup = base_setup(v, seed)
        setup["per_completion_ps"] = round(v["per_completion_us"] * US)
        return [Variant("napi_racy", "napi_racy", "loss", setup, "buggy: enables the interrupt after its last check"),
                Variant("napi", "napi", "clean", setup, "correct: enable, read back, check again")]
