"""Build minidma in irqloop's HDL host and run its overrun scenario:

    .venv/bin/python examples/minidma/run.py [--sim verilator|icarus] [--variant lossy|clean|stress|dropped|dropped_polled|replayed] [--seed N]

Prints the outcome and where the report is; exit 0 if the test passed (the oracle agreed and the
outcome is the variant's), 1 if not, 2 for a top that breaks the contract
(or waves asked of Icarus)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from irqloop import device
from minidma_variants import VARIANTS

HERE = Path(__file__).resolve().parent
MINIDMA = device.Device("minidma", (HERE / "rtl" / "minidma.v",), (HERE / "rtl",), rdl=HERE / "minidma.rdl")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", choices=("verilator", "icarus"), default="verilator")
    ap.add_argument("--variant", choices=sorted(VARIANTS), default="lossy")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--waves", choices=("none", "fst", "vcd"), default="none", help="a waveform (Verilator)")
    ap.add_argument("--out", type=Path, default=Path("runs") / "minidma")
    args = ap.parse_args()
    out = args.out / f"{args.variant}-{args.sim}-seed{args.seed}"
    try:
        passed = device.run(MINIDMA, "tb_minidma", out, python_path=[HERE], seed=args.seed, sim=args.sim,
                            env={"MINIDMA_VARIANT": args.variant}, waves=args.waves)
    except ValueError as e:            # a top that breaks the contract (ContractError), waves under Icarus
        print(f"error: {e}", file=sys.stderr)
        return 2
    report = out / "report.json"
    tb = json.loads(report.read_text())["testbench"] if report.exists() else {}
    print(f"minidma {args.variant} ({args.sim}, seed {args.seed}): {tb.get('outcome', 'no report')}, "
          f"lost {tb.get('lost')}, oracle {tb.get('predicted_lost')}: {'PASS' if passed else 'FAIL'} ({report})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
