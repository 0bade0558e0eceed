"""The plans a scenario prepares and a simulation runs: one dataclass per kind of run.

The runner side builds a plan from a scenario's parameters (``Scenario.prepare``), saves it in the
run directory (run.json, tb/run_request.py) and judges the run against it; the simulator side
loads it and picks the pyuvm sequence that runs it by the plan's type (tb/uvm/sequences.py).
``to_json`` gives the plan as it appears in run.json and report.json; ``from_json`` is the one
place that turns that JSON back into these types (JSON has no tuples, and its keys are strings).
Nothing here imports cocotb.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any, ClassVar, Optional, TypeVar

P = TypeVar("P", bound="Plan")

PLAN_TYPES: dict[str, type[Plan]] = {}      #: class name -> plan class (run.json names the type)


def _listed(cls: type[P]) -> type[P]:
    PLAN_TYPES[cls.__name__] = cls
    return cls


@dataclass(frozen=True)
class Plan:
    """What every plan has: the validated parameter values (``make params`` names them) and the
    declared outcome, in words."""
    values: dict[str, Any]
    expected: str

    #: fields left out of the JSON while they are None (added by some scenarios only)
    optional: ClassVar[tuple[str, ...]] = ()

    def to_json(self) -> dict[str, Any]:
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)
                if not (f.name in self.optional and getattr(self, f.name) is None)}

    @classmethod
    def from_json(cls: type[P], data: dict[str, Any]) -> P:
        return cls(**data)


def _plain(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return asdict(value)
    if isinstance(value, list):
        return [_plain(x) for x in value]
    return value


# ---- the streaming device: ring, chunks, one late DPC ----
@dataclass(frozen=True)
class Prediction:
    """What the parameters say a streaming run must show (tb/scenarios/overrun.py predict())."""
    outcome: str                 #: "loss" or "clean"
    headroom_ps: int             #: slots x chunk period
    late_latency_ps: int         #: latency of the late DPC (ordinary + spike)
    margin_ps: int               #: time the chunk write and ISR path take off the headroom (bound)
    first_lost_seq: Optional[int]
    first_lost_slot: Optional[int]
    overwriting_seq: Optional[int]
    overwrite_cycle: Optional[int]   #: device cycle (since enable) at which the overwrite starts
    stall_expected: bool
    reason: str
    #: the ordinary DPC starts and copies its chunk within one period, so each DPC takes one chunk
    #: and the late one's backlog starts at spike_at_chunk (otherwise DPCs take batches)
    dpc_keeps_pace: bool = True


@_listed
@dataclass(frozen=True)
class StreamPlan(Plan):
    """One streaming run (overrun and its relatives)."""
    prediction: Prediction
    drawn_by: Optional[dict[str, Any]] = None             #: random_stream: the parameters it drew from
    optional: ClassVar[tuple[str, ...]] = ("drawn_by",)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StreamPlan:
        return cls(**(data | {"prediction": Prediction(**data["prediction"])}))


@dataclass(frozen=True)
class StreamVariant:
    name: str                    #: the streaming driver's ISR variant (hostmodel/driver.py)
    expected: str
    role: str


@_listed
@dataclass(frozen=True)
class StreamVariantsPlan(Plan):
    """Several streaming runs of one configuration, one per driver variant (error_vector)."""
    variants: list[StreamVariant]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StreamVariantsPlan:
        return cls(**(data | {"variants": [StreamVariant(**v) for v in data["variants"]]}))


@_listed
@dataclass(frozen=True)
class LatencySweepPlan(Plan):
    """Streaming runs with one late DPC each, its lateness searched (latency_sweep)."""
    headroom_ps: int             #: slots x chunk period
    margin_ps: int               #: what the chunk write and the ISR path take off it (bound)


# ---- the completion queues ----
@dataclass(frozen=True)
class Variant:
    """One driver strategy on the run's traffic, with the outcome it must have."""
    name: str
    strategy: str
    expected: str                          #: "loss", "stall", "clean" or "any"
    setup: dict[str, Any] = field(default_factory=dict)   #: the fields of tb/sim/e2e_cq.py CqSetup it sets
    role: str = ""                         #: what it shows ("buggy", "correct", ...)
    #: driver attributes set after construction (read at run time: a poll budget, polled queues);
    #: a sequence of queues is a tuple
    options: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Variant:
        options = {k: tuple(v) if isinstance(v, list) else v for k, v in data.get("options", {}).items()}
        return cls(**(data | {"options": options}))


@_listed
@dataclass(frozen=True)
class CqPlan(Plan):
    """Completion-queue runs, one per variant, on the same traffic and seed (the device is reset
    in between)."""
    variants: list[Variant]

    @classmethod
    def from_json(cls: type[P], data: dict[str, Any]) -> P:
        return cls(**(data | {"variants": [Variant.from_json(v) for v in data["variants"]]}))


@_listed
@dataclass(frozen=True)
class PollingPlan(CqPlan):
    """Completion-queue runs whose observations also give each load phase's figures (polling)."""


# ---- the register bus ----
@_listed
@dataclass(frozen=True)
class RegistersPlan(Plan):
    """Register-model accesses through the UVM CSR agent (registers)."""
