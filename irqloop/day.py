"""The once-a-day answer: measured DPC latencies in, overruns per day with a 95 % interval out.

    irqloop day --trace FILE [--format auto|plain|wpa|xperf|latencymon] [--module NAME] [--seed N]
                [slots=8 slot_bytes=1024 period_us=10 mode=free|flow copy_ns_per_kib=...]

What decides an overrun is the lateness of the driver's own DPC (docs/day.md). The steps:

1. **Latencies.** From the trace (hostmodel/traces.py): the own DPC's start lateness, one sample
   per queued DPC in queue order, where the file gives or derives it. Otherwise a stand-in from
   the interference, said so in every report: with enter times, the time the CPU stays busy with
   other drivers' DPCs and ISRs from each chunk tick on; with durations only (xperf, LatencyMon
   buckets), each queued DPC waiting one whole run of another driver (an upper bound).
2. **The overrun threshold.** The smallest lateness of one DPC that loses a chunk, found with the
   day model (irqloop/daymodel.py) by bisection: a little under the headroom, slots x period,
   because the chunk write, the ISR and the dispatch take their share.
3. **The rate.** Overruns per day = DPCs queued per day (from the simulated day) x the probability
   that a DPC is later than the threshold. That probability is
   - *counted directly* where the data have at least ``DIRECT_MIN_CLUSTERS`` bursts beyond it: k
     late DPCs of n, interval from the exact Poisson (Garwood) interval of the number of bursts,
     scaled by the mean burst size (declustering: bursts of late DPCs are not independent);
   - *extrapolated* by peaks over threshold where they do not: a generalised Pareto fit to the
     burst maxima above a high threshold u (runs declustering with the run length of Ferro and
     Segers' intervals estimator), with a profile-likelihood interval over the burst rate and
     both GPD parameters;
   - *refused* where the tail has fewer than ``TAIL_MIN`` bursts (or is binned): then only the
     direct count's bound is given, with the hours of measurement a fit would need.
4. **The simulated day.** 24 hours of chunks (capped at ``SIM_CHUNKS_MAX``, then scaled) through
   the day model, each DPC's lateness drawn from the measured ones: its overruns are a check of
   the rate, and its deepest overrun is the *worst window*, written as a latency file the overrun
   scenario replays in RTL.
5. **The ring for less than one overrun a year** at the upper end of the interval, and a table of
   mitigations from the same model: ring x2 and x4, half and double the chunk period, flow control.

Everything random draws from ``stream(seed, purpose)``: the same trace and seed give byte-identical
day.json and day.md.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

from irqloop import toolchain
from irqloop.daymodel import (LatencyResample, LatencySequence, StreamSettings, StreamTiming, simulate)
from irqloop.hostmodel.seeds import stream
from irqloop.hostmodel.traces import FORMATS, DurationHistogram, Trace, TraceFileError, load_trace
from irqloop.tb.board import CLOCK_PS, US
from irqloop.tb.scenarios.overrun import SPEC as OVERRUN_SPEC, chunk_write_cycles
from irqloop.tb.scenarios.params import Param, ParamError, parse_overrides
from irqloop.tb.streaming import stream_costs
from irqloop.toolchain import EXIT_AS_DECLARED

DAY_PS = 86_400 * 10**12
DAYS_PER_YEAR = 365.25
#: the overrun scenario's parameters the day estimate takes (the same names, defaults and ranges)
DAY_PARAMS = ("mode", "slots", "slot_bytes", "period_us", "copy_ns_per_kib")
DAY_SPEC: list[Param] = [p for p in OVERRUN_SPEC if p.name in DAY_PARAMS]
MAX_SLOTS = 65535                   #: the device's ring index is 16 bits

DIRECT_MIN_CLUSTERS = 10            #: bursts beyond the threshold for a direct count
TAIL_MIN = 30                       #: bursts above the POT threshold for a GPD fit
TAIL_FRACTION = 0.05                #: the POT threshold leaves this share of the DPCs above it ...
TAIL_MAX = 2000                     #: ... but at most this many
MIN_SAMPLES = 20                    #: fewer latencies than this are no measurement
CHI2_95 = 3.841458820694124         #: the 95 % quantile of chi-square with one degree of freedom
SIM_CHUNKS_MAX = 86_400_000         #: a simulated day at 1 kHz; shorter periods simulate this many, scaled
SEGMENT_CHUNKS = 1 << 20            #: the day is simulated in segments of this many chunks
WINDOW_BEFORE = 8                   #: queued DPCs in the worst window before the one that overran
WINDOW_AFTER = 4                    #: and after it


# ---------------------------------------------------------------------------------------------
# the stream's settings, as the overrun scenario takes them

@dataclass(frozen=True)
class DaySettings:
    values: dict[str, Any]          #: the DAY_PARAMS values
    period_ps: int                  #: period_us on the device's clock
    timing: StreamTiming

    @property
    def slots(self) -> int:
        return int(self.values["slots"])

    @property
    def flow_control(self) -> bool:
        return self.values["mode"] == "flow"

    @property
    def headroom_ps(self) -> int:
        return self.slots * self.period_ps

    @property
    def chunks_per_day(self) -> int:
        return DAY_PS // self.period_ps

    def stream(self, chunks: int, slots: Optional[int] = None, flow: Optional[bool] = None) -> StreamSettings:
        return StreamSettings(self.slots if slots is None else slots, self.period_ps, chunks,
                              flow_control=self.flow_control if flow is None else flow)

    def with_values(self, **changes: Any) -> "DaySettings":
        return settings_from(self.values | changes)


def settings_from(values: dict[str, Any]) -> DaySettings:
    """The stream of the overrun scenario with ``values``: its period on the 250 MHz clock and the
    timing of its host model (hostmodel.kernel costs, the chunk starting a cycle after its tick)."""
    if values["slot_bytes"] % 8:
        raise ParamError(f"slot_bytes={values['slot_bytes']} is not a multiple of the 8-byte DMA bus width")
    period_cycles = round(values["period_us"] * US / CLOCK_PS)
    need = chunk_write_cycles(values["slot_bytes"])
    if period_cycles < need:
        raise ParamError(f"period_us={values['period_us']:g} is shorter than one chunk write "
                         f"({need * CLOCK_PS / US:.3f} us for {values['slot_bytes']} bytes); "
                         f"use a longer period or smaller slots")
    timing = StreamTiming.from_costs(values["slot_bytes"], stream_costs(values), start_offset_ps=CLOCK_PS)
    return DaySettings(dict(values), period_cycles * CLOCK_PS, timing)


def parse_settings(items: Sequence[str]) -> DaySettings:
    return settings_from(parse_overrides(DAY_SPEC, list(items)))


# ---------------------------------------------------------------------------------------------
# 1. the latencies a trace gives

OWN = "own DPC lateness"
RESIDUAL = "interference: time the CPU stays busy with other drivers' DPCs and ISRs"
DURATIONS = "interference: whole runs of other drivers' DPCs and ISRs (upper bound)"


@dataclass(frozen=True)
class LatencyData:
    """DPC start latencies, one per queued DPC in queue order, and what they are."""
    samples_ps: np.ndarray
    kind: str                         #: OWN, RESIDUAL or DURATIONS
    how: str                          #: how they were obtained, in words
    binned: bool = False              #: bucket edges, not measured values (no tail fit)
    span_s: Optional[float] = None    #: the time the measurement covered, if known
    summary_max_ps: Optional[int] = None   #: a reported highest latency (LatencyMon) beside the samples

    @property
    def own(self) -> bool:
        return self.kind == OWN


def latency_data(trace: Trace, period_ps: int) -> LatencyData:
    """What the estimate uses from ``trace`` (see the module docstring, step 1)."""
    if trace.dpc_start_latency_ps:
        own_enters = [t for r in trace.own_runs if r.kind == "DPC" for t in r.enter_ps]
        span = (max(own_enters) - min(own_enters)) / 1e12 if len(own_enters) > 1 else None
        return LatencyData(np.array(trace.dpc_start_latency_ps, np.int64), OWN,
                           "the file's own DPC start latencies, in queue order", span_s=span)
    timed = [r for r in trace.interference if r.enter_ps]
    if timed:
        return _busy_residuals(trace, timed, period_ps)
    summary_max = trace.latency_summary.max_ps if trace.latency_summary else None
    if trace.interference:
        durations = [d for r in trace.interference for d in r.durations_ps]
        return LatencyData(np.array(durations, np.int64), DURATIONS,
                           f"no own DPC lateness and no enter times: each queued DPC taken to wait one whole run "
                           f"of another driver's DPC or ISR ({len(durations)} runs, file order)",
                           summary_max_ps=summary_max)
    if trace.histograms:
        values = _expand_histograms(trace.histograms)
        return LatencyData(values, DURATIONS,
                           f"no own DPC lateness, only run-duration histograms: each queued DPC taken to wait "
                           f"one whole run of another driver ({len(values)} runs at their buckets' upper edges; "
                           f"an open top bucket at its lower edge)",
                           binned=True, span_s=trace.measured_s, summary_max_ps=summary_max)
    raise ParamError(f"{trace.path}: no DPC latency and no other drivers' runs to estimate from"
                     + (f" ({'; '.join(trace.missing)})" if trace.missing else ""))


def _expand_histograms(histograms: Sequence[DurationHistogram]) -> np.ndarray:
    parts = []
    for h in histograms:
        for (lo, hi), count in zip(h.buckets_ps, h.counts):
            parts.append(np.full(count, hi if hi is not None else lo, np.int64))
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)


def _busy_residuals(trace: Trace, timed: Sequence[Any], period_ps: int) -> LatencyData:
    """At every chunk tick over the trace, how long the CPU stays busy with other drivers' runs
    (the wait of a DPC queued then behind them, FIFO): a stand-in for the own DPC's lateness."""
    own_cpus = sorted({r.cpu for r in trace.own_runs if r.cpu is not None})
    by_cpu: dict[Optional[int], list[tuple[int, int]]] = {}
    for r in timed:
        by_cpu.setdefault(r.cpu, []).extend((e, e + d) for e, d in zip(r.enter_ps, r.durations_ps))
    if own_cpus and own_cpus[0] in by_cpu:
        cpu, why = own_cpus[0], f"CPU {own_cpus[0]}, where the own ISR ran"
    else:
        cpu = max(by_cpu, key=lambda c: (sum(b - a for a, b in by_cpu[c]), -1 if c is None else -c))
        why = ("all runs together (no CPU column)" if cpu is None
               else f"CPU {cpu}, the busiest with other drivers' work")
    intervals = sorted(by_cpu[cpu])
    busy: list[list[int]] = []
    for a, b in intervals:                 # merge: a run nested in or overlapping another is one busy period
        if busy and a <= busy[-1][1]:
            busy[-1][1] = max(busy[-1][1], b)
        else:
            busy.append([a, b])
    starts = np.array([a for a, _ in busy], np.int64)
    ends = np.array([b for _, b in busy], np.int64)
    t0, t1 = int(starts[0]), int(ends.max())
    ticks = np.arange(t0, t1, period_ps, dtype=np.int64)
    i = np.searchsorted(starts, ticks, side="right") - 1
    inside = (i >= 0) & (ticks < ends[np.maximum(i, 0)])
    residual = np.where(inside, ends[np.maximum(i, 0)] - ticks, 0).astype(np.int64)
    return LatencyData(residual, RESIDUAL,
                       f"no own DPC lateness: at each of {len(ticks)} chunk ticks over the trace's "
                       f"{(t1 - t0) / 1e12:g} s, the time until other drivers' DPCs and ISRs leave the CPU "
                       f"({why}); the own DPC waits behind them",
                       span_s=(t1 - t0) / 1e12)


# ---------------------------------------------------------------------------------------------
# 2. the overrun threshold

def overrun_threshold_ps(settings: DaySettings, baseline_ps: int, slots: Optional[int] = None) -> int:
    """The smallest start latency of one DPC (the others ``baseline_ps``) that loses a chunk."""
    n = settings.slots if slots is None else slots
    late_index = 20

    def loses(late_ps: int) -> bool:
        chunks = late_index + n + late_ps // settings.period_ps + 8
        lat = np.full(chunks + 8, baseline_ps, np.int64)
        lat[late_index] = late_ps
        r = simulate(settings.stream(chunks, slots=n, flow=False), settings.timing, LatencySequence(lat, cycle=True),
                     max_ranges=1)
        return r.lost > 0

    if loses(baseline_ps):
        return 0                                       # the ordinary DPC already overruns
    lo, hi = baseline_ps, n * settings.period_ps + 2 * settings.period_ps
    while not loses(hi):
        lo, hi = hi, 2 * hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if loses(mid) else (mid, hi)
    return hi


# ---------------------------------------------------------------------------------------------
# 3. the rate: direct count, peaks over threshold, or a refusal

def garwood(k: int, level: float = 0.95) -> tuple[float, float]:
    """The exact (Garwood) interval of a Poisson mean from a count of ``k``."""
    from scipy.stats import chi2
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(chi2.ppf(a, 2 * k)) / 2
    return lo, float(chi2.ppf(1 - a, 2 * k + 2)) / 2


def extremal_index(positions: np.ndarray) -> float:
    """Ferro and Segers' intervals estimator of the extremal index from the positions of the
    exceedances (1: independent; 1/mean burst size when late DPCs come in bursts)."""
    if len(positions) < 2:
        return 1.0
    gaps = np.diff(positions).astype(float)
    if gaps.max() <= 2:
        theta = 2 * gaps.sum() ** 2 / (len(gaps) * (gaps ** 2).sum())
    else:
        theta = 2 * (gaps - 1).sum() ** 2 / (len(gaps) * ((gaps - 1) * (gaps - 2)).sum())
    return float(min(1.0, theta))


def decluster(positions: np.ndarray) -> list[np.ndarray]:
    """Runs declustering with an estimated run length: the C - 1 largest gaps between exceedances
    separate bursts, C = floor(theta x N) + 1 (Ferro and Segers); a tie at the cut joins."""
    n = len(positions)
    if n == 0:
        return []
    c = min(n, int(math.floor(extremal_index(positions) * n)) + 1)
    gaps = np.diff(positions)
    run_length = 0 if c >= n else int(np.sort(gaps)[::-1][c - 1])
    cuts = np.nonzero(gaps > run_length)[0] + 1
    return np.split(positions, cuts)


@dataclass(frozen=True)
class GpdFit:
    """A generalised Pareto fit to the burst maxima above ``threshold_ps`` (scale and level in us)."""
    threshold_ps: int
    n: int                      #: DPCs in the data
    exceedances: int            #: DPCs above the threshold
    clusters: int               #: bursts above it (their maxima are fitted)
    excess_us: np.ndarray       #: the burst maxima minus the threshold
    sigma_us: float
    xi: float
    loglik: float

    @property
    def burst_size(self) -> float:
        return self.exceedances / self.clusters

    def survival(self, level_ps: float, sigma_us: Optional[float] = None, xi: Optional[float] = None) -> float:
        """P(a burst above the threshold exceeds ``level_ps``)."""
        return gpd_survival((level_ps - self.threshold_ps) / US, self.sigma_us if sigma_us is None else sigma_us,
                            self.xi if xi is None else xi)

    def late_probability(self, level_ps: float) -> float:
        """P(a DPC is later than ``level_ps``): the burst rate above u x GPD survival x burst size."""
        if level_ps <= self.threshold_ps:
            raise ValueError("below the POT threshold: count directly")
        return self.clusters / self.n * self.survival(level_ps) * self.burst_size


def gpd_survival(z: float, sigma: float, xi: float) -> float:
    if z <= 0:
        return 1.0
    if abs(xi) < 1e-9:
        return math.exp(-z / sigma)
    t = 1 + xi * z / sigma
    return 0.0 if t <= 0 else t ** (-1 / xi)


def gpd_loglik(y: np.ndarray, sigma: float, xi: float) -> float:
    if sigma <= 0 or not -0.95 < xi < 5:
        return -math.inf
    if abs(xi) < 1e-9:
        return float(-len(y) * math.log(sigma) - y.sum() / sigma)
    t = 1 + xi * y / sigma
    if t.min() <= 0:
        return -math.inf
    return float(-len(y) * math.log(sigma) - (1 + 1 / xi) * np.log(t).sum())


def _maximise(f: Callable[[np.ndarray], float], starts: Sequence[Sequence[float]]) -> tuple[np.ndarray, float]:
    from scipy.optimize import minimize
    best_x, best = np.asarray(starts[0], float), -math.inf
    for s in starts:
        r = minimize(lambda p: -f(p) if math.isfinite(f(p)) else 1e300, np.asarray(s, float), method="Nelder-Mead",
                     options={"xatol": 1e-7, "fatol": 1e-9, "maxiter": 4000})
        if -r.fun > best:
            best_x, best = r.x, -float(r.fun)
    return best_x, best


@dataclass(frozen=True)
class FitRefusal:
    why: str
    samples_needed: int         #: DPC latencies a fit would need, at the same burst rate

    def __str__(self) -> str:
        return self.why


def fit_gpd(samples_ps: np.ndarray) -> tuple[Optional[GpdFit], Optional[FitRefusal]]:
    """The POT fit, or None and why not."""
    n = len(samples_ps)
    want = min(TAIL_MAX, math.ceil(TAIL_FRACTION * n))
    if want < TAIL_MIN:             # the threshold would sit below the top 5 %: not a tail
        return None, FitRefusal(f"{n} DPC latencies leave {want} above their top {TAIL_FRACTION:.0%}, "
                                f"fewer than {TAIL_MIN}", math.ceil(TAIL_MIN / TAIL_FRACTION))
    order = np.sort(samples_ps)
    u = int(order[n - want - 1])
    positions = np.nonzero(samples_ps > u)[0]
    bursts = decluster(positions)
    if len(bursts) < TAIL_MIN:
        need = math.ceil(n * TAIL_MIN / max(1, len(bursts)))
        return None, FitRefusal(f"{len(bursts)} bursts above the POT threshold {u / US:g} us "
                                f"(the {len(positions)} DPCs above it), fewer than {TAIL_MIN}", need)
    maxima = np.array([samples_ps[b].max() for b in bursts], np.int64)
    y = (maxima - u) / US
    mean = float(y.mean())
    f = lambda p: gpd_loglik(y, math.exp(p[0]), p[1])  # noqa: E731
    x, ll = _maximise(f, [(math.log(mean), 0.1), (math.log(mean), 0.5), (math.log(mean), -0.2)])
    if not math.isfinite(ll):
        return None, FitRefusal("the GPD fit did not converge", 2 * n)
    return GpdFit(u, n, len(positions), len(bursts), y, math.exp(x[0]), float(x[1]), ll), None


def gpd_interval(fit: GpdFit, level_ps: float) -> tuple[float, float]:
    """95 % profile-likelihood interval of P(a DPC is later than ``level_ps``) (burst size fixed):
    the burst rate zeta (binomial, bursts of DPCs) and the GPD's sigma and xi are profiled out."""
    from scipy.optimize import brentq
    z = (level_ps - fit.threshold_ps) / US
    n, nc, y = fit.n, fit.clusters, fit.excess_us

    def loglik(zeta: float, sigma: float, xi: float) -> float:
        if not 0 < zeta < 1:
            return -math.inf
        return nc * math.log(zeta) + (n - nc) * math.log1p(-zeta) + gpd_loglik(y, sigma, xi)

    zeta_hat = nc / n
    best = loglik(zeta_hat, fit.sigma_us, fit.xi)
    start = [math.log(fit.sigma_us), fit.xi]

    def profile(log_rate: float) -> float:
        """max over (sigma, xi) of the log-likelihood with zeta x S(z) = exp(log_rate)."""
        def f(p: np.ndarray) -> float:
            s = gpd_survival(z, math.exp(p[0]), p[1])
            if s <= 0:
                return -math.inf
            log_zeta = log_rate - math.log(s)
            return loglik(math.exp(log_zeta), math.exp(p[0]), p[1]) if log_zeta < 0 else -math.inf
        x, ll = _maximise(f, [start, [start[0], start[1] + 0.3], [start[0], start[1] - 0.3], [start[0], 0.5]])
        return ll

    def deficit(log_rate: float) -> float:
        return 2 * (best - profile(log_rate)) - CHI2_95

    survival = fit.survival(level_ps)
    bounds: list[float] = []
    if survival > 0:
        centre = math.log(zeta_hat * survival)
    else:
        # the fitted tail ends below the level (xi < 0): the estimate is 0, and the upper end is
        # where a tail reaching the level stops being plausible; start the walk far below it
        centre = math.log(zeta_hat) - 700
        bounds.append(0.0)
        if deficit(centre) > 0:
            return 0.0, 0.0
    for direction in (-1, 1) if survival > 0 else (1,):
        step, edge = 0.5, centre
        for _ in range(80):                     # walk out until the likelihood has dropped enough
            trial = edge + direction * step
            if direction > 0 and trial >= 0:    # a rate of 1: every DPC; the interval reaches it
                trial = -1e-12
            if deficit(trial) > 0:
                bounds.append(math.exp(brentq(deficit, *sorted((edge, trial)), xtol=1e-6)))
                break
            if trial == -1e-12:
                bounds.append(1.0)
                break
            edge, step = trial, step * 1.6
        else:
            bounds.append(0.0 if direction < 0 else 1.0)
    return bounds[0] * fit.burst_size, min(1.0, bounds[1] * fit.burst_size)


@dataclass(frozen=True)
class RateEstimate:
    """Expected overruns per day for one threshold, with its 95 % interval and how it was got."""
    method: str                             #: "direct", "pot" or "refused"
    per_day: Optional[float]
    ci95: tuple[float, float]
    late: int                               #: DPCs in the data later than the threshold
    late_bursts: int
    detail: str
    hours_needed: Optional[float] = None    #: measurement a fit (refused) or a direct count (pot) would need

    @property
    def p_24h(self) -> Optional[float]:
        return None if self.per_day is None else -math.expm1(-self.per_day)

    @property
    def p_24h_ci95(self) -> tuple[float, float]:
        return -math.expm1(-self.ci95[0]), -math.expm1(-self.ci95[1])


def estimate_rate(samples_ps: np.ndarray, threshold_ps: int, dpcs_per_day: float, fit: Optional[GpdFit],
                  fit_refusal: Optional[FitRefusal], samples_per_hour: float, binned: bool = False) -> RateEstimate:
    """Overruns per day: a DPC later than ``threshold_ps`` overruns; ``dpcs_per_day`` are queued."""
    n = len(samples_ps)
    positions = np.nonzero(samples_ps >= threshold_ps)[0]
    k = len(positions)
    bursts = len(decluster(positions))
    size = k / bursts if bursts else 1.0
    lo, hi = garwood(bursts)
    scale = dpcs_per_day / n * size
    counted = f"{k} of {n} DPCs later than {threshold_ps / US:g} us ({bursts} bursts)"
    if bursts >= DIRECT_MIN_CLUSTERS:
        return RateEstimate("direct", dpcs_per_day * k / n, (lo * scale, hi * scale), k, bursts,
                            f"counted directly: {counted}; exact Poisson interval of the bursts")
    if fit is not None and threshold_ps > fit.threshold_ps:
        p = fit.late_probability(threshold_ps)
        plo, phi = gpd_interval(fit, threshold_ps)
        hours = DIRECT_MIN_CLUSTERS / (p / fit.burst_size) / samples_per_hour if p > 0 else math.inf
        return RateEstimate("pot", dpcs_per_day * p, (dpcs_per_day * plo, dpcs_per_day * phi), k, bursts,
                            f"extrapolated (peaks over threshold): {counted}, fewer than {DIRECT_MIN_CLUSTERS}; "
                            f"GPD xi={fit.xi:.3f} sigma={fit.sigma_us:.4g} us above u={fit.threshold_ps / US:g} us "
                            f"fitted to {fit.clusters} burst maxima; profile-likelihood interval",
                            hours_needed=hours)
    if binned or fit_refusal is None:
        # binned: no fit at any length; a fit whose threshold lies above the overrun threshold: count
        why, hours = ("binned data (bucket edges) cannot be fitted", None) if binned else \
            ("the tail fit starts above the overrun threshold", None)
    else:
        why, hours = fit_refusal.why, fit_refusal.samples_needed / samples_per_hour
    return RateEstimate("refused", None, (lo * scale, hi * scale), k, bursts,
                        f"refused to extrapolate: {counted}, fewer than {DIRECT_MIN_CLUSTERS}, and {why}; "
                        f"the interval is the direct count's alone", hours_needed=hours)


# ---------------------------------------------------------------------------------------------
# 4. the simulated day

@dataclass(frozen=True)
class Deepest:
    segment: int
    first_seq: int
    count: int
    latencies_ps: np.ndarray          #: the segment's latency sequence, in queue order


@dataclass(frozen=True)
class SimulatedDay:
    chunks: int                       #: chunks simulated
    scale: float                      #: days per simulated chunk count: x scale = per day
    overruns: int
    lost: int
    dpc_inserts: int
    stall_ps: int
    max_stall_ps: int
    max_latency_ps: int
    deepest: Optional[Deepest]
    segment_chunks: int

    @property
    def hours(self) -> float:
        return 24 / self.scale


def simulate_day(settings: DaySettings, samples_ps: np.ndarray, seed: int, purpose: str,
                 sim_chunks: Optional[int] = None, flow: Optional[bool] = None,
                 segment_chunks: int = SEGMENT_CHUNKS) -> SimulatedDay:
    """A day of chunks (at most ``sim_chunks``; then scaled), each queued DPC's lateness drawn
    uniformly from ``samples_ps``. Simulated in segments that each start with an empty ring (a
    DPC's copy empties it, so the seams change nothing of note), so that the deepest overrun's
    segment can be run again with its latency sequence in hand."""
    total = settings.chunks_per_day if sim_chunks is None else min(sim_chunks, settings.chunks_per_day)
    total = min(total, SIM_CHUNKS_MAX) if sim_chunks is None else total
    rng = np.random.default_rng(stream(seed, purpose).getrandbits(128))
    overruns = lost = inserts = stall = max_stall = max_lat = 0
    deepest: Optional[Deepest] = None
    done, segment = 0, 0
    while done < total:
        chunks = min(segment_chunks, total - done)
        lat = samples_ps[rng.integers(0, len(samples_ps), chunks + 16)]
        r = simulate(settings.stream(chunks, flow=flow), settings.timing, LatencySequence(lat, cycle=True),
                     max_ranges=1 << 16)
        overruns += r.lost_ranges_total
        lost += r.lost
        inserts += r.dpc_inserts
        stall += r.stall_ps
        max_stall, max_lat = max(max_stall, r.max_stall_ps), max(max_lat, r.max_latency_ps)
        if r.lost_ranges:
            first, count = max(r.lost_ranges, key=lambda fc: (fc[1], -fc[0]))
            if deepest is None or count > deepest.count:
                deepest = Deepest(segment, first, count, lat)
        done += chunks
        segment += 1
    return SimulatedDay(total, settings.chunks_per_day / total, overruns, lost, inserts, stall, max_stall, max_lat,
                        deepest, segment_chunks)


@dataclass(frozen=True)
class WorstWindow:
    latencies_ps: np.ndarray          #: one per queued DPC, from the window's first
    first_dpc: int                    #: its index in the segment's queue order
    overran_dpc: int                  #: the DPC that found its ring lapped
    segment: int
    lost_first: int                   #: the deepest overrun in the day (chunks of its segment)
    lost_count: int
    chunks: int                       #: chunks the replay needs
    replay_lost: tuple[tuple[int, int], ...]   #: what the day model loses replaying the window
    baseline_ps: int                  #: the latency after the window's values (dpc_latency_us)


def worst_window(settings: DaySettings, day: SimulatedDay, baseline_ps: int) -> Optional[WorstWindow]:
    """The latencies around the deepest overrun of the simulated day, and a replay of them from an
    empty ring (the overrun scenario's latency_file=) checked with the day model."""
    d = day.deepest
    if d is None:
        return None
    chunks = min(day.segment_chunks, day.chunks - d.segment * day.segment_chunks)
    r = simulate(settings.stream(chunks), settings.timing, LatencySequence(d.latencies_ps, cycle=True),
                 max_ranges=1, trace_capacity=chunks + 16)
    prod = r.dpc_trace[:, 2]
    before = np.concatenate(([0], prod[:-1]))
    # the run that read PROD_IDX beyond a lapped ring and skipped from the chunks copied before it
    hits = np.nonzero((before <= d.first_seq) & (prod > d.first_seq))[0]
    overran = int(hits[0]) if len(hits) else int(np.argmax(r.dpc_trace[:, 1] - r.dpc_trace[:, 0]))
    first = max(0, overran - WINDOW_BEFORE)
    last = min(len(prod) - 1, overran + WINDOW_AFTER)
    window = d.latencies_ps[first:last + 1].copy()
    late = int(window.max())
    replay_chunks = (last - first + 1) + settings.slots + late // settings.period_ps + 8
    tail = np.full(replay_chunks + 16, baseline_ps, np.int64)
    replay = simulate(settings.stream(replay_chunks), settings.timing,
                      LatencySequence(np.concatenate((window, tail))), max_ranges=64)
    return WorstWindow(window, first, overran, d.segment, d.first_seq, d.count, replay_chunks,
                       replay.lost_ranges, baseline_ps)


# ---------------------------------------------------------------------------------------------
# 5. the whole answer

@dataclass(frozen=True)
class Row:
    """One line of the mitigation table."""
    name: str
    slots: int
    period_us: float
    mode: str
    headroom_us: float
    threshold_us: Optional[float]
    rate: Optional[RateEstimate]
    stall_ms_per_day: Optional[float] = None
    max_stall_us: Optional[float] = None
    lost_per_day: Optional[float] = None


@dataclass
class DayAnswer:
    trace: Trace
    data: LatencyData
    settings: DaySettings
    seed: int
    baseline_ps: int
    threshold_ps: int
    dpcs_per_day: float
    fit: Optional[GpdFit]
    fit_refusal: Optional[FitRefusal]
    rate: RateEstimate
    day: SimulatedDay
    window: Optional[WorstWindow]
    slots_for_one_per_year: Optional[int]
    slots_note: str
    rows: list[Row] = field(default_factory=list)

    @property
    def max_latency_ps(self) -> int:
        m = int(self.data.samples_ps.max())
        return max(m, self.data.summary_max_ps or 0)


def samples_per_hour(data: LatencyData, period_ps: int) -> float:
    """The measurement's DPCs per hour: from its span where known, else one DPC per chunk period."""
    if data.span_s:
        return len(data.samples_ps) / (data.span_s / 3600)
    return 3600e12 / period_ps


def estimate(trace: Trace, settings: DaySettings, seed: int, sim_chunks: Optional[int] = None,
             mitigations: bool = True) -> DayAnswer:
    data = latency_data(trace, settings.period_ps)
    samples = data.samples_ps
    if len(samples) < MIN_SAMPLES:
        raise ParamError(f"{trace.path}: {len(samples)} DPC latencies; the estimate needs at least {MIN_SAMPLES}")
    baseline = int(np.median(samples))
    threshold = overrun_threshold_ps(settings, baseline)
    day = simulate_day(settings, samples, seed, "day.latency", sim_chunks)
    dpcs_per_day = day.dpc_inserts * day.scale
    fit, refusal = (None, FitRefusal("binned data (bucket edges) cannot be fitted", 0)) if data.binned \
        else fit_gpd(samples)
    per_hour = samples_per_hour(data, settings.period_ps)
    rate = estimate_rate(samples, threshold, dpcs_per_day, fit, refusal, per_hour, data.binned)
    slots, note = ring_for_one_per_year(settings, samples, baseline, dpcs_per_day / settings.chunks_per_day,
                                        fit, refusal, per_hour, data.binned)
    window = worst_window(settings, day, baseline) if not settings.flow_control else None
    answer = DayAnswer(trace, data, settings, seed, baseline, threshold, dpcs_per_day, fit, refusal, rate, day,
                       window, slots, note)
    if mitigations:
        answer.rows = mitigation_rows(answer, sim_chunks)
    return answer


def ring_for_one_per_year(settings: DaySettings, samples: np.ndarray, baseline: int, dpcs_per_chunk: float,
                          fit: Optional[GpdFit], refusal: Optional[FitRefusal], per_hour: float,
                          binned: bool) -> tuple[Optional[int], str]:
    """The fewest slots whose overruns per day, at the upper end of the interval, stay below one
    a year; None (and why) where no ring up to the device's 65535 slots is shown to do it."""
    dpcs_per_day = dpcs_per_chunk * settings.chunks_per_day

    def upper(slots: int) -> float:
        t = overrun_threshold_ps(settings, baseline, slots)
        return estimate_rate(samples, t, dpcs_per_day, fit, refusal, per_hour, binned).ci95[1]

    goal = 1 / DAYS_PER_YEAR
    if upper(MAX_SLOTS) >= goal:
        why = (f"the tail cannot be extrapolated ({refusal})"
               if fit is None else "the interval's upper end stays above it")
        return None, f"no ring up to {MAX_SLOTS} slots is shown to overrun less than once a year: {why}"
    lo, hi = 0, MAX_SLOTS
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if upper(mid) < goal else (mid, hi)
    headroom_us = hi * settings.period_ps / US
    return hi, f"{hi} slots = " + (f"{headroom_us / 1000:g} ms" if headroom_us >= 1000 else f"{headroom_us:g} us") \
        + " of headroom"


def mitigation_rows(a: DayAnswer, sim_chunks: Optional[int]) -> list[Row]:
    s, samples = a.settings, a.data.samples_ps
    per_hour = samples_per_hour(a.data, s.period_ps)
    rows = [_rate_row("as given", s, s, a.threshold_ps, a.rate)]
    variants: list[tuple[str, dict[str, Any]]] = [
        ("ring x2", {"slots": min(MAX_SLOTS, 2 * s.slots)}),
        ("ring x4", {"slots": min(MAX_SLOTS, 4 * s.slots)}),
        ("chunks 2x faster", {"period_us": s.values["period_us"] / 2}),
        ("chunks 2x slower", {"period_us": s.values["period_us"] * 2}),
    ]
    for name, change in variants:
        try:
            v = s.with_values(**change, mode="free")
        except ParamError as exc:
            rows.append(Row(name, change.get("slots", s.slots), change.get("period_us", s.values["period_us"]),
                            "free", math.nan, None, None))
            continue
        t = overrun_threshold_ps(v, a.baseline_ps)
        probe = simulate_day(v, samples, a.seed, f"day.mitigation.{name}", min(v.chunks_per_day, SEGMENT_CHUNKS))
        dpcs = probe.dpc_inserts * probe.scale
        rows.append(_rate_row(name, s, v, t, estimate_rate(samples, t, dpcs, a.fit, a.fit_refusal, per_hour,
                                                           a.data.binned)))
    flow = s.with_values(mode="flow")
    fd = simulate_day(flow, samples, a.seed, "day.flow", sim_chunks)
    rows.append(Row("flow control", flow.slots, flow.values["period_us"], "flow", flow.headroom_ps / US, None, None,
                    stall_ms_per_day=fd.stall_ps * fd.scale / 1e9, max_stall_us=fd.max_stall_ps / US,
                    lost_per_day=fd.lost * fd.scale))
    return rows


def _rate_row(name: str, base: DaySettings, v: DaySettings, threshold: int, rate: RateEstimate) -> Row:
    return Row(name, v.slots, v.values["period_us"], v.values["mode"], v.headroom_ps / US, threshold / US, rate)


# ---------------------------------------------------------------------------------------------
# output: day.json, day.md, the worst window, the plot

def _num(x: Optional[float], digits: int = 6) -> Optional[float]:
    """A float for JSON, to ``digits`` significant digits (the same bytes on every run)."""
    if x is None or not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def _fmt(x: Optional[float]) -> str:
    if x is None or not math.isfinite(x):
        return "-"
    if x == 0:
        return "0"
    if abs(x) >= 1:
        return f"{x:.6g}"
    return f"{x:.3g}" if abs(x) >= 1e-3 else f"{x:.2e}"


def replay_command(answer: DayAnswer, window_file: Path) -> str:
    from irqloop.runner import shown_path
    w, v = answer.window, answer.settings.values
    assert w is not None
    params = [f"latency_file={shown_path(window_file)}", f"slots={v['slots']}", f"slot_bytes={v['slot_bytes']}",
              f"period_us={v['period_us']:g}", f"mode={v['mode']}", f"chunks={w.chunks}",
              f"dpc_latency_us={w.baseline_ps / US:g}", "spike_us=0", "expect=loss"]
    default_copy = next(p.default for p in DAY_SPEC if p.name == "copy_ns_per_kib")
    if v["copy_ns_per_kib"] != default_copy:
        params.append(f"copy_ns_per_kib={v['copy_ns_per_kib']:g}")
    if not toolchain.CHECKOUT:      # an installed package has the irqloop command, not the Makefile
        return "irqloop sim overrun " + " ".join(params)
    return f'make sim TEST=overrun PARAMS="{" ".join(params)}"'


def window_text(answer: DayAnswer, command: str) -> str:
    w, s = answer.window, answer.settings
    assert w is not None
    lost = ", ".join(f"{a}-{a + n - 1}" if n > 1 else f"{a}" for a, n in w.replay_lost) or "none"
    lines = [
        "# irqloop day: the worst window of the simulated day (irqloop/day.py)",
        f"# trace {Path(answer.trace.path).name}, seed {answer.seed}; {s.slots} slots x {s.period_ps / US:g} us "
        f"= {s.headroom_ps / US:g} us of headroom, mode {s.values['mode']}",
        f"# the deepest overrun: {w.lost_count} chunks lost in segment {w.segment} of the day; these are the start",
        f"# latencies of queued DPCs {w.first_dpc}..{w.first_dpc + len(w.latencies_ps) - 1} of that segment, "
        f"DPC {w.overran_dpc} the one that found its ring lapped",
        "# one value per queued DPC, in queue order, microseconds; afterwards dpc_latency_us applies",
        f"# replayed from an empty ring, the day model loses chunks {lost}",
        f"# replay in RTL: {command}",
    ]
    lines += [f"{int(v) / US:.6f}" for v in w.latencies_ps]
    return "\n".join(lines) + "\n"


def answer_json(a: DayAnswer, window_file: Optional[str], command: Optional[str]) -> dict[str, Any]:
    s, r, d = a.settings, a.rate, a.day
    fit = a.fit
    return {
        "trace": {"path": Path(a.trace.path).name, "format": a.trace.format, "detected": a.trace.detected,
                  "module": a.trace.module, "given": list(a.trace.given), "derived": list(a.trace.derived),
                  "missing": list(a.trace.missing)},
        "latency_data": {"kind": a.data.kind, "own_dpc_lateness": a.data.own, "how": a.data.how,
                         "samples": int(len(a.data.samples_ps)), "binned": a.data.binned,
                         "measured_hours": _num(len(a.data.samples_ps) / samples_per_hour(a.data, s.period_ps)),
                         "measured_hours_basis": ("the trace's time stamps" if a.data.span_s
                                                  else "one DPC per chunk period"),
                         "median_latency_us": _num(a.baseline_ps / US)},
        "settings": {k: s.values[k] for k in DAY_PARAMS} | {"period_ps": s.period_ps},
        "seed": a.seed,
        "headroom_us": _num(s.headroom_ps / US),
        "overrun_threshold_us": _num(a.threshold_ps / US),
        "max_latency_us": _num(a.max_latency_ps / US),
        "dpcs_per_day": _num(a.dpcs_per_day),
        "method": r.method,
        "method_detail": r.detail,
        "overruns_per_day": _num(r.per_day),
        "overruns_per_day_ci95": [_num(r.ci95[0]), _num(r.ci95[1])],
        "p_overrun_24h": _num(r.p_24h),
        "p_overrun_24h_ci95": [_num(r.p_24h_ci95[0]), _num(r.p_24h_ci95[1])],
        "late_dpcs": r.late, "late_bursts": r.late_bursts,
        "hours_needed": _num(r.hours_needed),
        "pot": None if fit is None else {
            "threshold_us": _num(fit.threshold_ps / US), "exceedances": fit.exceedances, "bursts": fit.clusters,
            "extremal_index": _num(fit.clusters / fit.exceedances), "sigma_us": _num(fit.sigma_us), "xi": _num(fit.xi)},
        "pot_refused": str(a.fit_refusal) if a.fit_refusal else None,
        "simulated_day": {"chunks": d.chunks, "hours": _num(d.hours), "overruns": d.overruns, "lost_chunks": d.lost,
                          "overruns_per_day": _num(d.overruns * d.scale), "dpc_inserts": d.dpc_inserts,
                          "stall_ms": _num(d.stall_ps / 1e9), "max_stall_us": _num(d.max_stall_ps / US),
                          "max_latency_drawn_us": _num(d.max_latency_ps / US)},
        "slots_for_one_per_year": a.slots_for_one_per_year,
        "slots_for_one_per_year_note": a.slots_note,
        "mitigations": [{
            "name": row.name, "slots": row.slots, "period_us": _num(row.period_us), "mode": row.mode,
            "headroom_us": _num(row.headroom_us), "overrun_threshold_us": _num(row.threshold_us),
            "method": row.rate.method if row.rate else None,
            "overruns_per_day": _num(row.rate.per_day) if row.rate else (0.0 if row.mode == "flow" else None),
            "overruns_per_day_ci95": [_num(row.rate.ci95[0]), _num(row.rate.ci95[1])] if row.rate else None,
            "p_overrun_24h": _num(row.rate.p_24h) if row.rate else None,
            "lost_chunks_per_day": _num(row.lost_per_day), "stall_ms_per_day": _num(row.stall_ms_per_day),
            "max_stall_us": _num(row.max_stall_us)} for row in a.rows],
        "worst_window": None if a.window is None else {
            "file": window_file, "dpcs": int(len(a.window.latencies_ps)), "segment": a.window.segment,
            "first_dpc": a.window.first_dpc, "overran_dpc": a.window.overran_dpc,
            "lost_chunks_in_day": a.window.lost_count, "replay_chunks": a.window.chunks,
            "replay_lost": [list(x) for x in a.window.replay_lost], "command": command},
    }


def summary_lines(j: dict[str, Any]) -> list[str]:
    """The printed answer (also the head of day.md). Under flow control a DPC later than the
    headroom does not lose data: it holds the device (a stall), and the answer says so."""
    lines = _summary_lines(j)
    if j["settings"]["mode"] != "flow":
        return lines
    sd = j["simulated_day"]
    out = []
    for line in lines:
        line = (line.replace("overruns per day:", "stalls per day (flow control: the device waits, nothing is lost):")
                .replace("P(at least one in 24 h)", "P(at least one stall in 24 h)")
                .replace(" us overruns", " us stalls the device")
                .replace("ring for < 1 overrun a year", "ring for < 1 stall a year")
                .replace("overrun less than once a year", "stall less than once a year"))
        if line.startswith("simulated day:"):
            line = (f"simulated day: {sd['chunks']} chunks in {_fmt(sd['hours'])} h, {sd['lost_chunks']} lost; "
                    f"the device was held {_fmt(sd['stall_ms'])} ms in all, at most {_fmt(sd['max_stall_us'])} us at once")
        out.append(line)
    return out


def _summary_lines(j: dict[str, Any]) -> list[str]:
    ld = j["latency_data"]
    ci = j["overruns_per_day_ci95"]
    pci = j["p_overrun_24h_ci95"]
    if j["method"] == "refused":
        rate = (f"overruns per day: not estimated (refused to extrapolate); at most {_fmt(ci[1])} "
                f"(95 % upper bound of the direct count)")
        p24 = f"P(at least one in 24 h): at most {_fmt(pci[1])}"
    else:
        rate = f"overruns per day: {_fmt(j['overruns_per_day'])}  (95 % interval {_fmt(ci[0])} .. {_fmt(ci[1])})"
        p24 = f"P(at least one in 24 h): {_fmt(j['p_overrun_24h'])}  (95 % interval {_fmt(pci[0])} .. {_fmt(pci[1])})"
    lines = [
        f"latencies: {ld['kind']} ({ld['samples']} DPCs, {_fmt(ld['measured_hours'])} h by {ld['measured_hours_basis']})",
        rate, p24,
        f"method:   {j['method_detail']}",
    ]
    if j["hours_needed"] is not None:
        what = "a GPD fit" if j["method"] == "refused" else f"a direct count ({DIRECT_MIN_CLUSTERS} late bursts)"
        h = j["hours_needed"]
        lines.append(f"needed:   about {_fmt(h)} h" + (f" ({_fmt(h * 3600)} s)" if h < 1 else "")
                     + f" of measurement for {what}")
    lines += [
        f"headroom: {j['settings']['slots']} slots x {_fmt(j['settings']['period_ps'] / US)} us = "
        f"{_fmt(j['headroom_us'])} us; a DPC later than {_fmt(j['overrun_threshold_us'])} us overruns",
        f"largest latency observed: {_fmt(j['max_latency_us'])} us",
        f"ring for < 1 overrun a year (upper end of the interval): "
        + (f"{j['slots_for_one_per_year']} slots" if j["slots_for_one_per_year"] else "not shown")
        + f" ({j['slots_for_one_per_year_note']})",
        f"simulated day: {j['simulated_day']['overruns']} overruns in {_fmt(j['simulated_day']['hours'])} h "
        f"({j['simulated_day']['lost_chunks']} chunks lost)",
    ]
    if not ld["own_dpc_lateness"]:
        lines.insert(1, f"note:     the trace has no own-DPC lateness; used: {ld['how']}")
    return lines


def markdown(j: dict[str, Any], plots: Sequence[str]) -> str:
    out = ["# Overruns per day", "", "```", *summary_lines(j), "```", ""]
    if j["worst_window"]:
        out += ["## The worst window", "",
                f"`{j['worst_window']['file']}`: {j['worst_window']['dpcs']} DPC latencies around the deepest "
                f"overrun of the simulated day ({j['worst_window']['lost_chunks_in_day']} chunks lost). Replay in RTL:",
                "", "```", j["worst_window"]["command"], "```", ""]
    out += ["## Mitigations (the same model and data)", "",
            "| change | slots | period (us) | mode | headroom (us) | overruns/day | 95 % interval | P(24 h) | method "
            "| stall/day (ms) |", "|---|---|---|---|---|---|---|---|---|---|"]
    for m in j["mitigations"]:
        ci = m["overruns_per_day_ci95"]
        out.append(f"| {m['name']} | {m['slots']} | {_fmt(m['period_us'])} | {m['mode']} | {_fmt(m['headroom_us'])} "
                   f"| {_fmt(m['overruns_per_day'])} | {(_fmt(ci[0]) + ' .. ' + _fmt(ci[1])) if ci else '-'} "
                   f"| {_fmt(m['p_overrun_24h'])} | {m['method'] or ('none lost' if m['mode'] == 'flow' else '-')} "
                   f"| {_fmt(m['stall_ms_per_day'])} |")
    out += ["", "## The data", ""]
    out += [f"- {k}: {v}" for k, v in (("trace", f"`{j['trace']['path']}` ({j['trace']['format']}; "
                                                  f"{j['trace']['detected']})"),
                                       ("latencies", j["latency_data"]["how"]))]
    out += [f"- given: {g}" for g in j["trace"]["given"]]
    out += [f"- derived: {g}" for g in j["trace"]["derived"]]
    out += [f"- missing: {g}" for g in j["trace"]["missing"]]
    if j["pot"]:
        p = j["pot"]
        out.append(f"- tail fit: u = {_fmt(p['threshold_us'])} us, {p['exceedances']} DPCs above it in "
                   f"{p['bursts']} bursts (extremal index {_fmt(p['extremal_index'])}), GPD sigma = "
                   f"{_fmt(p['sigma_us'])} us, xi = {_fmt(p['xi'])}")
    elif j["pot_refused"]:
        out.append(f"- tail fit refused: {j['pot_refused']}")
    out += ["", *[f"![{Path(p).stem}]({p})" for p in plots], ""]
    return "\n".join(out)


def plot_exceedance(a: DayAnswer, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x = np.sort(a.data.samples_ps) / US
    n = len(x)
    # the empirical curve at ranks spaced evenly in log(rank from the top): every point of the tail,
    # a few thousand in all however long the trace
    keep = np.unique(n - np.unique(np.geomspace(1, n, 4000).astype(np.int64)))
    surv = 1 - (keep + 1) / (n + 1)
    fig, ax = plt.subplots(figsize=(8, 5))
    ax.step(x[keep], surv, where="post", label=f"measured ({a.data.kind}, {n} DPCs)")
    if a.fit is not None:
        top = max(a.threshold_ps * 1.5, a.max_latency_ps * 1.5) / US
        grid = np.linspace(a.fit.threshold_ps / US, top, 300)
        ax.plot(grid, [a.fit.exceedances / n * a.fit.survival(g * US) for g in grid], "--",
                label=f"GPD fit above {a.fit.threshold_ps / US:g} us (xi {a.fit.xi:.2f})")
    ax.axvline(a.settings.headroom_ps / US, color="red", label=f"headroom {a.settings.headroom_ps / US:g} us")
    ax.axvline(a.threshold_ps / US, color="orange", ls=":", label=f"overrun threshold {a.threshold_ps / US:g} us")
    per_day = a.dpcs_per_day
    ax.axhline(1 / per_day, color="gray", ls="-.", lw=0.8, label="once a day")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("DPC start latency (us)")
    ax.set_ylabel("P(latency > x) per queued DPC")
    ax.set_title("DPC latency exceedance")
    ax.legend(fontsize=8, loc="lower left")
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# ---------------------------------------------------------------------------------------------
# the command

def run_dir_for(trace_path: Path, seed: int, values: dict[str, Any], fmt: str, module: Optional[str],
                run_root: Optional[Path]) -> Path:
    defaults = {p.name: p.default for p in DAY_SPEC}
    changed = [f"{k}={values[k]:g}" if isinstance(values[k], float) else f"{k}={values[k]}"
               for k in sorted(values) if values[k] != defaults[k]]
    if fmt != "auto":
        changed.insert(0, f"format={fmt}")
    if module:
        changed.insert(0, f"module={module}")
    from irqloop.runner import file_label
    name = re.sub(r"[^A-Za-z0-9=._-]", "_", "-".join([file_label(str(trace_path)), f"seed{seed}", *changed]))
    return (run_root or toolchain.RESULTS / "runs") / "day" / name


def run_day(trace_arg: str, fmt: str, module: Optional[str], seed: int, params: list[str],
            run_root: Optional[Path], sim_chunks: Optional[int] = None) -> tuple[Path, list[str]]:
    """Estimate into the run directory (staged, then renamed into place); returns it and the
    printed lines. Bad input raises ParamError before anything is written."""
    from irqloop.runner import create_staging_dir, replace_run_dir, shown_path
    if not trace_arg:
        raise ParamError("no trace given: TRACE=<file> (irqloop day --trace FILE)")
    if fmt not in FORMATS:
        raise ParamError(f"FORMAT={fmt!r} is not valid; choose one of: {', '.join(FORMATS)}")
    settings = parse_settings(params)
    run_dir = run_dir_for(Path(trace_arg), seed, settings.values, fmt, module or None, run_root)
    try:
        trace = load_trace(trace_arg, fmt, module or None)
        answer = estimate(trace, settings, seed, sim_chunks)
    except TraceFileError as exc:
        raise ParamError(str(exc)) from None
    except KeyboardInterrupt:
        print(f"interrupted: the day for {trace_arg} did not finish; " +
              (f"the earlier results in {shown_path(run_dir)} are untouched" if run_dir.exists()
               else f"nothing was written to {shown_path(run_dir)}"), file=sys.stderr, flush=True)
        raise
    staging = create_staging_dir(run_dir, run_root)
    try:
        window_name = "worst_window.txt"
        command = replay_command(answer, run_dir / window_name) if answer.window else None
        if answer.window is not None:
            (staging / window_name).write_text(window_text(answer, command or ""))
        j = answer_json(answer, window_name if answer.window else None, command)
        plots = ["exceedance.png"]
        plot_exceedance(answer, staging / plots[0])
        (staging / "day.json").write_text(json.dumps(j, indent=2) + "\n")
        (staging / "day.md").write_text(markdown(j, plots))
        replace_run_dir(staging, run_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    lines = summary_lines(j)
    if command:
        lines += [f"worst window: {shown_path(run_dir / window_name)}", f"replay in RTL: {command}"]
    lines.append(f"run directory: {shown_path(run_dir)}")
    return run_dir, lines


def main(argv: Optional[list[str]] = None, prog: Optional[str] = None) -> int:
    from irqloop.runner import exit_code_of, parse_seed, with_make_params
    ap = argparse.ArgumentParser(prog=prog or "irqloop day", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trace", default="", help="the measured trace (TRACE=)")
    ap.add_argument("--format", default="auto", help=f"trace format: {'|'.join(FORMATS)} (FORMAT=)")
    ap.add_argument("--module", default="", help="the driver's own module in a WPA table (MODULE=)")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--runs", default=None, help="results root (default: runs/)")
    ap.add_argument("params", nargs="*", help=f"name=value: {', '.join(DAY_PARAMS)}")
    a = ap.parse_args(argv)

    def action() -> int:
        seed = parse_seed(a.seed)
        run_root = Path(a.runs).resolve() if a.runs else None
        _, lines = run_day(a.trace, a.format, a.module, seed, with_make_params(a.params), run_root)
        print("\n".join(lines))
        return EXIT_AS_DECLARED
    return exit_code_of(action)


if __name__ == "__main__":
    sys.exit(main())
