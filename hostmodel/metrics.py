"""Figures every run produces, per interrupt object, per DPC, per CPU and per lock, as a
JSON-ready dictionary and a readable table."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Optional, Sequence

from irqloop.hostmodel.kernel import KDPC, KSPIN_LOCK, Kernel
from irqloop.hostmodel.latency import percentiles


@dataclass(frozen=True)
class RunSpan:
    """One ISR or DPC routine run on one CPU, from the kernel trace."""
    cpu: int
    kind: str          #: "isr" or "dpc"
    who: str           #: the interrupt object's or the DPC's name
    start_ps: int
    end_ps: int


def run_spans(kernel: Kernel) -> list[RunSpan]:
    """Every ISR and DPC run, in the order they ended. One CPU runs one ISR and one DPC routine
    at a time (an ISR may interrupt the DPC), so a start pairs with the next end of its kind."""
    out: list[RunSpan] = []
    open_: dict[tuple[int, str], tuple[str, int]] = {}
    for e in kernel.trace:
        if e.kind in ("isr_start", "dpc_start"):
            open_[(e.info["cpu"], e.kind[:3])] = (e.info.get("isr") or e.info.get("dpc"), e.t_ps)
        elif e.kind in ("isr_end", "dpc_end"):
            started = open_.pop((e.info["cpu"], e.kind[:3]), None)
            if started is not None:
                out.append(RunSpan(e.info["cpu"], e.kind[:3], started[0], started[1], e.t_ps))
    return out


def _us(ps: int) -> float:
    return round(ps / 1e6, 3)


def _dist_us(values: Sequence[int]) -> dict[str, float]:
    return {k: _us(v) for k, v in percentiles(values).items()}


def collect(kernel: Kernel, duration_ps: int, dpcs: Iterable[KDPC] = (), locks: Iterable[KSPIN_LOCK] = (),
            completion_latencies_ps: Sequence[int] = (), per_dpc_run: Sequence[int] = (),
            extra: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    dpcs, locks = list(dpcs), list(locks)
    intrs = kernel.interrupts()
    isr_total = sum(i.isr_count for i in intrs)
    dpc_runs = sum(d.runs for d in dpcs)
    seconds = duration_ps / 1e12 if duration_ps else 0.0
    out: dict[str, Any] = {
        "duration_us": _us(duration_ps),
        "interrupts": {i.name: {"message": i.MessageId, "isr_count": i.isr_count, "collapsed_at_cpu": i.collapsed,
                                "isr_run_us": _dist_us(i.run_times_ps)} for i in intrs if i.isr_count},
        "dpcs": {d.name: {"insert_attempts": d.insert_attempts, "inserts": d.inserts, "runs": d.runs,
                          "max_concurrent": d.max_concurrent, "latency_us": _dist_us(d.latencies_ps),
                          "run_us": _dist_us(d.run_times_ps)} for d in dpcs},
        "cpus": {c.number: {"isr_busy_us": _us(c.isr_busy_ps), "dispatch_or_above_us": _us(c.dispatch_or_above_ps),
                            "max_elevated_stretch_us": _us(c.max_elevated_ps)} for c in kernel.cpus},
        "locks": {lk.name: {"hold_us": _dist_us(lk.holds_ps), "wait_us": _dist_us(lk.waits_ps),
                            "acquisitions": len(lk.holds_ps)} for lk in locks},
        "totals": {
            "isr_count": isr_total,
            "dpc_insert_attempts": sum(d.insert_attempts for d in dpcs),
            "dpc_runs": dpc_runs,
            "isrs_per_dpc_run": round(isr_total / dpc_runs, 3) if dpc_runs else None,
            "interrupts_per_s": round(isr_total / seconds) if seconds else None,
            "isr_cpu_us": _us(sum(sum(i.run_times_ps) for i in intrs)),
            "dpc_cpu_us": _us(sum(sum(d.run_times_ps) for d in dpcs)),
            "max_lock_hold_us": max((_us(max(lk.holds_ps)) for lk in locks if lk.holds_ps), default=0.0),
            "completions": len(completion_latencies_ps),
            "completions_per_dpc_run": _dist_count(per_dpc_run),
            "completion_latency_us": _dist_us(completion_latencies_ps),
            "watchdog_violations": [str(v) for v in kernel.violations],
        },
    }
    if extra:
        out["totals"].update(extra)
    return out


def _dist_count(values: Sequence[int]) -> dict[str, float]:
    if not values:
        return {"mean": 0.0, "max": 0}
    return {"mean": round(sum(values) / len(values), 2), "max": max(values)}


COLUMNS = [("run", "strategy", "{}"), ("lost", "lost", "{}"), ("ISRs", "isr_count", "{}"),
           ("DPC runs", "dpc_runs", "{}"), ("ISR/DPC", "isrs_per_dpc_run", "{}"),
           ("ISR us", "isr_cpu_us", "{:.1f}"), ("DPC us", "dpc_cpu_us", "{:.1f}"),
           ("lock hold max us", "max_lock_hold_us", "{:.3f}"), ("lat p50 us", "p50", "{:.2f}"),
           ("lat p99 us", "p99", "{:.2f}"), ("lat max us", "max", "{:.2f}"), ("irq/s", "interrupts_per_s", "{}")]


def table(rows: dict[str, dict[str, Any]]) -> str:
    """One line per strategy from ``collect()`` results (each with totals["lost"] set)."""
    head = [c[0] for c in COLUMNS]
    lines = []
    for name, m in rows.items():
        t = m["totals"]
        vals = {**t, **t["completion_latency_us"], "strategy": name}
        lines.append([fmt.format(vals.get(key)) if vals.get(key) is not None else "-" for _, key, fmt in COLUMNS])
    widths = [max(len(h), *(len(r[i]) for r in lines)) for i, h in enumerate(head)] if lines else [len(h) for h in head]
    out = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    out += ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in lines]
    return "\n".join(out)
