"""`error_vector`: data and error interrupts on separate messages, or on one shared message.

The streaming device signals data on vector 0 and errors (here: the ring overrun a late DPC
causes) on vector 1. With separate messages the data ISR knows what happened from the message
and reads nothing; with one shared message (MSI-X, both vectors' Message Data equal) every ISR
must read INT_CAUSE, a bus round trip at DIRQL. A shared-message ISR that skips the read takes
the error interrupt for data and never notices the overrun (the buggy variant). The report
gives each variant's ISR register reads, ISR run time and how long after the hardware flag the
driver noticed the error.
"""

from __future__ import annotations

from typing import Any, Optional

from irqloop.tb.choices import NO_CHOICES, Choices
from irqloop.tb.plans import StreamVariant, StreamVariantsPlan
from irqloop.tb.scenarios.base import Scenario, register
from irqloop.tb.scenarios.overrun import stream_values, validate
from irqloop.tb.scenarios.params import Check, Param, ParamError

VARIANTS = [("separate", "noticed", "correct: data and error on their own messages; only the error ISR reads INT_CAUSE"),
            ("shared", "noticed", "correct, costlier: one message; every ISR reads INT_CAUSE"),
            ("shared_no_cause", "missed", "buggy: one message, the ISR takes every message for data")]

SPEC = [Param("spike_us", 200.0, "extra latency of the one late DPC, which causes the overrun error", float,
              lo=0.0, hi=1e7),
        Param("chunks", 64, "chunks the device produces", int, lo=1, hi=10_000_000),
        Param("dpc_latency_us", 2.0, "ordinary ISR-to-DPC latency", float, lo=0.0, hi=1e6),
        Param("mmio_read_us", 1.0, "PCIe round trip of a register read, beyond the simulated bus (the RTL "
              "testbench's AXI4-Lite read takes tens of ns)", float, lo=0.0, hi=100.0)]


@register
class ErrorVectorScenario(Scenario):
    name = "error_vector"
    question = ("Data and error interrupts on separate vectors or one shared vector whose ISR must read a cause "
                "register: what do the extra MMIO reads cost, and what does an ISR that skips them miss?")
    spec = SPEC
    plan_type = StreamVariantsPlan

    def stream_values(self, v: dict[str, Any], driver: str) -> dict[str, Any]:
        return stream_values(spike_us=v["spike_us"], chunks=v["chunks"], dpc_latency_us=v["dpc_latency_us"],
                             driver=driver, mmio_read_us=v["mmio_read_us"])

    def prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                choices: Choices = NO_CHOICES) -> StreamVariantsPlan:
        base = self.stream_values(values, "separate")
        validate(base)
        if values["spike_us"] * 1e6 <= base["slots"] * base["period_us"] * 1e6:
            raise ParamError(f"spike_us={values['spike_us']} does not exceed the ring's headroom "
                             f"({base['slots'] * base['period_us']:g} us): no error interrupt would be raised")
        if base["spike_at_chunk"] + base["slots"] >= values["chunks"]:
            raise ParamError(f"chunks={values['chunks']} ends before the late DPC's slot is overwritten")
        return StreamVariantsPlan(values, "; ".join(f"{n}: error {e}" for n, e, _ in VARIANTS),
                                  [StreamVariant(n, e, r) for n, e, r in VARIANTS])

    def checks(self, plan: StreamVariantsPlan, obs: dict[str, Any]) -> list[Check]:
        c: list[Check] = []
        runs = {r["variant"]: r for r in obs["runs"]}
        for var in plan.variants:
            r = runs[var.name]
            c.append((f"{var.name}: the device raised the overrun error", r["hardware"]["overrun_flag"],
                      f"STATUS.OVERRUN={int(r['hardware']['overrun_flag'])}, CNT_IRQS={r['hardware']['CNT_IRQS']}"))
            c.append((f"{var.name}: the driver {var.expected} the error interrupt", r["outcome"] == var.expected,
                      f"noticed {(r['seen_ps'] - r['hw_overrun_ps']) / 1e6:.3f} us after the hardware flag rose"
                      if r["seen_ps"] else "the driver never noticed it"))
        sep, sh = runs["separate"], runs["shared"]
        c.append(("separate: only the error ISRs read a register", 0 < sep["isr_mmio_reads"] < sep["isr_count"],
                  f"{sep['isr_mmio_reads']} ISR reads for {sep['isr_count']} ISRs"))
        c.append(("shared: every ISR read INT_CAUSE", sh["isr_mmio_reads"] == sh["isr_count"],
                  f"{sh['isr_mmio_reads']} ISR reads for {sh['isr_count']} ISRs"))
        c.append(("shared: the read makes its ISRs longer than the separate data ISR",
                  sh["isr_run_us"]["DataIsr"]["p50"] > sep["isr_run_us"]["DataIsr"]["p50"],
                  f"ISR run p50 {sh['isr_run_us']['DataIsr']['p50']} us vs {sep['isr_run_us']['DataIsr']['p50']} us"))
        return c

    def describe(self, plan: StreamVariantsPlan, rep: dict[str, Any]) -> list[str]:
        obs, v = rep["observed"], plan.values
        lines = [f"a register read costs the simulated AXI4-Lite round trip + {v['mmio_read_us']:g} us (PCIe); "
                 f"times below are since the stream started",
                 "variant           ISRs  saw an error  ISR reads  data ISR p50 us  ISR CPU us  "
                 "error noticed (after the flag)  lost"]
        for r in obs["runs"]:
            p50 = r["isr_run_us"].get("DataIsr", {}).get("p50", 0)
            t0 = r["stream_start_ps"]
            seen = (f"{(r['seen_ps'] - t0) / 1e6:.3f} us (+{(r['seen_ps'] - r['hw_overrun_ps']) / 1e6:.3f} us)"
                    if r["seen_ps"] is not None else "never")
            lines.append(f"{r['variant']:<16}  {r['isr_count']:>4}  {r['error_isrs']:>12}  {r['isr_mmio_reads']:>9}  "
                         f"{p50:>15.3f}  {r['isr_cpu_us']:>10.1f}  {seen:<30}  {r['lost']:>4}")
        r0 = obs["runs"][0]
        lines.append(f"(the hardware overrun flag rose at {(r0['hw_overrun_ps'] - r0['stream_start_ps']) / 1e6:.3f} us; "
                     f"every variant runs the same stream, and loses the same chunks to the late DPC)")
        return lines
