"""What a streaming run's parameters mean to the host model: the CPU costs, other drivers'
interference sources (given as rules or as a trace), replayed DPC latencies and the payload key. Shared by the scenario specifications (tb/scenarios/,
which predict and validate with them) and the run engine (tb/sim/e2e.py, which builds the host model
from them), so that neither imports the other."""

from __future__ import annotations

import hashlib
import math
from pathlib import Path
from typing import Any, Optional

from irqloop.hostmodel.interference import InterferenceSource
from irqloop.hostmodel.kernel import CpuCosts
from irqloop.hostmodel.latency import Pareto
from irqloop.hostmodel.seeds import stream
from irqloop.hostmodel.traces import FORMATS, interference_sources, load_trace

TRACE_FORMATS = FORMATS       #: latency_format= (auto detects and says what it found)


def parse_interference(text: str, cpus: int = 64) -> list[dict[str, Any]]:
    """``kind:rate_per_s:service_us[:cpu=N][:pareto=ALPHA]`` sources separated by ';' as
    InterferenceSource fields (JSON-ready); ValueError with a one-line message on bad input."""
    if text.strip() in ("", "none"):
        return []
    out = []
    for i, rule in enumerate(r for r in text.split(";") if r.strip()):
        parts = [p.strip() for p in rule.split(":")]
        form = "kind:rate_per_s:service_us[:cpu=N][:pareto=ALPHA]"
        if len(parts) < 3 or parts[0] not in ("dpc", "isr"):
            raise ValueError(f"interference rule {rule!r}: expected {form} with kind dpc or isr")
        try:
            rate, service_us = float(parts[1]), float(parts[2])
            opts = dict(p.split("=", 1) for p in parts[3:])
            cpu, alpha = int(opts.pop("cpu", 0)), float(opts.pop("pareto", 0))
            # float() takes 'inf' and 'nan' (and 1e308 us overflows in picoseconds): not a rate or a time
            if not all(math.isfinite(x) for x in (rate, service_us * 1e6, alpha)):
                raise ValueError
        except ValueError:
            raise ValueError(f"interference rule {rule!r}: expected {form} with finite numbers") from None
        if opts:
            raise ValueError(f"interference rule {rule!r}: unknown option {', '.join(opts)}; options: cpu, pareto")
        if rate <= 0 or service_us <= 0 or alpha < 0 or not 0 <= cpu < cpus:
            raise ValueError(f"interference rule {rule!r}: rate and service must be > 0, pareto >= 0, "
                             f"cpu in 0..{cpus - 1}")
        out.append({"name": f"foreign-{parts[0]}{i}", "cpu": cpu, "kind": parts[0], "rate_per_s": rate,
                    "service_ps": round(service_us * 1e6), "pareto": alpha})
    return out


def interference_rule_sources(text: str, cpus: int) -> list[InterferenceSource]:
    """The host model's sources of other drivers' DPCs and ISRs for an ``interference=`` text
    (:func:`parse_interference`; ValueError in one line on bad input)."""
    return [InterferenceSource(name=x["name"], cpu=x["cpu"], kind=x["kind"], rate_per_s=x["rate_per_s"],
                               service=Pareto(x["service_ps"], x["pareto"]) if x["pareto"] else x["service_ps"])
            for x in parse_interference(text, cpus)]


def stream_costs(v: dict[str, Any]) -> CpuCosts:
    """The host's CPU costs for a streaming run with parameters ``v``."""
    return CpuCosts(mmio_read_extra_ps=round(v.get("mmio_read_us", 0.0) * 1e6),
                    copy_ps_per_kib=round(v.get("copy_ns_per_kib", CpuCosts().copy_ps_per_kib / 1000) * 1000))


def pattern_key_for(seed: int) -> int:
    """The key of the run's chunk payloads (tb/models/pattern.py)."""
    return stream(seed, "payload_key").getrandbits(32)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def replay_of(v: dict[str, Any], cwd: Optional[Path] = None) -> Optional[dict[str, Any]]:
    """``latency_file=`` and ``interference_file=`` as a run replays them, or None: the files
    (absolute, with their SHA-256), what the trace tools gave and what was derived, the own DPC's
    start latencies (ps) and how the interference sources were made. ValueError (one line, naming
    file and line) for a file that cannot be used."""
    latency_file, interference_file = v.get("latency_file", "none"), v.get("interference_file", "none")
    if latency_file == "none" and interference_file == "none":
        return None
    base = cwd or Path.cwd()
    for name, value in (("latency_file", latency_file), ("interference_file", interference_file)):
        if not str(value).strip():
            raise ValueError(f"{name}= is empty; give a file, or none")
    out: dict[str, Any] = {}
    if latency_file != "none":
        path = (base / latency_file).resolve()
        module = None if v.get("latency_module", "none") == "none" else v["latency_module"]
        trace = load_trace(path, v.get("latency_format", "auto"), module)
        if not trace.dpc_start_latency_ps:
            hint = ("; name the driver's module with latency_module=" if trace.format == "wpa" and module is None
                    else f"; a {trace.format} file gives run times only: use it as interference_file=")
            raise ValueError(f"{latency_file}: the trace gives no start latencies of the driver's own DPC{hint}")
        out |= {"latency_file": str(path), "latency_sha256": _sha256(path), "latency_format": trace.format,
                "latency_module": module or "none", "latency_trace": trace.describe(),
                "dpc_latency_ps": list(trace.dpc_start_latency_ps)}
    if interference_file != "none":
        path = (base / interference_file).resolve()
        trace = load_trace(path, "auto")
        _, how = interference_sources(trace, v.get("cpus", 4))
        if not how:
            raise ValueError(f"{interference_file}: the trace has no runs of other drivers' DPCs or ISRs")
        out |= {"interference_file": str(path), "interference_sha256": _sha256(path),
                "interference_trace": trace.describe(), "interference_sources": how}
    return out


def replayed_files(replay: dict[str, Any], cpus: int) -> tuple[list[int], list[InterferenceSource]]:
    """The simulator side's reading of a plan's replay: the own DPC's latencies (ps) and the
    interference sources, from the files the runner prepared (ValueError if one has changed)."""
    latencies: list[int] = []
    sources: list[InterferenceSource] = []
    for key in ("latency", "interference"):
        if f"{key}_file" in replay:
            path = Path(replay[f"{key}_file"])
            if _sha256(path) != replay[f"{key}_sha256"]:
                raise ValueError(f"{path} changed after the run was prepared")
    if "latency_file" in replay:
        again = replay_of({"latency_file": replay["latency_file"], "latency_format": replay["latency_format"],
                           "latency_module": replay["latency_module"]})
        latencies = again["dpc_latency_ps"] if again else []
    if "interference_file" in replay:
        sources, _ = interference_sources(load_trace(Path(replay["interference_file"]), "auto"), cpus)
    return latencies, sources
