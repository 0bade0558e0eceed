"""The minidma overrun scenario's variants: the same stream and the same late DPC, with a ring
too small for the late DPC (lossy) and one large enough (clean)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from minidma_driver import RingConfig


@dataclass(frozen=True)
class Variant:
    ring: RingConfig
    dpc_latency_us: float = 1.0
    spike_at_us: float = 60.0       #: the first DPC queued after this (from the stream's start) is late
    spike_us: float = 20.0          #: by this much: 10 chunk periods of 2 us
    #: what the run must show: "loss", "clean", "any" (the oracle decides) or "stranded" (the
    #: driver stops hearing from the card: the stream never finishes)
    expect: str = "clean"
    jitter_us: float = 0.0
    interference: str = "none"
    msi_faults: str = "none"
    #: measured DPC start latencies replayed in order (a file in this folder; HostSettings.latency_file)
    latency_file: Optional[str] = None


VARIANTS = {
    "lossy": Variant(RingConfig(slots=4), expect="loss"),
    "clean": Variant(RingConfig(slots=16), expect="clean"),
    # no spike: a jittery DPC, other drivers' DPCs on CPU 0 and one dropped message; which chunks
    # are lost depends on the seed, and the oracle must name them whatever they are
    "stress": Variant(RingConfig(slots=3), spike_us=0.0, jitter_us=5.0, expect="any",
                      interference="dpc:20000:4:cpu=0:pareto=1.5", msi_faults="delay=3us:every=7"),
    # the 20th message lost: the card waits for a clear that never comes (its interrupt scheme's
    # weakness); the same with the driver polling IRQ_STATUS every 10 us recovers without loss
    "dropped": Variant(RingConfig(slots=16), spike_us=0.0, expect="stranded", msi_faults="drop:nth=20"),
    "dropped_polled": Variant(RingConfig(slots=16, poll_us=10.0), spike_us=0.0, expect="clean",
                              msi_faults="drop:nth=20"),
    # your measured latencies instead of a planned spike: the 31st DPC run waits 25 us
    "replayed": Variant(RingConfig(slots=4), spike_us=0.0, expect="loss", latency_file="latencies.txt"),
}
