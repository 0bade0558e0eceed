"""Trace importers (hostmodel.traces): each format on small hand-written files in tests/data/traces/,
with exact expected values; the driver's own DPC start lateness kept apart from other drivers'
DPC/ISR durations; one-line errors naming file, line and problem."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from irqloop.hostmodel.latency import LatencyFileError
from irqloop.hostmodel.traces import (DurationHistogram, LatencySummary, NumberStyle, RoutineRuns, TraceFileError,
                                      load_trace, parse_decimal)

DATA = Path(__file__).resolve().parent / "data" / "traces"
US = 1_000_000
S = 10**12


def test_plain_column_of_microseconds_with_header_comments_and_a_grouped_thousand() -> None:
    t = load_trace(DATA / "plain_us.txt")
    assert (t.format, t.detected) == ("plain", "auto: one number a line (a column of latencies)")
    assert t.dpc_start_latency_ps == (2_500_000, 1_250_000, 3 * US, 667 * US, 61_234_500_000)
    assert t.interference == () and t.histograms == ()
    assert t.given == ("DPC start latency: 5 samples in microseconds",)
    assert t.missing == ("interference: the file names no other drivers' DPCs or ISRs",)


def test_plain_header_unit_and_decimal_comma() -> None:
    assert load_trace(DATA / "plain_ms.csv").dpc_start_latency_ps == (2 * US, 60_000 * US, 500 * US)
    assert load_trace(DATA / "plain_ms.csv").given == ("DPC start latency: 3 samples in milliseconds",)
    # 1,5 and 2,25 use a decimal comma, so 1.234,5 groups the thousands with a dot
    assert load_trace(DATA / "plain_decimal_comma.txt", format="plain").dpc_start_latency_ps == \
        (1_500_000, 2_250_000, 1_234_500_000)


def test_wpa_table_derives_the_own_dpc_start_latency_and_keeps_the_others_as_interference() -> None:
    """Rule (KeInsertQueueDpc, references.md): a DPC leaves the queue when it starts, so the run
    starting at t was queued by the first own ISR that ended after the previous own DPC started on
    that CPU; later ISRs found it queued. CPU 0: ISR ends 1.000002 s, DPC enters 1.000005 s (3 us);
    the ISRs ending 1.0010015 s and 1.0020015 s are before the DPC at 1.062135 s: the first counts
    (61133.5 us) while ndis.sys ran its 61234.5 us DPC. CPU 2: 3 us, then a DPC with no ISR."""
    t = load_trace(DATA / "wpa_comma.csv", module="irqloop.sys")
    assert t.format == "wpa"
    assert t.detected == "auto: WPA DPC/ISR table (','-delimited header on line 1 with a module and a time column)"
    assert t.dpc_start_latency_ps == (3 * US, 61_133_500_000, 3 * US)
    assert t.interference == (
        RoutineRuns("DPC", "ndis.sys", 0, (61_234_500_000,), (1_000_900 * US,)),
        RoutineRuns("ISR", "dxgkrnl.sys", 2, (750_000,), (1_010_000 * US,)),
    )
    assert t.own_runs == (
        RoutineRuns("DPC", "irqloop.sys", 0, (10 * US, 65 * US), (1_000_005 * US, 1_062_135 * US)),
        RoutineRuns("DPC", "irqloop.sys", 2, (3 * US, 1 * US), (1_100_004 * US, 1_200_000 * US)),
        RoutineRuns("ISR", "irqloop.sys", 0, (2 * US, 1_500_000, 1_500_000), (1 * S, 1_001_000 * US, 1_002_000 * US)),
        RoutineRuns("ISR", "irqloop.sys", 2, (1 * US,), (1_100_000 * US,)),
    )
    assert t.derived == (
        "DPC start latency of irqloop.sys: 3 samples, own DPC enter - exit of the first own ISR since its "
        "previous DPC started, on the same CPU (1 DPC run with no ISR before it skipped)",
        "interference: 2 runs of other modules, grouped per type, module and CPU",
    )
    assert t.missing == ()


def test_wpa_without_a_module_is_all_interference_and_says_so() -> None:
    t = load_trace(DATA / "wpa_comma.csv")
    assert t.dpc_start_latency_ps == ()
    assert sum(len(r.durations_ps) for r in t.interference) == 10
    assert t.missing == ("DPC start latency: no module= given, so every row is interference",)


def test_wpa_semicolon_decimal_comma_thousands_dot_bom_and_unsorted_rows() -> None:
    t = load_trace(DATA / "wpa_semicolon.csv", module="IRQLOOP")      # case and extension do not matter
    assert t.detected.startswith("auto: WPA DPC/ISR table (';'-delimited")
    assert t.dpc_start_latency_ps == (9 * US,)                          # ISR ends 2.000001 s, DPC 2.00001 s
    assert t.interference == (
        RoutineRuns("DPC", "acpi.sys", 0, (1_234_500_000_000,), (3 * S,)),          # "1.234,5" ms
        RoutineRuns("DPC", "storport.sys", 3, (1_234_500_000,), (2_500_000 * US,)),
        RoutineRuns("ISR", "storport.sys", 1, (10 * US,), (2_000_001 * US,)),
    )


def test_wpa_subset_with_only_module_and_duration() -> None:
    t = load_trace(DATA / "wpa_duration_only.csv", module="irqloop.sys")
    assert t.interference == (RoutineRuns("DPC", "ndis.sys", None, (12_500_000,)),
                              RoutineRuns("DPC", "tcpip.sys", None, (1_024_250_000,)))
    assert t.own_runs == (RoutineRuns("DPC", "irqloop.sys", None, (3 * US,)),)
    assert t.given == ("3 DPC/ISR runs (duration, module columns), 3 modules; no Type column: every row taken as a DPC",)
    assert t.missing == ("DPC start latency: irqloop.sys has rows but the table has no enter and exit times",)


def test_wpa_enter_and_exit_only_tab_delimited_derives_durations() -> None:
    t = load_trace(DATA / "wpa_enter_exit.tsv", module="MYDEV.SYS")
    assert t.dpc_start_latency_ps == (498 * US,)
    assert t.interference == (RoutineRuns("DPC", "nvlddmkm.sys", 0, (496 * US,), (10_003 * US,)),)
    assert t.derived[0] == "durations: exit time - enter time"


def test_xperf_dpcisr_histograms_per_module_and_section() -> None:
    t = load_trace(DATA / "xperf_dpcisr.txt", module="irqloop.sys")
    assert t.detected == "auto: xperf -a dpcisr text (line 14: 'Total = 1010 for module ndis.sys')"
    assert t.histograms == (
        DurationHistogram("DPC", "ndis.sys", ((0, US), (US, 2 * US), (2 * US, 4 * US), (512 * US, 1024 * US)),
                          (600, 300, 100, 10)),
        DurationHistogram("ISR", "HDAudBus.sys", ((8 * US, 16 * US),), (3,)),
    )
    assert t.own_histograms == (DurationHistogram("DPC", "irqloop.sys", ((4 * US, 8 * US),), (5,)),)
    assert t.dpc_start_latency_ps == () and t.latency_summary is None
    assert t.missing == ("DPC start latency: xperf -a dpcisr gives durations only, not when a queued DPC started",)


def test_latencymon_report_gives_a_coarse_summary_and_bucket_counts() -> None:
    t = load_trace(DATA / "latencymon_en.txt")
    assert t.format == "latencymon"
    assert t.latency_summary == LatencySummary(612_250_000, 2_125_000, "interrupt to DPC latency of LatencyMon's "
                                                                       "own test DPC (highest and average)")
    assert t.measured_s == 3723                                          # 1:02:03
    edges = ((0, 250 * US), (250 * US, 500 * US), (500 * US, 1000 * US), (1000 * US, 2000 * US),
             (2000 * US, 4000 * US), (4000 * US, None))
    assert t.histograms == (DurationHistogram("ISR", None, edges, (123_456, 7, 0, 0, 0, 0)),
                            DurationHistogram("DPC", None, edges, (2_000_000, 40, 3, 0, 0, 0)))
    assert "highest DPC execution 955.125 us (nvlddmkm.sys - NVIDIA Kernel Mode Driver)" in t.given
    assert t.dpc_start_latency_ps == ()


def test_latencymon_utf16_with_decimal_comma_and_999_bucket_labels() -> None:
    t = load_trace(DATA / "latencymon_de_utf16.txt")
    assert t.latency_summary is not None
    assert (t.latency_summary.max_ps, t.latency_summary.mean_ps, t.measured_s) == (150_500_000, 1_250_000, 40)
    assert t.histograms[1].buckets_ps[2] == (500 * US, 1000 * US)       # "500-999 µs"
    assert t.histograms[1].counts == (51_000, 2, 0, 0, 0, 0)


@pytest.mark.parametrize("name,fmt,line,problem", [
    ("bad_plain.txt", "auto", 4, "'abc' is not a number"),
    ("bad_wpa_number.csv", "auto", 3, "Exit Time (s) '1.2.3' is not a number"),
    ("bad_wpa_short_row.csv", "auto", 3, "3 fields, the header has 4 (delimiter ',')"),
    ("bad_wpa_no_unit.csv", "wpa", 1, "column 'Duration' has no unit irqloop knows (s, ms, µs, us, ns in brackets)"),
    ("bad_xperf_total.txt", "auto", 2, "module ndis.sys: the buckets add up to 10, not the Total = 12 of its header"),
    ("bad_unknown.txt", "auto", 1, "not a trace format irqloop reads (plain column of microseconds, WPA DPC/ISR CSV, "
                                   "xperf -a dpcisr text, LatencyMon report); give format= to be told what does not fit"),
    ("xperf_dpcisr.txt", "wpa", 2, "no Module column; columns: --------------------------"),
    ("plain_us.txt", "latencymon", 0, "no line 'Highest measured interrupt to DPC latency (µs)' (is this a LatencyMon report?)"),
    ("wpa_comma.csv", "plain", 2, "'1,\"ISR\",\"irqloop.sys\",\"EvtInterruptIsr\",0,\"1.000000000\",\"1.000002000\",\"2.000\"': "
                                  "more than one column (a plain trace has one number a line)"),
])
def test_a_malformed_file_gets_one_line_naming_file_line_and_problem(name: str, fmt: str, line: int, problem: str) -> None:
    with pytest.raises(TraceFileError) as e:
        load_trace(DATA / name, format=fmt)
    where = f"{DATA / name}: line {line}: " if line else f"{DATA / name}: "
    assert str(e.value) == where + problem
    assert (e.value.line, e.value.problem) == (line, problem)
    assert isinstance(e.value, LatencyFileError)


def test_missing_empty_and_unknown_format(tmp_path: Path) -> None:
    with pytest.raises(TraceFileError, match=r"nope\.csv: no such file$"):
        load_trace(tmp_path / "nope.csv")
    (tmp_path / "empty.csv").write_text("\n \n")
    with pytest.raises(TraceFileError, match=r"empty\.csv: empty file$"):
        load_trace(tmp_path / "empty.csv")
    with pytest.raises(TraceFileError, match="unknown trace format 'etl'; formats: auto, plain, wpa, xperf, latencymon"):
        load_trace(DATA / "plain_us.txt", format="etl")


def test_declared_format_is_reported_as_declared() -> None:
    assert load_trace(DATA / "xperf_dpcisr.txt", format="xperf").detected == "declared"


def test_numbers_group_thousands_only_in_threes() -> None:
    assert parse_decimal("61,234.500") == Decimal("61234.500")
    assert parse_decimal("1,2,3") is None
    assert parse_decimal("12,34.5") is None
    assert parse_decimal("1.234,5", NumberStyle(",")) == Decimal("1234.5")
    assert parse_decimal("0,006482", NumberStyle(",")) == Decimal("0.006482")
    assert parse_decimal("1e3") == Decimal("1000")


def test_plain_values_convert_exactly_to_picoseconds_on_both_paths(tmp_path: Path) -> None:
    """Up to six decimals of microseconds convert in integers, more go through Decimal with
    half-to-even rounding at the picosecond: the same rule either way."""
    f = tmp_path / "mixed.txt"
    f.write_text("2\n1.5\n0.000001\n12.3456785\n12.3456775\n0.0000005\n")
    assert load_trace(f).dpc_start_latency_ps == (2_000_000, 1_500_000, 1, 12_345_678, 12_345_678, 0)
