"""Scenario verdicts and their human-readable report (pure Python)."""

from __future__ import annotations

from typing import Any

from tb.scenarios.overrun import ranges


def evaluate(scenario: Any, plan: dict[str, Any], obs: dict[str, Any]) -> dict[str, Any]:
    checks = [{"name": n, "ok": bool(ok), "detail": d} for n, ok, d in scenario.checks(plan, obs)]
    return {"test": scenario.name, "plan": plan, "observed": obs, "checks": checks,
            "pass": all(c["ok"] for c in checks)}


def _t(ps: int | None, t0: int, clock_ps: int) -> str:
    if ps is None:
        return "-"
    return f"{ps / 1e6:.3f} us (cycle {ps // clock_ps}, stream cycle {(ps - t0) // clock_ps})"


def format_report(r: dict[str, Any]) -> str:
    plan, obs = r["plan"], r["observed"]
    v, p = plan["values"], plan["prediction"]
    hw, sb, k, drv = obs["hardware"], obs["scoreboard"], obs["kernel"], obs["driver"]
    t0, clk = obs["stream_start_ps"], obs["clock_ps"]
    observed = "loss" if sb["lost"] else "clean"
    lines = [
        f"== irqloop {r['test']} (seed {obs['seed']}) ==",
        "parameters: " + " ".join(f"{k2}={v[k2]}" for k2 in sorted(v)),
        f"expected outcome: {plan['expected']}   observed: {observed}"
        f"   verdict: {'PASS (matches expectation)' if r['pass'] else 'FAIL (differs from expectation)'}",
        "",
        f"ring headroom:   {v['slots']} slots x {v['period_us']:g} us = {p['headroom_ps'] / 1e6:g} us",
        f"late DPC:        latency {p['late_latency_ps'] / 1e6:g} us planned; prediction: {p['reason']}",
    ]
    late = obs.get("late_dpc")
    if late:
        lines.append(f"                 queued {_t(late['queued_at_ps'], t0, clk)}, started "
                     f"{_t(late['start_ps'], t0, clk)}, latency {late['latency_ps'] / 1e6:.3f} us"
                     f" ({(late['latency_ps'] - p['headroom_ps']) / 1e6:+.3f} us vs headroom)")
    lines += [
        f"chunks:          produced {sb['produced']}, delivered {sb['delivered']}, lost {len(sb['lost'])}"
        f" ({ranges(sb['lost'])})",
    ]
    if sb["lost"] and p.get("first_lost_seq") is not None:
        lines.append(f"predicted:       first lost seq {p['first_lost_seq']} in slot {p['first_lost_slot']}, "
                     f"overwritten by seq {p['overwriting_seq']} at stream cycle {p['overwrite_cycle']}")
    lines.append(f"first overwrite: hardware flag rose at {_t(obs['hw_overrun_ps'], t0, clk)}; "
                 f"OVERRUN_SEQ={hw['OVERRUN_SEQ'] if hw['overrun_flag'] else '-'} "
                 f"OVERRUN_CYCLE={hw['OVERRUN_CYCLE'] if hw['overrun_flag'] else '-'}")
    if drv["overrun_reads"]:
        o = drv["overrun_reads"][0]
        lines.append(f"DPC found it:    at {_t(o['t_ps'], t0, clk)} it read PROD_IDX={o['prod']} with "
                     f"consumer at {o['cons']}: {o['lost']} chunks already overwritten")
    fd = sb["first_divergence"]
    if fd:
        lines.append(f"first divergence: {fd['where']} seq {fd['seq_expected']} slot {fd['slot']} at "
                     f"{_t(fd['t_ps'], t0, clk)}: word {fd['word']} expected {fd['expected']:#010x} observed "
                     f"{fd['observed']:#010x} (slot held seq {fd['seq_observed']}, {fd['kind']})")
    lines += [
        f"hardware:        STATUS.OVERRUN={int(hw['overrun_flag'])} CNT_CHUNKS={hw['CNT_CHUNKS']} "
        f"CNT_OVERWRITE={hw['CNT_OVERWRITE']} CNT_IRQS={hw['CNT_IRQS']} CNT_STALL={hw['CNT_STALL']} cycles",
        f"host:            ISRs {k['isr_count']} (data {k['data_isr_count']}), KeInsertQueueDpc "
        f"{k['dpc_insert_attempts']} calls / {k['dpc_inserts']} queued, DPC runs {k['dpc_runs']}, "
        f"max chunks per DPC {drv['max_chunks_per_dpc']}",
        f"                 max DPC latency {k['dpc_latency_max_ps'] / 1e6:.3f} us, max DPC run "
        f"{k['dpc_run_max_ps'] / 1e6:.3f} us, max ISR run {k['isr_run_max_ps'] / 1e6:.3f} us, "
        f"MMIO transactions {obs['mmio_transactions']}",
        f"simulated:       {obs['end_ps'] / 1e6:.3f} us = {obs['sim_cycles']} cycles at {1e6 / clk:g} MHz",
        "",
        "checks:",
    ]
    for c in r["checks"]:
        lines.append(f"  [{'ok' if c['ok'] else 'FAIL'}] {c['name']}: {c['detail']}")
    for w in k["warnings"]:
        lines.append(f"  warning: {w}")
    return "\n".join(lines)
