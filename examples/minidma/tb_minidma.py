"""The minidma card's cocotb test: the host model attached to the card, the driver run, the
oracle's prediction compared with what the application got. MINIDMA_VARIANT picks the variant."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import cocotb

from irqloop.device import register_map
from irqloop.tb.sim.device import HostSettings, attach, run_seed
from minidma_driver import MiniDmaDriver
from minidma_model import ChunkScoreboard, chunk_writes, predict_lost
from minidma_variants import VARIANTS

HERE = Path(__file__).resolve().parent


@cocotb.test()
async def overrun(dut: Any) -> None:
    v = VARIANTS[os.environ.get("MINIDMA_VARIANT", "lossy")]
    ring = v.ring
    regs = register_map(HERE / "minidma.rdl")
    host = attach(dut, regs, HostSettings(seed=run_seed(), dpc_latency_us=v.dpc_latency_us, jitter_us=v.jitter_us,
                                          interference=v.interference, msi_faults=v.msi_faults,
                                          latency_file=str(HERE / v.latency_file) if v.latency_file else None))
    scoreboard = ChunkScoreboard(ring.chunk_bytes)
    host.kernel.trace_consumers.append(scoreboard.consume)
    await host.reset()
    assert await host.read("ID") == regs.consts["DEVICE_ID"]
    driver = MiniDmaDriver(host.kernel, regs, ring)
    await host.start(driver, host.msi_bus())
    if v.spike_us:
        host.add_spike(at_us=host.now_ps() / 1e6 + v.spike_at_us, extra_us=v.spike_us)
    period_us = ring.period_cycles * host.clock_ps / 1e6
    finished = await host.run_until(lambda: driver.cons == ring.chunks, timeout_us=ring.chunks * period_us + 500)

    addr, size, t_ns = host.new_bursts()
    writes = chunk_writes(addr, size, t_ns, ring.base, ring.chunk_bytes, host.clock_ps)
    predicted = predict_lost(writes, scoreboard.copied_ps, ring.slots, ring.chunks)
    lost = scoreboard.lost(ring.chunks)
    card = {name: await host.read(name) for name in ("STATUS", "WR_IDX", "RD_IDX", "LOST")}
    outcome = "loss" if lost else "clean"
    host.write_report(Path.cwd(), {"outcome": outcome, "expected": v.expect, "finished": finished,
                                   "lost": lost, "predicted_lost": predicted, "card": card,
                                   "chunks_written": len(writes), "driver_start_error": driver.start_error,
                                   "missed_interrupts_found": sum(e.kind == "missed_interrupt_found"
                                                                  for e in host.kernel.trace)})
    host.close()
    assert driver.start_error is None, driver.start_error
    assert finished == (v.expect != "stranded"), f"finished: {finished} ({driver.cons} of {ring.chunks} chunks)"
    assert lost == predicted, f"the oracle predicted {predicted}, the application lost {lost}"
    assert v.expect in (outcome, "any", "stranded"), f"expected {v.expect}, got {outcome} (lost {lost})"
    assert (card["LOST"] > 0) == (outcome == "loss"), f"the card's LOST count is {card['LOST']}"
