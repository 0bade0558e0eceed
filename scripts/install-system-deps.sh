#!/usr/bin/env bash
# Optional: install every system package irqloop can use, up front (Debian/Ubuntu). Targets
# install what they need on first use (scripts/require-system.sh), so this is only for machines
# prepared in advance, e.g. a container image. The list is irqloop/toolchain.py's (`needs all`).
# Exit codes: 0 everything present, 2 bad input, 3 infrastructure (see require-system.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
# the list is read with python3, which a minimal container image may not have yet
scripts/require-system.sh "reading irqloop's package list (irqloop/toolchain.py)" cmd:python3=python3 || exit $?
# run as root (sudo) here: no root-owned byte-code caches in the user's tree
needs=$(PYTHONDONTWRITEBYTECODE=1 python3 -m irqloop.toolchain needs all 2>/dev/null) ||
    { echo "error: could not read the system package list (see: python3 -m irqloop.toolchain needs all)" >&2; exit 3; }
mapfile -t items <<<"$needs"
scripts/require-system.sh "irqloop (all features)" "${items[@]}" || exit $?
echo "irqloop: system prerequisites present"
