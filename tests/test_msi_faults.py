"""MSI fault injection rules (tb/models/msi_faults.py): parsing with one-line errors, selection by vector,
count and seeded probability, and the delivery each action asks for."""

from __future__ import annotations

import pytest

from irqloop.tb.models.msi_faults import FaultSpecError, MsiFaultInjector, parse_faults


@pytest.mark.parametrize("spec,message", [
    ("explode", "unknown action 'explode'; actions: drop, dup, delay"),
    ("delay", "delay needs a time, e.g. delay=20us"),
    ("delay=20", "needs a number and a unit"),
    ("delay=-3us", "delay must be > 0"),
    ("drop=3", "drop takes no value"),
    ("drop:when=3", "bad selector 'when=3'; selectors: vec=, nth=, every=, p="),
    ("drop:nth=0", "nth=0 is below 1"),
    ("drop:vec=x", "vec='x' is not an integer"),
    ("dup:p=1.5", "p=1.5 must be in (0, 1]"),
])
def test_bad_rules_are_refused_with_one_line(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError) as e:
        parse_faults(spec)
    assert message in str(e.value) and "\n" not in str(e.value)


def injector(spec: str, seed: int = 1) -> MsiFaultInjector:
    return MsiFaultInjector(parse_faults(spec), seed, vector_of=lambda data: data - 0x40)


def test_selection_by_vector_and_count() -> None:
    inj = injector("drop:vec=0:nth=2,4;dup:vec=1:every=2;delay=5us:vec=1:nth=3")
    out = [(d, inj.apply(d, t)) for t, d in enumerate([0x40, 0x41, 0x40, 0x41, 0x40, 0x41, 0x40])]
    # vector 0: messages 1..4 -> drop 2 and 4; vector 1: 1 as is, 2 dup, 3 delayed
    assert [o for _, o in out] == [[0], [0], [], [0, 0], [0], [5_000_000], []]
    assert [(f.action, f.vector, f.count, f.time_ps) for f in inj.log] == [
        ("drop", 0, 2, 2), ("dup", 1, 2, 3), ("delay", 1, 3, 5), ("drop", 0, 4, 6)]
    assert "dropped MSI #2 of vector 0" in inj.log[0].describe()


def test_probability_is_seeded() -> None:
    runs = []
    for seed in (7, 7, 8):
        inj = injector("drop:p=0.3", seed)
        runs.append([len(inj.apply(0x40, t)) for t in range(200)])
    assert runs[0] == runs[1] != runs[2]
    assert 30 < runs[0].count(0) < 90                 # about 30 % of 200 dropped


def test_no_rules_delivers_everything() -> None:
    for spec in ("", "none"):
        inj = injector(spec)
        assert [inj.apply(0x40, t) for t in range(5)] == [[0]] * 5 and inj.log == []
