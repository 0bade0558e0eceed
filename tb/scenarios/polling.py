"""`polling`: load rises until interrupt mode wastes CPU, then falls again.

Every queue gets one completion per period, then `heavy_burst` per period, then one again
(`phase_bursts` periods each). The interrupt-only driver (a DPC per queue, re-armed at once)
takes an interrupt for nearly every completion; the hybrid NAPI-style driver disables its
queue's interrupt in the ISR and stays in polling mode (the DPC queues itself again) while a
poll uses its whole budget, and goes back to interrupts when the load falls. The report gives
interrupts per second and ISR and DPC CPU time in each phase.
"""

from __future__ import annotations

from typing import Any

from irqloop.tb.board import CLOCK_PS, US
from irqloop.tb.choices import Choices
from irqloop.tb.plans import CqPlan, PollingPlan, Variant
from irqloop.tb.scenarios.base import register
from irqloop.tb.scenarios.cqbase import CqScenario, base_setup, common_params, profile_words
from irqloop.tb.scenarios.params import Check, Param

PHASES = ("light", "heavy", "light again")


@register
class PollingScenario(CqScenario):
    name = "polling"
    question = ("Load rises until interrupt mode wastes CPU: does the hybrid driver switch to polling and back, "
                "and what are the interrupts per second and CPU time in each phase?")
    plan_type = PollingPlan
    spec = [p for p in common_params(queues=8, period_us=20.0, jitter_us=2.0) if p.name not in ("per_queue", "burst")] + [
        Param("phase_bursts", 20, "periods per phase", int, lo=2, hi=10000),
        Param("heavy_burst", 16, "completions per queue and period in the heavy phase", int, lo=2, hi=4096),
        Param("budget", 8, "the hybrid driver's poll budget (completions per DPC run before it stays polling)",
              int, lo=1, hi=65535),
    ]

    def variants(self, v: dict[str, Any], seed: int, choices: Choices) -> list[Variant]:
        b = v["phase_bursts"]
        setup = base_setup(dict(v, per_queue=b * (2 + v["heavy_burst"]), burst=1), seed)
        setup["period_cycles"] = [round(v["period_us"] * US / CLOCK_PS)] * v["queues"]
        setup["burst_phases"] = [(b + 1, v["heavy_burst"]), (2 * b + 1, 1)]
        return [Variant("interrupt_only", "per_queue_dpc", "clean", setup,
                        "an interrupt and a DPC run for (nearly) every completion"),
                Variant("napi", "napi", "clean", setup, f"hybrid: polls with budget {v['budget']} while the load lasts",
                        options={"budget": v["budget"]})]

    def extra_checks(self, plan: CqPlan, var: Variant, r: dict[str, Any],
                     obs: dict[str, Any]) -> list[Check]:
        if var.name != "napi":
            return []
        ph = r["phases"]
        io = next(x for x in obs["runs"] if x["variant"] == "interrupt_only")["phases"]
        p = plan.values["period_us"]
        late_requeues = [t for t in r["poll_requeues_us"] if t > ph[2]["from_us"] + 2 * p]
        return [
            ("napi: in interrupt mode while the load is light (no poll stays on)", ph[0]["poll_requeues"] == 0,
             f"{ph[0]['poll_requeues']} requeued polls in the first light phase"),
            ("napi: switches to polling under the heavy load", ph[1]["poll_requeues"] > 0,
             f"{ph[1]['poll_requeues']} requeued polls in the heavy phase"),
            ("napi: back to interrupts when the load falls (no poll stays on two periods after)", not late_requeues,
             f"requeued polls after {ph[2]['from_us'] + 2 * p:g} us: {late_requeues[:5]}"),
            ("heavy phase: the hybrid takes at most half the interrupts of interrupt-only mode",
             ph[1]["isrs"] * 2 <= io[1]["isrs"], f"ISRs {ph[1]['isrs']} vs {io[1]['isrs']}"),
            ("heavy phase: the hybrid spends less CPU (ISR + DPC) than interrupt-only mode",
             ph[1]["isr_cpu_us"] + ph[1]["dpc_cpu_us"] < io[1]["isr_cpu_us"] + io[1]["dpc_cpu_us"],
             f"{ph[1]['isr_cpu_us'] + ph[1]['dpc_cpu_us']:.1f} us vs {io[1]['isr_cpu_us'] + io[1]['dpc_cpu_us']:.1f} us"),
        ]

    def summary(self, plan: CqPlan, obs: dict[str, Any]) -> list[str]:
        v = plan.values
        lines = [f"traffic: {v['queues']} queues, one completion every {v['period_us']:g} us each, then "
                 f"{v['heavy_burst']} per period, then one again ({v['phase_bursts']} periods per phase); "
                 f"{v['cpus']} CPUs" + profile_words(plan),
                 "variant          phase         interval (us)      completions  ISRs  interrupts/s  ISR CPU us  "
                 "DPC CPU us  CPU busy  requeued polls"]
        for r in obs["runs"]:
            for ph in r["phases"]:
                lines.append(f"{r['variant']:<16} {ph['phase']:<12}  {ph['from_us']:>7.1f}..{ph['to_us']:<8.1f}  "
                             f"{ph['consumed']:>11}  {ph['isrs']:>4}  {ph['interrupts_per_s']:>12.0f}  "
                             f"{ph['isr_cpu_us']:>10.1f}  {ph['dpc_cpu_us']:>10.1f}  {ph['cpu_busy_pct']:>7.1f}%  "
                             f"{ph['poll_requeues']:>14}")
        return lines


def phase_stats(v: dict[str, Any], r: dict[str, Any]) -> list[dict[str, Any]]:
    """Per load phase (by the time since the generator started): ISRs, CPU time, completions."""
    # burst b comes at b periods: phase 1 holds bursts 1..B, so its window ends half a period after B
    span, half = v["phase_bursts"] * v["period_us"], v["period_us"] / 2
    end_us = (r["end_ps"] - r["start_ps"]) / 1e6
    bounds = [(0.0, span + half), (span + half, 2 * span + half), (2 * span + half, max(end_us, 3 * span + half))]
    consumed_at = sorted(r["consumed_us"])
    out = []
    for name, (a, b) in zip(PHASES, bounds):
        isr = [(s, e) for c, k, s, e in r["timeline"] if k == "isr"]
        dpc = [(s, e) for c, k, s, e in r["timeline"] if k == "dpc"]
        overlap = lambda spans: sum(max(0.0, min(e, b) - max(s, a)) for s, e in spans)  # noqa: E731
        isrs = sum(1 for s, _ in isr if a <= s < b)
        out.append({"phase": name, "from_us": a, "to_us": b, "isrs": isrs,
                    "interrupts_per_s": isrs / ((b - a) * 1e-6), "isr_cpu_us": round(overlap(isr), 3),
                    "dpc_cpu_us": round(overlap(dpc), 3),
                    "cpu_busy_pct": round(100 * (overlap(isr) + overlap(dpc)) / ((b - a) * v["cpus"]), 2),
                    "consumed": sum(1 for t in consumed_at if a <= t < b),
                    "poll_requeues": sum(1 for t in r["poll_requeues_us"] if a <= t < b)})
    return out
