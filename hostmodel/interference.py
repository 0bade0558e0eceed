"""Other drivers' work on the same CPUs, so that DPC latency emerges from queueing.

Each :class:`InterferenceSource` is one foreign driver: its DPC (queued on its CPU with its
importance) or its ISR (an interrupt object with that CPU as affinity) arrives either at given
times or at random (Poisson, seeded) and runs for a service time (a fixed number or a
:mod:`hostmodel.latency` distribution). A DPC queued behind a foreign DPC waits for it; an ISR
preempts whatever DPC runs on its CPU. Nothing here is injected into our DPC's latency directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from irqloop.hostmodel.kernel import KDPC_IMPORTANCE, KINTERRUPT, KDPC, Kernel
from irqloop.hostmodel.latency import Distribution
from irqloop.hostmodel.seeds import stream

#: message ids of foreign interrupts start here (the device's own are small numbers)
FOREIGN_MESSAGE_BASE = 0x1_0000


@dataclass(frozen=True)
class InterferenceSource:
    name: str
    cpu: int
    kind: str = "dpc"                                   #: "dpc" or "isr"
    service: Union[int, Distribution] = 50_000_000      #: run time, ps (or a distribution)
    rate_per_s: float = 0.0                             #: Poisson arrivals per second (0: none)
    arrivals_ps: tuple[int, ...] = ()                   #: explicit arrival times
    importance: KDPC_IMPORTANCE = KDPC_IMPORTANCE.MediumImportance

    def __post_init__(self) -> None:
        if self.kind not in ("dpc", "isr"):
            raise ValueError(f"interference {self.name!r}: kind {self.kind!r} is not 'dpc' or 'isr'")
        if self.rate_per_s < 0:
            raise ValueError(f"interference {self.name!r}: rate_per_s must be >= 0")
        if isinstance(self.service, int) and self.service < 0:
            raise ValueError(f"interference {self.name!r}: service time must be >= 0")


@dataclass
class InterferenceStats:
    arrivals: dict[str, int] = field(default_factory=dict)
    busy_ps: dict[str, int] = field(default_factory=dict)


def start_interference(kernel: Kernel, sources: list[InterferenceSource], seed: int,
                       until_ps: Optional[int] = None) -> InterferenceStats:
    """Start every source; returns live counters. Random arrivals stop at ``until_ps`` if given."""
    stats = InterferenceStats()
    for index, src in enumerate(sources):
        if not 0 <= src.cpu < len(kernel.cpus):
            raise ValueError(f"interference {src.name!r}: CPU {src.cpu} does not exist (cpus={len(kernel.cpus)})")
        rng = stream(seed, f"interference.{index}.{src.name}")
        stats.arrivals[src.name] = 0
        stats.busy_ps[src.name] = 0

        def service(src: InterferenceSource = src, rng: random.Random = rng) -> int:
            return src.service if isinstance(src.service, int) else src.service.sample(rng)

        async def work(src: InterferenceSource = src, service: Any = service) -> None:
            t = service()
            stats.busy_ps[src.name] += t
            await kernel.execute(t)

        if src.kind == "dpc":
            async def routine(dpc: KDPC, ctx: Any, a1: Any, a2: Any, work: Any = work) -> None:
                await work()
            dpc = kernel.KeInitializeDpc(routine, name=src.name)
            kernel.KeSetTargetProcessorDpc(dpc, src.cpu)
            kernel.KeSetImportanceDpc(dpc, src.importance)

            def arrive(src: InterferenceSource = src, dpc: KDPC = dpc) -> None:
                stats.arrivals[src.name] += 1
                kernel.KeInsertQueueDpc(dpc)
        else:
            async def isr(intr: KINTERRUPT, ctx: Any, work: Any = work) -> bool:
                await work()
                return True
            mid = FOREIGN_MESSAGE_BASE + index
            kernel.IoConnectInterruptEx(mid, isr, name=src.name, affinity=(src.cpu,))

            def arrive(src: InterferenceSource = src, mid: int = mid) -> None:
                stats.arrivals[src.name] += 1
                kernel.deliver_msi(mid)

        kernel.platform.spawn(_arrivals(kernel, src, rng, arrive, until_ps))
    return stats


async def _arrivals(kernel: Kernel, src: InterferenceSource, rng: random.Random, arrive: Any,
                    until_ps: Optional[int]) -> None:
    p = kernel.platform
    for t in sorted(src.arrivals_ps):
        if t > kernel.now():
            await p.sleep(t - kernel.now())
        arrive()
    if src.rate_per_s <= 0:
        return
    mean_gap_ps = 1e12 / src.rate_per_s
    while True:
        gap = max(1, int(rng.expovariate(1.0) * mean_gap_ps))
        if until_ps is not None and kernel.now() + gap > until_ps:
            return
        await p.sleep(gap)
        arrive()
