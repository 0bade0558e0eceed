"""`make compare`: run a scenario with several variants (default `multiqueue`: every ISR-to-DPC
strategy on the same RTL traffic and seed) and write, into its run directory:

- compare.md: the table (per strategy: completions lost and late, ISRs, DPC runs, ISR and DPC
  CPU time, longest spin lock hold, completion latency p50/p99/max, interrupts per second), the
  verdict per variant and links to the plots;
- latency.png: each strategy's completion latency distribution (CDF, log scale);
- timeline.png: per CPU, when ISRs and DPCs ran, one panel per strategy;
- cpu.png: ISR and DPC CPU time per strategy.

    python -m irqloop.compare [--test multiqueue] [--seed 1] [name=value ...]

Exit codes as irqloop/runner.py's: 0 every variant as declared, 1 one differs, 2 bad input,
3 infrastructure (build failure, no report), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from irqloop.tb import scenarios
from irqloop.tb.scenarios.params import ParamError

HEAD = ["strategy", "lost", "late", "ISRs", "DPC runs", "ISR CPU us", "DPC CPU us", "longest DPC us", "max lock hold us",
        "lat p50 us", "lat p99 us", "lat max us", "interrupts/s", "verdict"]


def rows(report: dict[str, Any]) -> list[list[str]]:
    out = []
    for var, r in zip(report["plan"]["variants"], report["observed"]["runs"]):
        t = r["metrics"]["totals"]
        lat = t["completion_latency_us"]
        ok = r["outcome"] == var["expected"] or var["expected"] == "any"
        out.append([var["name"], str(r["scoreboard"]["lost"]), str(r["late"]), str(t["isr_count"]), str(t["dpc_runs"]),
                    f"{t['isr_cpu_us']:.1f}", f"{t['dpc_cpu_us']:.1f}",
                    f"{max((d['run_us'].get('max', 0) for d in r['metrics']['dpcs'].values()), default=0):.1f}",
                    f"{t['max_lock_hold_us']:.3f}",
                    f"{lat.get('p50', 0):.2f}", f"{lat.get('p99', 0):.2f}", f"{lat.get('max', 0):.2f}",
                    str(t["interrupts_per_s"]), f"{r['outcome']} ({'not judged' if var['expected'] == 'any' else 'as expected' if ok else 'expected ' + var['expected']})"])
    return out


def markdown(report: dict[str, Any], plots: list[str], command: str) -> str:
    v = report["plan"]["values"]
    sc = scenarios.get(report["test"])
    lines = [f"# irqloop compare: {report['test']} (seed {report['observed']['seed']})", "",
             f"*{sc.question}*", "", f"Reproduce: `{command}`", "",
             "Parameters: " + ", ".join(f"`{k}={v[k]}`" for k in sorted(v)), "",
             "| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
    lines += ["| " + " | ".join(r) + " |" for r in rows(report)]
    lines += ["", "Latency is measured from the clock edge at which the device's generator made the completion "
              "to the time the driver consumed it; *late* counts completions older than "
              f"{v.get('late_us', '-')} us. CPU times are summed over all CPUs; the longest DPC run is "
              "to be read against the DPC watchdog's 100 us guidance.", ""]
    for var, r in zip(report["plan"]["variants"], report["observed"]["runs"]):
        if r["chain"]:
            lines += [f"**{var['name']}**: first missing completion", ""] + [f"- {c}" for c in r["chain"]] + [""]
    lines += [f"![{p}]({p})" for p in plots]
    lines += ["", f"Verdict: **{'PASS' if report['pass'] else 'FAIL'}** (every variant's outcome "
              f"{'matches' if report['pass'] else 'does not match'} its declared expectation)"]
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], run_dir: Path) -> list[str]:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    runs = report["observed"]["runs"]
    names = [r["variant"] for r in runs]
    written = []

    fig, ax = plt.subplots(figsize=(9, 5))
    for r in runs:
        lat = np.sort(np.asarray(r["latencies_us"], dtype=float))
        if len(lat):
            ax.step(np.maximum(lat, 0.01), np.arange(1, len(lat) + 1) / len(lat), where="post",
                    label=f"{r['variant']} (lost {r['scoreboard']['lost']})")
    ax.set_xscale("log")
    ax.set_xlabel("completion latency (us, from due to consumed)")
    ax.set_ylabel("fraction of consumed completions")
    ax.set_title(f"{report['test']}: completion latency per strategy")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(run_dir / "latency.png", dpi=110)
    plt.close(fig)
    written.append("latency.png")

    cpus = max((c for r in runs for c, *_ in r["timeline"]), default=0) + 1
    fig, axes = plt.subplots(len(runs), 1, figsize=(11, 1.0 + 0.6 * cpus * len(runs)), sharex=True, squeeze=False)
    for ax, r in zip(axes[:, 0], runs):
        for kind, color in (("isr", "tab:red"), ("dpc", "tab:blue")):
            for cpu in range(cpus):
                spans = [(s, max(e - s, 0.05)) for c, k, s, e in r["timeline"] if c == cpu and k == kind]
                ax.broken_barh(spans, (cpu - 0.4 + (0.45 if kind == "dpc" else 0), 0.35), color=color)
        ax.set_yticks(range(cpus), [f"CPU{c}" for c in range(cpus)], fontsize=7)
        ax.set_ylabel(r["variant"], rotation=0, ha="right", fontsize=8)
    axes[-1, 0].set_xlabel("time since the generator started (us); red: ISR, blue: DPC")
    fig.suptitle(f"{report['test']}: per-CPU ISR/DPC timeline")
    fig.tight_layout(rect=(0, 0, 1, 0.98))
    fig.savefig(run_dir / "timeline.png", dpi=100)
    plt.close(fig)
    written.append("timeline.png")

    fig, ax = plt.subplots(figsize=(9, 4))
    isr = [r["metrics"]["totals"]["isr_cpu_us"] for r in runs]
    dpc = [r["metrics"]["totals"]["dpc_cpu_us"] for r in runs]
    ax.bar(names, isr, label="ISR", color="tab:red")
    ax.bar(names, dpc, bottom=isr, label="DPC", color="tab:blue")
    ax.set_ylabel("CPU time (us, all CPUs)")
    ax.set_title(f"{report['test']}: host CPU time per strategy")
    ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    ax.legend()
    fig.tight_layout()
    fig.savefig(run_dir / "cpu.png", dpi=110)
    plt.close(fig)
    written.append("cpu.png")
    return written


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    from irqloop import runner

    ap = argparse.ArgumentParser(prog=prog or "python -m irqloop.compare", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--test", default="multiqueue")
    ap.add_argument("--seed", default="1")
    ap.add_argument("--runs", default=None)
    ap.add_argument("--profile", default="", help="host profile (fixed, desktop, workstation, server2s or a .toml file)")
    ap.add_argument("--sweep", action="store_true", help="multiqueue over queues x CPUs x host profile: where the "
                    "answer flips (irqloop/sweep.py; make sweep)")
    ap.add_argument("--queues", default="", help="with --sweep: queue counts, comma-separated (default 4,8,16,32)")
    ap.add_argument("--cpus", default="", help="with --sweep: CPU counts (default 2,4)")
    ap.add_argument("--profiles", default="", help="with --sweep: host profiles (default desktop,workstation,server2s)")
    ap.add_argument("--placements", default="", help="with --sweep: dpc_cpu= values (default isr,0)")
    ap.add_argument("params", nargs="*", help="[TEST] name=value ...: the scenario (instead of --test) and overrides")
    a = ap.parse_intermixed_args(argv)
    if a.params and "=" not in a.params[0]:        # `irqloop compare multiqueue queues=8`
        a.test = a.params.pop(0)
    run_root = Path(a.runs).resolve() if a.runs else None
    if a.sweep:
        from irqloop import sweep
        return runner.exit_code_of(lambda: sweep.sweep(
            runner.parse_seed(a.seed), sweep.parse_axes(a.queues, a.cpus, a.profiles, a.placements), run_root,
            runner.with_make_params(a.params)))
    return runner.exit_code_of(lambda: compare(a.test, a.seed, a.params, run_root, a.profile))


def compare(test: str, seed_text: str, command_line_params: list[str], run_root: Path | None,
            profile: str = "") -> int:
    """Run ``test`` and write its comparison; raises what tb.runner.exit_code_of turns into an exit code."""
    from irqloop import runner

    params = runner.with_profile(test, runner.with_make_params(command_line_params), profile)
    sc = scenarios.get(test)
    if not sc.compares_variants:
        multi = [n for n in scenarios.names() if scenarios.get(n).compares_variants]
        raise ParamError(f"compare needs a scenario that runs several strategies or settings; "
                         f"'{test}' runs one; choose one of: {', '.join(multi)}")
    seed = runner.parse_seed(seed_text)
    rc, run_dir = runner.run_into_dir(test, seed, params, run_root, quiet=True)
    report = json.loads((run_dir / "report.json").read_text())
    command = f"make compare TEST={test} SEED={seed}{runner.make_params(params)}"
    plots = plot(report, run_dir)
    md = markdown(report, plots, command)
    (run_dir / "compare.md").write_text(md)
    widths = [max(len(h), *(len(r[i]) for r in rows(report))) for i, h in enumerate(HEAD)]
    print("  ".join(h.rjust(w) for h, w in zip(HEAD, widths)))
    for r in rows(report):
        print("  ".join(x.rjust(w) for x, w in zip(r, widths)))
    shown = runner.shown_path(run_dir)
    print(f"\nreport: {shown}/compare.md  plots: {', '.join(plots)}  (full report: {shown}/report.txt)")
    if rc != 0:
        print(f"reproduce: {command}")
    return rc


if __name__ == "__main__":
    sys.exit(main())
