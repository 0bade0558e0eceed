"""Your own device in the loop (docs/own-device.md): the device contract checked before a build,
with one line naming the port and the form expected; the wrapper generated from the top's ports;
the register map from the device's SystemRDL; and the worked example, examples/minidma, whose
overrun scenario passes clean, is caught lossy by its oracle, and gives the same report and trace
byte for byte under Verilator and Icarus."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from irqloop import device

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "minidma"
RTL = EXAMPLE / "rtl" / "minidma.v"
MINIDMA = device.Device("minidma", (RTL,), (EXAMPLE / "rtl",), rdl=EXAMPLE / "minidma.rdl")
sys.path.insert(0, str(EXAMPLE))

from minidma_model import ChunkWrite, chunk_writes, payload, predict_lost  # noqa: E402


def edited(tmp_path: Path, old: str, new: str) -> device.Device:
    """minidma with its port list changed (``old`` -> ``new``; a port taken out stays a variable
    inside, so the module still elaborates)."""
    text = RTL.read_text()
    assert old in text
    path = tmp_path / "minidma.v"
    text = text.replace(old, new, 1)
    if not new and "output reg" in old:
        text = text.replace('`include "minidma_regs.vh"\n', f'`include "minidma_regs.vh"\n    reg {old.split()[-1].rstrip(",")};\n')
    path.write_text(text)
    return device.Device("minidma", (path,), (EXAMPLE / "rtl",))


def test_the_example_and_irqloops_own_device_keep_the_contract() -> None:
    ports = device.check(MINIDMA)
    assert ports["s_axil_awaddr"].width == 8 and ports["m_axi_awaddr"].width == 64 and "m_axi_awid" not in ports
    from irqloop import toolchain
    own = device.Device("irqloop_dev", tuple(toolchain.RTL / s for s in toolchain.RTL_SOURCES), (toolchain.RTL,))
    assert device.check(own)["m_axi_awid"].width == 1


@pytest.mark.parametrize("old, new, message", [
    ("    output reg         m_axi_wlast,\n", "",
     "device top minidma: missing port m_axi_wlast; the contract wants output m_axi_wlast (docs/own-device.md)"),
    ("output reg  [63:0] m_axi_wdata", "output reg  [31:0] m_axi_wdata",
     "device top minidma: port m_axi_wdata is output [31:0]; the contract wants output [63:0] m_axi_wdata "
     "(docs/own-device.md)"),
    ("input  wire [7:0]  s_axil_awaddr", "input  wire [15:0] s_axil_awaddr",
     "device top minidma: port s_axil_awaddr is input [15:0]; the contract wants input [N-1:0] (N 1..12) "
     "s_axil_awaddr (docs/own-device.md)"),
    ("input  wire [1:0]  m_axi_bresp", "output wire [1:0]  m_axi_bresp",
     "device top minidma: port m_axi_bresp is output [1:0]; the contract wants input [1:0] m_axi_bresp "
     "(docs/own-device.md)"),
    ("    input  wire        m_axi_bvalid,\n", "    input  wire        m_axi_bvalid,\n    input  wire        m_axi_arready,\n",
     "device top minidma: input m_axi_arready is not in the contract, so nothing would drive it; the harness's "
     "host memory takes writes only (no AR/R channel) (docs/own-device.md)"),
    ("input  wire [7:0]  s_axil_araddr", "input  wire [6:0]  s_axil_araddr",
     "device top minidma: ports s_axil_awaddr and s_axil_araddr must both be there with the same width; found "
     "s_axil_awaddr [7:0], s_axil_araddr [6:0] (docs/own-device.md)"),
])
def test_a_top_that_breaks_the_contract_is_refused_in_one_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    with pytest.raises(device.ContractError) as e:
        device.check(edited(tmp_path, old, new))
    assert str(e.value) == message


def test_the_command_refuses_a_broken_top_in_one_line_with_exit_2(tmp_path: Path) -> None:
    bad = edited(tmp_path, "output reg  [63:0] m_axi_wdata", "output reg  [31:0] m_axi_wdata")
    irqloop = ROOT / ".venv" / "bin" / "irqloop"
    args = [str(irqloop), "device", "check", "--top", "minidma", "--include", str(EXAMPLE / "rtl"), "--source"]
    r = subprocess.run(args + [str(bad.sources[0])], capture_output=True, text=True)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and r.stderr.startswith("error: device top minidma: port m_axi_wdata is output [31:0]")
    r = subprocess.run(args + [str(RTL)], capture_output=True, text=True)
    assert r.returncode == 0 and "keeps the contract (33 ports; CSR address 8 bits" in r.stdout
    r = subprocess.run(args + [str(tmp_path / "none.v")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr == f"error: {tmp_path / 'none.v'}: no such file\n"


def test_the_wrapper_connects_the_top_by_its_own_widths() -> None:
    text = device.wrapper_text(MINIDMA, device.check(MINIDMA))
    assert ".s_axil_awaddr(axil_awaddr[7:0])" in text and ".s_axil_araddr(axil_araddr[7:0])" in text
    assert "assign axi_awid = 1'b0;" in text          # the top has no ID: the harness ties it
    assert ".m_axi_awid(" not in text and ".s_axil_awprot(" not in text
    assert re.search(r"^    minidma dut \($", text, re.M)


def test_the_register_map_and_the_rtl_header_come_from_the_devices_rdl() -> None:
    regs = device.register_map(MINIDMA.rdl)
    assert regs.offsets["WR_IDX"] == 0x2C and regs.access["IRQ_STATUS"] == "W1C"
    assert regs.pack("IRQ_ENABLE", CHUNK=1, OVERRUN=1) == 3 and regs.consts["DEVICE_ID"] == 0x4D444D41
    vh = EXAMPLE / "rtl" / "minidma_regs.vh"
    assert vh.read_text() == device.register_header(MINIDMA.rdl), "minidma_regs.vh is stale: irqloop device regs"
    assert "localparam [11:0] REG_WR_IDX            = 12'h02C;" in vh.read_text()


def test_the_oracle_loses_a_chunk_copied_after_its_slot_was_reused() -> None:
    """The ring rule on hand-made times: chunk 0 (slot 0 of 2) is intact when copied up to the
    instant of the first beat of chunk 2 (the copy runs before that clock edge's writes), lost
    after it, and lost when never copied."""
    w = [ChunkWrite(0, 100, 200), ChunkWrite(1, 300, 400), ChunkWrite(2, 500, 600)]
    assert predict_lost(w, {0: 500, 1: 401, 2: 601}, slots=2, chunks=3) == []
    assert predict_lost(w, {0: 501, 1: 401, 2: 601}, slots=2, chunks=3) == [0]
    assert predict_lost(w, {0: 499, 2: 601}, slots=2, chunks=3) == [1]
    assert predict_lost(w, {0: 150, 1: 401, 2: 601}, slots=2, chunks=3) == [0]    # copied before it was written


def test_the_oracle_reads_chunks_from_the_bursts() -> None:
    """Two 256-byte chunks in 128-byte bursts; a burst's 16 beats end at its logged time."""
    base, clock = 0x10_0000, 4000
    addr = np.array([base, base + 128, base + 256, base + 384], np.uint64)
    writes = chunk_writes(addr, np.full(4, 128, np.uint32), np.array([100, 200, 300, 400], np.uint64), base, 256, clock)
    assert writes == [ChunkWrite(0, 100_000 - 15 * clock, 200_000), ChunkWrite(1, 300_000 - 15 * clock, 400_000)]
    assert payload(3, 16).view(np.uint64).tolist() == [3 << 32, 3 << 32 | 1]


def run_example(tmp_path: Path, sim: str, variant: str) -> Path:
    out = tmp_path / f"{sim}-{variant}"
    passed = device.run(MINIDMA, "tb_minidma", out, python_path=[EXAMPLE], sim=sim, seed=1,
                        env={"MINIDMA_VARIANT": variant})
    assert passed, (out / "sim.log").read_text()[-3000:]
    return out


@pytest.mark.sim
@pytest.mark.parametrize("variant", ["lossy", "clean", "stress", "dropped", "dropped_polled", "replayed"])
def test_the_example_overrun_scenario_is_the_same_under_verilator_and_icarus(tmp_path: Path, variant: str) -> None:
    """Every variant's lost chunks are exactly the oracle's, and its report and trace are the same
    bytes under both simulators:
    - clean: none; lossy: 30-37 (the late DPC, 10 periods late, finds a 4-slot ring lapped);
    - stress (jitter, other drivers' DPCs, delayed messages, a 3-slot ring): 24 scattered chunks,
      skipped and torn;
    - dropped (the 20th message lost): the card waits for a clear that never comes, the driver
      never runs again and chunks 20-99 are lost; polling IRQ_STATUS every 10 us finds the missed
      interrupt once and loses nothing;
    - replayed (measured latencies from a plain trace file, the 31st DPC run 25 us late, a 4-slot
      ring): 60-69."""
    verilator, icarus = (run_example(tmp_path, sim, variant) for sim in ("verilator", "icarus"))
    for name in ("report.json", "trace.json"):
        assert (verilator / name).read_bytes() == (icarus / name).read_bytes(), f"{name} differs"
    full = json.loads((verilator / "report.json").read_text())
    report = full["testbench"]
    assert report["lost"] == report["predicted_lost"]
    expected_lost = {"lossy": list(range(30, 38)), "clean": [], "dropped": list(range(20, 100)), "dropped_polled": [],
                     "replayed": list(range(60, 70))}
    if variant == "stress":
        assert report["outcome"] == "loss" and len(report["lost"]) == 24 and report["lost"][:3] == [0, 4, 11]
        assert full["msi"]["faults"] and full["interference"]["arrivals"] == {"foreign-dpc0": 5}
    else:
        assert report["lost"] == expected_lost[variant]
    assert report["finished"] == (variant != "dropped")
    assert report["card"]["WR_IDX"] == 100 and report["card"]["RD_IDX"] == (20 if variant == "dropped" else 100)
    assert report["missed_interrupts_found"] == (1 if variant == "dropped_polled" else 0)
    if variant.startswith("dropped"):
        assert [(f["action"], f["count"]) for f in full["msi"]["faults"]] == [("drop", 20)]
    assert "unknown (x/z) bits" not in (icarus / "sim.log").read_text(errors="replace")


def test_host_settings_refuse_a_latency_file_that_cannot_be_used_in_one_line(tmp_path: Path) -> None:
    """HostSettings.latency_file goes through the same importers as make day and latency_file=:
    a file without latencies, or one that does not exist, is one line naming it, at once."""
    from irqloop.tb.sim.device import HostSettings
    (tmp_path / "empty.txt").write_text("# nothing measured\n")
    for name, words in (("empty.txt", "empty.txt"), ("missing.txt", "missing.txt")):
        with pytest.raises(ValueError) as e:
            HostSettings(latency_file=str(tmp_path / name))
        assert words in str(e.value) and "\n" not in str(e.value)
    good = tmp_path / "l.txt"
    good.write_text("us\n1.5\n30\n")
    assert HostSettings(latency_file=str(good)).replayed_latencies_ps == [1_500_000, 30_000_000]


def test_waves_under_icarus_are_refused_in_one_line(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^waves are not recorded under Icarus .*; use --sim verilator$"):
        device.run(MINIDMA, "tb_minidma", tmp_path / "w", python_path=[EXAMPLE], sim="icarus", waves="vcd")


@pytest.mark.sim
def test_the_waveform_shows_the_hosts_activity_and_changes_no_report(tmp_path: Path) -> None:
    """With waves the host drives the wrapper's activity signals: CPU 0 enters the ISR state once
    per ISR the report counts and the DPC state once per DPC run; the report is the one without."""
    plain = run_example(tmp_path, "verilator", "lossy")
    out = tmp_path / "waves"
    assert device.run(MINIDMA, "tb_minidma", out, python_path=[EXAMPLE], waves="vcd", env={"MINIDMA_VARIANT": "lossy"})
    assert (out / "report.json").read_bytes() == (plain / "report.json").read_bytes()
    vcd = (out / "dump.vcd").read_text()
    ident = re.search(r"\$var wire 3 (\S+) cpu0_state \[2:0\] \$end", vcd).group(1)
    states = re.findall(rf"^b([01]+) {re.escape(ident)}$", vcd, re.M)
    kernel = json.loads((plain / "report.json").read_text())["kernel"]
    assert states.count("001") == kernel["interrupts"]["MiniDmaDriverIsr"]["isr_count"] == 100   # ISR
    assert states.count("010") == kernel["dpc_runs"]["MiniDmaDpc"] == 45                        # DPC


def test_a_stale_rtl_header_is_named_with_exit_1(tmp_path: Path) -> None:
    vh = tmp_path / "minidma_regs.vh"
    vh.write_text(device.register_header(MINIDMA.rdl).replace("12'h02C", "12'h030"))
    irqloop = str(ROOT / ".venv" / "bin" / "irqloop")
    r = subprocess.run([irqloop, "device", "regs", str(MINIDMA.rdl), "--vh", str(vh), "--check"], capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr == f"error: {vh} is stale: run irqloop device regs {MINIDMA.rdl} --vh {vh}\n"
    r = subprocess.run([irqloop, "device", "regs", str(MINIDMA.rdl), "--vh", str(vh)], capture_output=True, text=True)
    assert r.returncode == 0 and vh.read_text() == (EXAMPLE / "rtl" / "minidma_regs.vh").read_text()
