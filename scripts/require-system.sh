#!/usr/bin/env bash
# The one place that checks for Debian/Ubuntu system packages and installs the missing ones.
#
#   scripts/require-system.sh [--optional] PURPOSE CHECK=PACKAGE [CHECK=PACKAGE ...]
#
# CHECK is cmd:NAME (a command on PATH), header:FILE (a C header in /usr/include or
# /usr/local/include) or py:MODULE (importable by the system python3). PACKAGE is the Debian
# package that provides it (several separated by '+', e.g. cmd:xvfb-run=xvfb+xauth).
#
# Nothing missing: silent, exit 0. Missing and this user may install (root, or sudo without a
# password) and apt-get exists: says what it installs and why, installs, exit 0. Otherwise one
# line with the exact command to run, exit 3 (irqloop's code for "infrastructure").
# IRQLOOP_NO_INSTALL=1 never installs (only says what to run). --optional: for what only makes
# things faster; when it cannot be installed, say nothing and exit 0.
set -uo pipefail
optional=0
if [ "${1:-}" = --optional ]; then optional=1; shift; fi
purpose=${1:?usage: scripts/require-system.sh PURPOSE CHECK=PACKAGE...}
shift

has_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/local/include/$1" ]; }

present() {  # check
    case "$1" in
        cmd:*)    command -v "${1#cmd:}" >/dev/null 2>&1 ;;
        header:*) has_header "${1#header:}" ;;
        py:*)     python3 -c "import ${1#py:}" >/dev/null 2>&1 ;;
        *) echo "error: scripts/require-system.sh: unknown check '$1' (use cmd:, header: or py:)" >&2; exit 2 ;;
    esac
}

missing=() packages=()
for item in "$@"; do
    check=${item%%=*} pkg=${item#*=}
    if ! present "$check"; then
        missing+=("${check#*:}")
        for p in ${pkg//+/ }; do
            [[ " ${packages[*]-} " == *" $p "* ]] || packages+=("$p")
        done
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ $optional = 1 ]; then
    [ "${IRQLOOP_NO_INSTALL:-0}" = 1 ] && exit 0
    command -v apt-get >/dev/null 2>&1 || exit 0
    [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; } || exit 0
fi
what="${missing[*]}"
cmd="sudo apt-get install -y ${packages[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: $purpose needs ${what// /, } (Debian packages: ${packages[*]}); no apt-get here: install them with your package manager" >&2
    exit 3
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if [ "${IRQLOOP_NO_INSTALL:-0}" != 1 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo -n"
    else
        echo "error: $purpose needs ${what// /, }; install it with: $cmd" >&2
        exit 3
    fi
fi
if [ "${IRQLOOP_NO_INSTALL:-0}" = 1 ]; then
    echo "error: $purpose needs ${what// /, }; install it with: $cmd" >&2
    exit 3
fi

# parallel test workers may need the same package at once: one installs, the others wait and
# find it present
exec 9>"${TMPDIR:-/tmp}/irqloop-apt.lock"
flock 9
still=()
for item in "$@"; do present "${item%%=*}" || still+=("$item"); done
[ ${#still[@]} -eq 0 ] && exit 0

echo "irqloop: installing ${packages[*]} (for $purpose)" >&2
log=$(mktemp "${TMPDIR:-/tmp}/irqloop-apt.XXXXXX")
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
    # a fresh machine's package lists may be empty or stale
    $sudo apt-get update -qq >>"$log" 2>&1
    if ! $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >>"$log" 2>&1; then
        [ $optional = 1 ] && exit 0
        echo "error: installing ${packages[*]} for $purpose failed ($(tail -n 1 "$log")); full log: $log; try: $cmd" >&2
        exit 3
    fi
fi
rm -f "$log"
for item in "$@"; do
    if ! present "${item%%=*}"; then
        echo "error: ${item#*=} installed but ${item%%=*} is still missing; $purpose cannot run" >&2
        exit 3
    fi
done
