"""The pyuvm environment's parts that run without a simulator: the register model built from the
one register description, the device scoreboard's rules (fed transactions by hand, so each rule
is shown to fail), and the factory overrides that pick strategy and MSI faults."""

from __future__ import annotations

from typing import Iterator

import pytest
from pyuvm import uvm_factory

from irqloop.hostmodel.regs import REG
from irqloop.tb.uvm.items import CqEntryItem, CsrAccess, MsiItem
from irqloop.tb.uvm.regmodel import IrqloopRegBlock, array_sizes
from irqloop.tb.uvm.scoreboard import DeviceScoreboard


@pytest.fixture(scope="module")
def regs() -> IrqloopRegBlock:
    return IrqloopRegBlock("regs_t", num_cq=4)


_made = iter(range(1 << 30))


@pytest.fixture
def sb(regs: IrqloopRegBlock) -> DeviceScoreboard:
    s = DeviceScoreboard(f"sb{next(_made)}", None)        # uvm_root keeps its children: unique names
    s.build_phase()
    s.regs = regs
    for r in regs.by_offset.values():
        r.predict(0)
    return s


@pytest.fixture
def clean_factory() -> Iterator[None]:
    uvm_factory().clear_overrides()
    yield
    uvm_factory().clear_overrides()


def test_register_model_is_the_header_map(regs: IrqloopRegBlock) -> None:
    for name, off in REG.offsets.items():
        assert regs.reg(name).get_address() == off and regs.access[name] == REG.access[name]
    sizes = array_sizes(4)
    assert sizes == {"CQ": 4, "VT": 6, "IV": 6, "PBA": 1}
    assert regs.reg("CQ", 3, "HEAD").get_address() == REG.array("CQ", 3, "HEAD")
    assert regs.reg("VT", 5, "CTRL").get_address() == REG.array("VT", 5, "CTRL")
    n_array = sum(sizes[a] * len(REG.array_regs[a]) for a in sizes)
    assert len(regs.by_offset) == len(REG.offsets) + n_array
    assert regs.name_of(REG.array("IV", 2, "COAL")) == "IV2_COAL"
    with pytest.raises(KeyError, match="no register 'CQ9_HEAD'"):
        regs.reg("CQ", 9, "HEAD")


def test_register_model_has_the_fields_and_resets_of_the_description(regs: IrqloopRegBlock) -> None:
    iv = regs.reg("CQ", 3, "IV")
    assert [(f.get_name(), f.get_lsb_pos(), f.get_n_bits(), f.get_access()) for f in iv.get_fields()] == \
        [("VECTOR", 0, 6, "RW"), ("IEN", 16, 1, "RW")]
    assert iv.get_reset() == REG.bit("VEC_CQ0") + 3                  # queue q's default vector
    assert regs.reg("OVERRUN_SEQ").get_reset() == 0xFFFF_FFFF and regs.reg("ID").get_reset() == 0x49524C50
    assert {f.get_name(): f.get_access() for f in regs.reg("INT_CAUSE").get_fields()} == \
        {"DATA": "W1C", "OVERRUN": "W1C", "CFGERR": "W1C", "DBERR": "W1C"}
    assert regs.reg("CQ", 0, "HEAD").get_fields()[0].is_volatile()   # a SIZE write moves it
    coal = regs.reg("IV", 1, "COAL")
    assert sum(f.get_register_mask() for f in coal.get_fields()) == REG.implemented("IV_COAL") == 0x3_FFFF


def csr(addr: int, data: int, t_ps: int = 0) -> CsrAccess:
    return CsrAccess(True, addr, data, t_ps)


def entry(q: int, slot: int, n: int, phase: int = 1, t_ps: int = 1000, status: int = 0) -> CqEntryItem:
    return CqEntryItem(t_ps=t_ps, queue=q, slot=slot, dw0=n, sqhead=q, sqid=1, cid=n & 0xFFFF, phase=phase,
                       status=status)


def make_queue(sb: DeviceScoreboard, q: int, size: int) -> None:
    sb.write_csr(csr(REG.array("CQ", q, "SIZE"), size))
    sb.write_csr(csr(REG.TG_CTRL, 1))


def test_scoreboard_accepts_the_generator_rule_and_counts_wraps(sb: DeviceScoreboard) -> None:
    make_queue(sb, 1, 4)
    for n in range(10):         # the host consumes each entry before the next: never full
        sb.write_csr(csr(REG.array("CQ", 1, "HEAD"), n % 4, t_ps=n * 1000 + 500))
        sb.write_cq(entry(1, n % 4, n, phase=1 - (n // 4) % 2, t_ps=n * 1000 + 600))
    s = sb.summary()
    assert s["error_count"] == 0, s["errors"]
    assert s["entries_by_queue"] == {"1": 10} and s["wraps_by_queue"] == {"1": 2}


@pytest.mark.parametrize("bad, message", [
    ({"phase": 0}, "phase tag 0, expected 1"),
    ({"slot": 2}, "entry written at slot 2, the tail is 0"),
    ({"n": 5}, "DW0 0x5, expected 0x0"),
    ({"status": 1}, "status 0x1, expected 0x0"),
])
def test_scoreboard_catches_a_broken_entry(sb: DeviceScoreboard, bad: dict, message: str) -> None:
    make_queue(sb, 0, 8)
    kw = {"q": 0, "slot": 0, "n": 0} | bad
    sb.write_cq(entry(**kw))
    assert sb.error_count == 1 and message in sb.errors[0]


def test_scoreboard_catches_a_write_into_a_full_queue(sb: DeviceScoreboard) -> None:
    make_queue(sb, 0, 4)
    for n in range(3):
        sb.write_cq(entry(0, n, n, t_ps=100 + n))
    assert sb.error_count == 0
    sb.write_cq(entry(0, 3, 3, t_ps=200))      # head still 0: slot 3 would make tail == head
    assert sb.error_count == 1 and "while the queue was full (head 0, tail 3)" in sb.errors[0]


def test_scoreboard_error_status_every_nth_completion(sb: DeviceScoreboard) -> None:
    sb.regs.reg("TG_ERR_EVERY").predict(3)
    make_queue(sb, 0, 16)
    for n in range(6):
        sb.write_cq(entry(0, n, n, status=1 if n in (2, 5) else 0))
    assert sb.error_count == 0, sb.errors
    sb.regs.reg("TG_ERR_EVERY").predict(0)


def test_scoreboard_rejects_a_message_nobody_programmed(sb: DeviceScoreboard) -> None:
    sb.regs.reg("MSIX_CTRL").predict(REG.pack("MSIX_CTRL", ENABLE=1))
    sb.regs.reg("VT", 3, "ADDR_LO").predict(0xFEE0_0000)
    sb.regs.reg("VT", 3, "DATA").predict(0x103)
    sb.write_msi(MsiItem(5000, 0xFEE0_0000, 0x103))
    assert sb.error_count == 0 and sb.msi_by_vector == {3: 1}
    sb.write_msi(MsiItem(6000, 0xFEE0_0000, 0x1FF))
    assert sb.error_count == 1 and "matches no programmed vector" in sb.errors[0]
    sb.regs.reg("MSIX_CTRL").predict(0)


def test_choices_pick_strategy_faults_and_the_declared_outcome() -> None:
    from irqloop.tb.choices import TESTS
    from irqloop.tb.scenarios import get

    sc = get("random_cq")
    values = {"max_queues": 8, "max_per_queue": 16}
    base = sc.prepare(values, 3).variants[0]
    assert base.role == "drawn from the seed" and base.setup.get("msi_faults", "none") == "none"
    v = sc.prepare(values, 3, TESTS["LostVectorTest"]).variants[0]
    assert (v.strategy, v.expected, v.setup["msi_faults"]) == ("interlocked_or", "loss", "drop:vec=0")
    assert v.setup["queues"] == base.setup["queues"]          # same drawn configuration
    v = sc.prepare(values, 3, TESTS["LostVectorScanTimerTest"]).variants[0]
    assert (v.strategy, v.expected) == ("scan_timer", "clean")
    v = sc.prepare(values, 3, TESTS["NaiveStrategyTest"]).variants[0]
    assert (v.strategy, v.expected, v.setup.get("msi_faults", "none")) == ("naive", "any", "none")
    assert sc.prepare(values, 3) == sc.prepare(values, 3, TESTS["ScenarioTest"])


def test_each_pyuvm_tests_factory_overrides_choose_what_the_runner_reads(clean_factory: None) -> None:
    """The runner reads a test's choices from tb/choices.py; the test makes them with factory
    overrides in the simulator: the two agree for every test, and there is no test of one only."""
    from irqloop.tb.choices import TESTS
    from irqloop.tb.uvm import tests
    from irqloop.tb.uvm.choices import factory_choices

    assert list(tests.TESTS) == list(TESTS)
    for name, cls in tests.TESTS.items():
        uvm_factory().clear_overrides()
        cls.apply_overrides()
        assert factory_choices() == TESTS[name], name


def test_unknown_uvm_test_is_a_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    from irqloop import runner
    assert runner.main(["sim", "random_cq", "--uvm-test", "NoSuchTest"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown UVM_TEST 'NoSuchTest'; valid: ScenarioTest, LostVectorTest" in err[0]


def test_an_overriding_uvm_test_on_a_scenario_that_ignores_overrides_is_refused(capsys: pytest.CaptureFixture[str],
                                                                                 clean_factory: None) -> None:
    from irqloop import runner
    assert runner.main(["sim", "multiqueue", "--uvm-test", "LostVectorTest"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "scenario multiqueue fixes itself; use it with: random_cq" in err[0]


@pytest.mark.sim
def test_registers_scenario_drives_the_register_model_over_axi_lite(tmp_path) -> None:
    """The CSR agent active: every access a register-model read/write through the sequencer,
    driver and the RTL AXI4-Lite master; identity, read-only, implemented bits, mapping rows."""
    import json
    import subprocess
    import sys

    from irqloop.toolchain import SOURCE as ROOT
    r = subprocess.run([sys.executable, "-m", "irqloop.runner", "sim", "registers", "--seed", "2", "--runs", str(tmp_path)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    report = json.loads((tmp_path / "registers" / "seed2" / "report.json").read_text())
    obs = report["observed"]
    assert all(c["ok"] for c in report["checks"]) and len(report["checks"]) == 8
    assert obs["env"]["coverage"].get("msi.pending_while_masked") == 1
    assert obs["rw_registers"] == 312 and obs["masks"]["IV0_COAL"] == "0x0003ffff"
    assert obs["masks"]["CQ31_BASE_LO"] == "0xfffffff0" and obs["env"]["csr_accesses"] == obs["bus_accesses"]


def test_register_fields_know_their_access_as_pyuvm_derives_it(regs: IrqloopRegBlock) -> None:
    """The model's fields work out their access in a map once (the predictor asks on every access);
    asked again, and asked through pyuvm's own derivation, every field of every register in the
    default map and in none gives the same answer, so a read-only register's fields predict as RO."""
    from pyuvm import uvm_reg_field
    seen = set()
    for r in regs.by_offset.values():
        for f in r.get_fields():
            for m in (None, regs.map):
                derived = uvm_reg_field.get_access(f, m)
                assert f.get_access(m) == derived and f.get_access(m) == derived, (r.get_name(), f.get_name(), m)
                seen.add(derived)
    assert {"RW", "RO"} <= seen
