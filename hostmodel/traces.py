"""Measured traces in: what Windows users export about DPC and ISR timing, read into one typed result.

Two kinds of data are kept apart, because they answer different questions:

- **DPC start lateness** (:attr:`Trace.dpc_start_latency_ps`): how late *the driver's own* DPC starts
  after its ISR queued it. This is what decides an overrun (compare it with slots x period).
- **Interference** (:attr:`Trace.interference`, :attr:`Trace.histograms`): how long *other*
  drivers' DPCs and ISRs run, per CPU where the file says. That work is what makes a DPC late when
  it sits in the same CPU's queue; it feeds :mod:`hostmodel.interference`, not the latency directly.

Every :class:`Trace` says which of these the file *gave* and which were *derived* (and how), so a
report can name them. Formats (``load_trace(path, format=...)``):

``plain``
    One number per line: DPC start latencies in microseconds (a header naming another unit, e.g.
    ``latency (ms)``, is honoured). Gives the lateness samples directly.
``wpa``
    A Windows Performance Analyzer DPC/ISR table exported as CSV: a header row with the columns as
    WPA names them (``Type``, ``Module``, ``Function``, ``CPU``, ``Enter Time (s)``, ``Exit Time (s)``,
    ``Duration (µs)`` ...; any subset with a module and a duration or enter and exit times), ``,`` or
    ``;`` delimited, quoted fields, thousands separators, units in the header. Gives the durations of
    every row; with ``module=`` and enter/exit times the own DPC's start lateness is derived
    (:func:`derive_dpc_start_latency`).
``xperf``
    The text ``xperf -a dpcisr`` writes: per module, a histogram of DPC (and, in its interrupt
    section, ISR) durations in power-of-two microsecond buckets. Gives binned durations only;
    nothing about when a DPC started.
``latencymon``
    A LatencyMon saved report: its highest and average interrupt-to-DPC latency (LatencyMon's own
    test DPC: a proxy for any driver's, coarse: two numbers), the highest ISR and DPC execution
    times with their drivers, the execution-time bucket counts and how long it measured.

Auto-detection (``format="auto"``) is deterministic and reports what it saw
(:attr:`Trace.detected`): a LatencyMon marker line first, then an xperf histogram line, then a
delimited header with a module and a time column, then a column of numbers; else an error.

A file that cannot be used raises :class:`TraceFileError` (a :class:`LatencyFileError`): one line
naming the file, the line and the problem.
"""

from __future__ import annotations

import csv
import io
import random
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, ROUND_HALF_EVEN
from pathlib import Path
from typing import Iterable, Literal, Optional, Sequence

from irqloop.hostmodel.interference import InterferenceSource
from irqloop.hostmodel.latency import Empirical, LatencyFileError

Format = Literal["auto", "plain", "wpa", "xperf", "latencymon"]
FORMATS: tuple[str, ...] = ("auto", "plain", "wpa", "xperf", "latencymon")
RoutineKind = Literal["DPC", "ISR"]

#: picoseconds per unit, for the units trace tools put in headers and labels
UNIT_PS: dict[str, int] = {"s": 10**12, "ms": 10**9, "us": 10**6, "µs": 10**6, "μs": 10**6, "usec": 10**6,
                           "usecs": 10**6, "ns": 10**3}


class TraceFileError(LatencyFileError):
    """A trace file that cannot be used: ``<file>: line <n>: <problem>`` (line 0: the file as a whole)."""

    def __init__(self, path: str | Path, line: int, problem: str) -> None:
        self.path, self.line, self.problem = str(path), line, problem
        super().__init__(f"{path}: line {line}: {problem}" if line else f"{path}: {problem}")


@dataclass(frozen=True)
class RoutineRuns:
    """Runs of one module's DPCs or ISRs on one CPU (``cpu`` None: the file does not say)."""
    kind: RoutineKind
    module: str
    cpu: Optional[int]
    durations_ps: tuple[int, ...]
    #: when each run entered, in picoseconds from the trace's time origin (empty if not given)
    enter_ps: tuple[int, ...] = ()

    @property
    def total_ps(self) -> int:
        return sum(self.durations_ps)


@dataclass(frozen=True)
class DurationHistogram:
    """Binned run durations of DPCs or ISRs (``module`` None: all drivers together)."""
    kind: RoutineKind
    module: Optional[str]
    #: per bucket (low_ps, high_ps): durations > low and <= high (xperf) or >= low and < high
    #: (LatencyMon); high None is an open top bucket
    buckets_ps: tuple[tuple[int, Optional[int]], ...]
    counts: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class LatencySummary:
    """A coarse summary of DPC start lateness where the file gives no samples (LatencyMon)."""
    max_ps: int
    mean_ps: int
    what: str


@dataclass(frozen=True)
class Trace:
    path: str
    format: str                                   #: plain, wpa, xperf or latencymon
    detected: str                                 #: how the format was chosen, in words
    module: Optional[str]                         #: the driver's own module (the filter), if given
    #: (a) the own DPC's start lateness, one sample per DPC run, in file order (given or derived)
    dpc_start_latency_ps: tuple[int, ...] = ()
    latency_summary: Optional[LatencySummary] = None
    #: (b) other drivers' runs (exact durations), per kind, module and CPU
    interference: tuple[RoutineRuns, ...] = ()
    #: (b) other drivers' runs as histograms (xperf, LatencyMon)
    histograms: tuple[DurationHistogram, ...] = ()
    #: the own module's runs (durations of its DPCs and ISRs), where the file has them
    own_runs: tuple[RoutineRuns, ...] = ()
    own_histograms: tuple[DurationHistogram, ...] = ()
    measured_s: Optional[float] = None            #: how long the measurement ran, if the file says
    given: tuple[str, ...] = ()                   #: what the file itself gave, in words
    derived: tuple[str, ...] = ()                 #: what was derived from it, and how
    missing: tuple[str, ...] = ()                 #: what a report will have to do without

    def describe(self) -> list[str]:
        """Report lines: the format and how it was chosen, then given, derived, missing."""
        lines = [f"trace:    {self.path} ({self.format}; {self.detected})"]
        lines += [f"given:    {g}" for g in self.given]
        lines += [f"derived:  {d}" for d in self.derived]
        lines += [f"missing:  {m}" for m in self.missing]
        return lines


# ---------------------------------------------------------------------------------------------
# numbers

@dataclass(frozen=True)
class NumberStyle:
    """How a file writes numbers: its decimal mark and its (optional) thousands separator."""
    decimal: str = "."

    @property
    def thousands(self) -> str:
        return "," if self.decimal == "." else "."


def parse_decimal(cell: str, style: NumberStyle = NumberStyle()) -> Optional[Decimal]:
    """``cell`` as a number, or None. Thousands separators are accepted only in groups of three
    (``61,234.500`` with a decimal point, ``61.234,500`` with a decimal comma); spaces (also the
    narrow no-break space some locales group with) are dropped."""
    s = cell.strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not s:
        return None
    t, d = style.thousands, style.decimal
    if t in s:
        grouped = re.fullmatch(rf"[+-]?\d{{1,3}}(?:{re.escape(t)}\d{{3}})+(?:{re.escape(d)}\d*)?", s)
        if not grouped:
            return None
        s = s.replace(t, "")
    s = s.replace(d, ".")
    if not re.fullmatch(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?", s):
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


#: the largest time a trace may give, in picoseconds: a trace of up to a year (times from its start)
MAX_TIME_PS = 365 * 24 * 3600 * 10**12
#: the largest DPC latency or run time irqloop takes: 10 s (the seed thread's late DPC is 60 ms);
#: a larger one is almost always a unit mislabelled (seconds read as microseconds)
MAX_DURATION_PS = 10 * 10**12


def to_ps(value: Decimal, unit_ps: int) -> int:
    """An exact conversion to integer picoseconds (half to even at the last digit)."""
    return int((value * unit_ps).to_integral_value(rounding=ROUND_HALF_EVEN))


def _check_time(p: Path, line: int, ps: int, what: str, limit: int = MAX_DURATION_PS) -> int:
    """``ps`` if it is within ``limit``; otherwise one line naming the file, line and the limit."""
    if ps > limit:
        raise TraceFileError(p, line, f"{what} {ps / 10**6:g} us is beyond the largest irqloop takes "
                             f"({limit / 10**12:g} s): is the unit right?")
    return ps


def _unit_of(name: str) -> Optional[int]:
    """The unit in a header or label, ``Duration (µs)``, ``Enter Time [s]``, ``latency_ms``."""
    m = re.search(r"[(\[]\s*([a-zµμ]+)\s*[)\]]", name.lower())
    if m:
        return UNIT_PS.get(m.group(1))
    m = re.search(r"(?:^|[_\s-])(s|ms|us|µs|μs|ns|usecs?)$", name.lower().strip())
    return UNIT_PS.get(m.group(1)) if m else None


# ---------------------------------------------------------------------------------------------
# reading the file

def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise TraceFileError(path, 0, "no such file") from None
    except IsADirectoryError:
        raise TraceFileError(path, 0, "is a directory, not a trace file") from None
    # WPA and LatencyMon may save UTF-16 with a byte order mark; the rest is UTF-8 (with or without)
    for bom, codec in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"), (b"\xef\xbb\xbf", "utf-8")):
        if raw.startswith(bom):
            raw, encoding = raw[len(bom):], codec
            break
    else:
        encoding = "utf-8"
    try:
        text = raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise TraceFileError(path, line, f"not {encoding} text (byte {exc.start})") from None
    if "\x00" in text:
        raise TraceFileError(path, text[:text.index("\x00")].count("\n") + 1, "binary data (a NUL byte)")
    return text


#: phrases of a LatencyMon report's section titles and labels
LATENCYMON_MARKERS = ("measured interrupt to dpc latency", "latencymon has been analyzing", "reported dpcs",
                      "reported isrs")
XPERF_BUCKET = re.compile(r"^\s*Elapsed Time,\s*>\s*([\d.]+)\s*usecs\s+AND\s+<=\s*([\d.]+)\s*usecs,\s*(\d+)\s*,",
                          re.IGNORECASE)
XPERF_MODULE = re.compile(r"^\s*Total\s*=\s*(\d+)\s+for module\s+(.+?)\s*$", re.IGNORECASE)


def detect_format(text: str) -> tuple[str, str]:
    """(format, why) for a trace's text, by a fixed order of tests (see the module's docstring)."""
    lines = text.splitlines()
    for n, line in enumerate(lines, 1):
        low = line.lower()
        if any(m in low for m in LATENCYMON_MARKERS):
            return "latencymon", f"auto: LatencyMon report (line {n}: {line.strip()[:60]!r})"
    for n, line in enumerate(lines, 1):
        if XPERF_BUCKET.match(line) or XPERF_MODULE.match(line):
            return "xperf", f"auto: xperf -a dpcisr text (line {n}: {line.strip()[:60]!r})"
    data = [(n, line) for n, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]
    if data:
        n, head = data[0]
        delim = sniff_delimiter(head)
        names = [c.strip().lower() for c in next(csv.reader([head], delimiter=delim))]
        if len(names) > 1 and any("module" in c for c in names) and \
                any("duration" in c or "enter time" in c for c in names):
            return "wpa", f"auto: WPA DPC/ISR table ({delim!r}-delimited header on line {n} with a module " \
                          f"and a time column)"
        def is_number(cell: str) -> bool:
            return any(parse_decimal(cell, st) is not None for st in (NumberStyle("."), NumberStyle(",")))
        values = data[1:] if not is_number(data[0][1]) else data
        # a column: its first value is a number and no line has fields (a comma may group thousands)
        if values and is_number(values[0][1]) and \
                all("\t" not in ln and ";" not in ln and ("," not in ln or is_number(ln)) for _, ln in values):
            return "plain", "auto: one number a line (a column of latencies)"
    return "", "auto: no format recognised"


def sniff_delimiter(header: str) -> str:
    """The delimiter that splits a header row into the most fields (',' wins a tie, then ';', tab)."""
    best, most = ",", 0
    for d in (",", ";", "\t"):
        fields = len(next(csv.reader([header], delimiter=d)))
        if fields > most:
            best, most = d, fields
    return best


def load_trace(path: str | Path, format: Format | str = "auto", module: Optional[str] = None) -> Trace:
    """Read a DPC/ISR trace (see the module docstring for the formats and what each yields).

    ``module`` names the driver's own module (``mydrv.sys``, or ``mydrv``; case does not matter):
    its rows are the own DPC and ISR, everything else is interference."""
    p = Path(path)
    if format not in FORMATS:
        raise TraceFileError(p, 0, f"unknown trace format {format!r}; formats: {', '.join(FORMATS)}")
    text = _read_text(p)
    if not text.strip():
        raise TraceFileError(p, 0, "empty file")
    if format == "auto":
        fmt, why = detect_format(text)
        if not fmt:
            first = next((n for n, ln in enumerate(text.splitlines(), 1) if ln.strip()), 1)
            raise TraceFileError(p, first, "not a trace format irqloop reads (plain column of microseconds, "
                                           "WPA DPC/ISR CSV, xperf -a dpcisr text, LatencyMon report); "
                                           "give format= to be told what does not fit")
    else:
        fmt, why = format, "declared"
    reader = {"plain": _load_plain, "wpa": _load_wpa, "xperf": _load_xperf, "latencymon": _load_latencymon}[fmt]
    return reader(p, text, why, module)


def _count(n: int, thing: str) -> str:
    return f"{n} {thing}" + ("" if n == 1 else "s")


def _module_matches(name: str, module: Optional[str]) -> bool:
    if module is None:
        return False
    strip = lambda s: re.sub(r"\.(sys|dll|exe)$", "", s.strip().lower())  # noqa: E731
    return strip(name) == strip(module)


# ---------------------------------------------------------------------------------------------
# plain

def _load_plain(p: Path, text: str, why: str, module: Optional[str]) -> Trace:
    rows = [(n, line.strip()) for n, line in enumerate(text.splitlines(), 1)
            if line.strip() and not line.lstrip().startswith("#")]
    unit, unit_name = UNIT_PS["us"], "microseconds"
    style = NumberStyle(",") if any(re.fullmatch(r"\d+,\d*", c) and not re.fullmatch(r"\d{1,3},\d{3}", c)
                                    for _, c in rows) else NumberStyle()
    if rows and parse_decimal(rows[0][1], style) is None:
        n, head = rows.pop(0)
        got = _unit_of(head)
        if got is not None:
            unit, unit_name = got, {10**12: "seconds", 10**9: "milliseconds", 10**6: "microseconds",
                                    10**3: "nanoseconds"}[got]
    samples: list[int] = []
    # the common case, digits with at most as many decimals as the unit has picosecond digits,
    # converts exactly in integers; anything else goes through parse_decimal (an hour of 1 kHz
    # samples is 3.6 M lines)
    simple = re.compile(r"(\d+)(?:" + re.escape(style.decimal) + r"(\d*))?")
    places = len(str(unit)) - 1
    for n, cell in rows:
        m = simple.fullmatch(cell)
        if m and len(m.group(2) or "") <= places:
            frac = m.group(2) or ""
            samples.append(_check_time(p, n, int(m.group(1)) * unit + (int(frac) * 10 ** (places - len(frac))
                                                                       if frac else 0), "latency"))
            continue
        if any(d in cell for d in ",;\t") and parse_decimal(cell, style) is None:
            raise TraceFileError(p, n, f"{cell!r}: more than one column (a plain trace has one number a line)")
        v = parse_decimal(cell, style)
        if v is None:
            raise TraceFileError(p, n, f"{cell!r} is not a number")
        if v < 0:
            raise TraceFileError(p, n, f"{cell!r} is negative: not a latency")
        samples.append(_check_time(p, n, to_ps(v, unit), "latency"))
    if not samples:
        raise TraceFileError(p, 0, "no latency values")
    return Trace(str(p), "plain", why, module, dpc_start_latency_ps=tuple(samples),
                 given=(f"DPC start latency: {len(samples)} samples in {unit_name}",),
                 missing=("interference: the file names no other drivers' DPCs or ISRs",))


# ---------------------------------------------------------------------------------------------
# WPA DPC/ISR table

@dataclass
class _Row:
    line: int
    kind: RoutineKind
    module: str
    cpu: Optional[int]
    enter_ps: Optional[int]
    exit_ps: Optional[int]
    duration_ps: int


def _wpa_columns(p: Path, n: int, names: Sequence[str]) -> dict[str, tuple[int, int]]:
    """The columns irqloop uses: role -> (index, picoseconds per unit; 0 for text columns)."""
    cols: dict[str, tuple[int, int]] = {}
    for i, raw in enumerate(names):
        name = raw.strip().lower()
        role = ("type" if name == "type" else "module" if name.startswith("module") else
                "function" if name.startswith("function") else "cpu" if name in ("cpu", "cpu #", "processor") else
                "enter" if name.startswith("enter time") else "exit" if name.startswith("exit time") else
                "duration" if "duration" in name else None)
        if role is None or role in cols:
            continue                          # other WPA columns (Line #, Count, ...) are not needed
        unit = 0
        if role in ("enter", "exit", "duration"):
            got = _unit_of(name)
            if got is None:
                raise TraceFileError(p, n, f"column {raw.strip()!r} has no unit irqloop knows "
                                           f"(s, ms, µs, us, ns in brackets)")
            unit = got
        cols[role] = (i, unit)
    if "module" not in cols:
        raise TraceFileError(p, n, f"no Module column; columns: {', '.join(c.strip() for c in names)}")
    if "duration" not in cols and not ("enter" in cols and "exit" in cols):
        raise TraceFileError(p, n, "no Duration column and not both Enter Time and Exit Time")
    return cols


def _file_style(cells: Iterable[str], delim: str) -> NumberStyle:
    """A comma-delimited file writes a decimal point (a comma only inside quotes, grouping
    thousands); a ';' or tab-delimited one writes a decimal comma if any number has a comma
    that is not a thousands group, or has both marks with the comma last."""
    if delim == ",":
        return NumberStyle(".")
    for c in cells:
        c = c.strip()
        if "," in c and "." in c:
            return NumberStyle("," if c.rindex(",") > c.rindex(".") else ".")
        if re.fullmatch(r"[+-]?\d+,\d+", c) and not re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+", c):
            return NumberStyle(",")
    return NumberStyle(".")


def _load_wpa(p: Path, text: str, why: str, module: Optional[str]) -> Trace:
    lines = text.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")), None)
    if first is None:
        raise TraceFileError(p, 0, "no header row")
    delim = sniff_delimiter(lines[first])
    table = list(csv.reader(io.StringIO("\n".join(lines[first:])), delimiter=delim, strict=True))
    header_line = first + 1
    cols = _wpa_columns(p, header_line, table[0])
    width = len(table[0])
    body = [(header_line + k, r) for k, r in enumerate(table[1:], 1) if r and any(c.strip() for c in r)]
    style = _file_style((r[i] for _, r in body for role, (i, u) in cols.items() if u and i < len(r)), delim)
    rows: list[_Row] = []
    for n, r in body:
        if len(r) != width:
            raise TraceFileError(p, n, f"{len(r)} fields, the header has {width} (delimiter {delim!r})")
        cell = lambda role: r[cols[role][0]].strip() if role in cols else ""  # noqa: E731

        def number(role: str) -> Optional[int]:
            c = cell(role)
            if not c:
                return None
            v = parse_decimal(c, style)
            if v is None:
                raise TraceFileError(p, n, f"{table[0][cols[role][0]].strip()} {c!r} is not a number")
            return _check_time(p, n, to_ps(v, cols[role][1]), table[0][cols[role][0]].strip(),
                               MAX_DURATION_PS if role == "duration" else MAX_TIME_PS)

        name = cell("module")
        if not name:
            raise TraceFileError(p, n, "no module")
        kind_text = cell("type").upper() if "type" in cols else "DPC"
        kind: RoutineKind
        if "ISR" in kind_text or "INTERRUPT" in kind_text:
            kind = "ISR"
        elif "DPC" in kind_text:
            kind = "DPC"
        else:
            raise TraceFileError(p, n, f"Type {cell('type')!r} is neither a DPC nor an ISR")
        cpu_text = cell("cpu")
        if cpu_text and not cpu_text.isdigit():
            raise TraceFileError(p, n, f"CPU {cpu_text!r} is not a processor number")
        enter, exit_, dur = number("enter"), number("exit"), number("duration")
        if dur is None:
            if enter is None or exit_ is None:
                raise TraceFileError(p, n, "no duration and no enter and exit times")
            dur = _check_time(p, n, exit_ - enter, "run time (exit - enter)")
        if dur < 0 or (enter is not None and exit_ is not None and exit_ < enter):
            raise TraceFileError(p, n, "negative duration (exit before enter)")
        rows.append(_Row(n, kind, name, int(cpu_text) if cpu_text else None, enter, exit_, dur))
    if not rows:
        raise TraceFileError(p, 0, "a header but no rows")

    own = [r for r in rows if _module_matches(r.module, module)]
    others = [r for r in rows if not _module_matches(r.module, module)]
    if module is not None and not own:
        names = sorted({r.module for r in rows})
        raise TraceFileError(p, 0, f"module {module!r} is not in the trace; its modules: {', '.join(names[:12])}"
                             + (f" and {len(names) - 12} more" if len(names) > 12 else ""))
    unit_names = {role: u for role, (i, u) in cols.items() if u}
    given = [f"{len(rows)} DPC/ISR runs ({', '.join(sorted(c for c in cols))} columns), "
             f"{len({r.module for r in rows})} modules"
             + ("" if "type" in cols else "; no Type column: every row taken as a DPC")]
    derived: list[str] = []
    missing: list[str] = []
    if "duration" not in unit_names:
        derived.append("durations: exit time - enter time")
    latencies: tuple[int, ...] = ()
    if module is None:
        missing.append("DPC start latency: no module= given, so every row is interference")
    elif not own:
        missing.append(f"DPC start latency: no rows of module {module!r}")
    elif "enter" not in cols or "exit" not in cols:
        missing.append(f"DPC start latency: {module} has rows but the table has no enter and exit times")
    else:
        lat, unpaired = derive_dpc_start_latency(own)
        if lat:
            latencies = tuple(lat)
            derived.append(f"DPC start latency of {module}: {_count(len(lat), 'sample')}, own DPC enter - exit of the "
                           f"first own ISR since its previous DPC started, on the same CPU"
                           + (f" ({_count(unpaired, 'DPC run')} with no ISR before it skipped)" if unpaired else ""))
        else:
            missing.append(f"DPC start latency: no {module} DPC run follows a {module} ISR on its CPU")
    if others:
        derived.append(f"interference: {_count(len(others), 'run')} of other modules, grouped per type, module and CPU")
    return Trace(str(p), "wpa", why, module, dpc_start_latency_ps=latencies,
                 interference=_group(others), own_runs=_group(own),
                 given=tuple(given), derived=tuple(derived), missing=tuple(missing))


def _group(rows: Sequence[_Row]) -> tuple[RoutineRuns, ...]:
    groups: dict[tuple[str, str, Optional[int]], list[_Row]] = {}
    for r in rows:
        groups.setdefault((r.kind, r.module, r.cpu), []).append(r)
    out = []
    for (kind, mod, cpu), rs in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[0][1].lower(),
                                                                       -1 if kv[0][2] is None else kv[0][2])):
        rs = sorted(rs, key=lambda r: (r.enter_ps if r.enter_ps is not None else 0, r.line))
        enters = tuple(r.enter_ps for r in rs if r.enter_ps is not None)
        out.append(RoutineRuns(kind, mod, cpu, tuple(r.duration_ps for r in rs),  # type: ignore[arg-type]
                               enters if len(enters) == len(rs) else ()))
    return tuple(out)


def derive_dpc_start_latency(own: Sequence[_Row]) -> tuple[list[int], int]:
    """The own DPC's start lateness from the own module's ISR and DPC runs (enter and exit times).

    A DPC object is in at most one queue, and it leaves the queue just before its routine runs
    (references.md): so the run of the DPC that starts at time *t* was queued by the **first** own
    ISR that ended after the previous own DPC run started on that CPU; later ISRs before *t* found it
    already queued (``KeInsertQueueDpc`` returned FALSE). Its lateness is *t* minus that ISR's
    exit time. The ISR queues the DPC shortly before it exits, so this is the seed thread's "ISR
    end to DPC start" and slightly shorter than the time since the KeInsertQueueDpc call.

    The DPC runs on the CPU whose ISR queued it (the default target), so runs are paired per CPU
    (all together if the table has no CPU column). A DPC run with no own ISR before it (queued by
    a timer, or the trace started between the ISR and the DPC) gives no sample; their number is
    returned with the samples. An ISR ending at the very time a DPC enters counts as before it.
    Returns (latencies in DPC start order, unpaired DPC runs)."""
    events: list[tuple[int, int, int, int, _Row]] = []   # (cpu, time, order, line, row)
    for r in own:
        cpu = -1 if r.cpu is None else r.cpu
        if r.kind == "ISR" and r.exit_ps is not None:
            events.append((cpu, r.exit_ps, 0, r.line, r))
        elif r.kind == "DPC" and r.enter_ps is not None:
            events.append((cpu, r.enter_ps, 1, r.line, r))
    events.sort(key=lambda e: e[:4])
    starts: list[tuple[int, int]] = []                    # (dpc enter, latency)
    unpaired = 0
    queued_at: dict[int, Optional[int]] = {}
    for cpu, t, order, _, r in events:
        if order == 0:
            if queued_at.get(cpu) is None:
                queued_at[cpu] = t
        elif queued_at.get(cpu) is None:
            unpaired += 1
        else:
            starts.append((t, t - queued_at[cpu]))      # type: ignore[operator]
            queued_at[cpu] = None
    return [lat for _, lat in sorted(starts, key=lambda s: s[0])], unpaired


# ---------------------------------------------------------------------------------------------
# xperf -a dpcisr

def _load_xperf(p: Path, text: str, why: str, module: Optional[str]) -> Trace:
    kind: RoutineKind = "DPC"
    current: Optional[tuple[str, int, int]] = None       # module, declared total, header line
    hists: list[DurationHistogram] = []
    buckets: list[tuple[int, Optional[int]]] = []
    counts: list[int] = []
    kinds_seen: set[str] = set()

    def close() -> None:
        nonlocal current, buckets, counts
        if current is None:
            return
        mod, total, line = current
        if sum(counts) != total:
            raise TraceFileError(p, line, f"module {mod}: the buckets add up to {sum(counts)}, "
                                          f"not the Total = {total} of its header")
        hists.append(DurationHistogram(kind, mod, tuple(buckets), tuple(counts)))
        current, buckets, counts = None, [], []

    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        low = s.lower()
        # section titles: "DPC Info", "Interrupt Info" (ISRs), between lines of dashes
        if re.fullmatch(r"(dpc|interrupt|isr)s?\b.*\binfo\b.*", low) or low in ("dpcs", "isrs", "interrupts"):
            close()
            kind = "DPC" if low.startswith("dpc") else "ISR"
            continue
        m = XPERF_MODULE.match(line)
        if m:
            close()
            current = (m.group(2), int(m.group(1)), n)
            kinds_seen.add(kind)
            continue
        if low.startswith("elapsed time"):
            b = XPERF_BUCKET.match(line)
            if b is None:
                raise TraceFileError(p, n, f"a bucket line irqloop cannot read: {s[:70]!r}")
            if current is None:
                raise TraceFileError(p, n, "a bucket before any 'Total = N for module M' line")
            lo, hi, c = Decimal(b.group(1)), Decimal(b.group(2)), int(b.group(3))
            if hi <= lo or (buckets and to_ps(lo, UNIT_PS["us"]) < (buckets[-1][1] or 0)):
                raise TraceFileError(p, n, f"bucket > {b.group(1)} and <= {b.group(2)} usecs is empty or "
                                           f"out of order")
            buckets.append((to_ps(lo, UNIT_PS["us"]), to_ps(hi, UNIT_PS["us"])))
            counts.append(c)
            continue
        # anything else (the usage tables, "Total, N" lines, blank lines, dashes) ends nothing
    close()
    if not hists:
        raise TraceFileError(p, 0, "no 'Total = N for module M' histogram")
    own = tuple(h for h in hists if _module_matches(h.module or "", module))
    others = tuple(h for h in hists if not _module_matches(h.module or "", module))
    runs = sum(h.total for h in hists)
    given = [f"run-duration histograms of {len(hists)} module sections ({', '.join(sorted(kinds_seen))}; "
             f"{runs} runs) in microsecond buckets"]
    missing = ["DPC start latency: xperf -a dpcisr gives durations only, not when a queued DPC started"]
    if module is not None and not own:
        missing.append(f"own module {module!r}: not in the file")
    derived = ["interference: the other modules' histograms (per module, no CPU)"] if others else []
    return Trace(str(p), "xperf", why, module, histograms=others, own_histograms=own,
                 given=tuple(given), derived=tuple(derived), missing=tuple(missing))


# ---------------------------------------------------------------------------------------------
# LatencyMon

LM_LINE = re.compile(r"^\s*(.+?)\s*(?::\s*|\s{2,})(\S.*?)\s*$")
LM_BUCKET = re.compile(r"^(ISR|DPC) count \(execution time\s*(.+?)\)$", re.IGNORECASE)


def _latencymon_bucket(label: str) -> Optional[tuple[int, Optional[int]]]:
    """``<250 µs`` -> [0, 250), ``500-999 µs`` and ``500-1000 µs`` -> [500, 1000), ``>=4000 µs`` -> [4000, -)."""
    s = re.sub(r"\s*(µs|μs|us)\s*$", "", label.strip())
    us = UNIT_PS["us"]
    if m := re.fullmatch(r"<\s*(\d+)", s):
        return 0, int(m.group(1)) * us
    if m := re.fullmatch(r">=?\s*(\d+)", s):
        return int(m.group(1)) * us, None
    if m := re.fullmatch(r"(\d+)\s*-\s*(\d+)", s):
        lo, hi = int(m.group(1)), int(m.group(2))
        return lo * us, (hi + 1 if hi % 10 == 9 else hi) * us
    return None


def _load_latencymon(p: Path, text: str, why: str, module: Optional[str]) -> Trace:
    fields: dict[str, tuple[int, str]] = {}
    bucket_rows: list[tuple[int, str, str, str]] = []     # line, kind, label, value
    measured_s: Optional[float] = None
    for n, line in enumerate(text.splitlines(), 1):
        if m := re.search(r"analyzing your system for\s+(\d+):(\d{2}):(\d{2})", line, re.IGNORECASE):
            measured_s = int(m.group(1)) * 3600 + int(m.group(2)) * 60 + int(m.group(3))
        m = LM_LINE.match(line)
        if not m or set(line.strip()) <= set("-_="):
            continue
        label, value = m.group(1).strip().rstrip(":").strip(), m.group(2).strip()
        if b := LM_BUCKET.match(label):
            bucket_rows.append((n, b.group(1).upper(), b.group(2), value))
        else:
            fields.setdefault(label.lower(), (n, value))
    numbers = [v for _, v in fields.values()] + [v for *_, v in bucket_rows]
    style = NumberStyle(",") if any(re.fullmatch(r"\d+,(\d{1,2}|\d{4,})", v) for v in numbers) else NumberStyle()

    def number(label: str, required: bool = True) -> Optional[Decimal]:
        got = fields.get(label.lower())
        if got is None:
            if required:
                raise TraceFileError(p, 0, f"no line {label!r} (is this a LatencyMon report?)")
            return None
        n, value = got
        v = parse_decimal(value, style)
        if v is None or v < 0:
            raise TraceFileError(p, n, f"{label}: {value!r} is not a number")
        return v

    us = UNIT_PS["us"]
    hi_dpc = number("Highest measured interrupt to DPC latency (µs)")
    avg_dpc = number("Average measured interrupt to DPC latency (µs)")
    assert hi_dpc is not None and avg_dpc is not None
    summary = LatencySummary(to_ps(hi_dpc, us), to_ps(avg_dpc, us),
                             "interrupt to DPC latency of LatencyMon's own test DPC (highest and average)")
    hists: list[DurationHistogram] = []
    for kind in ("ISR", "DPC"):
        rows = [r for r in bucket_rows if r[1] == kind]
        if not rows:
            continue
        edges: list[tuple[int, Optional[int]]] = []
        counts: list[int] = []
        for n, _, label, value in rows:
            edge = _latencymon_bucket(label)
            if edge is None:
                raise TraceFileError(p, n, f"{kind} count bucket {label!r} is not <N, N-M or >=N µs")
            c = parse_decimal(value, style)
            if c is None or c < 0 or c != int(c):
                raise TraceFileError(p, n, f"{kind} count {value!r} is not a count")
            edges.append(edge)
            counts.append(int(c))
        hists.append(DurationHistogram(kind, None, tuple(edges), tuple(counts)))  # type: ignore[arg-type]
    highest: list[str] = []
    for kind in ("ISR", "DPC"):
        v = number(f"Highest {kind} routine execution time (µs)", required=False)
        driver = fields.get(f"driver with highest {kind.lower()} routine execution time")
        if v is not None:
            highest.append(f"highest {kind} execution {to_ps(v, us) / 1e6:g} us"
                           + (f" ({driver[1]})" if driver else ""))
    given = [f"DPC start latency summary only: highest {summary.max_ps / 1e6:g} us, average "
             f"{summary.mean_ps / 1e6:g} us (LatencyMon's own DPC, a proxy for the driver's)"]
    if hists:
        given.append("interference: execution-time bucket counts of all "
                     + " and ".join(f"{h.kind}s ({h.total})" for h in hists) + " together, no module or CPU")
    given += highest
    if measured_s is not None:
        given.append(f"measured for {measured_s} s")
    missing = ["DPC start latency samples: only the highest and the average (a tail fit needs samples)"]
    if module is not None:
        missing.append(f"own module {module!r}: LatencyMon reports no per-driver latency")
    return Trace(str(p), "latencymon", why, module, latency_summary=summary, histograms=tuple(hists),
                 measured_s=measured_s, given=tuple(given), missing=tuple(missing))


# ---------------------------------------------------------------------------------------------
# other drivers' runs as interference on the model's CPUs

class InOrder:
    """Run times replayed in the order they were measured (then again from the first)."""

    def __init__(self, values_ps: Sequence[int]) -> None:
        self.values_ps = tuple(values_ps)
        self._next = 0

    def sample(self, rng: random.Random) -> int:
        value = self.values_ps[self._next]
        self._next = (self._next + 1) % len(self.values_ps)
        return value


@dataclass(frozen=True)
class BucketDurations:
    """Run times drawn from a histogram: a bucket by its count, then uniformly within it (an open
    top bucket is taken as twice its lower bound wide)."""
    buckets_ps: tuple[tuple[int, Optional[int]], ...]
    counts: tuple[int, ...]

    def sample(self, rng: random.Random) -> int:
        pick = rng.randrange(sum(self.counts))
        for (low, high), n in zip(self.buckets_ps, self.counts):
            if pick < n:
                return rng.randint(low, high if high is not None else 2 * max(low, 1))
            pick -= n
        raise AssertionError("unreachable: the pick is below the total")


def interference_sources(trace: Trace, cpus: int) -> tuple[list[InterferenceSource], list[str]]:
    """Other drivers' DPCs and ISRs of ``trace`` as interference sources on a ``cpus``-CPU host,
    and how each was made (report lines). Runs with enter times arrive at those times (from the
    first run of the trace, so the sources keep their relative timing) with their measured run
    times in order; runs without them arrive at random at their measured rate (the file must say
    how long it measured) with run times drawn from the measured ones; histograms likewise, on
    CPU 0 (they name no CPU). A CPU the host does not have is folded onto one it has (modulo)."""
    sources: list[InterferenceSource] = []
    how: list[str] = []
    timed = [r for r in trace.interference if r.enter_ps]
    origin = min((min(r.enter_ps) for r in timed), default=0)

    def rate_of(count: int, what: str) -> float:
        if not trace.measured_s:
            raise TraceFileError(Path(trace.path), 0, f"{what} has run times but no times of arrival, and the file "
                                 "does not say how long it measured: no rate for the interference")
        return count / trace.measured_s

    for r in trace.interference:
        cpu = 0 if r.cpu is None else r.cpu % cpus
        name = f"{r.module}.{r.kind.lower()}@{cpu}"
        kind = r.kind.lower()
        where = f"CPU {cpu}" + ("" if r.cpu is None or r.cpu == cpu else f" (CPU {r.cpu} in the trace)") + \
            (" (the trace names no CPU)" if r.cpu is None else "")
        if r.enter_ps:
            sources.append(InterferenceSource(name, cpu, kind, service=InOrder(r.durations_ps),
                                              arrivals_ps=tuple(t - origin for t in r.enter_ps)))
            how.append(f"{name}: {len(r.durations_ps)} {r.kind}s at their trace times on {where}, measured run times")
        else:
            rate = rate_of(len(r.durations_ps), f"{r.module} {r.kind}")
            sources.append(InterferenceSource(name, cpu, kind, service=Empirical(r.durations_ps, r.module),
                                              rate_per_s=rate))
            how.append(f"{name}: {rate:.1f}/s at random (Poisson) on {where}, run times drawn from the measured ones")
    for h in trace.histograms:
        module = h.module or "all drivers"
        rate = rate_of(h.total, f"the {module} {h.kind} histogram")
        name = f"{module}.{h.kind.lower()}@0"
        sources.append(InterferenceSource(name, 0, h.kind.lower(), service=BucketDurations(h.buckets_ps, h.counts),
                                          rate_per_s=rate))
        how.append(f"{name}: {rate:.1f}/s at random (Poisson) on CPU 0 (a histogram names no CPU), run times "
                   f"drawn from its {len(h.counts)} buckets")
    return sources, how
