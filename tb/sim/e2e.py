"""End-to-end run of the streaming device against the host model (cocotb side)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any, Optional

from cocotb.triggers import RisingEdge, Timer

from irqloop.hostmodel import metrics
from irqloop.hostmodel.cdriver import CStreamDriver
from irqloop.hostmodel.cyclic import CyclicBuffer
from irqloop.hostmodel.driver import Consumer, FreeFirstDriver, SeparateVectorsDriver, SharedNoCauseDriver, StreamConfig, StreamDriver
from irqloop.hostmodel.interference import start_interference
from irqloop.hostmodel.kernel import Kernel, KernelSettings
from irqloop.hostmodel.latency import DpcLatencyModel, LatencySpike
from irqloop.hostmodel.latency_replay import LatencyReplay
from irqloop.hostmodel.pci import PciBus
from irqloop.hostmodel.pnp import start_device
from irqloop.hostmodel.regs import REG
from irqloop.tb.board import CLOCK_PS, RING_BASE
from irqloop.tb.models.msi_faults import MsiFaultInjector, parse_faults
from irqloop.tb.models.stream_scoreboard import StreamScoreboard
from irqloop.tb.run_request import current
from irqloop.tb.sim.cocotb_platform import CocotbPlatform
from irqloop.tb.sim.probe import HostActivityProbe
from irqloop.tb.sim.timeline import TIMELINE
from irqloop.tb.streaming import interference_rule_sources, pattern_key_for, replayed_files, stream_costs

#: the streaming drivers by name: the seed's (reads INT_CAUSE in every ISR), and the variants of
#: the error_vector scenario ("shared" is the seed's driver on one message for data and errors), and
#: the overrun scenario's free_first (frees the slots before copying them)
STREAM_DRIVERS = {"stream": StreamDriver, "separate": SeparateVectorsDriver, "shared": StreamDriver,
                  "shared_no_cause": SharedNoCauseDriver, "free_first": FreeFirstDriver}

HW_COUNTERS = ("PROD_IDX", "CONS_IDX", "CNT_CHUNKS", "CNT_OVERWRITE", "CNT_IRQS", "CNT_STALL",
               "OVERRUN_SEQ", "OVERRUN_CYCLE", "STATUS", "MSI_PENDING")


async def reset(dut: Any) -> None:
    dut.rst.value = 1
    await Timer(40, unit="ns")
    dut.rst.value = 0
    await Timer(8, unit="ns")


async def _watch_rise(signal: Any, times: dict[str, int], key: str, platform: CocotbPlatform) -> None:
    await RisingEdge(signal)
    times[key] = platform.now_ps()


def waited_behind(kernel: Kernel, cpu: int, since_ps: int, until_ps: int, own: str) -> dict[str, Any]:
    """What ran on ``cpu`` while a DPC queued at ``since_ps`` waited to start at ``until_ps``: other
    DPC routines and ISRs, with their total run time inside the window."""
    out: dict[str, Any] = {"dpcs": {}, "isrs": {}}
    for s in metrics.run_spans(kernel):
        a, b = max(s.start_ps, since_ps), min(s.end_ps, until_ps)
        if s.cpu == cpu and s.who != own and b > a:
            bucket = out[s.kind + "s"].setdefault(s.who, [0, 0])
            bucket[0] += 1
            bucket[1] += b - a
    return out


async def run_stream(dut: Any, values: dict[str, Any], seed: int,
                     replay: Optional[dict[str, Any]] = None,
                     c_driver: Optional[dict[str, str]] = None) -> dict[str, Any]:
    """One streaming run with the overrun scenario's parameter ``values`` (and the files a plan's
    ``replay`` names: replayed DPC latencies, other drivers' runs; ``c_driver``: the C driver the
    plan built, whose ISR and DPC run instead of the Python ones); what it observed."""
    platform = CocotbPlatform(dut)
    try:
        return await _run_stream(dut, values, seed, platform, replay, c_driver)
    finally:
        platform.cancel_tasks()   # this run's host model ends with it (a scenario may run several)
        platform.bridge.close()   # the C hook must not outlive the Python callback it calls


def c_driver_library(c_driver: dict[str, str]) -> Path:
    """The library the plan built, refused if its source changed since (the run would not be the
    driver the plan names)."""
    source, library = Path(c_driver["source"]), Path(c_driver["library"])
    if not source.is_file() or hashlib.sha256(source.read_bytes()).hexdigest() != c_driver["sha256"]:
        raise RuntimeError(f"{source} changed after the run was prepared: run it again")
    if not library.is_file():
        raise RuntimeError(f"the C driver's library {library} is gone: run again")
    return library


async def _run_stream(dut: Any, v: dict[str, Any], seed: int, platform: CocotbPlatform,
                      replay: Optional[dict[str, Any]], c_driver: Optional[dict[str, str]]) -> dict[str, Any]:
    period_cycles = round(v["period_us"] * 1e6 / CLOCK_PS)
    platform.reset_host()
    await reset(dut)

    cfg = StreamConfig(ring_base=RING_BASE, slot_count=v["slots"], slot_bytes=v["slot_bytes"],
                       chunk_period_cycles=period_cycles, chunks=v["chunks"],
                       flow_control=v["mode"] == "flow", pattern_key=pattern_key_for(seed))
    replayed, trace_sources = replayed_files(replay, v.get("cpus", 4)) if replay else ([], [])
    latency = LatencyReplay(replayed, then_ps=round(v["dpc_latency_us"] * 1e6)) if replayed else \
        DpcLatencyModel(base_ps=round(v["dpc_latency_us"] * 1e6), jitter_ps=round(v["jitter_us"] * 1e6), seed=seed)
    kernel = Kernel(platform, latency=latency, settings=KernelSettings(cpus=v.get("cpus", 4)),
                    costs=stream_costs(v))
    # the device's two vectors (data, error): a message each over MSI, or ("shared") one MSI-X
    # message for both, so the ISR must read INT_CAUSE to tell them apart
    bus = PciBus(kernel, vectors=2, msix_single_message=v.get("driver", "stream") in ("shared", "shared_no_cause"))
    cyclic = CyclicBuffer(v["cyclic_chunks"])
    sb = StreamScoreboard(cfg.slot_bytes // 4, cfg.pattern_key, cfg.slot_count, CLOCK_PS)
    kernel.trace_consumers.append(sb.consume)    # the scoreboard judges what driver and consumer log
    driver = CStreamDriver(kernel, cfg, cyclic, c_driver_library(c_driver)) if c_driver else \
        STREAM_DRIVERS[v.get("driver", "stream")](kernel, cfg, cyclic)
    consumer = Consumer(kernel, cyclic, period_ps=round(v["consumer_period_us"] * 1e6))

    if current().waves:     # the driver's activity in the waveform
        HostActivityProbe(dut.u_act, kernel, driver, cyclic, consumer, sb).refresh()

    producer = dut.dut.u_producer
    times: dict[str, int] = {}
    faults = MsiFaultInjector(parse_faults(v.get("msi_faults", "none")), seed,
                              vector_of=lambda data: data - bus.first_data)
    platform.spawn(platform.msi_monitor(kernel.deliver_msi, faults))
    platform.spawn(_watch_rise(producer.running, times, "stream_start_ps", platform))

    await start_device(bus, driver)
    t0 = times["stream_start_ps"]     # cycle 0 of the stream (device `cycle` counter)
    if v["spike_us"] > 0:
        latency.add_spike(LatencySpike(at_ps=t0 + v["spike_at_chunk"] * period_cycles * CLOCK_PS,
                                       extra_ps=round(v["spike_us"] * 1e6)))
    platform.spawn(consumer.run())
    sources = interference_rule_sources(v.get("interference", "none"), len(kernel.cpus))
    stream_end_ps = t0 + v["chunks"] * period_cycles * CLOCK_PS
    # a trace's runs at their times, from the stream's start, within the stream
    sources += [replace(src, arrivals_ps=tuple(t0 + a for a in src.arrivals_ps if t0 + a <= stream_end_ps))
                for src in trace_sources]
    interference = start_interference(kernel, sources, seed, until_ps=stream_end_ps)

    # run until every chunk is produced and the driver has caught up, or the stream stalls
    expected_end = t0 + v["chunks"] * period_cycles * CLOCK_PS
    deadline = expected_end + round((v["spike_us"] + v["dpc_latency_us"] + v["jitter_us"]) * 1e6) + max(replayed, default=0) \
        + 20 * period_cycles * CLOCK_PS + 1_000_000_000
    if cfg.flow_control:
        # a held device waits for the DPC: replayed latencies delay the stream by up to their sum
        deadline += sum(replayed)
    poll_ps = max(period_cycles * CLOCK_PS, 50_000_000)
    timed_out = False
    wall0 = time.perf_counter()
    while True:
        await Timer(poll_ps, unit="ps")
        done = int(producer.done.value) == 1
        prod = int(producer.prod_idx.value)
        if done and driver.cons == prod and not driver.dpc.inserted and driver.dpc.running == 0 \
                and kernel.idle():
            break
        if platform.now_ps() > deadline:
            timed_out = True
            break
    wall_stream_s = time.perf_counter() - wall0
    consumer.stop = True
    consumer.drain()
    end_ps = platform.now_ps()

    hw = {name: await platform.mmio_read(getattr(REG, name)) for name in HW_COUNTERS}
    hw["overrun_flag"] = bool(hw["STATUS"] >> REG.bit("ST_OVERRUN") & 1)
    # the flag rises at the clock edge that ends stream cycle OVERRUN_CYCLE (t0 is cycle 0's edge)
    hw_overrun_ps = t0 + (hw["OVERRUN_CYCLE"] + 1) * CLOCK_PS if hw["overrun_flag"] else None
    result = sb.result(hw["CNT_CHUNKS"])

    dpc = driver.dpc
    late_idx = max(range(len(dpc.latencies_ps)), key=lambda i: dpc.latencies_ps[i]) if dpc.latencies_ps else None
    late = None
    if late_idx is not None:
        starts = [e for e in kernel.trace if e.kind == "dpc_start" and e.info["dpc"] == dpc.name]
        e = starts[late_idx]
        late = {"queued_at_ps": e.info["queued_at_ps"], "start_ps": e.t_ps, "latency_ps": e.info["latency_ps"],
                "start_cycle": (e.t_ps - t0) // CLOCK_PS, "cpu": e.info["cpu"],
                "behind": waited_behind(kernel, e.info["cpu"], e.info["queued_at_ps"], e.t_ps, driver.dpc.name)}
    data_isr = driver.data_interrupt
    # a chunk's age at the consumer, from the cycle the device's source made it due
    due_ps = lambda seq: t0 + (seq * period_cycles + 1) * CLOCK_PS  # noqa: E731
    ages = [t - due_ps(seq) for seq, t in sorted(sb.consumed_at_ps.items())]
    run_metrics = metrics.collect(kernel, end_ps - t0, dpcs=[driver.dpc], completion_latencies_ps=ages,
                                  per_dpc_run=driver.stats.per_dpc_chunks,
                                  extra={"lost": len(result.lost), "strategy": "StreamDriver"})
    TIMELINE.add_run(f"{type(driver).__name__} ({v['mode']}, {v['slots']} slots)", kernel,
                     [(hw_overrun_ps - CLOCK_PS, "first overwrite", {"OVERRUN_SEQ": hw["OVERRUN_SEQ"]})]
                     if hw_overrun_ps is not None else [])
    return {
        "seed": seed,
        "outcome": "loss" if result.lost else "clean",
        "clock_ps": CLOCK_PS,
        "stream_start_ps": t0,
        "end_ps": end_ps,
        "timed_out": timed_out,
        "hardware": hw,
        "hw_overrun_ps": hw_overrun_ps,
        "scoreboard": result.as_dict(),
        "driver": {k: val for k, val in driver.stats.__dict__.items() if k != "per_dpc_chunks"}
        | {"max_chunks_per_dpc": max(driver.stats.per_dpc_chunks, default=0)},
        "kernel": {
            "isr_count": sum(i.isr_count for i in kernel.interrupts()),
            "data_isr_count": data_isr.isr_count,
            "msi_collapsed_at_cpu": sum(i.collapsed for i in kernel.interrupts()),
            "dpc_insert_attempts": dpc.insert_attempts,
            "dpc_inserts": dpc.inserts,
            "dpc_runs": dpc.runs,
            "dpc_latency_max_ps": max(dpc.latencies_ps, default=0),
            "dpc_run_max_ps": max(dpc.run_times_ps, default=0),
            "isr_run_max_ps": max((max(i.run_times_ps, default=0) for i in kernel.interrupts()), default=0),
            "dispatch_or_above_ps": kernel.dispatch_or_above_ps,
            "warnings": kernel.warnings[:10],
        },
        "late_dpc": late,
        "cyclic": {"overflows": cyclic.overflows, "max_fill": cyclic.max_fill},
        "metrics": run_metrics,
        "msi_faults": [asdict(rec) for rec in faults.log],
        "interference": {"arrivals": interference.arrivals, "busy_ps": interference.busy_ps},
        "mmio_transactions": platform.mmio_transactions,
        "host_bad_writes": platform.bridge.bad_writes,
        "mmio_errors": platform.bridge.mmio_errors,
        "sim_cycles": end_ps // CLOCK_PS,
        # wall-clock figures: not part of the (deterministic) report; test_scenario moves them
        "timing": {"stream_wall_s": wall_stream_s, "stream_cycles": (end_ps - t0) // CLOCK_PS}
        | ({"c_driver_requests": driver.runtime.requests} if isinstance(driver, CStreamDriver) else {}),
    }
