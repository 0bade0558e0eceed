"""Functional coverage of scenario runs on cocotb-coverage: coverpoints and crosses.

Sampling happens in the regression process, not inside cocotb: each run's report.json is
reduced to plain observations (`observe`), which results.json keeps, and a fresh coverage
model (`CoverageModel`) samples them with cocotb-coverage's CoverPoint/CoverCross decorators.
The model is written as cocotb-coverage's XML (`coverage_db.export_to_xml`); shards are
combined with its `merge_coverage`, and the printed report (`report`) is read back from that
XML, so a regression and a merge of its shards print from the same kind of file.

The model:
- `events.<area>`: one coverpoint per area (stream, msi, dpc, cq, host, dma, strategy) whose
  bins are the named behaviours of `BINS` (a run hits a bin at most once);
- per completion-queue variant: strategy, shared vector, MSI fault, aggregation trigger,
  Coalescing Disable, and the crosses strategy x shared vector x MSI fault and aggregation
  trigger x Coalescing Disable;
- per streaming run: ring mode x overrun.
"""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from irqloop.hostmodel.strategies import DRIVERS
from irqloop.tb.models.msi_faults import ACTIONS as MSI_FAULT_ACTIONS

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
# every driver the host model has, including the ones only a scenario configures (hybrid_poll)
# and the deliberately broken ones (scan_unlocked, napi_racy): the list is the host model's
STRATEGIES = tuple(DRIVERS)
BINS.update({f"strategy.{s}": f"strategy {s} ran on the RTL" for s in STRATEGIES})


def _ratio(bins: dict[str, int], isrs: int, dpc_runs: int) -> None:
    if dpc_runs:
        r = isrs / dpc_runs
        bins["dpc.ratio.1" if r < 1.5 else "dpc.ratio.2-7" if r < 7.5 else "dpc.ratio.8+"] = 1


def _cpus(bins: dict[str, int], n: int) -> None:
    bins["host.cpus.1" if n == 1 else "host.cpus.2-4" if n <= 4 else "host.cpus.5+"] = 1


def _shares_vector(setup: dict[str, Any]) -> bool:
    return bool(setup.get("vector_of")) and len(set(setup["vector_of"])) < setup["queues"]


def _coalescing_disable(setup: dict[str, Any]) -> bool:
    # the CQ_COAL register value per vector: bit 16 is Coalescing Disable
    return any(int(c) >> 16 & 1 for c in setup.get("coal", {}).values())


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
            if _shares_vector(s):
                b["cq.vector_shared"] = 1
            # the device counts how each aggregation ended (CNT_COAL_THR / CNT_COAL_TIME)
            if hw.get("CNT_COAL_THR", 0) > 0:
                b["cq.coalescing.threshold"] = 1
            if hw.get("CNT_COAL_TIME", 0) > 0:
                b["cq.coalescing.time"] = 1
            if hw["CNT_COALESCED"] > 0 and any(int(x) for x in s.get("rate", {}).values()):
                b["cq.rate_limit"] = 1
            if _coalescing_disable(s):
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


# ---- observations: what the coverpoints of one run sample, as plain JSON (kept in results.json)

def observe(report: dict[str, Any]) -> dict[str, Any]:
    """One run's coverage observations: the event bins it hit, and one sample per
    completion-queue variant and per streaming run. Each field holds the list of bins it hit
    (an MSI fault point hears every kind of fault the variant met, none when there was none)."""
    obs, plan = report["observed"], report["plan"]
    cq: list[dict[str, list[str]]] = []
    stream: list[dict[str, list[str]]] = []
    if "runs" in obs and obs["runs"] and "scoreboard" in obs["runs"][0]:
        for var, r in zip(plan.get("variants", []), obs["runs"]):
            s, hw = var["setup"], r["hardware"]
            faults = sorted({f["action"] for f in r.get("msi_faults", [])})
            ended = [name for name, counter in (("threshold", "CNT_COAL_THR"), ("time", "CNT_COAL_TIME"))
                     if hw.get(counter, 0) > 0]
            cq.append({"strategy": [var["strategy"]],
                       "shared_vector": ["shared" if _shares_vector(s) else "own"],
                       "msi_fault": faults or ["none"],
                       "aggregation": ended or ["none"],
                       "coalescing_disable": ["set" if _coalescing_disable(s) else "clear"]})
    elif "hardware" in obs and "scoreboard" in obs:
        hw, v = obs["hardware"], plan["values"]
        # the producer caught up with an unfreed slot: it overwrote it (free-running) or was
        # held by flow control; the same pressure on the ring, seen through each mode
        caught_up = bool(hw.get("overrun_flag")) or hw.get("CNT_STALL", 0) > 0
        stream.append({"ring_mode": [v.get("mode", "free")], "overrun": ["overrun" if caught_up else "none"]})
    return {"events": sorted(bins(report)), "cq": cq, "stream": stream}


# ---- the coverage model

ROOT_NAME = "irqloop"


@dataclass(frozen=True)
class Point:
    name: str                   #: under irqloop.; the part after the last dot is the observation field
    bins: tuple[str, ...]
    doc: str


@dataclass(frozen=True)
class Cross:
    name: str
    items: tuple[str, ...]      #: Point names
    doc: str


def _areas() -> dict[str, tuple[str, ...]]:
    areas: dict[str, list[str]] = {}
    for name in BINS:
        areas.setdefault(name.split(".")[0], []).append(name)
    return {a: tuple(names) for a, names in areas.items()}


EVENT_POINTS = tuple(Point(f"events.{area}", names, f"named {area} behaviours a run showed (irqloop/fcov.py BINS)")
                     for area, names in _areas().items())
CQ_POINTS = (
    Point("cq.strategy", STRATEGIES, "the driver's ISR-to-DPC strategy"),
    Point("cq.shared_vector", ("shared", "own"), "queues shared an MSI-X vector, or each had its own"),
    Point("cq.msi_fault", ("none",) + MSI_FAULT_ACTIONS, "MSI faults injected on the way to the host"),
    Point("cq.aggregation", ("threshold", "time", "none"),
          "how interrupt aggregations ended (device counters CNT_COAL_THR / CNT_COAL_TIME); none: no aggregation ended"),
    Point("cq.coalescing_disable", ("set", "clear"), "Coalescing Disable on some vector"),
)
STREAM_POINTS = (
    Point("stream.ring_mode", ("free", "flow"), "ring mode: free-running (overwrites, drops) or flow-controlled"),
    Point("stream.overrun", ("overrun", "none"),
          "the producer reached an unfreed slot (overwrote it, or stalled in flow mode)"),
)
CQ_CROSSES = (
    Cross("cq.strategy_x_shared_vector_x_msi_fault", ("cq.strategy", "cq.shared_vector", "cq.msi_fault"),
          "each strategy with and without shared vectors, under each MSI fault"),
    Cross("cq.aggregation_x_coalescing_disable", ("cq.aggregation", "cq.coalescing_disable"),
          "each aggregation ending with Coalescing Disable set and clear"),
)
STREAM_CROSSES = (
    Cross("stream.ring_mode_x_overrun", ("stream.ring_mode", "stream.overrun"),
          "each ring mode with the ring caught up and not"),
)
POINTS = EVENT_POINTS + CQ_POINTS + STREAM_POINTS
CROSSES = CQ_CROSSES + STREAM_CROSSES


def _full(name: str) -> str:
    return f"{ROOT_NAME}.{name}"


class CoverageModel:
    """A fresh cocotb-coverage model: cocotb-coverage keeps one process-wide database
    (`coverage_db`), so making a model empties it; one model at a time per process."""

    def __init__(self) -> None:
        from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_db, coverage_section

        self.db = coverage_db
        self.db.clear()

        def sampler(points: tuple[Point, ...], crosses: tuple[Cross, ...],
                    field_of: Callable[[Point], Callable[[Any], Any]]) -> Callable[[Any], None]:
            # points before crosses: a cross combines the bins its points hit in the same sample
            items = [CoverPoint(_full(p.name), xf=field_of(p), rel=lambda hit, b: b in hit, bins=list(p.bins),
                                inj=False) for p in points]
            items += [CoverCross(_full(c.name), items=[_full(i) for i in c.items]) for c in crosses]

            @coverage_section(*items)
            def sample(observation: Any) -> None:
                pass
            return sample

        def whole(p: Point) -> Callable[[Any], Any]:
            return lambda hit: hit

        def field(p: Point) -> Callable[[Any], Any]:
            key = p.name.rsplit(".", 1)[1]
            return lambda observation: observation[key]

        self._events = sampler(EVENT_POINTS, (), whole)
        self._cq = sampler(CQ_POINTS, CQ_CROSSES, field)
        self._stream = sampler(STREAM_POINTS, STREAM_CROSSES, field)

    def sample(self, observations: dict[str, Any]) -> None:
        """Sample one run's observations (`observe`)."""
        self._events(set(observations.get("events", [])))
        for variant in observations.get("cq", []):
            self._cq(variant)
        for run in observations.get("stream", []):
            self._stream(run)

    def export_xml(self, path: Path) -> None:
        self.db.export_to_xml(filename=str(path))


def write_xml(observations: list[dict[str, Any]], path: Path) -> None:
    """The coverage of these runs as cocotb-coverage XML."""
    model = CoverageModel()
    for o in observations:
        model.sample(o)
    model.export_xml(path)


def merge_xml(files: list[Path], path: Path) -> None:
    """cocotb-coverage's merge of coverage XML files (hits add up per bin)."""
    from cocotb_coverage.coverage import merge_coverage

    merge_coverage(lambda message: None, str(path), *[str(f) for f in files])


def read_xml(path: Path) -> dict[str, dict[str, int]]:
    """Hits per bin of every coverpoint and cross of the model in a cocotb-coverage XML file:
    {item name: {bin: hits}} (cross bins as 'a, b, c')."""
    by_abs_name = {e.get("abs_name", ""): e for e in ET.parse(path).getroot().iter()}
    out: dict[str, dict[str, int]] = {}
    for item in (*POINTS, *CROSSES):
        elem = by_abs_name.get(f"top.{_full(item.name)}")
        if elem is None:
            raise ValueError(f"{path}: no {item.name} in this coverage file (made by another version of irqloop/fcov.py?)")
        hits: dict[str, int] = {}
        for b in elem:
            key = b.get("bin", "")
            if isinstance(item, Cross):        # cocotb-coverage writes a cross bin as str(tuple)
                key = ", ".join(ast.literal_eval(key))
            hits[key] = int(b.get("hits", "0"))
        out[item.name] = hits
    return out


def report(path: Path) -> str:
    """covered/total per coverpoint and per cross, read from a cocotb-coverage XML file."""
    hits = read_xml(path)
    total = sum(len(h) for h in hits.values())
    covered = sum(1 for h in hits.values() for n in h.values() if n)
    lines = [f"functional coverage: {covered}/{total} bins hit ({100 * covered / max(1, total):.1f} %) in "
             f"{len(POINTS)} coverpoints and {len(CROSSES)} crosses (cocotb-coverage XML: {path.name})",
             "coverpoints (covered/total):"]
    for p in POINTS:
        h = hits[p.name]
        lines.append(f"  {p.name:<40} {sum(1 for n in h.values() if n):>3}/{len(h):<3} {p.doc}")
        for b, n in h.items():
            lines.append(f"      {n:>5}  {b:<28} {BINS.get(b, '')}".rstrip())
    lines.append("crosses (covered/total):")
    for c in CROSSES:
        h = hits[c.name]
        hit = {b: n for b, n in h.items() if n}
        lines.append(f"  {c.name:<40} {len(hit):>3}/{len(h):<3} {c.doc}")
        for b, n in hit.items():
            lines.append(f"      {n:>5}  {b}")
        missed = [b for b, n in h.items() if not n]
        if missed:
            lines.append(f"      not hit: {len(missed)}" + (f": {'; '.join(missed)}" if len(missed) <= 12 else ""))
    missed_events = [b for p in EVENT_POINTS for b, n in hits[p.name].items() if not n]
    if missed_events:
        lines.append("events not hit: " + ", ".join(missed_events))
    return "\n".join(lines)
