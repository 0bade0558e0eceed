"""Helpers shared by the block testbenches."""

from __future__ import annotations

from typing import Any, Iterator

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles

from irqloop.hostmodel.seeds import stream


def pauses(seed: int, channel: str, probability: float) -> Iterator[bool]:
    """A seeded ready/valid pause pattern for cocotbext-axi's set_pause_generator, its own stream
    per channel (hostmodel/seeds.py)."""
    rng = stream(seed, f"pauses.{channel}")
    while True:
        yield rng.random() < probability


async def start(dut: Any, period_ns: int = 4) -> None:
    cocotb.start_soon(Clock(dut.clk, period_ns, unit="ns").start())
    dut.rst.value = 1
    await ClockCycles(dut.clk, 4)
    dut.rst.value = 0
    await ClockCycles(dut.clk, 2)
