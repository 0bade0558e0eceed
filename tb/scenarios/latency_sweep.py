"""`latency_sweep`: for a ring size and chunk rate, the largest DPC latency with zero loss.

One simulation runs the streaming device many times (reset in between), each time with one DPC
late by a different amount: first a grid over 0..2x the ring's headroom, then a bisection
between the last clean and the first lossy latency down to `resolution_us`. The largest clean
latency is compared with the analytic headroom, slots x chunk period: the measured one must be
below it by no more than what the chunk write and the ISR path take (the margin).
"""

from __future__ import annotations

from typing import Any, Optional

from irqloop.tb.board import CLOCK_PS
from irqloop.tb.choices import NO_CHOICES, Choices
from irqloop.tb.plans import LatencySweepPlan
from irqloop.tb.scenarios.base import Scenario, register
from irqloop.tb.scenarios.overrun import chunk_write_cycles, stream_values, validate
from irqloop.tb.scenarios.params import Check, Param, ParamError

SPEC = [
    Param("slots", 8, "slots in the device's ring", int, lo=1, hi=65535),
    Param("slot_bytes", 1024, "bytes per slot (a multiple of 8)", int, lo=8, hi=262144),
    Param("period_us", 10.0, "the device produces one chunk every period_us", float, lo=0.004, hi=1e6),
    Param("dpc_latency_us", 2.0, "ordinary ISR-to-DPC latency", float, lo=0.0, hi=1e6),
    Param("points", 6, "grid points over 0..2x headroom before the bisection", int, lo=2, hi=50),
    Param("resolution_us", 0.25, "bisection stops when clean and lossy latencies are this close", float,
          lo=0.01, hi=1e6),
]
SPIKE_AT = 4                    #: the late DPC is queued for this chunk


@register
class LatencySweepScenario(Scenario):
    name = "latency_sweep"
    question = ("For this ring size and chunk rate, what is the largest DPC latency with zero loss, "
                "and how does it compare with the analytic headroom (slots x chunk period)?")
    spec = SPEC
    plan_type = LatencySweepPlan

    def stream_values(self, v: dict[str, Any], late_us: float) -> dict[str, Any]:
        spike = max(0.0, late_us - v["dpc_latency_us"])
        return stream_values(**{k: v[k] for k in ("slots", "slot_bytes", "period_us", "dpc_latency_us")},
                             spike_us=spike, spike_at_chunk=SPIKE_AT, expect="clean", jitter_us=0.0,
                             chunks=SPIKE_AT + v["slots"] + 4 + int(spike / v["period_us"]))

    def prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                choices: Choices = NO_CHOICES) -> LatencySweepPlan:
        validate(self.stream_values(values, 0.0))
        period_ps = round(values["period_us"] * 1e6 / CLOCK_PS) * CLOCK_PS
        headroom = values["slots"] * period_ps
        margin = chunk_write_cycles(values["slot_bytes"]) * CLOCK_PS + 3_000_000
        if values["dpc_latency_us"] * 1e6 + margin >= period_ps:
            raise ParamError("the ordinary DPC latency does not fit in one chunk period: every latency loses")
        if values["resolution_us"] * 1e6 > headroom:
            raise ParamError(f"resolution_us={values['resolution_us']} is coarser than the headroom "
                             f"({headroom / 1e6:g} us)")
        return LatencySweepPlan(values, f"largest clean latency in [{(headroom - margin) / 1e6:g}, {headroom / 1e6:g}] us",
                                headroom, margin)

    def checks(self, plan: LatencySweepPlan, obs: dict[str, Any]) -> list[Check]:
        h, m = plan.headroom_ps / 1e6, plan.margin_ps / 1e6
        c_hi, l_lo = obs["largest_clean_us"], obs["smallest_loss_us"]
        res = plan.values["resolution_us"]
        return [
            ("the sweep found both a clean and a lossy latency", c_hi is not None and l_lo is not None,
             f"largest clean {c_hi}, smallest lossy {l_lo}"),
            ("the boundary is resolved", c_hi is not None and l_lo is not None and l_lo - c_hi <= res + 1e-9,
             f"{c_hi} .. {l_lo} us, resolution {res} us"),
            ("the largest clean latency is within the analytic headroom, less at most the margin",
             c_hi is not None and h - m <= c_hi <= h,
             f"measured {c_hi} us; headroom {plan.values['slots']} x {plan.values['period_us']:g} us = {h:g} us, "
             f"margin {m:g} us (chunk write + ISR path)"),
            ("loss is monotonic in the latency (no clean run above a lossy one)", obs["monotonic"],
             ", ".join(f"{r['late_us']:g} us {'clean' if r['clean'] else 'lossy'}" for r in obs["runs"])),
        ]

    def describe(self, plan: LatencySweepPlan, rep: dict[str, Any]) -> list[str]:
        obs = rep["observed"]
        v = plan.values
        h = plan.headroom_ps / 1e6
        lines = [f"ring: {v['slots']} slots x {v['slot_bytes']} bytes, one chunk every {v['period_us']:g} us; "
                 f"analytic headroom {h:g} us (margin {plan.margin_ps / 1e6:g} us)"]
        if obs["largest_clean_us"] is not None:
            lines.append(f"largest zero-loss DPC latency: {obs['largest_clean_us']:.3f} us "
                         f"({obs['largest_clean_us'] - h:+.3f} us vs headroom); smallest lossy: "
                         f"{obs['smallest_loss_us']:.3f} us")
        lines += ["", "  (a run is lossy if a chunk was lost or the device overwrote a slot the driver had not freed)",
                  "  late DPC latency (us)   lost chunks   overwrites   measured DPC latency (us)"]
        for r in obs["runs"]:
            lines.append(f"  {r['late_us']:>21.3f}   {r['lost']:>11}   {r['overwrite']:>10}   "
                         f"{(r['latency_ps'] or 0) / 1e6:>25.3f}")
        return lines
