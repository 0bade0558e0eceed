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

from irqloop.tb.board import CQ_AREA, HOSTMEM_BYTES, US

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
    if hasattr(value, "__dataclass_fields__"):       # a part of a plan: its optional fields only when set
        return {k: v for k, v in asdict(value).items() if not (k in getattr(value, "optional", ()) and v is None)}
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
    #: latency_file= / interference_file=: the files (absolute, with their SHA-256) and what was
    #: made of them (tb/streaming.py replay_of); the simulator reads them again
    replay: Optional[dict[str, Any]] = None
    #: driver=c: the C driver as built (irqloop/cdriver.py): its source (absolute, with its SHA-256)
    #: and the shared library the simulator loads
    c_driver: Optional[dict[str, str]] = None
    optional: ClassVar[tuple[str, ...]] = ("drawn_by", "replay", "c_driver")

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
NUM_CQ = 32                          #: the completion-queue scenarios' device build (runner.build(num_cq=32))


@dataclass
class CqSetup:
    """Everything one completion-queue run needs (tb/sim/e2e_cq.py run_cq); a Variant names the
    fields it sets."""
    queues: int                          #: active queues 0..queues-1
    entries: int                         #: entries per queue
    per_queue: int                       #: completions per queue (TG_LIMIT)
    period_cycles: list[int]             #: per queue: a burst every N cycles
    burst: list[int]                     #: per queue: completions per burst
    vector_of: Optional[list[int]] = None    #: per queue: its vector (default VEC_CQ0 + q)
    coal: dict[str, int] = field(default_factory=dict)   #: vector -> IVR_COAL value
    rate: dict[str, int] = field(default_factory=dict)   #: vector -> IVR_RATE value
    err_every: int = 0
    cpus: int = 4
    dpc_latency_ps: int = 2 * US
    jitter_ps: int = 0
    spikes: list[tuple[int, int]] = field(default_factory=list)   #: (time after start, extra ps)
    interference: list[dict[str, Any]] = field(default_factory=list)   #: InterferenceSource fields
    msi_faults: str = "none"
    watchdog_ps: int = 500 * US          #: no completion consumed for this long while some are due: stalled
    late_ps: int = 200 * US              #: a completion consumed later than this after it was due is late
    #: load phases: (burst number, completions per burst from that burst on), for every queue;
    #: needs one period for all queues (TG_BURST is rewritten half a period before that burst)
    burst_phases: list[tuple[int, int]] = field(default_factory=list)
    entry_read_ps: int = 100_000
    per_completion_ps: int = 200_000
    #: the host profile's figures (hostmodel.profiles.HostProfile.to_json); None: the fixed costs
    profile: Optional[dict[str, Any]] = None
    dpc_cpu: Optional[int] = None        #: the CPU the driver's DPCs are targeted to; None: the ISR's
    irq_cpu: Optional[int] = None        #: the CPU every message is delivered to; None: queue q's to CPU q mod cpus


def cq_setup_problem(setup: CqSetup) -> Optional[str]:
    """A one-line problem with the setup, or None."""
    if not 1 <= setup.queues <= NUM_CQ:
        return f"queues={setup.queues} is not in 1..{NUM_CQ}"
    if not 2 <= setup.entries <= 65535:
        return f"entries={setup.entries} is not in 2..65535"
    if CQ_AREA + setup.queues * setup.entries * 16 > HOSTMEM_BYTES:
        return f"queues x entries x 16 bytes = {setup.queues * setup.entries * 16} does not fit the {(HOSTMEM_BYTES - CQ_AREA) >> 20} MiB queue area"
    if any(p < 1 for p in setup.period_cycles) or any(not 1 <= b <= 65535 for b in setup.burst):
        return "every queue needs a period >= 1 cycle and a burst of 1..65535"
    if setup.burst_phases and len(set(setup.period_cycles)) != 1:
        return "load phases need one period for every queue"
    return None


@dataclass(frozen=True)
class Variant:
    """One driver strategy on the run's traffic, with the outcome it must have."""
    name: str
    strategy: str
    expected: str                          #: "loss", "stall", "clean" or "any"
    setup: dict[str, Any] = field(default_factory=dict)   #: the fields of CqSetup it sets
    role: str = ""                         #: what it shows ("buggy", "correct", ...)
    #: driver attributes set after construction (read at run time: a poll budget, polled queues);
    #: a sequence of queues is a tuple
    options: dict[str, Any] = field(default_factory=dict)
    #: strategy "c": the C driver as built (tb/scenarios/c_driver.py): source, SHA-256, library
    c_driver: Optional[dict[str, str]] = None
    optional: ClassVar[tuple[str, ...]] = ("c_driver",)     #: left out of the JSON while None

    def cq_setup(self) -> CqSetup:
        return CqSetup(**self.setup)

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
