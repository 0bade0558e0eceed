"""`hw_coalescing`: the device's interrupt aggregation (NVMe Feature 08h: threshold THR and time
TIME per vector; COAL_TICK cycles = 100 us per TIME unit) against completion latency and
interrupt rate, on the same traffic, with one DPC per queue.

Settings run one after the other: off, THR 4 and 16 (TIME 1), and time only (THR 256). Then a
vector shared by a polled queue and an interrupt-driven one with DB_RESTART, the "delayed
indefinitely" setting: the polled queue's doorbells keep restarting the aggregation time, so the
other queue's completions wait until the polling stops (the buggy variant, caught by the
watchdog); the same without DB_RESTART interrupts within TIME.
"""

from __future__ import annotations

from typing import Any

from irqloop.hostmodel.regs import REG
from irqloop.tb.board import CLOCK_PS, US
from irqloop.tb.choices import Choices
from irqloop.tb.plans import CqPlan, Variant
from irqloop.tb.scenarios.base import register
from irqloop.tb.scenarios.cqbase import CqScenario, base_setup, common_params
from irqloop.tb.scenarios.params import Check

TIME_UNIT_PS = 100 * US                   # tb_irqloop: COAL_TICK 25000 cycles at 250 MHz


def coal(thr: int, time_units: int, db_restart: bool = False) -> int:
    """IVR_COAL value: THR is zero-based (thr events per message), TIME in 100 us units."""
    return REG.pack("IV_COAL", THR=thr - 1, TIME=time_units, DB_RESTART=int(db_restart))


@register
class HwCoalescingScenario(CqScenario):
    name = "hw_coalescing"
    question = ("What do the device's aggregation threshold and time buy in interrupt rate, what do they cost "
                "in completion latency, and when does the doorbell-restart setting delay completions indefinitely?")
    spec = common_params(queues=8, per_queue=64, period_us=10.0, burst=1, jitter_us=2.0, watchdog_us=300.0,
                         late_us=250.0)
    SETTINGS = {"off": (0, 0), "thr4": (4, 1), "thr16": (16, 1), "time": (256, 1)}

    def variants(self, v: dict[str, Any], seed: int, choices: Choices) -> list[Variant]:
        out = []
        for name, (thr, units) in self.SETTINGS.items():
            setup = base_setup(v, seed)
            if thr:
                setup["coal"] = {str(2 + q): coal(thr, units) for q in range(v["queues"])}
            out.append(Variant(name, "per_queue_dpc", "clean", setup,
                               "no aggregation" if not thr else f"THR {thr}, TIME {units * 100} us"))
        shared = base_setup(v, seed)
        # a correct setting bounds the shared queue's wait by TIME: the watchdog allows TIME + 50 us
        shared.update(queues=2, vector_of=[2, 2], per_queue=40, watchdog_ps=150 * US,
                      period_cycles=[round(5 * US / CLOCK_PS), round(12.5 * US / CLOCK_PS)], burst=[1, 1])
        for restart in (True, False):
            s = dict(shared, coal={"2": coal(256, 1, restart)})
            out.append(Variant("db_restart" if restart else "db_restart_off", "hybrid_poll",
                               "stall" if restart else "clean", s,
                               ("buggy: " if restart else "correct: ")
                               + f"queue 0 polled every 20 us, queue 1 on the same vector, TIME 100 us, watchdog 150 us, "
                               f"DB_RESTART {int(restart)}",
                               options={"polled": (0,)}))
        return out

    def extra_checks(self, plan: CqPlan, var: Variant, r: dict[str, Any],
                     obs: dict[str, Any]) -> list[Check]:
        hw, name = r["hardware"], var.name
        lat = r["metrics"]["totals"]["completion_latency_us"]
        v = plan.values
        slack_us = v["dpc_latency_us"] + v["jitter_us"] + 20
        c: list[Check] = []
        if name == "off":
            c.append(("off: one message per completion, no aggregation ended",
                      hw["CNT_IRQS"] == hw["CNT_CQ_ENTRY"] and hw["CNT_COALESCED"] == 0
                      and hw["CNT_COAL_THR"] == hw["CNT_COAL_TIME"] == 0,
                      f"CNT_IRQS={hw['CNT_IRQS']} CNT_CQ_ENTRY={hw['CNT_CQ_ENTRY']} CNT_COALESCED={hw['CNT_COALESCED']} "
                      f"CNT_COAL_THR={hw['CNT_COAL_THR']} CNT_COAL_TIME={hw['CNT_COAL_TIME']}"))
        elif name in self.SETTINGS:
            thr, units = self.SETTINGS[name]
            off = next(x for x in obs["runs"] if x["variant"] == "off")["hardware"]["CNT_IRQS"]
            c.append((f"{name}: fewer messages than without aggregation, none covering more than THR events",
                      -(-hw["CNT_CQ_ENTRY"] // thr) <= hw["CNT_IRQS"] < off,
                      f"CNT_IRQS={hw['CNT_IRQS']} (off: {off}; at least {-(-hw['CNT_CQ_ENTRY'] // thr)} "
                      f"for {hw['CNT_CQ_ENTRY']} completions)"))
            # which rule ended the aggregations, as the device counted it: a threshold above what a
            # queue can hold (the `time` setting) is never reached
            reach = thr <= var.setup["entries"] - 1
            c.append((f"{name}: aggregations ended {'at the threshold' if reach else 'only by time'} (device counters)",
                      (hw["CNT_COAL_THR"] > 0) if reach else (hw["CNT_COAL_THR"] == 0 and hw["CNT_COAL_TIME"] > 0),
                      f"CNT_COAL_THR={hw['CNT_COAL_THR']} CNT_COAL_TIME={hw['CNT_COAL_TIME']}"))
            c.append((f"{name}: no completion waits much beyond TIME", lat.get("max", 0) <= units * 100 + slack_us,
                      f"latency max {lat.get('max')} us, bound {units * 100} us + {slack_us:g} us"))
        elif name == "db_restart_off":
            c.append(("db_restart_off: the shared queue's completions wait at most TIME",
                      lat.get("max", 0) <= 100 + slack_us + 20, f"latency max {lat.get('max')} us"))
        return c

    def summary(self, plan: CqPlan, obs: dict[str, Any]) -> list[str]:
        lines = super().summary(plan, obs)
        lines.append("setting           messages  merged  by THR  by TIME  ISRs   lat p50 us  lat p99 us  lat max us  messages/s")
        for r, var in zip(obs["runs"], plan.variants):
            hw, t = r["hardware"], r["metrics"]["totals"]
            lat = t["completion_latency_us"]
            secs = (r["end_ps"] - r["start_ps"]) / 1e12
            lines.append(f"{var.name:<16}  {hw['CNT_IRQS']:>8}  {hw['CNT_COALESCED']:>6}  {hw['CNT_COAL_THR']:>6}  "
                         f"{hw['CNT_COAL_TIME']:>7}  {t['isr_count']:>4}   "
                         f"{lat.get('p50', 0):>10.2f}  {lat.get('p99', 0):>10.2f}  {lat.get('max', 0):>10.2f}  "
                         f"{hw['CNT_IRQS'] / secs:>10.0f}")
        return lines
