"""What a streaming run's parameters mean to the host model: the CPU costs, other drivers'
interference sources and the payload key. Shared by the scenario specifications (tb/scenarios/,
which predict and validate with them) and the run engine (tb/sim/e2e.py, which builds the host model
from them), so that neither imports the other."""

from __future__ import annotations

import math
from typing import Any

from irqloop.hostmodel.kernel import CpuCosts
from irqloop.hostmodel.seeds import stream


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


def stream_costs(v: dict[str, Any]) -> CpuCosts:
    """The host's CPU costs for a streaming run with parameters ``v``."""
    return CpuCosts(mmio_read_extra_ps=round(v.get("mmio_read_us", 0.0) * 1e6),
                    copy_ps_per_kib=round(v.get("copy_ns_per_kib", CpuCosts().copy_ps_per_kib / 1000) * 1000))


def pattern_key_for(seed: int) -> int:
    """The key of the run's chunk payloads (hostmodel/pattern.py)."""
    return stream(seed, "payload_key").getrandbits(32)
