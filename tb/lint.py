"""`make lint`: Verilator -Wall lint of the synthesizable RTL (rtl/) with the pinned Verilator."""

from __future__ import annotations

import subprocess
import sys

from tb import toolchain


def lint() -> int:
    toolchain.setup_env()
    cmd = ["verilator", "--lint-only", "-Wall", f"-I{toolchain.RTL}", "--top-module", "irqloop_dev"] + \
          [str(toolchain.RTL / s) for s in toolchain.RTL_SOURCES]
    r = subprocess.run(cmd, capture_output=True, text=True)
    out = (r.stdout + r.stderr).strip()
    if r.returncode != 0:
        print(out)
        print("lint: FAILED")
    else:
        print(f"lint: rtl/ is clean under verilator --lint-only -Wall ({len(toolchain.RTL_SOURCES)} files)")
    return r.returncode


if __name__ == "__main__":
    sys.exit(lint())
