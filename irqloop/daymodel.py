"""A day in a minute: a transaction-level model of the streaming path, fast enough for 24 h of chunks.

The same rules as the RTL device (rtl/ring_producer.v, rtl/msi_vector_ctrl.v) and the host model
(hostmodel/kernel.py, hostmodel/driver.py ``StreamDriver``), event by event, without data:

Device
    A chunk is due every ``period_ps`` (the source's ticks at k x period; a chunk starts
    ``start_offset_ps`` after its tick). A starting chunk claims slot ``seq mod slots``; the ring is
    full when chunks started minus CONS_IDX reach ``slots``. Free-running: the chunk overwrites the
    oldest slot (the first such chunk and its time are the *first overwrite*; INT_CAUSE.OVERRUN and
    the error vector fire). Flow-controlled: the chunk is held until a CONS_IDX write frees a slot
    (then starts ``restart_ps`` later); ticks while it is held collapse, so the next chunk is due at
    the first tick after it started. ``write_ps`` after its start the chunk is written: PROD_IDX
    counts it, INT_CAUSE.DATA and the data vector fire. A vector masked with an event pending sends
    one MSI on unmask; clearing the cause while masked clears the pending bit (PCIe 6.1.4).
Host (CPU 0 takes the device's ISRs and runs its DPC)
    An MSI waits at the CPU (one already waiting absorbs it) and its ISR runs ``isr_ps``; ISRs never
    run during the DPC's PROD_IDX read. At its end the ISR reads INT_CAUSE (nothing: unclaimed),
    writes it back to clear it and, for data, masks the data vector and calls KeInsertQueueDpc,
    which does nothing if the DPC is queued. The queued DPC starts ``latency + dpc_dispatch_ps``
    after it was queued (one latency per queued DPC, in queue order), or when the previous run
    ends, and never while an ISR runs; it leaves the queue as it starts. It reads PROD_IDX
    (``mmio_read_ps``), skips what was overwritten beyond ``slots`` (lost), copies every ready slot
    (``chunk_copy_ps`` each, stretched by ISRs that preempt it), writes CONS_IDX and unmasks.
    Posted writes land ``mmio_write_ps`` after they are issued, in order.
Loss
    A chunk is lost if the DPC skips it or its slot was refilled before the copy's last read
    (``read_span_ps`` after the copy of that slot starts).
Ties
    At one picosecond the device acts first, then posted writes land, then an ISR ends, then the
    DPC steps: the event simulator orders equal times by when they were scheduled, and the
    device's next tick is scheduled a period ahead, the host's steps less than that (except a DPC
    whose latency exceeds a period: the rare exact tie of its start with a tick may order
    differently there).

Clocked: the RTL harness (``StreamTiming.for_rtl``)
    The event-simulated host model's MMIO takes a fixed time and its device acts at once; the RTL
    harness does neither, so ``for_rtl`` runs the model clocked (daymodel.c ``day_run_clocked``),
    with the figures of :class:`RtlCycles` (each read off the RTL and checked in a waveform):
    - the source ticks at stream cycle k x period and the chunk starts one cycle later (OVERRUN_CYCLE
      = k x period + 1 for an undelayed chunk); a tick in the cycle a held chunk starts is absorbed;
    - the DMA writer is one resource: a chunk's bursts (len + 3 cycles each, at most 16 beats, split
      at 4 KiB) and MSIs (4 cycles; the lowest pending vector first, before the next burst) take
      turns, so an overwrite's error MSI delays that chunk's data MSI (and, between bursts, its
      write); chunk_done -> PROD_IDX +1, INT_CAUSE.DATA +2, vector pending +3, MSI on the bus +4,
      landing +6 cycles;
    - the CPU's MMIO requests go one at a time through the AXI4-Lite master, each at an edge after it
      was queued: a read samples its register one edge after it goes out and completes the edge
      after (3 edges of bus), a write takes effect 2 edges after it goes out (CONS_IDX reaches the
      producer one edge later) and holds the bus 4; so the ISR's read waits behind the DPC's
      CONS_IDX and MSI_MASK writes, and an ISR takes 700 ns plus 2 cycles or more, not a constant;
    - a slot's copy is torn or replaced only once the refill's first data beat has landed (4 cycles
      after the refill started), not when the refill starts.
    Ties (found by the agreement test, tests/test_daymodel_rtl.py): cocotb runs Python woken by a
    timer before the clock edge of its time step (a request queued at an edge time goes out at that
    edge; a copy that starts there reads the slot before that edge's beat), and Python woken by a
    hook (a read's completion, an MSI) after it; of two hooks at one edge, the read completion and
    everything it wakes (the DPC that waited for the ISR, its PROD_IDX read holding interrupts off)
    come before the MSI. With these the clocked model and the RTL agree exactly over 10^4 chunks
    (lost chunks, OVERRUN_SEQ/CYCLE, CNT_OVERWRITE, CNT_STALL, MSIs, ISRs, DPC runs).
    Speed: the loop takes only the edges where something can change (a scheduled register change, a
    tick, a chunk's start, a burst or an MSI the writer can issue, a request the bus can take) and
    jumps over the rest, and a *quiet* chunk (the ring drained, bus, writer and CPU idle, nothing
    pending or masked) is computed in one step, from its tick to its DPC's unmask, when all of it
    comes before the next tick (daymodel.c ``c_quiet_chunk``; when the DPC's latency reaches past
    the next tick it hands over to the loop where the latency is drawn). Neither changes a result:
    a build with ``-DDAYMODEL_CHECK`` takes every jumped-over edge on a copy and runs every quiet
    chunk through the loop as well, and aborts on any difference (tests/test_daymodel_rtl.py). A day
    of 1 kHz chunks (86.4 M, 64 slots of 256 bytes, heavy-tailed latencies: ``bench(clocked=True)``)
    takes 4-5 s, ~20 M chunks/s on this 2-core machine (edge by edge it took 40-50 s, ~2 M chunks/s);
    a ring that overruns often has fewer quiet chunks: 4 slots losing 13 % of the chunks run at ~6 M
    chunks/s (edge by edge ~3 M).
    Not modelled clocked (refused): slots above 256 bytes, which StreamDriver copies piece by piece
    while the DMA may refill them, and an extra MMIO read cost (CpuCosts.mmio_read_extra_ps).

:func:`simulate` takes the settings, the timing and a latency source and returns a
:class:`DayResult`: the lost chunks (as ranges), the first overwrite (chunk and time since the
stream started), stalls, and the kernel's counts. The inner loop is C, compiled with gcc into
``WORK/build/daymodel/`` at first use (irqloop/daymodel.c).
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence, Union

import numpy as np

from irqloop import toolchain
from irqloop.hostmodel.driver import COPY_PIECE_BYTES, MAX_COPY_PIECES
from irqloop.hostmodel.kernel import CpuCosts
from irqloop.hostmodel.seeds import stream
from irqloop.tb.board import CLOCK_PS

C_SOURCE = (Path(__file__).resolve().parent / "daymodel.c").read_text()   #: the inner loop, compiled at first use

CFLAGS = ("-O2", "-shared", "-fPIC", "-std=c11")


@dataclass(frozen=True)
class StreamSettings:
    slots: int
    period_ps: int
    chunks: int
    flow_control: bool = False
    rearm_by_mask: bool = True        #: StreamConfig.rearm_by_mask: the ISR masks, the DPC unmasks

    def __post_init__(self) -> None:
        if not 1 <= self.slots <= 65535:
            raise ValueError(f"slots={self.slots}: the device takes 1..65535")
        if self.period_ps <= 0 or self.chunks < 0:
            raise ValueError(f"period_ps={self.period_ps} must be > 0 and chunks={self.chunks} >= 0")


@dataclass(frozen=True)
class RtlCycles:
    """The RTL harness in clock cycles: what :meth:`StreamTiming.for_rtl` gives the clocked mode.

    Each figure is read off the RTL's registers and checked in a simulation (the waveform of an
    ``overrun`` run: tests/test_daymodel_rtl.py ``test_the_rtl_cycle_figures_hold_in_a_waveform``).
    "After edge e" is a register's value once edge e has happened; a decision at edge e sees the
    values after edge e-1."""
    clock_ps: int                   #: tb/board.py CLOCK_PS
    slot_bytes: int                 #: a chunk's bytes (SLOT_SIZE)
    bus_bytes: int = 8              #: dma_axi_writer DATA_W / 8 (tb_irqloop: 64-bit AXI4)
    max_burst: int = 16             #: tb_irqloop MAX_BURST beats; bursts also stop at 4 KiB boundaries
    #: dma_axi_writer + host_mem_axi: a burst issued at edge a (AW) has its W handshake at a+1, its
    #: beats at a+2 .. a+1+len (host memory written there), B at a+2+len, and the next issue at
    #: a+3+len: len + 3 edges per burst. An MSI is a one-beat burst: it lands at a+2, 4 edges.
    burst_extra: int = 3
    msi_land: int = 2
    #: ring_producer -> dma_axi_writer: chunk_start (edge s) is taken at s+1 (chunk_busy), the
    #: first burst is issued at s+2 at the earliest; no chunk starts before the last B (edge d) + 1
    start_to_busy: int = 1
    #: mmio_axil_master + irqloop_csr: a read queued before edge p goes out at p (AR), the CSR
    #: samples the register at p+1 (the value after p), the master completes it at p+2 (the host
    #: sees it after that edge) and takes the next request at p+3
    rd_sample: int = 1
    rd_done: int = 2
    rd_busy: int = 3
    #: a write goes out at p (AW and W), the CSR writes the register at p+2 (INT_CAUSE, MSI_MASK in
    #: msix_table), B at p+2, the master takes the next request at p+4; CONS_IDX goes through
    #: cons_wr into ring_producer one edge later (p+3), so a chunk at p+4 sees the freed slots
    wr_effect: int = 2
    wr_busy: int = 4
    cons_extra: int = 1
    #: after the chunk's last B (chunk_done, edge d): PROD_IDX at d+1 (ring_producer), INT_CAUSE.DATA
    #: at d+2 (irqloop_csr), the data vector pending at d+3 (irq_moderation fire, msi_vector_ctrl):
    #: its MSI is issued at d+4 if the writer is idle and lands at d+6
    done_to_prod: int = 1
    done_to_cause: int = 2
    done_to_pending: int = 3
    #: an overwriting start at s: INT_CAUSE.OVERRUN at s+1, the error vector pending at s+2
    ovr_to_cause: int = 1
    ovr_to_pending: int = 2

    def chunk_write_cycles(self) -> int:
        """A chunk's write with the writer to itself: start edge to its last B (chunk_done)."""
        beats, addr, edges = self.slot_bytes // self.bus_bytes, 0, self.start_to_busy + 1
        while beats:
            n = min(self.max_burst, beats, (4096 - addr % 4096) // self.bus_bytes)
            beats, addr, edges = beats - n, addr + n * self.bus_bytes, edges + n + self.burst_extra
        return edges - 1


@dataclass(frozen=True)
class StreamTiming:
    """What each step of the path takes, in picoseconds (defaults: the event-simulated host model).

    With ``rtl`` set the model runs clocked (the RTL harness): the device, the DMA writer and the
    MMIO bus move at clock edges as :class:`RtlCycles` says, ``isr_ps`` is the ISR's entry up to
    its INT_CAUSE read (the read itself goes over the modelled bus), and ``mmio_*_ps``,
    ``write_ps``, ``restart_ps`` and ``start_offset_ps`` describe it for people (the loop derives
    them from ``rtl``)."""
    chunk_copy_ps: int                #: the DPC's copy of one slot and its per-chunk bookkeeping
    read_span_ps: int = 0             #: from a slot copy's start to its last read of the slot
    isr_ps: int = 740_000             #: MSI to the end of the ISR (entry, exit, the INT_CAUSE read)
    mmio_write_ps: int = 40_000       #: a posted write lands this long after it is issued
    mmio_read_ps: int = 40_000        #: the DPC's PROD_IDX read
    dpc_dispatch_ps: int = 300_000    #: the dispatcher's call into the DPC routine
    write_ps: int = 0                 #: device: a chunk's DMA write, start to PROD_IDX and MSI
    restart_ps: int = 0               #: device: CONS_IDX landing to the start of a held chunk
    start_offset_ps: int = 0          #: device: the source's tick to the chunk's start
    rtl: Optional[RtlCycles] = None   #: clocked: the RTL harness

    def __post_init__(self) -> None:
        if min(v for k, v in self.__dict__.items() if k != "rtl") < 0:
            raise ValueError(f"timing values must be >= 0: {self}")

    @classmethod
    def from_costs(cls, slot_bytes: int, costs: Optional[CpuCosts] = None, mmio_ps: int = 40_000,
                   **device: int) -> "StreamTiming":
        """The timing of hostmodel.kernel + StreamDriver on a platform whose MMIO takes ``mmio_ps``."""
        c = costs if costs is not None else CpuCosts()
        piece = max(COPY_PIECE_BYTES, -(-slot_bytes // MAX_COPY_PIECES) + 3 & ~3)
        last_piece_offset = (slot_bytes - 1) // piece * piece
        return cls(chunk_copy_ps=c.chunk_copy_ps(slot_bytes), read_span_ps=c.copy_ps(last_piece_offset),
                   isr_ps=c.isr_dispatch_ps + c.isr_exit_ps + mmio_ps + c.mmio_read_extra_ps,
                   mmio_write_ps=mmio_ps, mmio_read_ps=mmio_ps + c.mmio_read_extra_ps,
                   dpc_dispatch_ps=c.dpc_dispatch_ps, **device)

    @classmethod
    def for_rtl(cls, slot_bytes: int, costs: Optional[CpuCosts] = None) -> "StreamTiming":
        """The RTL harness (tb_irqloop with the host model on cocotb, tb/sim/e2e.py): clocked at
        tb/board.py CLOCK_PS with the cycle figures of :class:`RtlCycles`, the host model's CPU costs
        (``costs``: stream_costs of the run's parameters) for the ISR's entry, the dispatcher and
        the copy. The DPC copies a slot of up to COPY_PIECE_BYTES in one read at its start, as
        StreamDriver.copy_slot does; larger slots (read piece by piece while the DMA may refill
        them) and an extra MMIO read cost are not modelled clocked, and are refused."""
        c = costs if costs is not None else CpuCosts()
        if slot_bytes > COPY_PIECE_BYTES or slot_bytes % 8:
            raise ValueError(f"slot_bytes={slot_bytes}: the clocked model takes slots of up to {COPY_PIECE_BYTES} "
                             f"bytes (one read of the slot per copy), a multiple of 8")
        if c.mmio_read_extra_ps:
            raise ValueError("mmio_read_extra_ps: the clocked model has no extra MMIO read cost (the RTL harness has none)")
        rtl = RtlCycles(clock_ps=CLOCK_PS, slot_bytes=slot_bytes)
        clk = rtl.clock_ps
        return cls(chunk_copy_ps=c.chunk_copy_ps(slot_bytes), read_span_ps=0,
                   isr_ps=c.isr_dispatch_ps + c.isr_exit_ps,
                   mmio_write_ps=rtl.wr_effect * clk, mmio_read_ps=rtl.rd_done * clk,
                   dpc_dispatch_ps=c.dpc_dispatch_ps,
                   write_ps=(rtl.chunk_write_cycles() + rtl.done_to_prod) * clk,
                   restart_ps=(rtl.wr_effect + rtl.cons_extra + 1) * clk, start_offset_ps=clk, rtl=rtl)


@dataclass(frozen=True)
class LatencySequence:
    """DPC start latencies in picoseconds, one per queued DPC in queue order (a replay);
    ``cycle``: start again at the first when they run out, else the run stops there."""
    values_ps: Sequence[int] | np.ndarray
    cycle: bool = False


@dataclass(frozen=True)
class LatencyResample:
    """Each queued DPC's latency drawn uniformly from ``samples_ps`` with a generator seeded by
    ``seed`` (xoshiro256**): the same seed, the same day."""
    samples_ps: Sequence[int] | np.ndarray
    seed: int = 1


LatencySource = Union[LatencySequence, LatencyResample]


@dataclass(frozen=True)
class DayResult:
    settings: StreamSettings
    timing: StreamTiming
    produced: int
    lost: int                              #: chunks never copied intact
    lost_ranges: tuple[tuple[int, int], ...]   #: (first seq, count), up to the capacity asked for
    lost_ranges_total: int                 #: how many ranges there were (more than kept: truncated)
    overwrites: int                        #: chunks written over an unfreed slot (CNT_OVERWRITE)
    first_overwrite_seq: Optional[int]     #: OVERRUN_SEQ
    first_overwrite_ps: Optional[int]      #: its start, since the stream started
    stalled_chunks: int                    #: chunks flow control held
    stall_ps: int                          #: time chunks were held, in all (CNT_STALL x clock)
    max_stall_ps: int
    isrs: int
    isrs_unclaimed: int
    msi_collapsed: int
    dpc_insert_attempts: int
    dpc_inserts: int
    dpc_runs: int
    max_chunks_per_dpc: int
    skipped: int                           #: lost chunks the DPC found overwritten and skipped
    torn_or_replaced: int                  #: lost chunks refilled before the copy's last read
    stranded: int                          #: produced but never copied when the run ended (0)
    end_ps: int
    latencies_used: int
    max_latency_ps: int
    #: per DPC run (up to the capacity asked for): queued at, started, PROD_IDX read, chunks copied
    dpc_trace: np.ndarray
    wall_s: float

    @property
    def lost_seqs(self) -> list[int]:
        if self.lost_ranges_total > len(self.lost_ranges):
            raise ValueError(f"{self.lost_ranges_total} lost ranges, {len(self.lost_ranges)} kept: ask for more")
        return [s for first, n in self.lost_ranges for s in range(first, first + n)]

    def first_overwrite_cycle(self, clock_ps: int) -> Optional[int]:
        """OVERRUN_CYCLE: the first overwrite in stream cycles of a ``clock_ps`` device clock."""
        return None if self.first_overwrite_ps is None else self.first_overwrite_ps // clock_ps


#: clocked mode's parameters (daymodel.c DayParams, after trace_capacity): RtlCycles' fields and the ISR entry
_CLOCKED_FIELDS = ("clock_ps", "slot_bytes", "bus_bytes", "max_burst", "burst_extra", "msi_land", "rd_sample",
                   "rd_done", "rd_busy", "wr_effect", "wr_busy", "cons_extra", "done_to_prod", "done_to_cause",
                   "done_to_pending", "ovr_to_cause", "ovr_to_pending", "start_to_busy", "isr_entry_ps")


class _Params(ctypes.Structure):
    _fields_ = [(n, ctypes.c_int64) for n in (
        "slots", "period_ps", "chunks", "flow_control", "rearm_by_mask", "isr_ps", "mmio_write_ps",
        "mmio_read_ps", "dpc_dispatch_ps", "chunk_copy_ps", "read_span_ps", "write_ps", "restart_ps",
        "start_offset_ps", "latency_mode", "latency_count")] + [("seed", ctypes.c_uint64)] + \
        [(n, ctypes.c_int64) for n in ("max_ranges", "trace_capacity")] + \
        [(n, ctypes.c_int64) for n in _CLOCKED_FIELDS]


_RESULT_FIELDS = ("status", "produced", "lost", "lost_ranges", "overwrites", "first_overwrite_seq",
                  "first_overwrite_ps", "stalled_chunks", "stall_ps", "max_stall_ps", "isrs", "isrs_unclaimed",
                  "msi_collapsed", "dpc_insert_attempts", "dpc_inserts", "dpc_runs", "max_chunks_per_dpc",
                  "skipped", "torn_or_replaced", "stranded", "end_ps", "latencies_used", "max_latency_ps", "traced")


class _Result(ctypes.Structure):
    _fields_ = [(n, ctypes.c_int64) for n in _RESULT_FIELDS]


class DayModelError(RuntimeError):
    pass


_lib: Optional[ctypes.CDLL] = None


def library(build_dir: Optional[Path] = None, extra_cflags: Sequence[str] = ()) -> ctypes.CDLL:
    """The compiled inner loop: built once per source text into ``build_dir`` (default
    WORK/build/daymodel), never into the source tree. ``extra_cflags`` (with a ``build_dir``): e.g.
    ``-DDAYMODEL_CHECK``, the clocked mode checking its shortcuts against its own loop."""
    global _lib
    if _lib is not None and build_dir is None:
        return _lib
    out = build_dir if build_dir is not None else toolchain.WORK / "build" / "daymodel"
    cflags = (*CFLAGS, *extra_cflags)
    digest = hashlib.sha256((C_SOURCE + " ".join(cflags)).encode()).hexdigest()[:16]
    so = out / f"daymodel-{digest}.so"
    if not so.exists():
        toolchain.require_system("the day model (irqloop/daymodel.py)", ("cmd:gcc=gcc",))
        out.mkdir(parents=True, exist_ok=True)
        src = out / f"daymodel-{digest}.c"
        src.write_text(C_SOURCE)
        fd, tmp = tempfile.mkstemp(dir=out, suffix=".so")     # parallel test workers: build, then rename
        os.close(fd)
        r = subprocess.run(["gcc", *cflags, "-o", tmp, str(src)], capture_output=True, text=True)
        if r.returncode != 0:
            os.unlink(tmp)
            raise toolchain.InfrastructureError(f"gcc could not build the day model: {r.stderr.strip()[-2000:]}")
        os.replace(tmp, so)
    lib = ctypes.CDLL(str(so))
    lib.day_run.restype = ctypes.c_int64
    lib.day_run.argtypes = [ctypes.POINTER(_Params), ctypes.c_void_p, ctypes.POINTER(_Result),
                            ctypes.c_void_p, ctypes.c_void_p]
    if build_dir is None:
        _lib = lib
    return lib


def simulate(settings: StreamSettings, timing: StreamTiming, latency: LatencySource,
             max_ranges: int = 1 << 16, trace_capacity: int = 0) -> DayResult:
    """Run the stream until every chunk is produced and the driver has caught up."""
    if isinstance(latency, LatencySequence):
        values = np.ascontiguousarray(latency.values_ps, dtype=np.int64)
        mode, seed = (1 if latency.cycle else 0), 0
    else:
        values = np.ascontiguousarray(latency.samples_ps, dtype=np.int64)
        mode, seed = 2, latency.seed & (2**64 - 1)
    if mode and not len(values):
        raise ValueError("a latency source needs at least one value")
    if len(values) and values.min() < 0:
        raise ValueError(f"a DPC latency of {int(values.min())} ps is negative")
    params = _Params(settings.slots, settings.period_ps, settings.chunks, int(settings.flow_control),
                     int(settings.rearm_by_mask), timing.isr_ps, timing.mmio_write_ps, timing.mmio_read_ps,
                     timing.dpc_dispatch_ps, timing.chunk_copy_ps, timing.read_span_ps, timing.write_ps,
                     timing.restart_ps, timing.start_offset_ps, mode, len(values), seed, max_ranges, trace_capacity)
    if timing.rtl is not None:
        rtl = timing.rtl
        if settings.period_ps % rtl.clock_ps:
            raise ValueError(f"period_ps={settings.period_ps} is not a whole number of {rtl.clock_ps} ps clock cycles")
        if settings.period_ps // rtl.clock_ps <= rtl.chunk_write_cycles():
            raise ValueError(f"period_ps={settings.period_ps} is not longer than a chunk's write "
                             f"({rtl.chunk_write_cycles()} cycles)")
        for name in _CLOCKED_FIELDS[:-1]:
            setattr(params, name, getattr(rtl, name))
        params.isr_entry_ps = timing.isr_ps
    ranges = np.zeros((max(max_ranges, 1), 2), np.int64)
    trace = np.zeros((max(trace_capacity, 1), 4), np.int64)
    res = _Result()
    lib = library()
    t0 = time.perf_counter()
    status = lib.day_run(ctypes.byref(params), values.ctypes.data if len(values) else None, ctypes.byref(res),
                         ranges.ctypes.data, trace.ctypes.data)
    wall = time.perf_counter() - t0
    if status == 1:
        raise DayModelError(f"the latency sequence ran out after {res.latencies_used} DPC runs "
                            f"({res.produced} of {settings.chunks} chunks produced); give more values or cycle=True")
    if status == 3:
        raise DayModelError("the clocked loop's check (-DDAYMODEL_CHECK) found a shortcut that changes the state "
                            "(the C library's standard error says where)")
    if status != 0:
        raise DayModelError(f"the day model stopped with status {status}")
    kept = min(res.lost_ranges, max_ranges)
    r = {n: getattr(res, n) for n in _RESULT_FIELDS}
    return DayResult(
        settings=settings, timing=timing, produced=r["produced"], lost=r["lost"],
        lost_ranges=tuple((int(a), int(b)) for a, b in ranges[:kept]), lost_ranges_total=r["lost_ranges"],
        overwrites=r["overwrites"],
        first_overwrite_seq=None if r["first_overwrite_seq"] < 0 else r["first_overwrite_seq"],
        first_overwrite_ps=None if r["first_overwrite_seq"] < 0 else r["first_overwrite_ps"],
        stalled_chunks=r["stalled_chunks"], stall_ps=r["stall_ps"], max_stall_ps=r["max_stall_ps"],
        isrs=r["isrs"], isrs_unclaimed=r["isrs_unclaimed"], msi_collapsed=r["msi_collapsed"],
        dpc_insert_attempts=r["dpc_insert_attempts"], dpc_inserts=r["dpc_inserts"], dpc_runs=r["dpc_runs"],
        max_chunks_per_dpc=r["max_chunks_per_dpc"], skipped=r["skipped"], torn_or_replaced=r["torn_or_replaced"],
        stranded=r["stranded"], end_ps=r["end_ps"], latencies_used=r["latencies_used"],
        max_latency_ps=r["max_latency_ps"], dpc_trace=trace[:r["traced"]].copy(), wall_s=wall)


def bench(chunks: int = 86_400_000, period_ps: int = 1_000_000_000, slots: int = 64, seed: int = 1,
          clocked: bool = False) -> dict[str, float]:
    """`make bench`'s day-model figures: a day of 1 kHz chunks (86.4 M) through a 64-slot ring with
    heavy-tailed DPC latencies (a Pareto pool, resampled), timed inside the process; slots of 4 KiB
    on the event-simulated host's timing, or ``clocked``: the RTL harness's (slots of 256 bytes, the
    largest the clocked mode takes)."""
    rng = np.random.default_rng(stream(seed, "day_bench.pool").getrandbits(64))
    pool = (2_000_000 * (1 + rng.pareto(1.5, 1 << 20))).astype(np.int64)      # >= 2 us, tail/mean ~100x
    timing = StreamTiming.for_rtl(slot_bytes=256) if clocked else StreamTiming.from_costs(slot_bytes=4096)
    result = simulate(StreamSettings(slots=slots, period_ps=period_ps, chunks=chunks), timing,
                      LatencyResample(pool, stream(seed, "day_bench.resample").getrandbits(64)))
    return {"chunks": chunks, "wall_s": result.wall_s, "chunks_per_s": chunks / result.wall_s,
            "lost": result.lost, "dpc_runs": result.dpc_runs, "max_latency_us": result.max_latency_ps / 1e6}


def main() -> None:
    import argparse
    ap = argparse.ArgumentParser(description="time the day model over a day of 1 kHz chunks")
    ap.add_argument("--chunks", type=int, default=86_400_000)
    ap.add_argument("--clocked", action="store_true", help="the clocked mode (StreamTiming.for_rtl, 256-byte slots)")
    args = ap.parse_args()
    b = bench(args.chunks, clocked=args.clocked)
    print(f"day model{' (clocked)' if args.clocked else ''}: {b['chunks']:,} chunks in {b['wall_s']:.2f} s = "
          f"{b['chunks_per_s'] / 1e6:.2f} M chunks/s "
          f"(lost {b['lost']}, {b['dpc_runs']:,} DPC runs, max latency {b['max_latency_us']:.0f} us)")


if __name__ == "__main__":
    main()
