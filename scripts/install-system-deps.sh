#!/usr/bin/env bash
# Optional: install every system package irqloop can use, up front (Debian/Ubuntu). Targets
# install what they need on first use (scripts/require-system.sh), so this is only for machines
# prepared in advance, e.g. a container image.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/require-system.sh "irqloop (all features)" \
    "py:ensurepip=python3-venv" cmd:g++=g++ cmd:make=make cmd:perl=perl \
    header:lz4.h=liblz4-dev header:zlib.h=zlib1g-dev \
    cmd:gtkwave=gtkwave cmd:xvfb-run=xvfb+xauth
echo "irqloop: system prerequisites present"
