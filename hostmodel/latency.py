"""DPC start latency: how long a queued DPC waits before its routine runs.

On a real machine this is time spent on other DPCs queued ahead and on interrupts. It can be
injected directly (this module) or made to emerge from queueing behind other drivers' work
(:mod:`hostmodel.interference`). Injected latency per DPC run is

    base + uniform(0, jitter) + distribution sample + spikes

A spike applies once, to the first DPC queued at or after its time (the second seed thread's
~60 ms delay is one such spike). All randomness comes from the model's seed.

Distributions: :class:`LogNormal` and :class:`Pareto` (parametric, heavy-tailed: measured
tail/mean ratios are 100-400x) and :class:`Empirical` (samples, e.g. from
:func:`load_latency_csv`).
"""

from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Protocol, Sequence

from irqloop.hostmodel.seeds import stream


class LatencyFileError(ValueError):
    """A latency file that cannot be used; the message names the file, the line and the problem."""


class Distribution(Protocol):
    def sample(self, rng: random.Random) -> int: ...


@dataclass(frozen=True)
class LogNormal:
    """Latency whose logarithm is normal: half the samples are below ``median_ps``."""
    median_ps: int
    sigma: float = 1.0

    def __post_init__(self) -> None:
        if self.median_ps <= 0 or self.sigma < 0:
            raise ValueError(f"LogNormal needs median_ps > 0 and sigma >= 0 (got {self.median_ps}, {self.sigma})")

    def sample(self, rng: random.Random) -> int:
        return int(self.median_ps * math.exp(self.sigma * rng.gauss(0.0, 1.0)))


@dataclass(frozen=True)
class Pareto:
    """Latency >= ``scale_ps`` with a power-law tail P(X > x) = (scale/x)^alpha."""
    scale_ps: int
    alpha: float = 1.5

    def __post_init__(self) -> None:
        if self.scale_ps <= 0 or self.alpha <= 0:
            raise ValueError(f"Pareto needs scale_ps > 0 and alpha > 0 (got {self.scale_ps}, {self.alpha})")

    def sample(self, rng: random.Random) -> int:
        return int(self.scale_ps * rng.paretovariate(self.alpha))


@dataclass(frozen=True)
class Empirical:
    """Draws uniformly from measured samples (picoseconds)."""
    samples_ps: tuple[int, ...]
    source: str = ""

    def __post_init__(self) -> None:
        if not self.samples_ps:
            raise ValueError("Empirical needs at least one sample")

    def sample(self, rng: random.Random) -> int:
        return self.samples_ps[rng.randrange(len(self.samples_ps))]


def load_latency_csv(path: str | Path, column: Optional[str] = None) -> Empirical:
    """Measured latencies in microseconds, from either of two formats:

    - one column of numbers (microseconds), one per line; an optional first line that is a
      header, blank lines and lines starting with ``#`` are skipped;
    - a LatencyMon-style export: a CSV with a header row and several columns, of which the one
      named ``column`` is used, or else the first whose name contains "latency" and a
      microsecond unit ("us" or "µs"). Cells may use a decimal comma; empty cells are skipped.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise LatencyFileError(f"{p}: no such file") from None
    except UnicodeDecodeError as exc:
        raise LatencyFileError(f"{p}: not a text file ({exc.reason} at byte {exc.start})") from None
    rows = [(n, r) for n, r in enumerate(csv.reader(text.splitlines()), 1)
            if r and any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
    if not rows:
        raise LatencyFileError(f"{p}: no latency values")
    width = len(rows[0][1])
    col = 0
    header = not _is_number(rows[0][1][0]) if width == 1 else True
    if width > 1:
        names = [c.strip() for c in rows[0][1]]
        if column is not None:
            if column not in names:
                raise LatencyFileError(f"{p}: line {rows[0][0]}: no column {column!r}; columns: {', '.join(names)}")
            col = names.index(column)
        else:
            matches = [i for i, nm in enumerate(names) if "latency" in nm.lower()
                       and ("us" in nm.lower().replace("µs", "us") or "µs" in nm)]
            if not matches:
                raise LatencyFileError(f"{p}: line {rows[0][0]}: no latency column in microseconds "
                                       f"(a name with 'latency' and 'us'); columns: {', '.join(names)}")
            col = matches[0]
    samples: list[int] = []
    for n, r in rows[1:] if header else rows:
        if len(r) != width:
            raise LatencyFileError(f"{p}: line {n}: {len(r)} columns, the header has {width}")
        cell = r[col].strip()
        if not cell and width > 1:
            continue
        value = _number(cell)
        if value is None:
            raise LatencyFileError(f"{p}: line {n}: {cell!r} is not a number of microseconds")
        if value < 0 or math.isinf(value):
            raise LatencyFileError(f"{p}: line {n}: {cell!r} is not a latency (negative or infinite)")
        samples.append(int(round(value * 1e6)))
    if not samples:
        raise LatencyFileError(f"{p}: no latency values")
    return Empirical(tuple(samples), source=str(p))


def _number(cell: str) -> Optional[float]:
    try:
        v = float(cell.replace(",", ".") if cell.count(",") == 1 and "." not in cell else cell)
    except ValueError:
        return None
    return None if math.isnan(v) else v


def _is_number(cell: str) -> bool:
    return _number(cell.strip()) is not None


@dataclass(frozen=True)
class LatencySpike:
    at_ps: int      #: applies to the first DPC queued at or after this time
    extra_ps: int   #: added to that DPC's latency


@dataclass
class DpcLatencyModel:
    base_ps: int = 2_000_000          #: 2 us: a typical interrupt-to-DPC latency
    jitter_ps: int = 0                #: uniform extra latency in [0, jitter_ps], seeded
    spikes: list[LatencySpike] = field(default_factory=list)
    seed: int = 1
    distribution: Optional[Distribution] = None   #: added to every sample

    def __post_init__(self) -> None:
        if self.base_ps < 0 or self.jitter_ps < 0:
            raise ValueError("DPC latency base and jitter must be >= 0")
        for s in self.spikes:
            if s.extra_ps < 0 or s.at_ps < 0:
                raise ValueError(f"latency spike {s} has a negative time")
        self._rng = stream(self.seed, "dpc_latency")
        self._pending = sorted(self.spikes, key=lambda s: s.at_ps)
        #: (queued_at_ps, spike) for each spike that was applied
        self.applied: list[tuple[int, LatencySpike]] = []

    def add_spike(self, spike: LatencySpike) -> None:
        if spike.extra_ps < 0 or spike.at_ps < 0:
            raise ValueError(f"latency spike {spike} has a negative time")
        self._pending = sorted(self._pending + [spike], key=lambda s: s.at_ps)

    def sample(self, queued_at_ps: int) -> int:
        """Latency of a DPC queued at ``queued_at_ps``. Call once per DPC run, in queue order."""
        lat = self.base_ps
        if self.jitter_ps:
            lat += self._rng.randint(0, self.jitter_ps)
        if self.distribution is not None:
            lat += self.distribution.sample(self._rng)
        while self._pending and self._pending[0].at_ps <= queued_at_ps:
            spike = self._pending.pop(0)
            lat += spike.extra_ps
            self.applied.append((queued_at_ps, spike))
        return lat


def percentiles(values: Sequence[int], qs: Sequence[float] = (50, 99, 100)) -> dict[str, int]:
    """Nearest-rank percentiles: {"p50": ..., "p99": ..., "max": ...} (0 for no values)."""
    out: dict[str, int] = {}
    s = sorted(values)
    for q in qs:
        key = "max" if q == 100 else f"p{q:g}"
        out[key] = s[max(0, math.ceil(q / 100 * len(s)) - 1)] if s else 0
    return out
