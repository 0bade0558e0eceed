"""Functional coverage of scenario runs: which behaviours a run exercised, as named bins.

Bins come from a run's report.json (what the device counted and the host model saw), so the
coverage of a regression is the union of its runs' bins and merging shards is a sum of counts.
`BINS` declares every bin the regressions are meant to hit; `report()` lists the hit counts and
the bins never hit.
"""

from __future__ import annotations

from typing import Any

BINS: dict[str, str] = {
    "stream.overrun": "the ring overran (hardware overrun flag)",
    "stream.flow_stall": "flow control held the device (CNT_STALL > 0)",
    "stream.clean": "a stream run without loss",
    "msi.merged_while_masked": "the device sent fewer data MSIs than chunks (pending while masked collapses)",
    "msi.collapsed_at_cpu": "a message arrived while the same one was pending at the CPU",
    "msi.fault.drop": "fault injection dropped a message",
    "msi.fault.dup": "fault injection duplicated a message",
    "msi.fault.delay": "fault injection delayed a message",
    "dpc.insert_while_queued": "KeInsertQueueDpc returned FALSE (ISRs coalesced into one DPC run)",
    "dpc.ratio.1": "ISRs per DPC run about 1",
    "dpc.ratio.2-7": "2 to 7 ISRs per DPC run",
    "dpc.ratio.8+": "8 or more ISRs per DPC run",
    "cq.phase_wrap": "a queue wrapped (phase tag inverted) at least once",
    "cq.phase_wrap.many": "a queue wrapped 4 times or more",
    "cq.queue_full": "a completion waited for a full queue (CNT_CQ_STALL > 0)",
    "cq.vector_shared": "queues shared a vector",
    "cq.coalescing.threshold": "an aggregation ended at the threshold (device counter CNT_COAL_THR)",
    "cq.coalescing.time": "an aggregation ended when its time ran out (device counter CNT_COAL_TIME)",
    "cq.coalescing.cd": "Coalescing Disable set on a vector",
    "cq.rate_limit": "a rate limit was set and merged events",
    "cq.loss_caught": "the scoreboard caught lost completions",
    "cq.watchdog": "the stream watchdog fired",
    "host.interference": "other drivers' work ran on the CPUs",
    "host.cpus.1": "one CPU",
    "host.cpus.2-4": "2 to 4 CPUs",
    "host.cpus.5+": "5 or more CPUs",
}
# seen by the pyuvm environment's monitors (tb/uvm/env.py EnvCoverage), carried in the report
ENV_BINS: dict[str, str] = {
    "msi.vector.data": "the data-ready vector fired",
    "msi.vector.error": "the error vector fired",
    "msi.vector.cq": "a completion-queue vector fired",
    "msi.vectors.8+": "8 or more distinct vectors fired in one run",
    "msi.pending_while_masked": "a pending bit read back set (a message held while its vector was masked)",
    "cq.phase_wrap.every_queue": "every queue with traffic wrapped at least once",
    "dma.chunks_checked": "the DMA monitor checked ring chunks against the pattern",
}
BINS.update(ENV_BINS)
STRATEGIES = ("naive", "interlocked_list", "spinlock_bitmap", "interlocked_or", "scan_phase", "per_queue_dpc",
              "napi", "napi_racy", "scan_timer", "hybrid_poll")
BINS.update({f"strategy.{s}": f"strategy {s} ran on the RTL" for s in STRATEGIES})


def _ratio(bins: dict[str, int], isrs: int, dpc_runs: int) -> None:
    if dpc_runs:
        r = isrs / dpc_runs
        bins["dpc.ratio.1" if r < 1.5 else "dpc.ratio.2-7" if r < 7.5 else "dpc.ratio.8+"] = 1


def _cpus(bins: dict[str, int], n: int) -> None:
    bins["host.cpus.1" if n == 1 else "host.cpus.2-4" if n <= 4 else "host.cpus.5+"] = 1


def bins(report: dict[str, Any]) -> dict[str, int]:
    """The bins one run hit (each counted once per run)."""
    obs, plan = report["observed"], report["plan"]
    b: dict[str, int] = {k: 1 for k, n in obs.get("env", {}).get("coverage", {}).items() if n and k in ENV_BINS}
    if "runs" in obs and obs["runs"] and "scoreboard" in obs["runs"][0]:
        for var, r in zip(plan.get("variants", []), obs["runs"]):
            s, hw, t = var["setup"], r["hardware"], r["metrics"]["totals"]
            b[f"strategy.{var['strategy']}"] = 1
            lost_by_q = {int(q): n for q, n in r["scoreboard"]["missing_by_queue"].items()}
            wraps = max((s["per_queue"] - lost_by_q.get(q, 0)) // s["entries"] for q in range(s["queues"]))
            if wraps >= 1:
                b["cq.phase_wrap"] = 1
            if wraps >= 4:
                b["cq.phase_wrap.many"] = 1
            if hw["CNT_CQ_STALL"] > 0:
                b["cq.queue_full"] = 1
            if s.get("vector_of") and len(set(s["vector_of"])) < s["queues"]:
                b["cq.vector_shared"] = 1
            coal = [int(x) for x in s.get("coal", {}).values()]
            # the device counts how each aggregation ended (CNT_COAL_THR / CNT_COAL_TIME)
            if hw.get("CNT_COAL_THR", 0) > 0:
                b["cq.coalescing.threshold"] = 1
            if hw.get("CNT_COAL_TIME", 0) > 0:
                b["cq.coalescing.time"] = 1
            if hw["CNT_COALESCED"] > 0 and any(int(x) for x in s.get("rate", {}).values()):
                b["cq.rate_limit"] = 1
            if any(c >> 16 & 1 for c in coal):
                b["cq.coalescing.cd"] = 1
            if r["scoreboard"]["lost"]:
                b["cq.loss_caught"] = 1
            if r["watchdog"]:
                b["cq.watchdog"] = 1
            if s.get("interference"):
                b["host.interference"] = 1
            if t["dpc_insert_attempts"] > t["dpc_runs"]:
                b["dpc.insert_while_queued"] = 1
            _ratio(b, t["isr_count"], t["dpc_runs"])
            _cpus(b, s["cpus"])
            for f in r.get("msi_faults", []):
                b[f"msi.fault.{f['action']}"] = 1
        return b
    if "hardware" in obs and "scoreboard" in obs:             # a streaming run
        hw, k, v = obs["hardware"], obs["kernel"], plan["values"]
        if hw.get("overrun_flag"):
            b["stream.overrun"] = 1
        if hw.get("CNT_STALL", 0) > 0:
            b["stream.flow_stall"] = 1
        if not obs["scoreboard"]["lost"]:
            b["stream.clean"] = 1
        data_isrs = k.get("data_isr_count", 0)
        if hw.get("CNT_CHUNKS", 0) and hw["CNT_IRQS"] < hw["CNT_CHUNKS"]:
            b["msi.merged_while_masked"] = 1
        if k.get("msi_collapsed_at_cpu"):
            b["msi.collapsed_at_cpu"] = 1
        if k["dpc_insert_attempts"] > k["dpc_inserts"]:
            b["dpc.insert_while_queued"] = 1
        _ratio(b, data_isrs, k["dpc_runs"])
        _cpus(b, v.get("cpus", 4))
        if v.get("interference", "none") != "none":
            b["host.interference"] = 1
        for f in obs.get("msi_faults", []):
            b[f"msi.fault.{f['action']}"] = 1
    return b


def merge(parts: list[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for p in parts:
        for k, n in p.items():
            out[k] = out.get(k, 0) + n
    return out


def report(merged: dict[str, int]) -> str:
    hit = [k for k in BINS if merged.get(k)]
    lines = [f"functional coverage: {len(hit)}/{len(BINS)} bins hit ({100 * len(hit) / len(BINS):.1f} %)"]
    for k, doc in BINS.items():
        lines.append(f"  {merged.get(k, 0):>5}  {k:<28} {doc}")
    missed = [k for k in BINS if not merged.get(k)]
    if missed:
        lines.append("  not hit: " + ", ".join(missed))
    return "\n".join(lines)
