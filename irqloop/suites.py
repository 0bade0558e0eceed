"""Regression suites: lists of scenario entries x seeds (`make regress SUITE=...`).

smoke runs inside `make test` (a few minutes on 2 cores); nightly is its own target and is not
run by CI. Each entry is a scenario with fixed parameters; a run is (entry, seed), seeds
1..`seeds` (SEEDS= overrides it for every entry).

Each run has a time limit (`timeout_s`; TIMEOUT= overrides it for every entry): a run still going
then is killed and counted as a TIMEOUT failure, and the regression goes on. Measured on 2 busy
cores (one job): smoke runs take 2-5 s each; the slowest nightly entry, multiqueue, 26 s (then
hw_coalescing, 7 s). The limits leave 20x room for a loaded machine and coverage builds while a
hung run costs little: 600 s by default, 120 s for the smoke suite, which runs inside `make test`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

DEFAULT_TIMEOUT_S = 600.0
SMOKE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class RegressEntry:
    name: str
    test: str
    params: tuple[str, ...] = ()
    seeds: int = 1
    uvm_test: str = "ScenarioTest"      #: tb/uvm/tests.py: factory overrides of strategy and MSI faults
    timeout_s: float = DEFAULT_TIMEOUT_S  #: wall-clock limit of one run (seconds)


SUITES: dict[str, list[RegressEntry]] = {
    "smoke": [replace(e, timeout_s=SMOKE_TIMEOUT_S) for e in [
        RegressEntry("random_cq_small", "random_cq", ("max_queues=8", "max_per_queue=16"), seeds=2),
        RegressEntry("random_cq_lost_vector", "random_cq", ("max_queues=8", "max_per_queue=16"),
                     uvm_test="LostVectorTest"),
        RegressEntry("random_stream", "random_stream", ("max_chunks=40",)),
        RegressEntry("overrun", "overrun"),
        RegressEntry("registers", "registers"),
        RegressEntry("coalescing_small", "coalescing", ("per_queue=16",)),
    ]],
    "nightly": [
        RegressEntry("random_cq", "random_cq", seeds=40),
        RegressEntry("random_cq_lost_vector", "random_cq", uvm_test="LostVectorTest", seeds=10),
        RegressEntry("random_cq_lost_vector_scan_timer", "random_cq", uvm_test="LostVectorScanTimerTest", seeds=10),
        RegressEntry("random_cq_drop_scan_timer", "random_cq", uvm_test="DropMessagesScanTimerTest", seeds=10),
        RegressEntry("random_stream", "random_stream", seeds=40),
        RegressEntry("overrun", "overrun", seeds=5),
        RegressEntry("registers", "registers", seeds=3),
        # foreign DPCs at 20000/s of >= 60 us keep CPU 0 over-full: a loss on every seed (at 20 us
        # the Pareto tail decides, and seed 2 has none)
        RegressEntry("overrun_interference", "overrun",
                     ("spike_us=0", "interference=dpc:20000:60:pareto=1.3", "expect=loss"), seeds=3),
        RegressEntry("overrun_faults", "overrun", ("spike_us=0", "msi_faults=drop:p=0.1;dup:p=0.05;delay=3us:p=0.05"),
                     seeds=5),
        RegressEntry("overrun_flowcontrol", "overrun_flowcontrol", seeds=3),
        RegressEntry("multiqueue", "multiqueue", seeds=3),
        RegressEntry("coalescing", "coalescing", seeds=3),
        RegressEntry("msi_merge", "msi_merge", seeds=3),
        RegressEntry("rearm_race", "rearm_race", seeds=3),
        RegressEntry("polling", "polling", seeds=2),
        RegressEntry("error_vector", "error_vector", seeds=2),
        RegressEntry("hw_coalescing", "hw_coalescing", seeds=2),
        RegressEntry("latency_sweep", "latency_sweep", seeds=1),
    ],
}
