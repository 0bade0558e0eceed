"""RTL block tests: each module in its own cocotb testbench (tb/block/), parametrized like
verilog-axi's tests. Each build is cached in sim_build/ per parameter set.

`make test` runs each block at the extremes of its parameters (fewest and most queues or vectors,
narrowest and widest bus); the parameter sets in between are marked `nightly` and run by
`make test-nightly`. Builds are quick (-O0: block tests run a few thousand cycles)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from irqloop import simbuild, toolchain

RTL = toolchain.RTL


def run_block(toplevel: str, sources: list[str], module: str, parameters: dict[str, object],
              tmp_path: Path, seed: int = 1) -> None:
    build_dir = simbuild.build(toplevel, [RTL / s for s in sources], parameters, quick=True)
    results = simbuild.run(toplevel, build_dir, module, tmp_path, seed=seed, log_file=tmp_path / "sim.log")
    assert results.exists(), f"no results: see {tmp_path / 'sim.log'}"
    cases = ET.parse(results).getroot().iter("testcase")
    ran = failed = 0
    names = []
    for c in cases:
        ran += 1
        if c.find("failure") is not None or c.find("error") is not None:
            failed += 1
            names.append(c.get("name"))
    log_tail = "\n".join((tmp_path / "sim.log").read_text().splitlines()[-60:])
    assert ran > 0, "no cocotb test ran"
    assert failed == 0, f"{failed}/{ran} cocotb tests failed ({names}); log tail:\n{log_tail}"


@pytest.mark.sim
@pytest.mark.parametrize("num_vec", [1, pytest.param(2, marks=pytest.mark.nightly), 5])
def test_msi_vector_ctrl(num_vec: int, tmp_path: Path) -> None:
    run_block("msi_vector_ctrl", ["msi_vector_ctrl.v"], "irqloop.tb.block.tb_msi_vector_ctrl",
              {"NUM_VEC": num_vec}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("data_w,max_burst", [pytest.param(64, 16, marks=pytest.mark.nightly), (32, 4),
                                              pytest.param(128, 8, marks=pytest.mark.nightly), (256, 4)])
def test_dma_axi_writer(data_w: int, max_burst: int, tmp_path: Path) -> None:
    run_block("dma_axi_writer", ["dma_axi_writer.v", "chunk_pattern.v"], "irqloop.tb.block.tb_dma_axi_writer",
              {"DATA_W": data_w, "MAX_BURST": max_burst}, tmp_path)


DEVICE = toolchain.RTL_SOURCES


# The whole device, built once per parameter set and shared by its two testbenches (streaming;
# queues and interrupts). COAL_TICK is shortened to 64 cycles per 100 us unit (in steps of 16) so aggregation times
# fit a block test; the streaming testbench does not use aggregation.
DEVICE_BUILDS = [
    pytest.param({"NUM_CQ": 1, "DATA_W": 64, "MAX_BURST": 16, "COAL_TICK": 64, "COAL_STEP": 16}, id="cq1-w64-b16"),
    pytest.param({"NUM_CQ": 32, "DATA_W": 128, "MAX_BURST": 4, "COAL_TICK": 64, "COAL_STEP": 16}, id="cq32-w128-b4"),
    pytest.param({"NUM_CQ": 4, "DATA_W": 32, "MAX_BURST": 16, "COAL_TICK": 64, "COAL_STEP": 16}, id="cq4-w32-b16",
                 marks=pytest.mark.nightly),
    pytest.param({"NUM_CQ": 4, "DATA_W": 256, "MAX_BURST": 4, "COAL_TICK": 64, "COAL_STEP": 16}, id="cq4-w256-b4",
                 marks=pytest.mark.nightly),
]


@pytest.mark.sim
@pytest.mark.parametrize("params", DEVICE_BUILDS)
def test_irqloop_dev(params: dict[str, int], tmp_path: Path) -> None:
    run_block("irqloop_dev", DEVICE, "irqloop.tb.block.tb_irqloop_dev", params, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("params", DEVICE_BUILDS)
def test_irqloop_dev_queues_and_interrupts(params: dict[str, int], tmp_path: Path) -> None:
    """Completion queues, mapping table, coalescing, rate limit and MSI-X at 1, 4 and 32 queues."""
    run_block("irqloop_dev", DEVICE, "irqloop.tb.block.tb_irqloop_dev_cq", params, tmp_path)


@pytest.mark.sim
def test_irqloop_csr(tmp_path: Path) -> None:
    run_block("irqloop_csr", ["irqloop_csr.v"], "irqloop.tb.block.tb_irqloop_csr", {}, tmp_path)


@pytest.mark.sim
def test_ring_producer(tmp_path: Path) -> None:
    run_block("ring_producer", ["ring_producer.v"], "irqloop.tb.block.tb_ring_producer", {}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, pytest.param(4, marks=pytest.mark.nightly), 32])
def test_cq_engine(num_cq: int, tmp_path: Path) -> None:
    run_block("cq_engine", ["cq_engine.v"], "irqloop.tb.block.tb_cq_engine", {"NUM_CQ": num_cq}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_vec,time_step,rate_shift", [(1, 4, 3), (34, 4, 3), (34, 1, 0)],
                         ids=["vec1-steps", "vec34-steps", "vec34-exact"])
def test_irq_moderation(num_vec: int, time_step: int, rate_shift: int, tmp_path: Path) -> None:
    """Timers in steps (4 cycles of the aggregation time, 8 of the rate) and cycle-exact ones."""
    run_block("irq_moderation", ["irq_moderation.v"], "irqloop.tb.block.tb_irq_moderation",
              {"NUM_VEC": num_vec, "TICK_CYCLES": 16, "TIME_STEP": time_step, "RATE_SHIFT": rate_shift}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, pytest.param(3, marks=pytest.mark.nightly), 32])   # 3: the scan wraps short of 2^QW
def test_cpl_traffic_gen(num_cq: int, tmp_path: Path) -> None:
    run_block("cpl_traffic_gen", ["cpl_traffic_gen.v"], "irqloop.tb.block.tb_cpl_traffic_gen", {"NUM_CQ": num_cq}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_vec", [3, 34])
def test_msix_table(num_vec: int, tmp_path: Path) -> None:
    run_block("msix_table", ["msix_table.v"], "irqloop.tb.block.tb_msix_table", {"NUM_VEC": num_vec}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, 32])
def test_cq_csr(num_cq: int, tmp_path: Path) -> None:
    run_block("cq_csr", ["cq_csr.v"], "irqloop.tb.block.tb_cq_csr", {"NUM_CQ": num_cq, "NUM_VEC": num_cq + 2}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, 32])
def test_cq_vector_map(num_cq: int, tmp_path: Path) -> None:
    run_block("cq_vector_map", ["cq_vector_map.v"], "irqloop.tb.block.tb_cq_vector_map",
              {"NUM_CQ": num_cq, "NUM_VEC": num_cq + 2}, tmp_path)
