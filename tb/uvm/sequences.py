"""One pyuvm sequence per kind of run: the simulator side of a plan (tb/plans.py).

The test (tb/uvm/tests.py) loads the run's plan and starts the sequence of the plan's type
(``sequence_for``). A sequence drives the device and the host model on the simulator and leaves
what it observed in ``observations``; the runner judges them against the plan. The scenario
objects are specifications: a sequence may ask its scenario what a parameter means (the stream
settings of a variant, the figures of a load phase), never to run anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import cocotb
from cocotb.triggers import Timer
from pyuvm import uvm_sequence

from irqloop.hostmodel.cdriver import CCompletionQueueDriver
from irqloop.hostmodel.regs import REG
from irqloop.hostmodel.strategies import DRIVERS, CompletionQueueDriver
from irqloop.tb.board import CLOCK_PS, CQ_AREA, MSI_ADDR
from irqloop.tb.plans import (CqPlan, LatencySweepPlan, Plan, PollingPlan, RegistersPlan, StreamPlan,
                              StreamVariantsPlan, Variant)
from irqloop.hostmodel.seeds import stream
from irqloop.tb.scenarios.base import Scenario
from irqloop.tb.scenarios.polling import phase_stats
from irqloop.tb.scenarios.registers import SIDE_EFFECT_ARRAY, SIDE_EFFECTS
from irqloop.tb.sim.cocotb_platform import CocotbPlatform
from irqloop.tb.sim.e2e import reset, run_stream
from irqloop.tb.sim.e2e_cq import MessageRouter, run_cq
from irqloop.tb.uvm.env import current_env


class ScenarioSequence(uvm_sequence):
    """Runs one plan; ``observations`` holds what it saw (what observations.json carries)."""
    plan_type: ClassVar[type[Plan]]

    def __init__(self, name: str, scenario: Scenario, plan: Any, seed: int) -> None:
        super().__init__(name)
        self.scenario, self.plan, self.seed = scenario, plan, seed
        self.observations: dict[str, Any] = {}


class StreamSequence(ScenarioSequence):
    """One streaming run: the device fills its ring, the driver copies, one DPC is late."""
    plan_type = StreamPlan

    async def body(self) -> None:
        self.observations = await run_stream(cocotb.top, self.plan.values, self.seed, self.plan.replay,
                                       self.plan.c_driver)


class StreamVariantsSequence(ScenarioSequence):
    """The same stream once per driver variant (error_vector): what each ISR read and noticed."""
    plan_type = StreamVariantsPlan

    async def body(self) -> None:
        plan, seed = self.plan, self.seed
        runs = []
        for var in plan.variants:
            obs = await run_stream(cocotb.top, self.scenario.stream_values(plan.values, var.name), seed)
            obs.pop("timing", None)
            m = obs["metrics"]
            isr_runs = {name: x["isr_run_us"] for name, x in m["interrupts"].items()}
            seen = obs["driver"]["hw_overrun_seen_ps"]
            runs.append({"variant": var.name, "outcome": "noticed" if seen is not None else "missed",
                         "hw_overrun_ps": obs["hw_overrun_ps"], "seen_ps": seen, "stream_start_ps": obs["stream_start_ps"],
                         "isr_mmio_reads": obs["driver"]["isr_mmio_reads"], "isr_count": obs["kernel"]["isr_count"],
                         "dpc_latency_p50_us": m["dpcs"]["StreamDpc"]["latency_us"].get("p50", 0),
                         "data_isrs": obs["driver"]["data_isrs"], "error_isrs": obs["driver"]["error_isrs"],
                         "isr_run_us": isr_runs, "isr_cpu_us": m["totals"]["isr_cpu_us"],
                         "lost": len(obs["scoreboard"]["lost"]), "hardware": obs["hardware"],
                         "mmio_transactions": obs["mmio_transactions"], "end_ps": obs["end_ps"],
                         "latency_us": m["totals"]["completion_latency_us"]})
        self.observations = {"seed": seed, "clock_ps": CLOCK_PS, "runs": runs, "end_ps": max(r["end_ps"] for r in runs),
                             "outcome": "; ".join(f"{r['variant']}: error {r['outcome']}" for r in runs)}


class LatencySweepSequence(ScenarioSequence):
    """Streaming runs with one late DPC each: a grid over 0..2x the headroom, then a bisection
    between the last clean and the first lossy lateness (each trial decides the next)."""
    plan_type = LatencySweepPlan

    async def body(self) -> None:
        plan, seed = self.plan, self.seed
        v = plan.values
        headroom_us = plan.headroom_ps / 1e6
        runs: list[dict[str, Any]] = []

        async def trial(late_us: float) -> bool:
            obs = await run_stream(cocotb.top, self.scenario.stream_values(v, late_us), seed)
            lost = len(obs["scoreboard"]["lost"])
            clean = lost == 0 and obs["hardware"]["CNT_OVERWRITE"] == 0
            runs.append({"late_us": round(late_us, 4), "lost": lost, "clean": clean,
                         "latency_ps": (obs["late_dpc"] or {}).get("latency_ps"),
                         "overwrite": obs["hardware"]["CNT_OVERWRITE"], "end_ps": obs["end_ps"],
                         "dpc_latency_max_ps": obs["kernel"]["dpc_latency_max_ps"]})
            return clean

        grid = [v["dpc_latency_us"] + i * (2 * headroom_us - v["dpc_latency_us"]) / (v["points"] - 1)
                for i in range(v["points"])]
        clean_hi, loss_lo = None, None
        for late in grid:
            if await trial(late):
                clean_hi = late if clean_hi is None or late > clean_hi else clean_hi
            elif loss_lo is None or late < loss_lo:
                loss_lo = late
        if clean_hi is not None and loss_lo is not None and clean_hi < loss_lo:
            lo, hi = clean_hi, loss_lo
            while hi - lo > v["resolution_us"]:
                mid = (lo + hi) / 2
                if await trial(mid):
                    lo = mid
                else:
                    hi = mid
            clean_hi, loss_lo = lo, hi
        # clean below the boundary, lossy above it: no clean run above a lossy one
        monotonic = all(not (a["clean"] and a["late_us"] > b["late_us"]) for a in runs for b in runs if not b["clean"])
        self.observations = {
            "seed": seed, "clock_ps": CLOCK_PS, "runs": sorted(runs, key=lambda r: r["late_us"]),
            "largest_clean_us": clean_hi, "smallest_loss_us": loss_lo, "monotonic": monotonic,
            "outcome": f"largest clean latency {clean_hi:.3f} us" if clean_hi is not None else "no clean latency",
            "end_ps": max(r["end_ps"] for r in runs)}


def driver_factory(variant: Variant) -> Any:
    """(kernel, layout) -> the variant's driver: its strategy's class with the variant's options
    set before it starts."""
    def make(k: Any, layout: Any) -> CompletionQueueDriver:
        if variant.c_driver is not None:            # the driver writer's own C (strategy "c")
            return CCompletionQueueDriver(k, layout, Path(variant.c_driver["library"]), name=variant.name)
        drv = DRIVERS[variant.strategy](k, layout)
        for name, value in variant.options.items():
            setattr(drv, name, value)
        return drv
    return make


class CqSequence(ScenarioSequence):
    """Each variant's driver strategy on the same completion-queue traffic (the device is reset
    in between)."""
    plan_type = CqPlan

    async def body(self) -> None:
        plan, seed = self.plan, self.seed
        dut = cocotb.top
        platform = CocotbPlatform(dut)
        router = MessageRouter()
        runs = []
        timing = {}
        try:
            for var in plan.variants:
                obs = await run_cq(dut, platform, router, var.cq_setup(), var.strategy, seed,
                                   driver_factory=driver_factory(var))
                timing[var.name] = obs.pop("timing")
                obs["variant"] = var.name
                runs.append(obs)
        finally:
            platform.bridge.close()
        matched = [r["outcome"] == var.expected or var.expected == "any" for r, var in zip(runs, plan.variants)]
        self.observations = {"seed": seed, "clock_ps": CLOCK_PS, "runs": runs,
                             "outcome": "; ".join(f"{r['variant']}: {r['outcome']}" for r in runs),
                             "matched": matched, "end_ps": max(r["end_ps"] for r in runs), "timing": timing}
        self.add_to_runs()

    def add_to_runs(self) -> None:
        """What a kind of completion-queue run adds to each variant's observations."""


class PollingSequence(CqSequence):
    """Completion-queue runs under rising and falling load, with each load phase's figures."""
    plan_type = PollingPlan

    def add_to_runs(self) -> None:
        for r in self.observations["runs"]:
            r["phases"] = phase_stats(self.plan.values, r)


class RegistersSequence(ScenarioSequence):
    """Every register access through the register model and the CSR agent (the registers
    scenario, tb/scenarios/registers.py, says what it checks)."""
    plan_type = RegistersPlan

    async def body(self) -> None:
        dut, plan, seed, num_cq = cocotb.top, self.plan, self.seed, self.scenario.num_cq
        env = current_env()
        platform = CocotbPlatform(dut)          # the environment attaches its agent and monitors to it
        try:
            platform.reset_host()
            await reset(dut)
            regs = env.regs
            rng = stream(seed, "registers")
            ident = {n: await self._read(regs.reg(n)) for n in ("ID", "VERSION", "CAPS")}
            ro_after_write = {}
            for n in ident:
                await regs.reg(n).write(0xFFFFFFFF)
                ro_after_write[n] = await self._read(regs.reg(n))
            rw = [r for off, r in regs.by_offset.items() if self._plain_rw(off, regs)]
            masks: dict[str, int] = {}
            kinds: dict[str, str] = {}           #: register -> what it is an instance of ("CQ[].HEAD")
            bad: list[str] = []
            for r in rw:
                name = r.get_name()
                await r.write(0xFFFFFFFF)
                mask = await self._read(r)
                await r.write(0)
                zero = await self._read(r)
                if zero != 0:
                    bad.append(f"{name}: wrote 0, read {zero:#x}")
                if mask == 0:
                    bad.append(f"{name}: no bit keeps a written 1")
                for _ in range(plan.values["values"]):
                    v = rng.getrandbits(32)
                    await r.write(v)
                    got = await self._read(r)
                    if got != v & mask:
                        bad.append(f"{name}: wrote {v:#010x}, read {got:#010x}, implemented bits {mask:#010x}")
                        break
                await r.write(0)
                if int(r.get_mirrored_value()) != 0:
                    bad.append(f"{name}: the mirror holds {int(r.get_mirrored_value()):#x} after writing 0")
                masks[name] = mask
                element = regs.elements.get(r.get_address())
                kinds[name] = f"{element[0]}[].{element[2]}" if element else name
            vectors = num_cq + REG.bit("VEC_CQ0")
            iv_bad: list[str] = []
            for q in range(num_cq):
                r = regs.reg("CQ", q, "IV")
                good = REG.pack("CQ_IV", VECTOR=rng.randrange(vectors), IEN=1)
                await r.write(good)
                if (got := await self._read(r)) != good:
                    iv_bad.append(f"CQ{q}_IV: wrote {good:#x} (a valid vector with IEN), read {got:#x}")
                await r.write(rng.randrange(vectors, 64))
                if (got := await self._read(r)) != good:
                    iv_bad.append(f"CQ{q}_IV: an invalid vector was not refused: read {got:#x}, kept value {good:#x}")
            pending = await self._mask_pending(dut, platform, env)
        finally:
            platform.bridge.close()
        self.observations = {
            "seed": seed, "outcome": "checked", "end_ps": platform.now_ps(), "ident": ident, "pending": pending,
            "ro_after_write": ro_after_write, "masks": {k: f"{v:#010x}" for k, v in masks.items()}, "kinds": kinds,
            "rw_registers": len(rw), "problems": bad, "iv_problems": iv_bad,
            "bus_accesses": platform.mmio_transactions}

    async def _mask_pending(self, dut: Any, platform: Any, env: Any) -> dict[str, Any]:
        """One completion on queue 0 while its vector is masked, then unmask."""
        platform.reset_host()
        await reset(dut)
        # no driver takes the messages here; the environment's MSI monitor sees them on the way
        platform.spawn(platform.msi_monitor(lambda data: None))
        regs, v = env.regs, REG.bit("VEC_CQ0")
        await regs.reg("MSIX_CTRL").write(REG.pack("MSIX_CTRL", ENABLE=1))
        for field, value in (("ADDR_LO", MSI_ADDR), ("ADDR_HI", 0), ("DATA", 0x100), ("CTRL", REG.pack("VT_CTRL", MASK=1))):
            await regs.reg("VT", v, field).write(value)
        for field, value in (("BASE_LO", CQ_AREA), ("BASE_HI", 0), ("SIZE", 4), ("IV", REG.pack("CQ_IV", VECTOR=v, IEN=1)),
                             ("TG_PERIOD", 100), ("TG_BURST", 1)):
            await regs.reg("CQ", 0, field).write(value)
        await regs.reg("TG_LIMIT").write(1)
        await regs.reg("TG_CTRL").write(1)
        await Timer(5, unit="us")
        sent_before = env.msi.count
        pba_masked = await self._read(regs.reg("PBA", 0, "BITS"))
        t_unmask = platform.now_ps()
        await regs.reg("VT", v, "CTRL").write(REG.pack("VT_CTRL", MASK=0))
        await Timer(2, unit="us")
        platform.cancel_tasks()
        return {"vector": v, "pba_while_masked": pba_masked, "messages_while_masked": sent_before,
                "messages_after_unmask": env.msi.count - sent_before,
                "pba_after_unmask": await self._read(regs.reg("PBA", 0, "BITS")),
                "entries": await self._read(regs.reg("CNT_CQ_ENTRY")), "unmask_ps": t_unmask}

    @staticmethod
    async def _read(reg: Any) -> int:
        _status, value = await reg.read()
        return int(value)

    @staticmethod
    def _plain_rw(offset: int, regs: Any) -> bool:
        name = regs.name_of(offset)
        if regs.access.get(name) != "RW":
            return False
        element = regs.elements.get(offset)
        return element[2] not in SIDE_EFFECT_ARRAY if element else name not in SIDE_EFFECTS


SEQUENCES: tuple[type[ScenarioSequence], ...] = (StreamSequence, StreamVariantsSequence, LatencySweepSequence,
                                                 CqSequence, PollingSequence, RegistersSequence)


def sequence_for(plan: Plan) -> type[ScenarioSequence]:
    """The sequence that runs a plan of this type (the most specific one)."""
    by_type = {s.plan_type: s for s in SEQUENCES}
    for cls in type(plan).__mro__:
        if cls in by_type:
            return by_type[cls]
    raise TypeError(f"no sequence runs a {type(plan).__name__} (tb/uvm/sequences.py)")
