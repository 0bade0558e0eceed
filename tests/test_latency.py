"""Latency models: distributions, measured-latency files, and latency that emerges from other
drivers' DPCs and ISRs (hostmodel.latency, hostmodel.interference)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from irqloop.hostmodel.eventsim import EventSim, EventSimPlatform
from irqloop.hostmodel.interference import InterferenceSource, start_interference
from irqloop.hostmodel.kernel import CpuCosts, Kernel, KernelSettings
from irqloop.hostmodel.latency import (DpcLatencyModel, Empirical, LatencyFileError, LogNormal, Pareto,
                                       load_latency_csv, percentiles)

US = 1_000_000
NO_COST = CpuCosts(isr_dispatch_ps=0, isr_exit_ps=0, dpc_dispatch_ps=0, copy_ps_per_kib=0, per_chunk_ps=0,
                   spinlock_ps=0)


def test_heavy_tailed_distributions_have_the_measured_tail_to_mean_shape() -> None:
    """references.md: measured tail/mean is 100 to 400x; a Pareto with alpha 1.1 reaches it."""
    rng = random.Random(3)
    xs = [Pareto(1 * US, 1.1).sample(rng) for _ in range(20000)]
    assert min(xs) >= 1 * US
    assert max(xs) / (sum(xs) / len(xs)) > 100
    ln = [LogNormal(2 * US, 1.0).sample(rng) for _ in range(20000)]
    assert abs(percentiles(ln)["p50"] - 2 * US) < 0.1 * 2 * US
    with pytest.raises(ValueError, match="median_ps > 0"):
        LogNormal(0)


def test_model_is_reproducible_from_its_seed() -> None:
    mk = lambda seed: DpcLatencyModel(base_ps=0, distribution=Pareto(US, 1.5), seed=seed)  # noqa: E731
    a, b, c = mk(4), mk(4), mk(5)
    sa = [a.sample(0) for _ in range(50)]
    assert sa == [b.sample(0) for _ in range(50)]
    assert sa != [c.sample(0) for _ in range(50)]


def test_one_column_file_of_microseconds(tmp_path: Path) -> None:
    f = tmp_path / "lat.csv"
    f.write_text("latency_us\n1.2\n\n# a comment\n2.5\n667\n")
    e = load_latency_csv(f)
    assert e.samples_ps == (1_200_000, 2_500_000, 667_000_000)


def test_latencymon_style_export_picks_the_latency_column(tmp_path: Path) -> None:
    f = tmp_path / "lm.csv"
    f.write_text("Time,CPU,Interrupt to DPC latency (µs),Driver\n"
                 "0.1,0,\"1,2\",ndis.sys\n0.2,1,160,nvlddmkm.sys\n0.3,0,,storport.sys\n")
    assert load_latency_csv(f).samples_ps == (1_200_000, 160_000_000)
    assert load_latency_csv(f, column="CPU").samples_ps == (0, 1_000_000, 0)


@pytest.mark.parametrize("text,message", [
    ("1.0\nfast\n", r"lat\.csv: line 2: 'fast' is not a number of microseconds"),
    ("1.0\n-3\n", r"lat\.csv: line 2: '-3' is not a latency"),
    ("", r"lat\.csv: no latency values"),
    ("a,b\n1,2\n", r"lat\.csv: line 1: no latency column in microseconds .*columns: a, b"),
    ("latency (us),x\n1,2\n3\n", r"lat\.csv: line 3: 1 columns, the header has 2"),
    ("1.0\nnan\n", r"lat\.csv: line 2: 'nan' is not a number"),
])
def test_malformed_latency_file_names_file_line_and_problem(tmp_path: Path, text: str, message: str) -> None:
    f = tmp_path / "lat.csv"
    f.write_text(text)
    with pytest.raises(LatencyFileError, match=message):
        load_latency_csv(f)


def test_missing_latency_file(tmp_path: Path) -> None:
    with pytest.raises(LatencyFileError, match="nope.csv: no such file"):
        load_latency_csv(tmp_path / "nope.csv")


def test_empirical_samples_are_drawn_from_the_file(tmp_path: Path) -> None:
    e = Empirical((1, 2, 3))
    rng = random.Random(1)
    assert {e.sample(rng) for _ in range(100)} == {1, 2, 3}


def _kernel(cpus: int = 2) -> tuple[EventSim, Kernel]:
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=4096, mmio_ps=0), latency=DpcLatencyModel(base_ps=0),
               costs=NO_COST, settings=KernelSettings(cpus=cpus))
    return sim, k


def test_latency_emerges_behind_a_foreign_dpc() -> None:
    """A DPC queued behind another driver's 300 us DPC starts when that one ends: latency is the
    foreign DPC's remaining run time, with nothing injected."""
    sim, k = _kernel()
    starts: list[int] = []

    async def ours(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        starts.append(k.now())

    d = k.KeInitializeDpc(ours, name="ours")
    start_interference(k, [InterferenceSource("gpu", cpu=0, service=300 * US, arrivals_ps=(0,))], seed=1)

    async def thread() -> None:
        await k.platform.sleep(100 * US)
        k.KeInsertQueueDpc(d)

    k.run_on(0, thread())
    sim.run()
    assert starts == [300 * US] and d.latencies_ps == [200 * US]


def test_foreign_isr_preempts_our_dpc_for_exactly_its_service_time() -> None:
    sim, k = _kernel()
    ends: list[int] = []

    async def ours(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        await k.execute(50 * US)
        ends.append(k.now())

    d = k.KeInitializeDpc(ours, name="ours")
    start_interference(k, [InterferenceSource("nic", cpu=0, kind="isr", service=20 * US, arrivals_ps=(10 * US,)),
                           InterferenceSource("other-cpu", cpu=1, kind="isr", service=20 * US, arrivals_ps=(10 * US,))],
                       seed=1)
    k.run_on(0, _insert(k, d))
    sim.run()
    assert ends == [70 * US]                     # CPU 1's ISR does not touch CPU 0


async def _insert(k: Kernel, d: Any) -> None:
    k.KeInsertQueueDpc(d)


def test_random_interference_is_seeded() -> None:
    def run(seed: int) -> list[int]:
        sim, k = _kernel()
        d = k.KeInitializeDpc(lambda *a: _noop(), name="ours")
        start_interference(k, [InterferenceSource("storport", cpu=0, service=Pareto(5 * US, 1.5),
                                                  rate_per_s=20_000)], seed=seed, until_ps=20_000 * US)

        async def thread() -> None:
            for _ in range(200):
                await k.platform.sleep(100 * US)
                k.KeInsertQueueDpc(d)

        k.run_on(0, thread())
        sim.run(until=25_000 * US)
        return d.latencies_ps

    a, b, c = run(7), run(7), run(8)
    assert a == b and a != c
    assert max(a) > 0 and percentiles(a)["p50"] < max(a)


async def _noop() -> None:
    return None


def test_bad_interference_is_refused() -> None:
    sim, k = _kernel(cpus=2)
    with pytest.raises(ValueError, match="CPU 3 does not exist"):
        start_interference(k, [InterferenceSource("x", cpu=3)], seed=1)
    with pytest.raises(ValueError, match="kind 'irq' is not 'dpc' or 'isr'"):
        InterferenceSource("x", cpu=0, kind="irq")
