"""`make lint`: Verilator -Wall lint of the synthesizable RTL (rtl/) with the pinned Verilator,
once per top-level module (each with the modules it instantiates)."""

from __future__ import annotations

import argparse

import subprocess
import sys

from irqloop import toolchain

TOPS = {
    "irqloop_dev": toolchain.RTL_SOURCES,
}
# parameter sets linted per top (queue counts of the issue, and bus widths narrower and wider than
# a 16-byte completion entry)
VARIANTS = {
    "irqloop_dev": [{}, {"NUM_CQ": 1}, {"NUM_CQ": 32}, {"DATA_W": 32}, {"DATA_W": 128}, {"DATA_W": 256}],
}


def lint() -> int:
    toolchain.setup_env()
    failed = 0
    for top, files in TOPS.items():
        for params in VARIANTS.get(top, [{}]):
            cmd = ["verilator", "--lint-only", "-Wall", f"-I{toolchain.RTL}", "--top-module", top] + \
                  [f"-G{k}={v}" for k, v in params.items()] + [str(toolchain.RTL / f) for f in files]
            r = subprocess.run(cmd, capture_output=True, text=True)
            if r.returncode != 0:
                print(f"lint: {top} {params or 'defaults'}:")
                print((r.stdout + r.stderr).strip())
                failed += 1
    linted = sorted({f for files in TOPS.values() for f in files})
    on_disk = sorted(p.name for p in toolchain.RTL.glob("*.v"))
    if linted != on_disk:
        print(f"lint: rtl/ files not linted: {', '.join(sorted(set(on_disk) - set(linted)))}")
        failed += 1
    if failed:
        print("lint: FAILED")
        return 1
    print(f"lint: rtl/ is clean under verilator --lint-only -Wall ({len(linted)} files, tops: {', '.join(TOPS)})")
    return 0


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    argparse.ArgumentParser(prog=prog or "python -m irqloop.lint", description=(__doc__ or "").splitlines()[0]).parse_args(argv)
    try:
        return lint()
    except toolchain.InfrastructureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return toolchain.EXIT_INFRASTRUCTURE


if __name__ == "__main__":
    sys.exit(main())
