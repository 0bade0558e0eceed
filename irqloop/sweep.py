"""`make sweep` (`irqloop compare --sweep`): where the first seed thread's answer flips.

Runs `multiqueue` on the RTL for every point of queues x CPUs x host profile x DPC placement
(each DPC on the CPU whose ISR queued it, or every DPC on CPU 0) with the correct ISR-to-DPC
strategies, and writes into runs/multiqueue/sweep-seed<N>/:

- sweep.json: per point and strategy, DPC CPU time (the DPC routines' own, without the ISRs
  that preempted them) and ISR CPU time, completions, latency p50/p99;
- sweep.md: per profile a table of the cheapest strategy and the crossovers (the queue count at
  which scanning every queue's phase bit becomes dearer, or cheaper, than each other strategy, in
  DPC CPU time per completion, and against the bitmaps also in ISR + DPC CPU time);
- sweep.png: DPC CPU time per completion and completion latency against queues, one row per
  profile, the crossovers marked.

A crossover is found between two neighbouring queue counts where the sign of the difference of
two strategies' figures changes, and placed by linear interpolation between them.
"""

from __future__ import annotations

import itertools
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from irqloop.hostmodel.profiles import PROFILES

#: the strategies that lose nothing (the buggy ones answer no cost question)
STRATEGIES = ("interlocked_list", "spinlock_bitmap", "interlocked_or", "scan_phase", "per_queue_dpc", "napi")
#: the thread's question: 32 memory reads (the scan) against each way of telling the DPC
PIVOT = "scan_phase"


@dataclass(frozen=True)
class Axes:
    queues: tuple[int, ...] = (4, 8, 16, 32)
    cpus: tuple[int, ...] = (2, 4)
    profiles: tuple[str, ...] = tuple(PROFILES)
    placements: tuple[str, ...] = ("isr", "0")     #: dpc_cpu= values
    per_queue: int = 24


@dataclass(frozen=True)
class Point:
    profile: str
    cpus: int
    dpc_cpu: str
    queues: int
    strategy: str
    dpc_cpu_us: float
    isr_cpu_us: float
    completions: int
    lat_p50_us: float
    lat_p99_us: float
    clean: bool

    @property
    def dpc_ns_per_completion(self) -> float:
        return 1000 * self.dpc_cpu_us / self.completions if self.completions else 0.0

    @property
    def host_ns_per_completion(self) -> float:
        """ISR and DPC CPU time per completion: a lock the ISR takes costs there."""
        return 1000 * (self.dpc_cpu_us + self.isr_cpu_us) / self.completions if self.completions else 0.0


def points_of(report: dict[str, Any], profile: str) -> list[Point]:
    v = report["plan"]["values"]
    out = []
    for r in report["observed"]["runs"]:
        t = r["metrics"]["totals"]
        lat = t["completion_latency_us"]
        # the DPCs' own time (without preempting ISRs, which isr_cpu_us counts); a run under
        # the fixed costs has only the time with them
        own = r.get("dpc_own_cpu_us", t["dpc_cpu_us"])
        out.append(Point(profile, v["cpus"], v.get("dpc_cpu", "isr"), v["queues"], r["variant"], own, t["isr_cpu_us"],
                         t["completions"], lat.get("p50", 0.0), lat.get("p99", 0.0), r["outcome"] == "clean"))
    return out


def crossover(xs: list[int], a: list[float], b: list[float]) -> Optional[tuple[float, str]]:
    """The first queue count at which ``a - b`` changes sign, interpolated, and which way:
    'dearer' (a becomes dearer than b as queues grow) or 'cheaper'; None if it never does."""
    d = [x - y for x, y in zip(a, b)]
    for i in range(len(d) - 1):
        if d[i] == 0 or d[i] * d[i + 1] < 0:
            at = xs[i] if d[i] == 0 else xs[i] + (xs[i + 1] - xs[i]) * d[i] / (d[i] - d[i + 1])
            return at, "dearer" if d[i + 1] > d[i] else "cheaper"
    return None


def series(points: list[Point], profile: str, cpus: int, placement: str, strategy: str, metric: str) -> list[float]:
    chosen = sorted((p for p in points if (p.profile, p.cpus, p.dpc_cpu, p.strategy) == (profile, cpus, placement, strategy)),
                    key=lambda p: p.queues)
    return [float(getattr(p, metric)) for p in chosen]


def crossover_words(xs: list[int], pivot: list[float], other: list[float]) -> str:
    found = crossover(xs, pivot, other)
    if found is None:
        return "cheaper at every count" if pivot[-1] < other[-1] else "dearer at every count"
    at, way = found
    return f"{way} above ~{at:.0f}"


#: the thread's alternatives to the scan, also compared in ISR + DPC time
BITMAPS = ("spinlock_bitmap", "interlocked_or")


def placement_words(placement: str) -> str:
    return "ISR's CPU" if placement == "isr" else f"CPU {placement}"


def markdown(points: list[Point], axes: Axes, seed: int, wall_s: float, command: str) -> str:
    xs = list(axes.queues)
    lines = [f"# Where the answer flips: multiqueue swept over queues x CPUs x host profile x DPC placement (seed {seed})",
             "", f"Reproduce: `{command}` ({wall_s:.0f} s here). Each point is one RTL run of the correct strategies, "
             f"{axes.per_queue} completions per queue in bursts of 2 every ~40 us; CPU times are simulated, and a "
             "DPC's is its own (the ISRs that preempted it are in the ISR time). "
             "The figures of each profile are estimates (docs/host-profiles.md).", "",
             f"*{PIVOT} vs X*: the queue count above which scanning every queue's phase bit costs more (dearer) or "
             "less (cheaper) CPU time per completion than strategy X: in DPC time, and for the bitmaps also in ISR + "
             "DPC time (their lock or interlocked operation is paid in the ISR too). *DPCs on*: the CPU whose ISR "
             "queued the DPC, or every DPC on one CPU (dpc_cpu=).", ""]
    others = [s for s in STRATEGIES if s != PIVOT]
    for profile in axes.profiles:
        lines += [f"## {profile}", "",
                  f"| CPUs | DPCs on | cheapest DPC at {xs[0]} queues | cheapest DPC at {xs[-1]} queues | "
                  + " | ".join(f"{PIVOT} vs {o}" for o in others) + " | "
                  + " | ".join(f"{PIVOT} vs {b}, ISR + DPC" for b in BITMAPS) + f" | lowest p99 latency at {xs[-1]} queues |",
                  "|" + "---|" * (5 + len(others) + len(BITMAPS))]
        for cpus in axes.cpus:
            for place in axes.placements:
                at = {s: series(points, profile, cpus, place, s, "dpc_ns_per_completion") for s in STRATEGIES}
                host = {s: series(points, profile, cpus, place, s, "host_ns_per_completion") for s in STRATEGIES}
                lat = {s: series(points, profile, cpus, place, s, "lat_p99_us") for s in STRATEGIES}
                first = min(STRATEGIES, key=lambda s: at[s][0])
                last = min(STRATEGIES, key=lambda s: at[s][-1])
                fastest = min(STRATEGIES, key=lambda s: lat[s][-1])
                lines.append(f"| {cpus} | {placement_words(place)} | {first} ({at[first][0]:.0f} ns) | "
                             f"{last} ({at[last][-1]:.0f} ns) | "
                             + " | ".join(crossover_words(xs, at[PIVOT], at[o]) for o in others) + " | "
                             + " | ".join(crossover_words(xs, host[PIVOT], host[b]) for b in BITMAPS)
                             + f" | {fastest} ({lat[fastest][-1]:.1f} us) |")
        lines.append("")
    lines += ["## Every point", "", "| profile | CPUs | DPCs on | queues | strategy | DPC ns per completion | "
              "ISR + DPC ns per completion | ISR CPU us | DPC CPU us | lat p50 us | lat p99 us | clean |",
              "|" + "---|" * 12]
    for p in points:
        lines.append(f"| {p.profile} | {p.cpus} | {placement_words(p.dpc_cpu)} | {p.queues} | {p.strategy} | "
                     f"{p.dpc_ns_per_completion:.0f} | {p.host_ns_per_completion:.0f} | {p.isr_cpu_us:.1f} | "
                     f"{p.dpc_cpu_us:.1f} | {p.lat_p50_us:.2f} | {p.lat_p99_us:.2f} | {'yes' if p.clean else 'NO'} |")
    lines += ["", "![sweep](sweep.png)"]
    return "\n".join(lines) + "\n"


def plot(points: list[Point], axes: Axes, out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = list(axes.queues)
    metrics = (("dpc_ns_per_completion", "DPC CPU per completion (ns)"), ("lat_p99_us", "latency p99 (us)"))
    panels = [(place, m) for place in axes.placements for m in metrics]
    fig, grid = plt.subplots(len(axes.profiles), len(panels), figsize=(5 * len(panels), 3.6 * len(axes.profiles)),
                             squeeze=False, sharex=True)
    colors = dict(zip(STRATEGIES, ("tab:blue", "tab:orange", "tab:green", "tab:red", "tab:purple", "tab:brown")))
    styles = dict(zip(axes.cpus, ("--", "-", ":", "-.")))
    for row, profile in zip(grid, axes.profiles):
        for ax, (place, (metric, label)) in zip(row, panels):
            for cpus in axes.cpus:
                for s in STRATEGIES:
                    ax.plot(xs, series(points, profile, cpus, place, s, metric), styles[cpus], color=colors[s],
                            marker=".", label=f"{s}, {cpus} CPUs")
                pivot = series(points, profile, cpus, place, PIVOT, metric)
                for s in STRATEGIES:
                    found = crossover(xs, pivot, series(points, profile, cpus, place, s, metric)) if s != PIVOT else None
                    if found is not None:
                        at = found[0]
                        i = max(j for j in range(len(xs)) if xs[j] <= at)
                        j = min(i + 1, len(xs) - 1)
                        y = pivot[i] + (pivot[j] - pivot[i]) * ((at - xs[i]) / (xs[j] - xs[i]) if j != i else 0)
                        ax.plot([at], [y], "kx", markersize=9, markeredgewidth=2)
            ax.set_xscale("log", base=2)
            ax.set_xticks(xs, [str(x) for x in xs])
            ax.set_title(f"{profile}, DPCs on {placement_words(place)}: {label}", fontsize=9)
            ax.grid(True, alpha=0.3)
    for ax in grid[-1]:
        ax.set_xlabel(f"queues with traffic (x: {PIVOT} crosses another strategy)")
    grid[0][0].legend(fontsize=6, ncol=2)
    fig.tight_layout()
    fig.savefig(out, dpi=90)
    plt.close(fig)


def parse_axes(queues: str, cpus: str, profile_names: str, placements: str = "") -> Axes:
    """The sweep's axes from comma-separated lists (empty: the default); bad input is a ParamError."""
    from irqloop.hostmodel.profiles import ProfileError, resolve
    from irqloop.tb.scenarios.params import ParamError

    def numbers(text: str, what: str, lo: int, hi: int) -> tuple[int, ...]:
        items = [x for x in text.split(",") if x]
        if len(items) < 2 or not all(x.isdigit() and lo <= int(x) <= hi for x in items):
            raise ParamError(f"SWEEP_{what.upper()}={text!r}: give two or more integers in {lo}..{hi}, comma-separated")
        return tuple(sorted(set(int(x) for x in items)))
    d = Axes()
    names = tuple(x for x in profile_names.split(",") if x) or d.profiles
    for name in names:
        try:
            resolve(name)
        except ProfileError as exc:
            raise ParamError(str(exc)) from None
    places = tuple(x for x in placements.split(",") if x) or d.placements
    if any(x != "isr" and not x.isdigit() for x in places):
        raise ParamError(f"SWEEP_DPC={placements!r}: give isr and/or CPU numbers, comma-separated")
    axes = Axes(queues=numbers(queues, "queues", 1, 32) if queues else d.queues,
                cpus=numbers(cpus, "cpus", 1, 64) if cpus else d.cpus, profiles=names, placements=places)
    if any(x.isdigit() and int(x) >= min(axes.cpus) for x in places):
        raise ParamError(f"SWEEP_DPC={placements!r}: a DPC's CPU must be below the smallest CPU count {min(axes.cpus)}")
    return axes


def sweep(seed: int, axes: Axes, run_root: Optional[Path], extra: list[str], quiet: bool = False) -> int:
    """Run every point, write the results; the exit code is 0 when every run was as declared."""
    from irqloop import runner, toolchain

    out_dir = (run_root or toolchain.RESULTS / "runs") / "multiqueue" / f"sweep-seed{seed}"
    points: list[Point] = []
    rc = 0
    t0 = time.perf_counter()
    total = len(axes.profiles) * len(axes.cpus) * len(axes.placements) * len(axes.queues)
    n = 0
    for profile, cpus, place, queues in itertools.product(axes.profiles, axes.cpus, axes.placements, axes.queues):
        n += 1
        params = extra + [f"queues={queues}", f"cpus={cpus}", f"profile={profile}", f"dpc_cpu={place}",
                          f"per_queue={axes.per_queue}", "strategies=" + ",".join(STRATEGIES)]
        run_rc, run_dir = runner.run_into_dir("multiqueue", seed, params, run_root, quiet=True)
        rc = max(rc, run_rc)
        points += points_of(json.loads((run_dir / "report.json").read_text()), profile)
        if not quiet:
            print(f"[{n}/{total}] {profile} cpus={cpus} dpc_cpu={place} queues={queues}: "
                  f"{time.perf_counter() - t0:.0f} s", flush=True)
    wall = time.perf_counter() - t0
    out_dir.mkdir(parents=True, exist_ok=True)
    command = (f"make sweep SEED={seed} SWEEP_QUEUES={','.join(map(str, axes.queues))} "
               f"SWEEP_CPUS={','.join(map(str, axes.cpus))} SWEEP_PROFILES={','.join(axes.profiles)} "
               f"SWEEP_DPC={','.join(axes.placements)}"
               + runner.make_params(extra))
    (out_dir / "sweep.json").write_text(json.dumps({"seed": seed, "wall_s": round(wall, 1), "axes": axes.__dict__,
                                                    "points": [p.__dict__ for p in points]}, indent=1))
    (out_dir / "sweep.md").write_text(markdown(points, axes, seed, wall, command))
    plot(points, axes, out_dir / "sweep.png")
    print(f"sweep: {total} runs in {wall:.0f} s; {runner.shown_path(out_dir)}/sweep.md, sweep.png")
    return rc
