"""A driver's own C interrupt path in the loop (issue 17): the WDK shim (include/irqloop_wdk.h,
hostmodel/cdriver/shim.c) and the C streaming driver (examples/drivers/stream.c).

- The C driver and its Python twin (hostmodel/driver.py StreamDriver) agree chunk for chunk: the
  same lost chunks, verdict, statistics and trace, on the device reference model and on the RTL.
- The buggy C variant (one slot per DPC: "one interrupt's worth", against the EvtInterruptDpc rule
  that the DPC handles all outstanding work) is caught.
- A build error is one line with gcc's file:line; a DDI the shim does not provide is named.
- DDIs keep the kernel model's rules (references.md): KeInsertQueueDpc of a queued DPC returns
  FALSE; Interlocked* charge their time, then act; the interrupt lock holds the ISR off.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Callable

import pytest

from irqloop import cdriver
from irqloop.hostmodel.cdriver import CDriverFault, CDriverRuntime, CStreamDriver, IrqloopEntry
from irqloop.hostmodel.cyclic import CyclicBuffer
from irqloop.hostmodel.driver import Consumer, StreamConfig, StreamDriver
from irqloop.hostmodel.eventsim import EventSim, EventSimPlatform
from irqloop.hostmodel.kernel import Kernel
from irqloop.hostmodel.latency import DpcLatencyModel, LatencySpike
from irqloop.hostmodel.pci import PciBus
from irqloop.hostmodel.pnp import start_device
from irqloop.tb.models.refmodel import StreamDeviceModel
from irqloop.tb.models.stream_scoreboard import ScoreboardResult, StreamScoreboard

US = 1_000_000
PERIOD = 10 * US
STREAM_C = cdriver.EXAMPLES / "stream.c"
ONE_SLOT_C = cdriver.EXAMPLES / "stream_one_slot.c"


@pytest.fixture(scope="module")
def libraries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("cdriver")
    return {"stream": cdriver.build(STREAM_C, out).library, "one_slot": cdriver.build(ONE_SLOT_C, out).library}


Factory = Callable[[Kernel, StreamConfig, CyclicBuffer], StreamDriver]


def stream_run(make: Factory, spike_us: int, chunks: int = 60, slots: int = 8,
               spike_at: int = 20) -> tuple[StreamDriver, ScoreboardResult, Kernel, StreamDeviceModel]:
    """A stream on the device reference model (no HDL simulator), the overrun scenario's shape."""
    sim = EventSim()
    plat = EventSimPlatform(sim, memory_bytes=1 << 21)
    latency = DpcLatencyModel(base_ps=2 * US)
    k = Kernel(plat, latency=latency)
    dev = StreamDeviceModel(plat.memory, k.deliver_msi)
    plat.read_hook, plat.write_hook = dev.read, dev.write
    cfg = StreamConfig(slot_count=slots, slot_bytes=256, chunks=chunks)
    cyclic = CyclicBuffer(4096)
    sb = StreamScoreboard(cfg.slot_bytes // 4, cfg.pattern_key, slots, 4000)
    k.trace_consumers.append(sb.consume)
    drv = make(k, cfg, cyclic)
    consumer = Consumer(k, cyclic, period_ps=20 * US)
    sim.spawn(start_device(PciBus(k, vectors=2), drv))
    sim.run()
    t0 = sim.now
    latency.add_spike(LatencySpike(at_ps=t0 + spike_at * PERIOD, extra_ps=spike_us * US))

    def tick() -> None:
        if dev.can_produce():
            dev.produce_chunk()
            sim.call_at(sim.now + PERIOD, tick)

    sim.call_at(t0, tick)
    sim.spawn(consumer.run())
    sim.run(until=t0 + chunks * PERIOD + spike_us * US + 2000 * US)
    consumer.drain()
    return drv, sb.result(dev.regs["CNT_CHUNKS"]), k, dev


def trace_of(k: Kernel) -> list[tuple[int, str, dict[str, Any]]]:
    """The kernel's trace without payloads and without the C driver's own error_cause events."""
    return [(e.t_ps, e.kind, e.info) for e in k.trace if e.kind != "error_cause"]


@pytest.mark.parametrize("spike_us", [200, 50], ids=["overrun", "clean"])
def test_c_stream_driver_agrees_with_its_python_twin(libraries: dict[str, Path], spike_us: int) -> None:
    py, py_res, py_k, _ = stream_run(StreamDriver, spike_us)
    c, c_res, c_k, _ = stream_run(functools.partial(CStreamDriver, library=libraries["stream"]), spike_us)
    assert c_res.lost == py_res.lost and (c_res.lost != []) == (spike_us == 200)
    assert c_res.clean == py_res.clean and c_res.delivered == py_res.delivered
    assert c.stats == py.stats                     # every figure the report shows of the driver
    assert trace_of(c_k) == trace_of(py_k)         # the same events at the same picoseconds


def test_one_slot_per_dpc_c_driver_is_caught(libraries: dict[str, Path]) -> None:
    """Rule (EvtInterruptDpc docs, seed 2): the DPC must handle all outstanding work. After one late
    DPC, a DPC that copies one slot per run never catches up: more chunks are lost than the
    correct driver loses, and chunks are left in the ring at the end."""
    good, good_res, _, _ = stream_run(functools.partial(CStreamDriver, library=libraries["stream"]), 200)
    bad, bad_res, _, dev = stream_run(functools.partial(CStreamDriver, library=libraries["one_slot"]), 200)
    assert max(bad.stats.per_dpc_chunks) == 1
    assert len(bad_res.lost) > len(good_res.lost)
    assert bad.cons < dev.regs["PROD_IDX"]           # stranded: produced, never copied


@pytest.mark.parametrize("edit,message", [
    (("WdfInterruptQueueDpcForIsr(Interrupt);", "WdfInterruptSynchronize(Interrupt, NULL, NULL);"),
     r"^drv\.c:\d+: WdfInterruptSynchronize is not provided by irqloop's WDK shim"),
    (("ULONG copied = 0;", "ULONG copied = 0"), r"^drv\.c:\d+:\d+: error: expected ',' or ';'"),
    (("WRITE_REGISTER_ULONG(&ctx->Regs->MSI_MASK, 0);", "WRITE_REGISTER_UCHAR((volatile UCHAR *)&ctx->Regs->MSI_MASK, 0);"),
     r"^drv\.c:\d+:\d+: error: call to 'WRITE_REGISTER_UCHAR' declared with attribute error: .*32-bit writes only"),
    (("IRQLOOP_DRIVER(StreamEvtDevicePrepareHardware, StreamEvtInterruptIsr, StreamEvtInterruptDpc);", ""),
     r"^drv\.c: names no callbacks: add IRQLOOP_DRIVER\("),
], ids=["missing_ddi", "syntax", "narrow_write", "no_callbacks"])
def test_build_errors_are_one_line_with_the_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                 edit: tuple[str, str], message: str) -> None:
    text = STREAM_C.read_text()
    assert edit[0] in text
    (tmp_path / "drv.c").write_text(text.replace(edit[0], edit[1]))
    monkeypatch.chdir(tmp_path)
    with pytest.raises(cdriver.CDriverBuildError, match=message) as err:
        cdriver.build(tmp_path / "drv.c", tmp_path / "out")
    assert "\n" not in str(err.value)
    assert not list((tmp_path / "out").glob("*.so"))


DDI_DRIVER = r"""
#include <ntddk.h>
#include <wdf.h>
#include <TraceLoggingProvider.h>
TRACELOGGING_DEFINE_PROVIDER(P, "Test", (0));
static KDPC Dpc;
static KSPIN_LOCK Lock;
static volatile LONG Pending;
static LONG Runs;
static VOID Deferred(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    LARGE_INTEGER t0 = KeQueryPerformanceCounter(NULL);
    KeAcquireSpinLockAtDpcLevel(&Lock);
    LONG bits = InterlockedExchange(&Pending, 0);
    KeReleaseSpinLockFromDpcLevel(&Lock);
    KeStallExecutionProcessor(3);
    LARGE_INTEGER t1 = KeQueryPerformanceCounter(NULL);
    Runs++;
    TraceLoggingWrite(P, "deferred", TraceLoggingInt32(bits, "bits"), TraceLoggingUInt64(t1.QuadPart - t0.QuadPart, "ticks"),
                      TraceLoggingUInt32(KeGetCurrentIrql(), "irql"), TraceLoggingInt32(Runs, "runs"));
}
static NTSTATUS Prepare(WDFDEVICE d, WDFCMRESLIST r, WDFCMRESLIST t)
{
    KeInitializeDpc(&Dpc, Deferred, NULL);
    KeInitializeSpinLock(&Lock);
    return STATUS_SUCCESS;
}
static BOOLEAN Isr(WDFINTERRUPT i, ULONG m)
{
    InterlockedOr(&Pending, 1 << m);
    BOOLEAN first = KeInsertQueueDpc(&Dpc, NULL, NULL);
    BOOLEAN second = KeInsertQueueDpc(&Dpc, NULL, NULL);
    DbgPrint("isr %lu: %d %d", (unsigned long)m, first, second);
    LONG v = 5;
    LONG seen = InterlockedCompareExchange(&v, 9, 5);
    InterlockedIncrement(&v);
    return seen == 5 && v == 10;
}
static VOID Dpc2(WDFINTERRUPT i, WDFOBJECT o) { }
IRQLOOP_DRIVER(Prepare, Isr, Dpc2);
"""


def test_ddis_follow_the_kernel_models_rules(tmp_path: Path) -> None:
    """KeInsertQueueDpc of a DPC already queued returns FALSE (references.md, DPCs); the DPC runs
    at DISPATCH_LEVEL; Interlocked* charge CpuCosts.interlocked_op_ps each; KeStallExecutionProcessor
    and KeQueryPerformanceCounter (10 MHz) are simulated time; DbgPrint and TraceLoggingWrite are
    trace events."""
    (tmp_path / "ddis.c").write_text(DDI_DRIVER)
    library = cdriver.build(tmp_path / "ddis.c", tmp_path / "out").library
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=1 << 16), latency=DpcLatencyModel(base_ps=2 * US))
    rt = CDriverRuntime(library, k)
    assert rt.run_now(IrqloopEntry.PREPARE_HARDWARE, rt.device_handle, 0, 0) == 0
    claimed: list[int] = []

    async def isr() -> None:
        t0 = k.now()
        claimed.append(await rt.run(IrqloopEntry.INTERRUPT_ISR, 0x1_0000, 3))
        assert k.now() - t0 == 3 * k.costs.interlocked_op_ps     # Or, CompareExchange, Increment

    k.run_on(0, isr())
    sim.run()
    assert claimed == [1]
    assert rt.dpc_inserts == [True, False]
    (text,) = [e.info["text"] for e in k.trace if e.kind == "DbgPrint"]
    assert text == "isr 3: 1 0"
    (deferred,) = [e.info for e in k.trace if e.kind == "deferred"]
    # 1 << 3 from the ISR; the stall (3 us) plus the exchange and the lock (40 ns each way) in 100 ns ticks
    assert deferred["bits"] == 8 and deferred["irql"] == 2 and deferred["runs"] == 1
    assert deferred["ticks"] == (3 * US + k.costs.interlocked_op_ps + 2 * k.costs.spinlock_ps) // 100_000


def test_a_register_address_outside_bar0_is_a_fault(tmp_path: Path) -> None:
    (tmp_path / "bad.c").write_text("#include <wdf.h>\n"
                                    "static BOOLEAN Isr(WDFINTERRUPT i, ULONG m) { return (BOOLEAN)READ_REGISTER_ULONG((volatile ULONG *)&m); }\n"
                                    "static VOID Dpc(WDFINTERRUPT i, WDFOBJECT o) { }\n"
                                    "IRQLOOP_DRIVER(NULL, Isr, Dpc);\n")
    library = cdriver.build(tmp_path / "bad.c", tmp_path / "out").library
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=1 << 16))
    rt = CDriverRuntime(library, k)
    errors: list[str] = []

    async def isr() -> None:
        try:
            await rt.run(IrqloopEntry.INTERRUPT_ISR, 0x1_0000, 0)
        except CDriverFault as e:
            errors.append(str(e))

    k.run_on(0, isr())
    sim.run()
    assert errors == ["READ_/WRITE_REGISTER_* on an address outside the device's register space"]


# ---- on the RTL: the overrun scenario with driver=c against the Python driver ----
def scenario_report(tmp_path: Path, *overrides: str, test: str = "overrun") -> tuple[int, dict[str, Any]]:
    from irqloop.runner import run_dir_for, run_scenario
    from irqloop.tb import scenarios
    from irqloop.tb.scenarios.params import parse_overrides
    rc = run_scenario(test, 1, "none", list(overrides), run_root=tmp_path)
    run_dir = run_dir_for(test, 1, parse_overrides(scenarios.get(test).spec, list(overrides)), tmp_path)
    return rc, json.loads((run_dir / "report.json").read_text())


@pytest.mark.sim
@pytest.mark.parametrize("overrides", [(), ("spike_us=60",)], ids=["overrun", "clean"])
def test_c_driver_on_the_rtl_gives_the_python_drivers_report(tmp_path: Path, overrides: tuple[str, ...]) -> None:
    """The same verdict and lost chunks, and in fact every observed figure: the reports differ only
    in the plan's driver=c and the built driver it names."""
    rc_py, py = scenario_report(tmp_path, *overrides)
    rc_c, c = scenario_report(tmp_path, "driver=c", *overrides)
    assert rc_py == rc_c == 0 and c["pass"] and c["observed"]["scoreboard"]["lost"] == py["observed"]["scoreboard"]["lost"]
    assert c["plan"]["c_driver"]["source"] == str(STREAM_C.resolve())
    assert c["observed"] == py["observed"]
    assert c["checks"] == py["checks"] and c["test"] == py["test"]


@pytest.mark.sim
def test_one_slot_c_driver_fails_the_overrun_scenario(tmp_path: Path) -> None:
    rc, r = scenario_report(tmp_path, f"driver_file={ONE_SLOT_C}")
    assert rc == 1 and not r["pass"]
    failed = [c["name"] for c in r["checks"] if not c["ok"]]
    assert "run completed (the stream did not stall)" in failed


# ---- framework DPC objects (WdfDpcCreate / WdfDpcEnqueue) ----
WDFDPC_DRIVER = r"""
#include <wdf.h>
#include <TraceLoggingProvider.h>
TRACELOGGING_DEFINE_PROVIDER(P, "Test", (0));
typedef struct { WDFDPC Dpc; WDFDPC Second; LONG Runs; NTSTATUS Orphan; KSPIN_LOCK Lock, Queued; } CTX;
WDF_DECLARE_CONTEXT_TYPE_WITH_NAME(CTX, Ctx)
static VOID DpcFunc(WDFDPC dpc)
{
    CTX *c = Ctx(WdfDpcGetParentObject(dpc));
    KIRQL old;
    KLOCK_QUEUE_HANDLE handle;
    KeAcquireSpinLock(&c->Lock, &old);
    KeAcquireInStackQueuedSpinLockAtDpcLevel(&c->Queued, &handle);
    c->Runs++;
    KeReleaseInStackQueuedSpinLockFromDpcLevel(&handle);
    KeReleaseSpinLock(&c->Lock, old);
    TraceLoggingWrite(P, "wdfdpc", TraceLoggingInt32(c->Runs, "runs"), TraceLoggingUInt32(KeGetCurrentIrql(), "irql"),
                      TraceLoggingBoolean(WdfDpcWdmGetDpc(dpc) == (PKDPC)dpc, "kdpc_first"),
                      TraceLoggingUInt32(old, "old_irql"));
}
static NTSTATUS Prepare(WDFDEVICE d, WDFCMRESLIST r, WDFCMRESLIST t)
{
    CTX *c = Ctx(d);
    WDF_DPC_CONFIG config;
    WDF_OBJECT_ATTRIBUTES attributes;
    WDF_DPC_CONFIG_INIT(&config, DpcFunc);
    WDF_OBJECT_ATTRIBUTES_INIT(&attributes);
    c->Orphan = WdfDpcCreate(&config, &attributes, &c->Second);      /* no parent: refused */
    attributes.ParentObject = d;
    NTSTATUS s = WdfDpcCreate(&config, &attributes, &c->Dpc);
    return NT_SUCCESS(s) ? WdfDpcCreate(&config, &attributes, &c->Second) : s;
}
static BOOLEAN Isr(WDFINTERRUPT i, ULONG m)
{
    CTX *c = Ctx(WdfInterruptGetDevice(i));
    BOOLEAN first = WdfDpcEnqueue(c->Dpc), again = WdfDpcEnqueue(c->Dpc);
    TraceLoggingWrite(P, "isr", TraceLoggingBoolean(first, "first"), TraceLoggingBoolean(again, "again"),
                      TraceLoggingHexUInt32((ULONG)c->Orphan, "orphan"));
    if (m == 7) {                      /* the bug: a DISPATCH_LEVEL lock in an ISR */
        KIRQL old;
        KeAcquireSpinLock(&c->Lock, &old);
    }
    return TRUE;
}
IRQLOOP_DRIVER(Prepare, Isr, NULL);
"""


def test_framework_dpc_objects_follow_the_kernel_models_rules(tmp_path: Path) -> None:
    """WdfDpcCreate needs a parent (STATUS_INVALID_PARAMETER without one); WdfDpcEnqueue is
    KeInsertQueueDpc (FALSE while queued: references.md, DPCs); the EvtDpcFunc runs once at
    DISPATCH_LEVEL and reaches its device through WdfDpcGetParentObject. The host model names DPC
    objects in creation order, never by address, so reports do not change from run to run."""
    (tmp_path / "wdfdpc.c").write_text(WDFDPC_DRIVER)
    library = cdriver.build(tmp_path / "wdfdpc.c", tmp_path / "out").library
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=1 << 16), latency=DpcLatencyModel(base_ps=2 * US))
    rt = CDriverRuntime(library, k, name="drv")
    assert rt.run_now(IrqloopEntry.PREPARE_HARDWARE, rt.device_handle, 0, 0) == 0
    assert [d.name for d in rt.dpcs.values()] == ["drv.WDFDPC0", "drv.WDFDPC1"]
    k.run_on(0, rt.run(IrqloopEntry.INTERRUPT_ISR, 0x1_0000, 0))
    sim.run()
    (isr,) = [e.info for e in k.trace if e.kind == "isr"]
    assert isr == {"first": 1, "again": 0, "orphan": 0xC000000D}
    (run,) = [e.info for e in k.trace if e.kind == "wdfdpc"]
    assert run == {"runs": 1, "irql": 2, "kdpc_first": 1, "old_irql": 2}
    # KeAcquireSpinLock and the in-stack queued lock are the model's locks, held once each
    assert [(lk.name, len(lk.holds_ps)) for lk in rt.spin_locks.values()] == [("drv.KSPIN_LOCK0", 1), ("drv.KSPIN_LOCK1", 1)]
    errors: list[str] = []

    async def isr_taking_a_dispatch_lock(interrupt: Any, context: Any) -> bool:    # at DIRQL
        try:
            return bool(await rt.run(IrqloopEntry.INTERRUPT_ISR, 0x1_0000, 7))
        except CDriverFault as e:
            errors.append(str(e))
            return True

    k.IoConnectInterruptEx(0x40, isr_taking_a_dispatch_lock, name="isr7")
    k.deliver_msi(0x40)
    sim.run()
    assert len(errors) == 1 and errors[0].startswith("KeAcquireSpinLock above DISPATCH_LEVEL")
    assert "IRQL_NOT_LESS_OR_EQUAL" in errors[0]


# ---- on the RTL: a completion-queue driver in C against its Python twin (multiqueue) ----
CQ_BITMAP_C = cdriver.EXAMPLES / "cq_bitmap.c"
CQ_ONE_ENTRY_C = cdriver.EXAMPLES / "cq_one_entry.c"
SMALL_CQ = ("queues=8", "per_queue=24", "strategies=interlocked_or")


def multiqueue_report(tmp_path: Path, *overrides: str) -> tuple[int, dict[str, Any]]:
    return scenario_report(tmp_path, *overrides, test="multiqueue")


def without_names(run: dict[str, Any]) -> dict[str, Any]:
    """A variant's observations with what names the driver, or counts from the simulation's start
    (the C variant runs second), left out: every figure relative to its own start stays."""
    out = {k: v for k, v in run.items() if k not in ("variant", "strategy", "start_ps", "end_ps", "mmio_transactions")}
    m = dict(run["metrics"])
    m["totals"] = {k: v for k, v in m["totals"].items() if k != "strategy"}
    m["interrupts"] = [v for _, v in sorted(m["interrupts"].items(), key=lambda kv: kv[1]["message"])]
    m["dpcs"] = list(m["dpcs"].values())
    out["metrics"] = m
    out["duration_ps"] = run["end_ps"] - run["start_ps"]
    return out


@pytest.mark.sim
def test_c_completion_queue_driver_on_the_rtl_agrees_with_its_python_twin(tmp_path: Path) -> None:
    """examples/drivers/cq_bitmap.c (WdfDpcCreate, InterlockedOr, WdfDpcEnqueue, per-queue spin
    locks) and hostmodel/strategies.py InterlockedOrBitmapDriver on the same RTL traffic and seed:
    every completion consumed, and every figure the same (ISRs, DPC runs, CPU time, lock holds,
    latencies, the per-CPU timeline, the device's counters)."""
    rc, r = multiqueue_report(tmp_path, *SMALL_CQ, f"driver_file={CQ_BITMAP_C}")
    assert rc == 0 and r["pass"]
    py, c = r["observed"]["runs"]
    assert (py["variant"], c["variant"]) == ("interlocked_or", "c:cq_bitmap")
    assert c["scoreboard"]["consumed"] == c["scoreboard"]["expected"] == 8 * 24
    assert without_names(c) == without_names(py)
    assert r["plan"]["variants"][1]["c_driver"]["source"] == str(CQ_BITMAP_C.resolve())
    assert "c_driver" not in r["plan"]["variants"][0]


@pytest.mark.sim
def test_one_entry_per_run_c_driver_is_caught_beside_the_correct_strategy(tmp_path: Path) -> None:
    """The seed thread's rule: MSIs are not 1:1 with completions. A C DPC that takes one completion
    per queue per run strands the rest; the correct strategy on the same traffic consumes all."""
    rc, r = multiqueue_report(tmp_path, *SMALL_CQ, f"driver_file={CQ_ONE_ENTRY_C}", "driver_expect=loss")
    assert rc == 0 and r["pass"]
    py, c = r["observed"]["runs"]
    assert py["outcome"] == "clean" and c["outcome"] == "loss"
    assert c["scoreboard"]["lost"] > 0 and c["chain"][0].startswith("queue ")
    assert c["metrics"]["totals"]["completions_per_dpc_run"]["max"] <= 8      # one per queue per run
    rc_default, r_default = multiqueue_report(tmp_path / "default", *SMALL_CQ, f"driver_file={CQ_ONE_ENTRY_C}")
    assert rc_default == 1 and not r_default["pass"]


@pytest.mark.sim
def test_a_crash_in_the_c_driver_names_the_callback_and_the_address(tmp_path: Path) -> None:
    """A NULL write in the ISR kills the simulator with SIGSEGV; the shim's handler names the
    callback and the address first, and the runner's one line carries it (exit 3, attempt kept)."""
    text = STREAM_C.read_text()
    anchor = "    ULONG cause = READ_REGISTER_ULONG(&ctx->Regs->INT_CAUSE);\n"
    (tmp_path / "segv.c").write_text(text.replace(anchor, anchor + "    if (cause & 1) *(volatile ULONG *)0 = cause;\n"))
    from irqloop.runner import run_scenario
    from irqloop.toolchain import InfrastructureError
    with pytest.raises(InfrastructureError) as failed:
        run_scenario("overrun", 1, "none", [f"driver_file={tmp_path / 'segv.c'}"], run_root=tmp_path / "runs")
    assert "\n" not in str(failed.value)
    assert "your C driver's EvtInterruptIsr crashed with SIGSEGV at address (nil): a bad pointer" in str(failed.value)
    assert list((tmp_path / "runs").rglob("*.failed/sim.log"))


@pytest.mark.sim
def test_a_c_isr_in_an_endless_loop_is_named_not_hung(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """C code that never returns nor calls a DDI cannot be preempted by the simulator; the shim's
    watchdog names the callback and ends the simulator, and the runner says so in one line and
    keeps the attempt (no report, no earlier results touched)."""
    text = STREAM_C.read_text()
    anchor = "    ULONG cause = READ_REGISTER_ULONG(&ctx->Regs->INT_CAUSE);\n"
    assert anchor in text
    (tmp_path / "loop.c").write_text(text.replace(anchor, anchor + "    { volatile int spin = 1; while (spin) { } }\n"))
    monkeypatch.setenv("IRQLOOP_C_WATCHDOG_S", "1")
    from irqloop.runner import run_scenario
    from irqloop.toolchain import InfrastructureError
    with pytest.raises(InfrastructureError) as failed:       # the front ends: this line, exit 3
        run_scenario("overrun", 1, "none", [f"driver_file={tmp_path / 'loop.c'}"], run_root=tmp_path / "runs")
    assert "\n" not in str(failed.value)
    assert "your C driver's EvtInterruptIsr ran 1 s of wall time without returning or calling a DDI" in str(failed.value)
    assert not list((tmp_path / "runs").rglob("report.json"))
    assert list((tmp_path / "runs").rglob("*.failed/sim.log"))



@pytest.mark.parametrize("test, driver, words", [
    ("overrun", CQ_BITMAP_C, "driver_file=cq_bitmap.c is written for the completion queues device (it calls "
     "IrqloopQueryCompletionQueueParameters): run it in multiqueue; this scenario runs a stream driver"),
    ("multiqueue", STREAM_C, "driver_file=stream.c is written for the stream device (it calls "
     "IrqloopQueryStreamParameters): run it in overrun, overrun_flowcontrol or random_stream;"),
], ids=["cq_driver_on_overrun", "stream_driver_on_multiqueue"])
def test_a_driver_for_the_other_device_is_refused_before_the_simulation(test: str, driver: Path, words: str) -> None:
    """Which device query a driver calls (the linker's trace) says which device it drives: a
    completion-queue driver on the stream device is one line at preparation (exit 2), not a
    failure inside the simulator."""
    from irqloop.tb import scenarios
    from irqloop.tb.scenarios.params import ParamError, parse_overrides
    sc = scenarios.get(test)
    with pytest.raises(ParamError) as e:
        sc.prepare(parse_overrides(sc.spec, [f"driver_file={driver}"]))
    assert str(e.value).startswith(words) and "\n" not in str(e.value)
    assert cdriver.build(driver).devices == {"overrun": {"completion_queues"}, "multiqueue": {"stream"}}[test]


@pytest.mark.sim
def test_an_isr_that_never_returns_is_named_in_the_report(tmp_path: Path) -> None:
    """A C ISR that polls a register forever keeps its CPU at DIRQL: its queue stalls, and the
    report names the routine that never returned, where and since when (it is counted in no
    ISR figure, which counts returns)."""
    text = CQ_BITMAP_C.read_text()
    anchor = "    ULONG queues = MessageID < ctx->Queues.MessageCount ? ctx->Queues.QueuesOfMessage[MessageID] : 0;\n"
    assert anchor in text
    poll = "    if (MessageID == 2)\n        for (;;)\n            READ_REGISTER_ULONG(&ctx->Regs->STATUS);\n"
    (tmp_path / "cq_poll.c").write_text(text.replace(anchor, anchor + poll))
    rc, r = multiqueue_report(tmp_path, "queues=4", "per_queue=8", "strategies=interlocked_or",
                              f"driver_file={tmp_path / 'cq_poll.c'}")
    assert rc == 1
    c = r["observed"]["runs"][1]
    assert "unfinished_routines" not in r["observed"]["runs"][0]
    (u,) = c["unfinished_routines"]
    assert (u["kind"], u["name"], u["cpu"]) == ("ISR", "c:cq_poll.msg2", 2)
    (text,) = [f.read_text() for f in tmp_path.rglob("report.txt")]
    assert "  never returned: ISR c:cq_poll.msg2 on CPU 2, started at " in text
