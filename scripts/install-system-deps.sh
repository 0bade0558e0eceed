#!/usr/bin/env bash
# Install the system packages irqloop needs (Debian/Ubuntu), only those that are missing.
# g++, make, perl: Verilator builds; python3-venv: the project's .venv; liblz4-dev, zlib1g-dev:
# Verilator's FST writer; gtkwave, xvfb, xauth: viewing and rendering the waveforms.
set -euo pipefail
need=()
command -v g++  >/dev/null 2>&1 || need+=(g++)
command -v make >/dev/null 2>&1 || need+=(make)
command -v perl >/dev/null 2>&1 || need+=(perl)
command -v python3 >/dev/null 2>&1 || need+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || need+=(python3-venv)
[ -f /usr/include/lz4.h ]  || need+=(liblz4-dev)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
command -v gtkwave >/dev/null 2>&1 || need+=(gtkwave)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
if [ ${#need[@]} -eq 0 ]; then
    echo "irqloop: system prerequisites present"
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${need[*]} and no apt-get here; install them with your package manager" >&2
    exit 1
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "irqloop: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
