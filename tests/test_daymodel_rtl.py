"""The day model (irqloop/daymodel.py, clocked with StreamTiming.for_rtl) against the RTL.

The same latency sequence goes to both: a file of DPC start latencies drawn from a heavy-tailed
(Pareto) distribution with the stream ``stream(seed, "day_xcheck.latency")``, replayed by the
``overrun`` scenario in RTL (``latency_file=``: one start latency per queued DPC, in order) and read
back through the same importer into ``simulate(..., LatencySequence(...))``. Over 10^4 chunks they
must lose exactly the same chunks, overwrite first the same chunk in the same stream cycle
(OVERRUN_SEQ, OVERRUN_CYCLE), overwrite as often (CNT_OVERWRITE), stall as long under flow control
(CNT_STALL, in cycles), and see the same MSIs, ISRs and DPC runs. No tolerance: every figure is
exact. A 1-2 us chunk period (250-500 cycles) keeps 10^4 chunks at 4-8 s of RTL each.

Every ring here takes at least 6 us to be refilled: the UVM environment's DMA monitor
(tb/uvm/monitors.py) reads a written slot up to 5 us (drain_ps) after its burst, and reports a
device-rule violation when the device has refilled the slot by then (a 1-slot ring at 2 us does).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from irqloop import daymodel
from irqloop.daymodel import LatencySequence, RtlCycles, StreamSettings, StreamTiming, simulate
from irqloop.hostmodel.kernel import CpuCosts
from irqloop.hostmodel.seeds import stream
from irqloop.runner import run_dir_for, run_scenario
from irqloop.tb import scenarios
from irqloop.tb.board import CLOCK_PS
from irqloop.tb.scenarios.params import parse_overrides
from irqloop.tb.streaming import replay_of, stream_costs

CHUNKS = 10_000


def heavy_tailed_latencies_us(seed: int, n: int, scale_us: float = 0.8, alpha: float = 1.5) -> list[float]:
    """0.5 us plus a Pareto(alpha) tail of scale ``scale_us``, to the nanosecond: mostly 1-3 us, one
    in ~30 beyond 8 us, the largest of 10^4 some hundreds of us (tail/mean > 100)."""
    rng = stream(seed, "day_xcheck.latency")
    return [round(0.5 + scale_us * rng.paretovariate(alpha), 3) for _ in range(n)]


def integer_latencies_us(seed: int, n: int) -> list[float]:
    """Whole microseconds (multiples of the 4 ns clock): the DPC's steps fall on clock edges, so
    every tie between the host's timers and the device's edges is exercised."""
    rng = stream(seed, "day_xcheck.latency")
    return [float(rng.choice((1, 2, 3, 4, 5, 6, 8, 10, 12, 20, 40))) for _ in range(n)]


def run_both(tmp_path: Path, values_us: list[float], **params: Any) -> tuple[dict[str, Any], Any]:
    """The overrun scenario replaying ``values_us`` in RTL, and the day model on the same values."""
    lat = tmp_path / "latencies.txt"
    lat.write_text("# DPC start latency, microseconds\n" + "\n".join(f"{v:.3f}" for v in values_us) + "\n")
    overrides = [f"latency_file={lat}", "spike_us=0", f"chunks={CHUNKS}"] + [f"{k}={v}" for k, v in params.items()]
    overrides.append("expect=clean" if params.get("mode") == "flow" else "expect=loss")
    assert run_scenario("overrun", 1, "none", overrides, run_root=tmp_path, quiet=True) == 0
    v = parse_overrides(scenarios.get("overrun").spec, overrides)
    observed = json.loads((run_dir_for("overrun", 1, v, tmp_path) / "report.json").read_text())["observed"]
    replay = replay_of({"latency_file": str(lat)})
    assert replay is not None
    period_cycles = round(v["period_us"] * 1e6 / CLOCK_PS)
    fast = simulate(StreamSettings(v["slots"], period_cycles * CLOCK_PS, CHUNKS, flow_control=v["mode"] == "flow"),
                    StreamTiming.for_rtl(v["slot_bytes"], stream_costs(v)), LatencySequence(replay["dpc_latency_ps"]))
    return observed, fast


def assert_agree(observed: dict[str, Any], fast: Any, flow: bool) -> None:
    hw, lost = observed["hardware"], observed["scoreboard"]["lost"]
    assert not observed["timed_out"] and hw["CNT_CHUNKS"] == fast.produced == CHUNKS
    # the case exercises what it is about: loss when free-running, stalls under flow control
    assert (bool(lost) and hw["CNT_OVERWRITE"] > 0) if not flow else (hw["CNT_STALL"] > 0 and not lost)
    assert fast.lost_seqs == lost
    none = 0xFFFF_FFFF                  # OVERRUN_SEQ / OVERRUN_CYCLE before any overwrite
    assert (fast.first_overwrite_seq, fast.first_overwrite_cycle(CLOCK_PS)) == \
        ((None, None) if hw["OVERRUN_SEQ"] == none else (hw["OVERRUN_SEQ"], hw["OVERRUN_CYCLE"]))
    assert fast.overwrites == hw["CNT_OVERWRITE"]
    assert fast.stall_ps == hw["CNT_STALL"] * CLOCK_PS
    k = observed["kernel"]
    assert fast.isrs + fast.msi_collapsed == hw["CNT_IRQS"]          # every MSI the device sent
    assert (fast.isrs, fast.msi_collapsed) == (k["isr_count"], k["msi_collapsed_at_cpu"])
    assert (fast.dpc_runs, fast.dpc_inserts) == (k["dpc_runs"], k["dpc_inserts"])
    assert fast.stranded == 0


@pytest.mark.sim
def test_the_day_model_loses_exactly_the_chunks_the_rtl_loses(tmp_path: Path) -> None:
    """Free-running, 4 slots of 64 bytes every 2 us (8 us headroom): about 1 in 10 chunks lost."""
    observed, fast = run_both(tmp_path, heavy_tailed_latencies_us(1, 3 * CHUNKS), slots=4, slot_bytes=64, period_us=2)
    assert_agree(observed, fast, flow=False)


# (name, latency draw, seed, overrun parameters)
NIGHTLY = [
    ("free-4x64B-2us-seed2", heavy_tailed_latencies_us, 2, dict(slots=4, slot_bytes=64, period_us=2)),
    ("free-3x256B-two-bursts", heavy_tailed_latencies_us, 3, dict(slots=3, slot_bytes=256, period_us=2)),
    ("free-16x128B-1us", heavy_tailed_latencies_us, 6, dict(slots=16, slot_bytes=128, period_us=1)),
    ("free-slow-copy-torn", heavy_tailed_latencies_us, 1,
     dict(slots=4, slot_bytes=64, period_us=2, copy_ns_per_kib=20000)),     # a copy takes 1.3 us: ISRs preempt it
    ("free-whole-us-ties", integer_latencies_us, 5, dict(slots=4, slot_bytes=64, period_us=2)),
    ("flow-4x64B-2us", heavy_tailed_latencies_us, 2, dict(slots=4, slot_bytes=64, period_us=2, mode="flow")),
    ("flow-8x128B-1us", heavy_tailed_latencies_us, 4, dict(slots=8, slot_bytes=128, period_us=1, mode="flow")),
    ("flow-whole-us-ties", integer_latencies_us, 7, dict(slots=3, slot_bytes=64, period_us=2, mode="flow")),
]


@pytest.mark.sim
@pytest.mark.nightly
@pytest.mark.parametrize("name,draw,seed,params", NIGHTLY, ids=[n[0] for n in NIGHTLY])
def test_the_day_model_agrees_with_the_rtl_nightly(name: str, draw: Any, seed: int, params: dict[str, Any],
                                                    tmp_path: Path) -> None:
    observed, fast = run_both(tmp_path, draw(seed, 3 * CHUNKS), **params)
    assert_agree(observed, fast, flow=params.get("mode") == "flow")


def test_for_rtl_takes_the_boards_clock_and_refuses_what_it_does_not_model() -> None:
    t = StreamTiming.for_rtl(64)
    assert t.rtl == RtlCycles(clock_ps=CLOCK_PS, slot_bytes=64)
    assert t.rtl.chunk_write_cycles() == 12            # start s: AW s+2, beats s+4..s+11, chunk_done s+12
    assert t.start_offset_ps == CLOCK_PS and t.isr_ps == 700_000
    assert RtlCycles(clock_ps=CLOCK_PS, slot_bytes=256).chunk_write_cycles() == 1 + 2 * (16 + 3)     # two 16-beat bursts
    with pytest.raises(ValueError, match="slot_bytes=1024: the clocked model takes slots of up to 256 bytes"):
        StreamTiming.for_rtl(1024)
    with pytest.raises(ValueError, match="not a whole number of 4000 ps clock cycles"):
        simulate(StreamSettings(4, 2_000_001, 10), t, LatencySequence([1_000_000] * 30))


# (slots, slot_bytes, period in cycles, flow, latency scale in ns, CpuCosts): quiet chunks whole and
# cut short by a late DPC, overruns, stalls, ties at whole microseconds, zero CPU costs
SHORTCUT_CASES = [
    (64, 256, 250_000, False, 2_000, None),
    (4, 64, 250_000, False, 400_000, None),
    (3, 8, 12_500, True, 30_000, None),
    (16, 128, 500, False, 1_000, CpuCosts(copy_ps_per_kib=2_000_000)),
    (2, 64, 5_000, True, 1_000, None),
    (4, 64, 25_000, False, 0, CpuCosts(isr_dispatch_ps=0, isr_exit_ps=0, dpc_dispatch_ps=0, copy_ps_per_kib=0,
                                       per_chunk_ps=0)),
]


def test_the_clocked_shortcuts_change_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clocked mode jumps over edges where nothing can change and computes quiet chunks in one
    step; built with -DDAYMODEL_CHECK it also takes every jumped-over edge and runs every quiet chunk
    through its loop, and aborts on a difference. Here: no abort, and the same results as the build
    that trusts them."""
    def run() -> list[Any]:
        out = []
        for i, (slots, slot_bytes, period, flow, scale_ns, costs) in enumerate(SHORTCUT_CASES):
            rng = stream(i, "day_shortcuts.latency")
            values = [1_000 * round(scale_ns * rng.paretovariate(1.3)) if scale_ns else 0 for _ in range(2_000)]
            if i == 4:                                          # whole microseconds: steps on clock edges
                values = [1_000_000 * rng.choice((0, 1, 2, 5, 20)) for _ in range(2_000)]
            r = simulate(StreamSettings(slots, period * CLOCK_PS, 3_000, flow_control=flow),
                         StreamTiming.for_rtl(slot_bytes, costs), LatencySequence(values, cycle=True),
                         trace_capacity=4_000)
            out.append({k: (v.tolist() if k == "dpc_trace" else v) for k, v in r.__dict__.items() if k != "wall_s"})
        return out

    trusted = run()
    monkeypatch.setattr(daymodel, "_lib", daymodel.library(tmp_path, ("-DDAYMODEL_CHECK",)))
    assert run() == trusted
    assert any(r["lost"] for r in trusted) and any(r["stalled_chunks"] for r in trusted)


@pytest.mark.sim
def test_the_rtl_cycle_figures_hold_in_a_waveform(tmp_path: Path) -> None:
    """RtlCycles, measured: the first chunk, its MSI, the ISR's INT_CAUSE read and writes and the
    DPC's CONS_IDX write, edge by edge in the FST of a replayed run (a value "after edge e" is
    sampled 1 ps after that rising edge; stream cycle e's edge is stream_start + (e + 1) cycles)."""
    import pywellen

    from irqloop.hostmodel.regs import REG

    lat = tmp_path / "latencies.txt"
    lat.write_text("1.0\n1.0\n1.0\n")
    overrides = [f"latency_file={lat}", "spike_us=0", "expect=clean", "chunks=3", "slots=4", "slot_bytes=64",
                 "period_us=2"]
    assert run_scenario("overrun", 1, "fst", overrides, run_root=tmp_path, quiet=True) == 0
    run_dir = run_dir_for("overrun", 1, parse_overrides(scenarios.get("overrun").spec, overrides), tmp_path)
    t0 = json.loads((run_dir / "report.json").read_text())["observed"]["stream_start_ps"]
    sig = {v.full_name: v.signal for v in pywellen.Waveform(str(run_dir / "dump.fst")).all_vars()}
    c = StreamTiming.for_rtl(64).rtl
    assert c is not None

    def after(name: str, e: int) -> int:
        return int(sig[f"tb_irqloop.{name}"].value_at(t0 + (e + 1) * CLOCK_PS + 1))

    def first(name: str, value: int, since: int = 0) -> int:
        e = since
        while after(name, e) != value:
            e += 1
            assert e < since + 2000, f"{name} never became {value}"
        return e

    start = first("dut.u_producer.chunk_start", 1)
    assert start * CLOCK_PS == StreamTiming.for_rtl(64).start_offset_ps            # the tick at cycle 0, start at 1
    done = first("dut.u_writer.chunk_done", 1)
    assert done - start == c.chunk_write_cycles()
    assert first("u_host.beat_count", 1) - start == c.start_to_busy + 1 + c.burst_extra - 1   # the first beat
    assert first("dut.u_producer.prod_idx", 1) - done == c.done_to_prod
    assert first("dut.u_csr.cause", 1) - done == c.done_to_cause
    assert first("dut.u_msi.pending", 1) - done == c.done_to_pending
    msi = first("u_host.msi_count", 1)
    assert msi - done == c.done_to_pending + 1 + c.msi_land
    # the ISR's INT_CAUSE read 700 ns after the MSI (a timer at an edge time: out at that edge), then
    # its two writes (INT_CAUSE, MSI_MASK)
    rd = first("u_mmio.m_axil_arvalid", 1, msi)
    assert (rd - msi) * CLOCK_PS == StreamTiming.for_rtl(64).isr_ps
    assert after("u_mmio.m_axil_araddr", rd) == REG.INT_CAUSE
    assert first("u_mmio.m_axil_rvalid", 1, rd) - rd == c.rd_sample
    assert first("u_mmio.busy", 0, rd) - rd == c.rd_done
    wr = first("u_mmio.m_axil_awvalid", 1, rd)
    assert wr - rd == c.rd_busy and after("u_mmio.m_axil_awaddr", wr) == REG.INT_CAUSE
    assert first("dut.u_csr.cause", 0, wr) - wr == c.wr_effect
    mask_wr = first("u_mmio.m_axil_awvalid", 1, wr + 1)
    assert mask_wr - wr == c.wr_busy and after("u_mmio.m_axil_awaddr", mask_wr) == REG.MSI_MASK
    assert first("dut.u_msi.mask", 1, mask_wr) - mask_wr == c.wr_effect
    # the DPC's CONS_IDX write reaches the producer one edge after the register write
    cons_wr = mask_wr + 1
    while not (after("u_mmio.m_axil_awvalid", cons_wr) and after("u_mmio.m_axil_awaddr", cons_wr) == REG.CONS_IDX):
        cons_wr += 1
    freed = after("u_mmio.m_axil_wdata", cons_wr)
    assert freed > 0 and first("dut.u_producer.cons_idx", freed, cons_wr) - cons_wr == c.wr_effect + c.cons_extra
