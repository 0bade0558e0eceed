#!/usr/bin/env bash
# The one place that checks for Debian/Ubuntu system packages and installs the missing ones.
# (Which packages irqloop needs is listed in irqloop/toolchain.py: `python3 -m irqloop.toolchain needs all`.)
#
#   scripts/require-system.sh [--optional] PURPOSE CHECK=PACKAGE [CHECK=PACKAGE ...]
#
# CHECK is cmd:NAME (a command on PATH), header:FILE (a C header in /usr/include or
# /usr/local/include) or py:MODULE (importable by $IRQLOOP_PYTHON, default python3). PACKAGE is
# the Debian package that provides it; several are separated by ',' (e.g. cmd:xvfb-run=xvfb,xauth;
# not '+', which Debian package names such as g++ contain).
#
# Nothing missing: silent, exit 0. Missing and this user may install (root, or sudo without a
# password) and apt-get exists: says what it installs and why ("irqloop: installing ..." on
# stderr), installs, exit 0. Otherwise one line with the exact command to run, exit 3 (irqloop's
# code for "infrastructure"). Bad arguments: one line, exit 2.
# IRQLOOP_NO_INSTALL=1 never installs (only says what to run).
# --optional: for what only makes things faster; when it cannot be installed, say nothing and
# exit 0. A failed optional install is remembered for a day (a marker file under
# ${XDG_CACHE_HOME:-~/.cache}/irqloop/), so that an offline machine or a broken mirror does not
# cost every later process an apt-get install and update.
# IRQLOOP_REQUIRE_ERRFILE=FILE: the final "error: ..." line goes to FILE instead of stderr, so
# that a caller (irqloop/toolchain.py) can let stderr through to the user as it happens and still
# print the error once, itself.
set -uo pipefail

fail() {  # exit code, message: the one error line
    if [ -n "${IRQLOOP_REQUIRE_ERRFILE:-}" ]; then
        printf 'error: %s\n' "$2" >"$IRQLOOP_REQUIRE_ERRFILE"
    else
        printf 'error: %s\n' "$2" >&2
    fi
    exit "$1"
}

optional=0
if [ "${1:-}" = --optional ]; then optional=1; shift; fi
[ $# -ge 2 ] && [ -n "$1" ] ||
    fail 2 "usage: scripts/require-system.sh [--optional] PURPOSE CHECK=PACKAGE [CHECK=PACKAGE ...]"
purpose=$1
shift
python=${IRQLOOP_PYTHON:-python3}

# Every item is validated before anything is checked: a malformed item must never reach apt-get
# as a package name, and a py: module name is spliced into Python code.
for item in "$@"; do
    [[ $item == *=* ]] || fail 2 "scripts/require-system.sh: '$item' has no =PACKAGE (use CHECK=PACKAGE)"
    check=${item%%=*} pkg=${item#*=}
    case "$check" in
        cmd:?*|header:?*) ;;
        py:?*) [[ ${check#py:} =~ ^[A-Za-z_][A-Za-z0-9_.]*$ ]] ||
                   fail 2 "scripts/require-system.sh: '${check#py:}' in '$item' is not a Python module name" ;;
        *) fail 2 "scripts/require-system.sh: unknown check '$check' in '$item' (use cmd:NAME, header:FILE or py:MODULE)" ;;
    esac
    IFS=, read -ra pkgs <<<"$pkg"
    [ ${#pkgs[@]} -gt 0 ] || fail 2 "scripts/require-system.sh: '$item' names no package"
    for p in "${pkgs[@]}"; do
        # Debian policy: lower case letters, digits, + - . ; at least two, starting alphanumeric
        [[ $p =~ ^[a-z0-9][a-z0-9+.-]+$ ]] ||
            fail 2 "scripts/require-system.sh: '$p' in '$item' is not a Debian package name"
    done
done

has_header() { [ -f "/usr/include/$1" ] || [ -f "/usr/local/include/$1" ]; }

present() {  # check (already validated)
    case "$1" in
        cmd:*)    command -v "${1#cmd:}" >/dev/null 2>&1 ;;
        header:*) has_header "${1#header:}" ;;
        py:*)     "$python" -c "import ${1#py:}" >/dev/null 2>&1 ;;
    esac
}

# sets missing (the checks' names) and packages (the packages that provide them, each once)
# from the items whose check fails
collect_missing() {
    missing=() packages=()
    local item p pkgs
    for item in "$@"; do
        present "${item%%=*}" && continue
        missing+=("${item%%=*}")
        IFS=, read -ra pkgs <<<"${item#*=}"
        for p in "${pkgs[@]}"; do
            [[ " ${packages[*]-} " == *" $p "* ]] || packages+=("$p")
        done
    done
}

collect_missing "$@"
[ ${#missing[@]} -eq 0 ] && exit 0

cache_dir=${XDG_CACHE_HOME:-${HOME:+$HOME/.cache}}
cache_dir=${cache_dir:-${TMPDIR:-/tmp}/irqloop-cache-$(id -u)}/irqloop     # no HOME (a service)
marker() { local IFS=+; echo "$cache_dir/optional-unavailable-${packages[*]}"; }
recently_failed() {  # an optional install of these packages failed less than a day ago
    [ -n "$(find "$(marker)" -maxdepth 0 -mmin -1440 2>/dev/null)" ]
}

if [ $optional = 1 ]; then
    [ "${IRQLOOP_NO_INSTALL:-0}" = 1 ] && exit 0
    recently_failed && exit 0
    command -v apt-get >/dev/null 2>&1 || exit 0
    [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; } || exit 0
fi
names() { local out="" m; for m in "${missing[@]}"; do out+="${out:+, }${m#*:}"; done; echo "$out"; }
cmd="sudo apt-get install -y ${packages[*]}"
if ! command -v apt-get >/dev/null 2>&1; then
    fail 3 "$purpose needs $(names) (Debian packages: ${packages[*]}); no apt-get here: install them with your package manager"
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if [ "${IRQLOOP_NO_INSTALL:-0}" != 1 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo="sudo -n"
    else
        fail 3 "$purpose needs $(names); install it with: $cmd"
    fi
fi
[ "${IRQLOOP_NO_INSTALL:-0}" = 1 ] && fail 3 "$purpose needs $(names); install it with: $cmd"

# Parallel test workers may need the same package at once: one installs, the others wait and
# then find it present. The shared lock file may belong to another user, and a sticky /tmp with
# protected_regular refuses to open it for writing: then a per-user lock still serializes this
# user's processes (apt-get's own lock, waited for below, covers the rest).
tmp=${TMPDIR:-/tmp}
if ! { exec 9>"$tmp/irqloop-apt.lock"; } 2>/dev/null; then
    { exec 9>"$tmp/irqloop-apt-$(id -u).lock"; } 2>/dev/null ||
        fail 3 "cannot create a lock file in $tmp (for installing ${packages[*]}); install them with: $cmd"
fi
flock 9
# another process may have installed some or all of them (or given up on them) while we waited
collect_missing "$@"
[ ${#missing[@]} -eq 0 ] && exit 0
[ $optional = 1 ] && recently_failed && exit 0
cmd="sudo apt-get install -y ${packages[*]}"

echo "irqloop: installing ${packages[*]} (for $purpose)" >&2
log=$(mktemp "$tmp/irqloop-apt.XXXXXX") || fail 3 "cannot create a log file in $tmp; install it with: $cmd"
# sudo's env_reset drops DEBIAN_FRONTEND from the environment, so it is set behind sudo; the lock
# timeout waits for a concurrently running apt (unattended-upgrades, another user) instead of
# failing at once
apt=($sudo env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=120 -qq)
if ! "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >"$log" 2>&1; then
    # a fresh machine's package lists may be empty or stale
    "${apt[@]}" update >>"$log" 2>&1
    if ! "${apt[@]}" install -y --no-install-recommends "${packages[@]}" >>"$log" 2>&1; then
        if [ $optional = 1 ]; then
            mkdir -p "$cache_dir" 2>/dev/null && touch "$(marker)" 2>/dev/null
            rm -f "$log"
            exit 0
        fi
        fail 3 "installing ${packages[*]} for $purpose failed ($(tail -n 1 "$log")); full log: $log; try: $cmd"
    fi
fi
rm -f "$log"
for item in "$@"; do
    present "${item%%=*}" ||
        fail 3 "${item#*=} installed but ${item%%=*} is still missing; $purpose cannot run"
done
exit 0
