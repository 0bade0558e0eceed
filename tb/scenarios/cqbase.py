"""What the completion-queue scenarios share: parameters, traffic, variants, verdict and report.

A scenario runs one or more *variants* in one simulation, one after the other on the same
traffic and seed (the device is reset in between). Each variant is a driver strategy with the
outcome it must have: ``loss`` (the buggy variant: the harness must catch lost or stranded
completions), ``clean`` (the correct one: every completion consumed once, in order, intact) or
``any`` (reported, not judged). The run exits 0 only if every variant's outcome matches.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from irqloop.hostmodel import profiles
from irqloop.hostmodel.seeds import stream
from irqloop.tb.board import CLOCK_PS, US
from irqloop.tb.choices import NO_CHOICES, Choices
from irqloop.tb.models.msi_faults import parse_faults
from irqloop.tb.plans import CqPlan, CqSetup, Variant, cq_setup_problem
from irqloop.tb.scenarios.base import Scenario
from irqloop.tb.scenarios.params import Check, Param, ParamError, shown_values



def common_params(**defaults: Any) -> list[Param]:
    """The parameters every completion-queue scenario has (defaults overridable per scenario)."""
    d = {"queues": 32, "entries": 64, "per_queue": 48, "period_us": 40.0, "burst": 2, "cpus": 4,
         "dpc_latency_us": 2.0, "jitter_us": 4.0, "msi_faults": "none", "watchdog_us": 500.0,
         "late_us": 200.0} | defaults
    return [
        Param("queues", d["queues"], "completion queues with traffic (each on its own vector)", int, lo=1, hi=32),
        Param("entries", d["entries"], "entries per completion queue", int, lo=2, hi=65535),
        Param("per_queue", d["per_queue"], "completions the generator posts to each queue", int, lo=1, hi=1_000_000),
        Param("period_us", d["period_us"], "mean time between a queue's bursts (each queue's period is "
              "drawn from 0.5x..1.5x of it, seeded)", float, lo=0.01, hi=1e6),
        Param("burst", d["burst"], "completions per burst", int, lo=1, hi=65535),
        Param("cpus", d["cpus"], "host CPUs (queue q's message goes to CPU q mod cpus)", int, lo=1, hi=64),
        Param("dpc_latency_us", d["dpc_latency_us"], "ordinary ISR-to-DPC latency", float, lo=0.0, hi=1e6),
        Param("jitter_us", d["jitter_us"], "uniform random extra DPC latency (seeded)", float, lo=0.0, hi=1e6),
        Param("msi_faults", d["msi_faults"], "MSI faults on the way to the host (tb/models/msi_faults.py); vec= is the "
              "queue number", str, validate=parse_faults),
        Param("watchdog_us", d["watchdog_us"], "no completion consumed for this long while one is due: the "
              "stream stalled", float, lo=1.0, hi=1e6),
        Param("late_us", d["late_us"], "a completion consumed later than this after it was due counts as late",
              float, lo=0.0, hi=1e6),
        Param("irq_cpu", "spread", "the CPU every message is delivered to (its interrupt affinity); spread: queue "
              "q's to CPU q mod cpus", str, validate=_cpu_or("irq_cpu", "spread"), quiet=True),
        Param("dpc_cpu", "isr", "the CPU every DPC of the driver is targeted to (KeSetTargetProcessorDpc); isr: "
              "the CPU whose ISR queued it", str, validate=_cpu_or("dpc_cpu", "isr"), quiet=True),
        Param("profile", profiles.FIXED, "host profile: what cache lines, locks, interrupts and register reads "
              f"cost: {profiles.choices_text()}", str, validate=_check_profile, quiet=True),
    ]


def _cpu_or(name: str, word: str) -> Callable[[str], None]:
    """The check of a parameter that is ``word`` or a CPU number."""
    def check(text: str) -> None:
        if text != word and not (text.isdigit() and int(text) < 64):
            raise ValueError(f"{name}={text!r} is not valid; use {word} or a CPU number 0..63 (below cpus)")
    return check


def _check_profile(text: str) -> None:
    try:
        profiles.resolve(text)
    except profiles.ProfileError as exc:
        raise ValueError(str(exc)) from None


def base_setup(v: dict[str, Any], seed_for_traffic: int) -> dict[str, Any]:
    """CqSetup fields from the common parameters. The traffic (each queue's period) comes from
    the seed, so every variant of a run sees the same traffic."""
    rng = stream(seed_for_traffic, "cq_traffic")
    mean = v["period_us"] * US / CLOCK_PS
    periods = [max(1, round(mean * rng.uniform(0.5, 1.5))) for _ in range(v["queues"])]
    profile = profiles.resolve(v.get("profile", profiles.FIXED))
    # the fixed costs are CqSetup's default: a setup names only the fields it sets
    chosen: dict[str, Any] = {"profile": profile.to_json()} if profile is not None else {}
    for name, default in (("dpc_cpu", "isr"), ("irq_cpu", "spread")):
        cpu = v.get(name, default)
        if cpu != default:
            if int(cpu) >= v["cpus"]:
                raise ParamError(f"{name}={cpu} is not one of the {v['cpus']} CPUs (0..{v['cpus'] - 1})")
            chosen[name] = int(cpu)
    return chosen | {"queues": v["queues"], "entries": v["entries"], "per_queue": v["per_queue"],
            "period_cycles": periods, "burst": [v["burst"]] * v["queues"], "cpus": v["cpus"],
            "dpc_latency_ps": round(v["dpc_latency_us"] * US), "jitter_ps": round(v["jitter_us"] * US),
            "msi_faults": v["msi_faults"], "watchdog_ps": round(v["watchdog_us"] * US),
            "late_ps": round(v["late_us"] * US)}


def check_setup(setup: dict[str, Any]) -> None:
    problem = cq_setup_problem(CqSetup(**setup))
    if problem:
        raise ParamError(problem)


class CqScenario(Scenario):
    """Subclasses set name, question, spec, and define variants(); they may add checks and lines."""
    name = "cq"
    question = ""
    spec: list[Param] = []
    plan_type: type[CqPlan] = CqPlan
    num_cq = 32                            #: the simulator build these scenarios need
    compares_variants = True

    def variants(self, v: dict[str, Any], seed: int, choices: Choices) -> list[Variant]:
        raise NotImplementedError

    def prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                choices: Choices = NO_CHOICES) -> CqPlan:
        vs = self.variants(values, 1 if seed is None else seed, choices)
        for var in vs:
            check_setup(var.setup)
        return self.plan_type(shown_values(self.spec, values), "; ".join(f"{x.name}: {x.expected}" for x in vs), vs)

    # ---- verdict ----
    def checks(self, plan: CqPlan, obs: dict[str, Any]) -> list[Check]:
        c: list[Check] = []
        for var, r in zip(plan.variants, obs["runs"]):
            c += variant_checks(var, r)
            c += self.extra_checks(plan, var, r, obs)
        return c

    def extra_checks(self, plan: CqPlan, var: Variant, r: dict[str, Any],
                     obs: dict[str, Any]) -> list[Check]:
        return []

    # ---- report ----
    def describe(self, plan: CqPlan, rep: dict[str, Any]) -> list[str]:
        from irqloop.hostmodel.metrics import table

        obs = rep["observed"]
        lines = self.summary(plan, obs)
        lines += ["", "per variant (latency = consumed - due, from its burst's instant: start + b x TG_PERIOD; the "
                  "generator's scan lands a burst up to NUM_CQ - 1 cycles after it):"]
        rows = {f"{r['variant']}": r["metrics"] for r in obs["runs"]}
        lines += ["  " + x for x in table(rows).splitlines()]
        for var, r in zip(plan.variants, obs["runs"]):
            lines.append("")
            lines += variant_lines(var, r)
        return lines

    def summary(self, plan: CqPlan, obs: dict[str, Any]) -> list[str]:
        v = plan.values
        return [f"traffic: {v['queues']} queues x {v['per_queue']} completions, bursts of {v['burst']} every "
                f"~{v['period_us']:g} us per queue; {v['cpus']} CPUs; DPC latency {v['dpc_latency_us']:g} us "
                f"+ up to {v['jitter_us']:g} us" + profile_words(plan)]


def profile_words(plan: CqPlan) -> str:
    """'; host profile server2s (2 sockets x 1 die, ...)' for a run under a host profile, else ''."""
    p = next((x.setup["profile"] for x in plan.variants if x.setup.get("profile")), None)
    if p is None:
        return ""
    return (f"; host profile {p['name']} ({p['sockets']} socket{'s' * (p['sockets'] > 1)} x {p['dies_per_socket']} "
            f"die{'s' * (p['dies_per_socket'] > 1)}, device on socket {p['device_socket']}; docs/host-profiles.md)")


def variant_checks(var: Variant, r: dict[str, Any]) -> list[Check]:
    sb, hw, name = r["scoreboard"], r["hardware"], var.name
    c: list[Check] = []
    if var.expected == "clean":
        c.append((f"{name}: every completion consumed once, in order, intact",
                  sb["lost"] == 0 and sb["divergences"] == 0 and sb["consumed"] == sb["expected"],
                  f"consumed {sb['consumed']} of {sb['expected']}, lost {sb['lost']}, divergences {sb['divergences']}"))
        c.append((f"{name}: no stall (watchdog quiet)", r["watchdog"] is None,
                  f"watchdog {r['watchdog']}"))
        c.append((f"{name}: device wrote every completion and refused no doorbell",
                  hw["CNT_CQ_ENTRY"] == sb["expected"] and hw["CNT_DB_ERROR"] == 0,
                  f"CNT_CQ_ENTRY={hw['CNT_CQ_ENTRY']} CNT_DB_ERROR={hw['CNT_DB_ERROR']}"))
    elif var.expected == "stall":
        c.append((f"{name}: every completion consumed in the end, intact",
                  sb["lost"] == 0 and sb["divergences"] == 0, f"consumed {sb['consumed']} of {sb['expected']}"))
        c.append((f"{name}: the watchdog caught a queue waiting too long", r["watchdog"] is not None,
                  f"watchdog {r['watchdog']}"))
    elif var.expected == "loss":
        c.append((f"{name}: the harness caught lost or stranded completions",
                  sb["lost"] > 0 or sb["divergences"] > 0,
                  f"lost {sb['lost']} of {sb['expected']}; divergences {sb['divergences']}"))
        c.append((f"{name}: the first missing completion is explained", bool(r["chain"]) or sb["divergences"] > 0,
                  r["chain"][0] if r["chain"] else "no chain"))
    c.append((f"{name}: no DPC watchdog violation", not r["metrics"]["totals"]["watchdog_violations"],
              "; ".join(r["metrics"]["totals"]["watchdog_violations"][:2]) or "none"))
    return c


def variant_lines(var: Variant, r: dict[str, Any]) -> list[str]:
    sb, hw, t = r["scoreboard"], r["hardware"], r["metrics"]["totals"]
    t0 = r["start_ps"]
    rel = lambda ps: f"{(ps - t0) / 1e6:.3f} us (stream cycle {(ps - t0) // CLOCK_PS})"  # noqa: E731
    head = f"[{var.name}] strategy {var.strategy}" + (f" ({var.role})" if var.role else "")
    lines = [head + f": expected {var.expected}, observed {r['outcome']}",
             f"  completions: {sb['consumed']} of {sb['expected']} consumed, lost {sb['lost']}, late {r['late']}, "
             f"divergences {sb['divergences']}",
             f"  device: CNT_CQ_ENTRY={hw['CNT_CQ_ENTRY']} CNT_IRQS={hw['CNT_IRQS']} CNT_COALESCED={hw['CNT_COALESCED']} "
             f"CNT_CQ_STALL={hw['CNT_CQ_STALL']} cycles CNT_DB_ERROR={hw['CNT_DB_ERROR']}; "
             f"host: {r['msi_delivered']} messages, {t['isr_count']} ISRs, {t['dpc_runs']} DPC runs"]
    if "caches" in r:               # a run under a host profile
        c = r["caches"]
        lines.append(f"  shared cache lines: {c['hits']} hits, {c['transfers']} transfers from another CPU, "
                     f"{c['dma_misses']} first reads of a line the device wrote, {c['memory_misses']} from memory; "
                     f"DPC CPU {r['dpc_own_cpu_us']:.1f} us without the ISRs that preempted it")
    if sb["missing_by_queue"]:
        miss = ", ".join(f"q{q}: {n}" for q, n in list(sb["missing_by_queue"].items())[:8])
        lines.append(f"  missing per queue: {miss}{' ...' if len(sb['missing_by_queue']) > 8 else ''}")
    if r["watchdog"]:
        w = r["watchdog"]
        last = rel(w["last_consumed_ps"]) if w["last_consumed_ps"] is not None else "never"
        lines.append(f"  watchdog: queue {w['queue']} completion #{w['index']} due at {rel(w['due_ps'])} not consumed "
                     f"for {(w['fired_ps'] - w['due_ps']) / 1e6:.0f} us: stall detected at {rel(w['fired_ps'])} "
                     f"(queue last consumed {last}); {len(r['stalled_queues'])} queues stalled in all")
    for u in r.get("unfinished_routines", []):
        lines.append(f"  never returned: {u['kind']} {u['name']} on CPU {u['cpu']}, started at {rel(u['start_ps'])}, "
                     f"still running at the end ({(r['end_ps'] - u['start_ps']) / 1e6:.3f} us later)")
    fd = sb["first_divergence"]
    if fd:
        lines.append(f"  first divergence: queue {fd['queue']} slot {fd['slot']} at {rel(fd['t_ps'])} on CPU {fd['cpu']}: "
                     f"completion #{fd['index_expected']} expected, {fd['field']} expected {fd['expected']:#x} "
                     f"observed {fd['observed']:#x} ({fd['kind']})")
    for i, line in enumerate(r["chain"]):
        lines.append(("  first missing: " if i == 0 else "                 ") + line)
    for rec in r["msi_faults"][:5]:
        lines.append(f"  MSI fault: {rec['action']} message {rec['data']:#x} at {rel(rec['time_ps'])}")
    if len(r["msi_faults"]) > 5:
        lines.append(f"  ... {len(r['msi_faults'])} MSI faults in all (report.json)")
    return lines
