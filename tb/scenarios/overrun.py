"""`overrun`: the second seed thread. A DPC starts late once; does the ring absorb it?

The device streams chunks into a ring of `slots` slots, one every `period_us`. Each chunk's
MSI makes the ISR queue the DPC, which copies every ready slot into the driver's cyclic
buffer. One DPC (the one queued for chunk `spike_at_chunk`) starts `spike_us` late. The ring's
headroom is slots x period: a later DPC finds its oldest chunks overwritten (free-running
mode) or has made the device stall (flow-controlled mode).

The expected outcome is derived from the parameters (`expect=auto`) or declared.
"""

from __future__ import annotations


from dataclasses import replace
from typing import Any, Optional

from irqloop.hostmodel.kernel import CpuCosts
from irqloop.hostmodel.seeds import stream
from irqloop.tb.board import CLOCK_PS, HOSTMEM_BYTES, RING_BASE
from irqloop.tb.choices import NO_CHOICES, Choices
from irqloop.tb.models.msi_faults import FaultRecord, parse_faults
from irqloop.tb.plans import Prediction, StreamPlan
from irqloop.tb.scenarios.base import Scenario, register
from irqloop.tb.scenarios.c_driver import built_c_driver
from irqloop.tb.scenarios.params import Check, Param, ParamError
from irqloop.tb.streaming import TRACE_FORMATS, parse_interference, replay_of, stream_costs

MAX_BURST = 16

SPEC = [
    Param("mode", "free", "free-running (overwrites) or flow-controlled (stalls):", str, choices=("free", "flow")),
    Param("slots", 8, "slots in the device's ring", int, lo=1, hi=65535),
    Param("slot_bytes", 1024, "bytes per slot (a multiple of 8)", int, lo=8, hi=262144),
    Param("period_us", 10.0, "the device produces one chunk every period_us", float, lo=0.004, hi=1e6),
    Param("chunks", 64, "chunks the device produces", int, lo=1, hi=10_000_000),
    Param("dpc_latency_us", 2.0, "ordinary ISR-to-DPC latency", float, lo=0.0, hi=1e6),
    Param("jitter_us", 0.0, "uniform random extra DPC latency (seeded)", float, lo=0.0, hi=1e6),
    Param("spike_us", 200.0, "extra latency of the one late DPC (0: no spike)", float, lo=0.0, hi=1e7),
    Param("spike_at_chunk", 20, "the late DPC is the one queued for this chunk", int, lo=0),
    Param("consumer_period_us", 50.0, "the application drains the cyclic buffer this often", float, lo=0.1, hi=1e6),
    Param("cyclic_chunks", 1024, "capacity of the driver's cyclic buffer in chunks", int, lo=1, hi=1 << 20),
    Param("cpus", 4, "host CPUs (the device's ISR and DPC run on CPU 0)", int, lo=1, hi=64),
    Param("interference", "none", "other drivers' work on the CPUs, ';'-separated sources "
          "kind:rate_per_s:service_us[:cpu=N][:pareto=ALPHA], kind dpc or isr, e.g. dpc:3000:20:pareto=1.5 "
          "(Poisson arrivals; service fixed or Pareto-tailed)", str, validate=lambda t: parse_interference(t)),
    Param("msi_faults", "none", "MSI faults injected on the way to the host (tb/models/msi_faults.py), "
          "e.g. drop:vec=0:nth=5;delay=20us:every=7", str, validate=parse_faults),
    Param("copy_ns_per_kib", CpuCosts().copy_ps_per_kib / 1000, "CPU time the DPC's memcpy takes per KiB "
          "(the default is ~10 GB/s, a cached buffer; an uncached common buffer copies several times slower)",
          float, lo=0.0, hi=1e6),
    Param("driver", "stream", "the streaming driver's DPC: stream (copies the ready slots, then frees them), "
          "free_first (the bug: frees them, then copies), or c (your C driver, driver_file=; docs/c-driver.md):",
          str, choices=("stream", "free_first", "c")),
    Param("driver_file", "none", "the C file of a driver's interrupt path built against irqloop's WDK shim "
          "(implies driver=c; driver=c alone runs examples/drivers/stream.c)", str),
    Param("latency_file", "none", "measured DPC start latencies to replay, one per queued DPC in order (then "
          "dpc_latency_us): a plain column of microseconds, a WPA DPC/ISR CSV (with latency_module=), or what make "
          "day writes for its worst window", str),
    Param("latency_format", "auto", "the latency file's format:", str, choices=TRACE_FORMATS),
    Param("latency_module", "none", "the driver's own module in a WPA table (e.g. mydrv.sys): its ISR-to-DPC "
          "lateness is derived, the other modules' runs are ignored", str),
    Param("interference_file", "none", "a DPC/ISR trace whose other drivers' runs become interference on their "
          "CPUs (WPA with enter times: replayed at their times; xperf, LatencyMon: at their measured rates)", str),
    Param("expect", "auto", "declared outcome (auto: predicted from the parameters):", str,
          choices=("auto", "loss", "clean")),
]


def stream_values(**overrides: Any) -> dict[str, Any]:
    """The overrun scenario's parameter values: its defaults with ``overrides`` (for scenarios
    that run the streaming device with settings of their own)."""
    return {p.name: p.default for p in SPEC} | overrides


def sim_time(ps: int | None, t0: int, clock_ps: int) -> str:
    """A simulation time with its clock edge since time 0 and since the stream started (t0)."""
    if ps is None:
        return "-"
    return f"{ps / 1e6:.3f} us (cycle {ps // clock_ps}, stream cycle {(ps - t0) // clock_ps})"


def chunk_write_cycles(slot_bytes: int) -> int:
    """Upper bound of the cycles dma_axi_writer needs for one chunk (AW, beats, B per burst)."""
    beats = slot_bytes // 8
    bursts = -(-beats // MAX_BURST) + slot_bytes // 4096 + 1
    return beats + 4 * bursts


def chunk_copy_ps(v: dict[str, Any]) -> int:
    """CPU time the DPC spends on one chunk (hostmodel.driver.StreamDriver.copy_slot)."""
    return stream_costs(v).chunk_copy_ps(v["slot_bytes"])


def validate(v: dict[str, Any]) -> None:
    if v["slot_bytes"] % 8:
        raise ParamError(f"slot_bytes={v['slot_bytes']} is not a multiple of the 8-byte DMA bus width")
    period_cycles = round(v["period_us"] * 1e6 / CLOCK_PS)
    need = chunk_write_cycles(v["slot_bytes"])
    if period_cycles < need:
        raise ParamError(f"period_us={v['period_us']} is shorter than one chunk write "
                         f"({need * CLOCK_PS / 1e6:.3f} us for {v['slot_bytes']} bytes); use a longer period or smaller slots")
    if RING_BASE + v["slots"] * v["slot_bytes"] > HOSTMEM_BYTES:
        raise ParamError(f"slots x slot_bytes = {v['slots'] * v['slot_bytes']} bytes does not fit the "
                         f"{(HOSTMEM_BYTES - RING_BASE) >> 20} MiB host ring area")
    if v["spike_us"] > 0 and v["spike_at_chunk"] >= v["chunks"]:
        raise ParamError(f"spike_at_chunk={v['spike_at_chunk']} must be below chunks={v['chunks']}")


def c_driver_of(v: dict[str, Any]) -> Optional[dict[str, str]]:
    """driver=c or driver_file=: the C driver built (irqloop/cdriver.py), as the plan keeps it; None
    for a Python driver. A driver that does not build is bad input (one line: gcc's file:line)."""
    if v.get("driver", "stream") != "c" and v.get("driver_file", "none") == "none":
        return None
    if v.get("driver") not in ("stream", "c"):
        raise ParamError(f"driver_file= runs a C driver; driver={v['driver']} is a Python driver: leave driver out "
                         "or set driver=c")
    return built_c_driver(None if v.get("driver_file", "none") == "none" else v["driver_file"], "stream")


def predict(v: dict[str, Any]) -> Prediction:
    period_cycles = round(v["period_us"] * 1e6 / CLOCK_PS)
    period_ps = period_cycles * CLOCK_PS
    n, s = v["slots"], v["spike_at_chunk"]
    headroom = n * period_ps
    base = round(v["dpc_latency_us"] * 1e6)
    late = base + round(v["jitter_us"] * 1e6) + round(v["spike_us"] * 1e6)
    # what the chunk write, the MSI, the ISR (3 MMIO) and the DPC's first MMIO take off the headroom
    margin = chunk_write_cycles(v["slot_bytes"]) * CLOCK_PS + 3_000_000
    spike = v["spike_us"] > 0
    reaches_ring = spike and s + n < v["chunks"]
    # the ordinary DPC (one chunk per period) must start and copy its chunk within the period
    baseline_ok = base + round(v["jitter_us"] * 1e6) + margin + chunk_copy_ps(v) < period_ps
    if not baseline_ok and v["expect"] == "auto":
        raise ParamError("the ordinary DPC latency plus jitter and one chunk's copy does not fit in one chunk period; "
                         "the outcome is not predicted: set expect=loss or expect=clean")
    over = reaches_ring and late > headroom - margin
    if v.get("driver") == "free_first" and v["mode"] == "flow" and over and v["expect"] == "auto":
        # the late DPC finds a full ring and frees it before copying: the chunk the device held
        # starts at once into the slot the DPC copies first, and whether the device's writes
        # overtake the copy depends on the copy and DMA rates and the bus timing
        raise ParamError("driver=free_first with a late DPC that finds the ring full: whether the device's refill "
                         "overtakes the copy is not predicted: set expect=loss or expect=clean")
    if v["mode"] == "free" and over:
        if late <= headroom and v["expect"] == "auto":
            raise ParamError(f"the late DPC's latency ({late / 1e6:g} us) is within {margin / 1e6:g} us of the "
                             f"ring's headroom ({headroom / 1e6:g} us): set expect=loss or expect=clean")
        return Prediction("loss", headroom, late, margin, s, s % n, s + n, (s + n) * period_cycles + 1,
                          False, f"late DPC latency {late / 1e6:g} us > headroom {n} slots x "
                                 f"{period_ps / 1e6:g} us = {headroom / 1e6:g} us", baseline_ok)
    why = ("flow control stalls the device instead of overwriting" if v["mode"] == "flow" and over
           else "no DPC is later than the ring's headroom")
    return Prediction("clean", headroom, late, margin, None, None, None, None,
                      v["mode"] == "flow" and over and late > headroom, why, baseline_ok)


def _summary(replay: Optional[dict[str, Any]]) -> Optional[dict[str, Any]]:
    """The replay as the plan keeps it: the files and what was made of them, not the values (the
    simulator reads the files again, and checks that they are the ones prepared)."""
    if replay is None:
        return None
    return {k: (len(v) if k == "dpc_latency_ps" else v) for k, v in replay.items()}


def replay_lines(replay: Optional[dict[str, Any]]) -> list[str]:
    """What a run replayed: the files, what the trace tools gave and what was made of it."""
    if not replay:
        return []
    lines = []
    if "latency_file" in replay:
        lines.append(f"replayed:        {replay['dpc_latency_ps']} DPC start latencies from {replay['latency_file']} "
                     f"(one per queued DPC in order, then dpc_latency_us)")
        lines += ["                 " + x for x in replay["latency_trace"]]
    if "interference_file" in replay:
        lines.append(f"interference:    other drivers' runs from {replay['interference_file']}")
        lines += ["                 " + x for x in replay["interference_trace"] + replay["interference_sources"]]
    return lines


def ranges(seqs: list[int]) -> str:
    if not seqs:
        return "none"
    out, start, prev = [], seqs[0], seqs[0]
    for x in seqs[1:] + [None]:
        if x is not None and x == prev + 1:
            prev = x
            continue
        out.append(f"{start}" if start == prev else f"{start}-{prev}")
        if x is not None:
            start = prev = x
    return ", ".join(out)


@register
class OverrunScenario(Scenario):
    name = "overrun"
    question = ("Once in a while a DPC starts ~60 ms late and the DMA overwrites data not yet copied: "
                "which chunks are lost, when, and by how much did the latency exceed the ring's headroom?")
    spec = SPEC
    plan_type = StreamPlan

    def prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                choices: Choices = NO_CHOICES) -> StreamPlan:
        plan = self._prepare(values, seed, choices)
        c_driver = c_driver_of(values)
        return replace(plan, c_driver=c_driver) if c_driver else plan

    def _prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                 choices: Choices = NO_CHOICES) -> StreamPlan:
        validate(values)
        try:
            parse_interference(values["interference"], values["cpus"])
            replay = replay_of(values)
        except ValueError as e:
            raise ParamError(str(e)) from None
        if replay is not None and "latency_file" in replay and (values["spike_us"] or values["jitter_us"]):
            raise ParamError("latency_file= replays measured latencies, without a spike or jitter on top: "
                             "set spike_us=0 and jitter_us=0")
        if values["interference"] != "none" or replay is not None:
            what = "interference" if values["interference"] != "none" or values["interference_file"] != "none" \
                else "replayed latencies"
            if values["expect"] == "auto":
                raise ParamError(f"with {what} the outcome is not predicted from the parameters: "
                                 "set expect=loss or expect=clean")
            late_ps = max(replay["dpc_latency_ps"]) if replay and replay.get("dpc_latency_ps") else \
                round((values["dpc_latency_us"] + values["spike_us"]) * 1e6)
            pred = Prediction(values["expect"], values["slots"] * round(values["period_us"] * 1e6 / CLOCK_PS) * CLOCK_PS,
                              late_ps, 0, None, None, None, None,
                              values["mode"] == "flow", f"{what}: the outcome is declared, not predicted")
            return StreamPlan(values, values["expect"], pred, replay=_summary(replay))
        pred = predict(values)
        expected = pred.outcome if values["expect"] == "auto" else values["expect"]
        return StreamPlan(values, expected, pred)

    # ---- verdict ----
    def checks(self, plan: StreamPlan, obs: dict[str, Any]) -> list[Check]:
        v, p, expected = plan.values, plan.prediction, plan.expected
        sb, hw = obs["scoreboard"], obs["hardware"]
        lost = sb["lost"]
        c: list[Check] = []
        c.append(("run completed (the stream did not stall)", not obs["timed_out"],
                  f"ended at {obs['end_ps'] / 1e6:.3f} us"))
        c.append(("device produced every chunk", hw["CNT_CHUNKS"] == v["chunks"],
                  f"CNT_CHUNKS={hw['CNT_CHUNKS']}, chunks={v['chunks']}"))
        c.append(("no chunk delivered twice or out of order",
                  not sb["duplicates"] and not sb["out_of_order"],
                  f"duplicates={sb['duplicates'][:5]} out_of_order={sb['out_of_order'][:5]}"))
        c.append(("lost + delivered = produced", len(lost) + sb["delivered"] == sb["produced"],
                  f"{len(lost)} + {sb['delivered']} vs {sb['produced']}"))
        if expected == "loss" and v.get("driver") == "free_first" and v["mode"] == "flow":
            c += self.refill_checks(v, obs)
        elif expected == "loss":
            c.append(("scoreboard found lost chunks", bool(lost), f"lost: {ranges(lost)}"))
            if p.first_lost_seq is not None:
                c.append(("first lost chunk is the one the late DPC was queued for",
                          bool(lost) and lost[0] == p.first_lost_seq,
                          f"predicted seq {p.first_lost_seq} (slot {p.first_lost_slot}), "
                          f"observed {lost[0] if lost else None}"))
                c.append(("hardware overwrote that slot with the predicted chunk",
                          hw["OVERRUN_SEQ"] == p.overwriting_seq,
                          f"OVERRUN_SEQ={hw['OVERRUN_SEQ']}, predicted {p.overwriting_seq}"))
                c.append(("hardware overwrite cycle is the predicted one",
                          hw["OVERRUN_CYCLE"] == p.overwrite_cycle,
                          f"OVERRUN_CYCLE={hw['OVERRUN_CYCLE']}, predicted {p.overwrite_cycle}"))
            c.append(("hardware overrun flag agrees with the scoreboard", hw["overrun_flag"] and bool(lost),
                      f"STATUS.OVERRUN={int(hw['overrun_flag'])}"))
            c.append(("hardware overwrite count covers every lost chunk", hw["CNT_OVERWRITE"] >= len(lost) > 0,
                      f"CNT_OVERWRITE={hw['CNT_OVERWRITE']}, lost={len(lost)}"))
        else:
            c.append(("zero loss", not lost and sb["divergences"] == 0,
                      f"lost: {ranges(lost)}; divergences: {sb['divergences']}"))
            c.append(("hardware overrun flag clear and no overwrite",
                      not hw["overrun_flag"] and hw["CNT_OVERWRITE"] == 0,
                      f"STATUS.OVERRUN={int(hw['overrun_flag'])}, CNT_OVERWRITE={hw['CNT_OVERWRITE']}"))
            if p.stall_expected:
                c.append(("flow control held the device (stall cycles counted)", hw["CNT_STALL"] > 0,
                          f"CNT_STALL={hw['CNT_STALL']} cycles"))
                late = obs.get("late_dpc")
                # (one late DPC's stall: a replayed file's many late DPCs each add theirs)
                if late and v["interference"] == "none" and p.dpc_keeps_pace and v["latency_file"] == "none":
                    # the chunk that needs the late DPC's slot is due at cycle (s + slots) x period + 1;
                    # it waits at least until that DPC starts, plus its copy of the full ring (a driver
                    # that frees first skips that wait), its run and the catch-up (< 10 us)
                    period_cycles = round(v["period_us"] * 1e6 / CLOCK_PS)
                    gap = late["start_cycle"] - ((v["spike_at_chunk"] + v["slots"]) * period_cycles + 1)
                    bound = gap + (10_000_000 + v["slots"] * chunk_copy_ps(v)) // CLOCK_PS
                    c.append(("stall cycles cover the late DPC's delay past the headroom",
                              gap <= hw["CNT_STALL"] <= bound,
                              f"CNT_STALL={hw['CNT_STALL']}, late DPC started {gap} cycles after the held chunk "
                              f"was due (bound {gap}..{bound})"))
        return c


    def refill_checks(self, v: dict[str, Any], obs: dict[str, Any]) -> list[Check]:
        """The loss of a flow-controlled driver that frees before it copies: the device, no longer
        held, refills slots the DPC has not copied yet. Nothing is overwritten as far as the
        hardware knows, so only the content of the copies shows it."""
        sb, hw, drv = obs["scoreboard"], obs["hardware"], obs["driver"]
        lost, corrupted, detail = sb["lost"], sb["corrupted_copies"], sb["copy_divergences"]
        late = obs.get("late_dpc")
        first = detail[0] if detail else None
        not_refills = [d["seq"] for d in detail if d["seq_refill"] is None]
        return [
            ("scoreboard found lost chunks", bool(lost), f"lost: {ranges(lost)}"),
            ("every lost chunk was copied with other content (none skipped, none missing)",
             lost == corrupted and drv["chunks_lost_ring"] == 0,
             f"lost: {ranges(lost)}; corrupted copies: {ranges(corrupted)}; skipped as overwritten: "
             f"{drv['chunks_lost_ring']}"),
            ("each corrupted copy holds a later chunk of its own slot (the device refilled it)",
             bool(detail) and not not_refills, f"not a refill: {not_refills[:5]}"),
            ("the corruption starts in the late DPC's copy of its backlog",
             first is not None and late is not None and first["t_ps"] >= late["start_ps"],
             f"first corrupted copy at {first['t_ps'] / 1e6:.3f} us, late DPC started "
             f"{late['start_ps'] / 1e6:.3f} us" if first and late else "no corrupted copy or no late DPC"),
            ("the loss is silent: the hardware saw no overwrite (the driver had freed the slots)",
             not hw["overrun_flag"] and hw["CNT_OVERWRITE"] == 0,
             f"STATUS.OVERRUN={int(hw['overrun_flag'])}, CNT_OVERWRITE={hw['CNT_OVERWRITE']}"),
        ]

    # ---- report ----
    def describe(self, plan: StreamPlan, r: dict[str, Any]) -> list[str]:
        obs = r["observed"]
        v, p = plan.values, plan.prediction
        hw, sb, k, drv = obs["hardware"], obs["scoreboard"], obs["kernel"], obs["driver"]
        t0, clk = obs["stream_start_ps"], obs["clock_ps"]
        t = lambda ps: sim_time(ps, t0, clk)  # noqa: E731
        lines = [
            f"ring headroom:   {v['slots']} slots x {v['period_us']:g} us = {p.headroom_ps / 1e6:g} us",
            f"late DPC:        latency {p.late_latency_ps / 1e6:g} us planned; prediction: {p.reason}",
        ]
        late = obs.get("late_dpc")
        if late:
            lines.append(f"                 queued {t(late['queued_at_ps'])}, started {t(late['start_ps'])}, "
                         f"latency {late['latency_ps'] / 1e6:.3f} us"
                         f" ({(late['latency_ps'] - p.headroom_ps) / 1e6:+.3f} us vs headroom)")
            behind = late.get("behind") or {}
            dpcs = sorted(behind.get("dpcs", {}).items(), key=lambda w: -w[1][1])
            isrs = sorted(behind.get("isrs", {}).items(), key=lambda w: -w[1][1])
            dpc_ps = sum(ps for _, (_, ps) in dpcs)
            lines.append(f"                 on CPU {late.get('cpu', 0)} it waited behind: "
                         + (", ".join(f"{n} ({c} run{'s' * (c > 1)}, {ps / 1e6:.3f} us)" for n, (c, ps) in dpcs[:4])
                            or "no other DPC")
                         + ("; ISRs meanwhile: " + ", ".join(f"{n} x{c} ({ps / 1e6:.3f} us)" for n, (c, ps) in isrs[:3])
                            if isrs else "")
                         + f"; the rest, {max(0, late['latency_ps'] - dpc_ps) / 1e6:.3f} us, is "
                         + ("replayed latency" if plan.replay and "latency_file" in plan.replay
                            else "injected latency (base, jitter, spike)") + " and ISR time")
        lines += replay_lines(plan.replay)
        lines.append(f"chunks:          produced {sb['produced']}, delivered {sb['delivered']}, "
                     f"lost {len(sb['lost'])} ({ranges(sb['lost'])})")
        if sb["lost"] and p.first_lost_seq is not None:
            lines.append(f"predicted:       first lost seq {p.first_lost_seq} in slot {p.first_lost_slot}, "
                         f"overwritten by seq {p.overwriting_seq} at stream cycle {p.overwrite_cycle}")
        lines.append(f"first overwrite: hardware flag rose at {t(obs['hw_overrun_ps'])}; "
                     f"OVERRUN_SEQ={hw['OVERRUN_SEQ'] if hw['overrun_flag'] else '-'} "
                     f"OVERRUN_CYCLE={hw['OVERRUN_CYCLE'] if hw['overrun_flag'] else '-'}")
        if drv["overrun_reads"]:
            o = drv["overrun_reads"][0]
            lines.append(f"DPC found it:    at {t(o['t_ps'])} it read PROD_IDX={o['prod']} with "
                         f"consumer at {o['cons']}: {o['lost']} chunks already overwritten")
        fd = sb["first_divergence"]
        if fd:
            lines.append(f"first divergence: {fd['where']} seq {fd['seq_expected']} slot {fd['slot']} at "
                         f"{t(fd['t_ps'])}: word {fd['word']} expected {fd['expected']:#010x} observed "
                         f"{fd['observed']:#010x} (slot held seq {fd['seq_observed']}, {fd['kind']})")
        refills = sb.get("copy_divergences", [])
        if refills:
            lines.append(f"corrupted:       {len(refills)} copies held other data than their chunk: "
                         + "; ".join(f"seq {d['seq']} slot {d['slot']} at {t(d['t_ps'])}: {d['kind']}, "
                                     f"{d['words_differing']} words from seq {d['seq_refill']}" for d in refills[:3])
                         + ("; ..." if len(refills) > 3 else ""))
        for rec in obs.get("msi_faults", [])[:20]:
            lines.append(f"MSI fault:       {FaultRecord(**rec).describe()} (stream cycle "
                         f"{(rec['time_ps'] - t0) // clk})")
        lines += [
            f"hardware:        STATUS.OVERRUN={int(hw['overrun_flag'])} CNT_CHUNKS={hw['CNT_CHUNKS']} "
            f"CNT_OVERWRITE={hw['CNT_OVERWRITE']} CNT_IRQS={hw['CNT_IRQS']} CNT_STALL={hw['CNT_STALL']} cycles",
            f"host:            ISRs {k['isr_count']} (data {k['data_isr_count']}), KeInsertQueueDpc "
            f"{k['dpc_insert_attempts']} calls / {k['dpc_inserts']} queued, DPC runs {k['dpc_runs']}, "
            f"max chunks per DPC {drv['max_chunks_per_dpc']}",
            f"                 max DPC latency {k['dpc_latency_max_ps'] / 1e6:.3f} us, max DPC run "
            f"{k['dpc_run_max_ps'] / 1e6:.3f} us, max ISR run {k['isr_run_max_ps'] / 1e6:.3f} us, "
            f"MMIO transactions {obs['mmio_transactions']}",
            f"simulated:       {obs['end_ps'] / 1e6:.3f} us = {obs['sim_cycles']} cycles at {1e6 / clk:g} MHz",
        ]
        if "metrics" in obs:
            from irqloop.hostmodel.metrics import table
            lines += ["", "host metrics (latency = a chunk's age at the consumer, from the cycle it was due):"]
            lines += ["  " + line for line in table({"StreamDriver": obs["metrics"]}).splitlines()]
        return lines



@register
class OverrunFlowControlScenario(OverrunScenario):
    """`overrun_flowcontrol`: the same stress with the device in flow-controlled mode: the late
    DPC makes the device wait for a free slot (counted in CNT_STALL) instead of overwriting."""
    name = "overrun_flowcontrol"
    question = ("The same late DPC with flow control on: is every chunk delivered, and for how many cycles "
                "did the device stall waiting for the driver?")
    spec = [replace(p, default="flow") if p.name == "mode" else p for p in SPEC]



@register
class RandomStreamScenario(OverrunScenario):
    """`random_stream`: a constrained-random streaming configuration drawn from the seed (ring
    size, slot size, rate, DPC latency and jitter, one spike or none, mode), kept to settings
    whose outcome the prediction can state; the run must match it."""
    name = "random_stream"
    question = ("Does the prediction hold on a random streaming configuration (ring, slot size, rate, DPC "
                "latency, jitter, spike, mode)?")
    spec = [Param("max_chunks", 96, "upper bound of the chunks drawn", int, lo=8, hi=100000)]

    def prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                choices: Choices = NO_CHOICES) -> StreamPlan:
        rng = stream(seed, "random_stream")
        for _ in range(200):           # rejection: draw until the prediction can state the outcome
            v = stream_values(mode=rng.choice(["free", "flow"]), slots=rng.choice([1, 2, 4, 8, 16, 64]),
                              slot_bytes=8 * rng.randint(8, 512), period_us=round(rng.uniform(2, 40), 3),
                              chunks=rng.randint(8, values["max_chunks"]), dpc_latency_us=round(rng.uniform(0.5, 4), 3),
                              jitter_us=round(rng.choice([0, rng.uniform(0, 3)]), 3),
                              consumer_period_us=round(rng.uniform(10, 100), 1))
            v["spike_at_chunk"] = rng.randrange(v["chunks"])
            v["spike_us"] = round(rng.choice([0.0, rng.uniform(0, 3 * v["slots"] * v["period_us"])]), 3)
            try:
                plan = super().prepare(v, seed, choices)
            except ParamError:
                continue
            return replace(plan, drawn_by=values)
        raise ParamError(f"no predictable configuration drawn for seed {seed} in 200 tries")
