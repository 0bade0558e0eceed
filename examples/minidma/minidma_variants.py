"""The minidma overrun scenario's variants: the same stream and the same late DPC, with a ring
too small for the late DPC (lossy) and one large enough (clean)."""

from __future__ import annotations

from dataclasses import dataclass

from minidma_driver import RingConfig


@dataclass(frozen=True)
class Variant:
    ring: RingConfig
    dpc_latency_us: float = 1.0
    spike_at_us: float = 60.0       #: the first DPC queued after this (from the stream's start) is late
    spike_us: float = 20.0          #: by this much: 10 chunk periods of 2 us
    expect: str = "clean"           #: what the oracle must find: "loss" or "clean"
    interference: str = "none"
    msi_faults: str = "none"


VARIANTS = {
    "lossy": Variant(RingConfig(slots=4), expect="loss"),
    "clean": Variant(RingConfig(slots=16), expect="clean"),
}
