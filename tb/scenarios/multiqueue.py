"""`multiqueue`: the first seed thread. 32 completion queues, one MSI-X message each, traffic on
many queues at once: how should the ISR tell the DPC what happened?

Every ISR-to-DPC strategy of hostmodel/strategies.py runs on the same RTL traffic and seed, one
after the other: an ExInterlocked list, a bitmap under the interrupt spin lock, an
InterlockedOr bitmap, scanning every queue's phase bit, one DPC per queue, NAPI-style polling;
and the two wrong ones: one completion per interrupt (naive) and NAPI without the re-check
after re-arming (racy). `make compare` tabulates and plots the same runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from irqloop.hostmodel.profiles import FIXED
from irqloop.hostmodel.strategies import STRATEGIES
from irqloop.tb.choices import Choices
from irqloop.tb.plans import Variant
from irqloop.tb.scenarios.base import register
from irqloop.tb.scenarios.c_driver import built_c_driver
from irqloop.tb.scenarios.cqbase import CqScenario, base_setup, common_params
from irqloop.tb.scenarios.params import Param, ParamError

#: what each strategy must show on this traffic
EXPECTED = {"naive": "loss", "napi_racy": "any", "scan_unlocked": "any"}


def _check_strategies(text: str) -> None:
    names = [s for s in text.split(",") if s]
    bad = [s for s in names if s not in STRATEGIES and s != "all"]
    if bad or not names:
        raise ValueError(f"strategies={text!r}: unknown {', '.join(bad) or '(empty)'}; "
                         f"choose from all, {', '.join(STRATEGIES)} (comma-separated)")


@register
class MultiQueueScenario(CqScenario):
    name = "multiqueue"
    question = ("32 completion queues, MSIs not 1:1 with completions: which ISR-to-DPC strategy loses nothing, "
                "and what does each cost in ISRs, DPC runs, CPU time, lock hold and latency?")
    spec = common_params() + [
        Param("strategies", "all", "comma-separated strategies to run (all: every one in hostmodel/strategies.py)",
              str, validate=_check_strategies),
        Param("driver_file", "none", "a C completion-queue driver built against irqloop's WDK shim (docs/c-driver.md), "
              "run after the strategies as one more variant on the same traffic, e.g. examples/drivers/cq_bitmap.c",
              str, quiet=True),
        Param("driver_expect", "clean", "what the C driver's variant must show", str,
              choices=("clean", "loss", "stall", "any"), quiet=True),
    ]

    def variants(self, v: dict[str, Any], seed: int, choices: Choices) -> list[Variant]:
        names = list(STRATEGIES) if v["strategies"] == "all" else v["strategies"].split(",")
        if len(set(names)) != len(names):
            raise ParamError(f"strategies={v['strategies']!r} names a strategy twice")
        setup = base_setup(v, seed)
        out = [Variant(n, n, EXPECTED.get(n, "clean"), setup, "buggy" if n in EXPECTED else "correct") for n in names]
        if v["driver_file"] != "none":
            if v.get("profile", FIXED) != FIXED:
                # its entry reads and interlocked operations are charged by the C code's own
                # constants (IrqloopCpuWork), not by the state of their cache lines
                raise ParamError(f"driver_file= runs a C driver at the fixed costs; profile={v['profile']} applies to the "
                                 f"Python strategies only: leave profile= out, or run the strategies without driver_file=")
            built = built_c_driver(v["driver_file"], "completion_queues")
            out.append(Variant(f"c:{Path(built['source']).stem}", "c", v["driver_expect"], setup, "your C driver",
                               c_driver=built))
        elif v["driver_expect"] != "clean":
            raise ParamError("driver_expect= is what a C driver's variant must show: give driver_file= too")
        return out
