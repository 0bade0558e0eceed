"""RTL block tests: each module in its own cocotb testbench (tb/block/), parametrized like
verilog-axi's tests. Each build is cached in sim_build/ per parameter set."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tb import simbuild, toolchain

RTL = toolchain.RTL


def run_block(toplevel: str, sources: list[str], module: str, parameters: dict[str, object],
              tmp_path: Path, seed: int = 1) -> None:
    build_dir = simbuild.build(toplevel, [RTL / s for s in sources], parameters)
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
@pytest.mark.parametrize("num_vec", [1, 2, 5])
def test_msi_vector_ctrl(num_vec: int, tmp_path: Path) -> None:
    run_block("msi_vector_ctrl", ["msi_vector_ctrl.v"], "tb.block.tb_msi_vector_ctrl",
              {"NUM_VEC": num_vec}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("data_w,max_burst", [(64, 16), (32, 4), (128, 8), (256, 4)])
def test_dma_axi_writer(data_w: int, max_burst: int, tmp_path: Path) -> None:
    run_block("dma_axi_writer", ["dma_axi_writer.v", "chunk_pattern.v"], "tb.block.tb_dma_axi_writer",
              {"DATA_W": data_w, "MAX_BURST": max_burst}, tmp_path)


DEVICE = toolchain.RTL_SOURCES


@pytest.mark.sim
@pytest.mark.parametrize("data_w,max_burst", [(64, 16), (128, 4)])
def test_irqloop_dev(data_w: int, max_burst: int, tmp_path: Path) -> None:
    run_block("irqloop_dev", DEVICE, "tb.block.tb_irqloop_dev", {"DATA_W": data_w, "MAX_BURST": max_burst}, tmp_path)


@pytest.mark.sim
def test_irqloop_csr(tmp_path: Path) -> None:
    run_block("irqloop_csr", ["irqloop_csr.v"], "tb.block.tb_irqloop_csr", {}, tmp_path)


@pytest.mark.sim
def test_ring_producer(tmp_path: Path) -> None:
    run_block("ring_producer", ["ring_producer.v"], "tb.block.tb_ring_producer", {}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, 4, 32])
def test_cq_engine(num_cq: int, tmp_path: Path) -> None:
    run_block("cq_engine", ["cq_engine.v"], "tb.block.tb_cq_engine", {"NUM_CQ": num_cq}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq,data_w", [(1, 64), (4, 32), (32, 128)])
def test_irqloop_dev_queues_and_interrupts(num_cq: int, data_w: int, tmp_path: Path) -> None:
    """Completion queues, mapping table, coalescing, rate limit and MSI-X at 1, 4 and 32 queues
    (COAL_TICK shortened to 64 cycles per 100 us unit so aggregation times fit a block test)."""
    run_block("irqloop_dev", DEVICE, "tb.block.tb_irqloop_dev_cq",
              {"NUM_CQ": num_cq, "DATA_W": data_w, "COAL_TICK": 64}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_vec", [1, 34])
def test_irq_moderation(num_vec: int, tmp_path: Path) -> None:
    run_block("irq_moderation", ["irq_moderation.v"], "tb.block.tb_irq_moderation",
              {"NUM_VEC": num_vec, "TICK_CYCLES": 16}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, 32])
def test_cpl_traffic_gen(num_cq: int, tmp_path: Path) -> None:
    run_block("cpl_traffic_gen", ["cpl_traffic_gen.v"], "tb.block.tb_cpl_traffic_gen", {"NUM_CQ": num_cq}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_vec", [3, 34])
def test_msix_table(num_vec: int, tmp_path: Path) -> None:
    run_block("msix_table", ["msix_table.v"], "tb.block.tb_msix_table", {"NUM_VEC": num_vec}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, 32])
def test_cq_csr(num_cq: int, tmp_path: Path) -> None:
    run_block("cq_csr", ["cq_csr.v"], "tb.block.tb_cq_csr", {"NUM_CQ": num_cq, "NUM_VEC": num_cq + 2}, tmp_path)


@pytest.mark.sim
@pytest.mark.parametrize("num_cq", [1, 32])
def test_cq_vector_map(num_cq: int, tmp_path: Path) -> None:
    run_block("cq_vector_map", ["cq_vector_map.v"], "tb.block.tb_cq_vector_map",
              {"NUM_CQ": num_cq, "NUM_VEC": num_cq + 2}, tmp_path)
