"""Host profiles and the costs that follow cache-line state (hostmodel/profiles.py, caches.py).

Oracle: the profile's own figures (docs/host-profiles.md) combined by the rules of
hostmodel/caches.py, on small hand-made cases whose every access is known: each expected time is
written out as the sum of the figures it must pay."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any, Awaitable, Callable

import numpy as np
import pytest

from irqloop.hostmodel import profiles
from irqloop.hostmodel.caches import CacheModel
from irqloop.hostmodel.eventsim import EventSim, EventSimPlatform
from irqloop.hostmodel.kernel import (INTERLOCKED_LIST, KDPC_IMPORTANCE, KSPIN_LOCK, LONG, CpuCosts, Kernel,
                                      KernelSettings)
from irqloop.hostmodel.latency import DpcLatencyModel
from irqloop.hostmodel.profiles import PROFILES, HostProfile, ProfileError
from irqloop.hostmodel.strategies import ENTRY_BYTES, CompletionQueueDriver, CqLayout

DESKTOP, WORKSTATION, SERVER = PROFILES["desktop"], PROFILES["workstation"], PROFILES["server2s"]
NS = 1000


def make(profile: HostProfile, cpus: int = 2) -> tuple[EventSim, Kernel]:
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=1 << 16, mmio_ps=0), latency=DpcLatencyModel(base_ps=0),
               costs=CpuCosts(dpc_dispatch_ps=0), settings=KernelSettings(cpus=cpus), profile=profile)
    return sim, k


def timed(sim: EventSim, k: Kernel, steps: list[tuple[int, Callable[[], Awaitable[Any]]]]) -> list[int]:
    """Run each (cpu, action) after the one before has finished; the simulated time each took."""
    took: list[int] = []

    async def driver() -> None:
        for cpu, action in steps:
            done = sim.event()

            async def on_cpu(action: Callable[[], Awaitable[Any]] = action) -> None:
                t0 = k.now()
                await action()
                took.append(k.now() - t0)
                done.set()
            k.run_on(cpu, on_cpu())
            await done.wait()
    sim.spawn(driver())
    sim.run()
    return took


# ---- the profiles and their topology ----
def test_every_profile_figure_is_a_field_and_the_builtin_profiles_have_their_topology() -> None:
    assert [f.name for f in fields(HostProfile)][4:] == [f"{k}_ps" for k in profiles.FIGURES]
    assert [(p.sockets, p.dies_per_socket) for p in PROFILES.values()] == [(1, 1), (1, 2), (2, 1)]
    # CPUs spread over sockets first, then dies
    assert [SERVER.place(c) for c in range(4)] == [(0, 0), (1, 0), (0, 0), (1, 0)]
    assert [WORKSTATION.place(c) for c in range(4)] == [(0, 0), (0, 1), (0, 0), (0, 1)]
    assert SERVER.transfer_ps(0, 1) == 130 * NS and SERVER.transfer_ps(0, 2) == 55 * NS
    assert WORKSTATION.transfer_ps(0, 1) == 80 * NS and WORKSTATION.transfer_ps(0, 2) == 20 * NS
    assert SERVER.dma_ps(0) == 60 * NS and SERVER.dma_ps(1) == 190 * NS
    assert SERVER.contended_acquire_ps(1, 0) == (8 + 130) * NS


# ---- the cache rules on hand-made cases ----
def test_a_lock_bouncing_between_two_sockets_pays_the_cross_socket_transfer_each_time() -> None:
    sim, k = make(SERVER)
    lock = KSPIN_LOCK("bounce")

    def take() -> Callable[[], Awaitable[None]]:
        async def hold() -> None:
            await k.KeAcquireSpinLockAtDpcLevel(lock)
            await k.KeReleaseSpinLockFromDpcLevel(lock)
        return hold
    took = timed(sim, k, [(0, take()), (1, take()), (0, take()), (1, take()), (1, take())])
    first = SERVER.dma_local_ps + SERVER.locked_op_ps + SERVER.line_hit_ps      # from memory, then the release
    bounce = SERVER.line_cross_socket_ps + SERVER.locked_op_ps + SERVER.line_hit_ps
    again = SERVER.line_hit_ps + SERVER.locked_op_ps + SERVER.line_hit_ps       # same CPU twice: uncontended
    assert took == [first, bounce, bounce, bounce, again]
    assert again == (1.5 + 8 + 1.5) * NS and bounce == (130 + 8 + 1.5) * NS


def test_the_same_bounce_on_one_die_costs_the_core_to_core_transfer() -> None:
    sim, k = make(DESKTOP)
    target = LONG()
    took = timed(sim, k, [(0, lambda: k.InterlockedOr(target, 1)), (1, lambda: k.InterlockedOr(target, 2)),
                          (0, lambda: k.InterlockedExchange(target, 0))])
    assert took == [(80 + 5) * NS, (40 + 5) * NS, (40 + 5) * NS]
    assert target.value == 0 and target.operations == 3


def test_workstation_dies_same_die_is_cheap_and_the_other_die_dear() -> None:
    sim, k = make(WORKSTATION, cpus=3)
    flag = object()
    took = timed(sim, k, [(0, lambda: k.touch(flag, write=True)), (2, lambda: k.touch(flag, write=True)),
                          (1, lambda: k.touch(flag, write=True)), (1, lambda: k.touch(flag))])
    # CPU 0 and 2 share die 0; CPU 1 is on die 1
    assert took == [90 * NS, 20 * NS, 80 * NS, 1 * NS]


def test_a_write_invalidates_every_reader_and_costs_the_farthest_copy() -> None:
    c = CacheModel(SERVER)
    key = CacheModel.key_of("shared")
    assert c.read(0, key) == SERVER.dma_local_ps            # nobody held it
    assert c.read(2, key) == SERVER.line_same_die_ps        # from CPU 0 on the same socket
    assert c.read(1, key) == SERVER.line_same_die_ps * 0 + SERVER.line_cross_socket_ps
    assert c.read(3, key) == SERVER.line_same_die_ps        # nearest holder: CPU 1, its own socket
    assert c.write(2, key) == SERVER.line_cross_socket_ps   # CPUs 1 and 3 across the link
    assert c.read(2, key) == SERVER.line_hit_ps and c.lines[key].holders == {2}


def test_a_line_read_twice_without_a_dma_write_is_a_hit_the_second_time() -> None:
    memory = np.zeros(4096, dtype=np.uint8)
    c = CacheModel(SERVER, memory)
    assert c.read_memory(1, 0x100) == SERVER.dma_remote_ps  # never read: the device's line, remote socket
    assert c.read_memory(1, 0x110) == SERVER.line_hit_ps    # the same 64-byte line, unchanged
    assert c.read_memory(0, 0x120) == SERVER.line_cross_socket_ps   # unchanged, CPU 1 holds it
    memory[0x134] = 1                                       # the device writes the line (DMA)
    assert c.read_memory(0, 0x100) == SERVER.dma_local_ps   # miss, on the device's socket
    assert c.read_memory(0, 0x100) == SERVER.line_hit_ps
    assert c.read_memory(1, 0x100) == SERVER.line_cross_socket_ps
    assert (c.stats.dma_misses, c.stats.hits, c.stats.transfers) == (2, 2, 2)


class Scanner(CompletionQueueDriver):
    """The scan's host side without its locks: one pass reads every queue's head entry."""
    name = "scanner"
    serialize_queues = False


def scan_setup(profile: HostProfile, queues: int = 32) -> tuple[EventSim, Kernel, Scanner]:
    sim, k = make(profile)
    lay = CqLayout(bases=[0x1000 + q * 64 * ENTRY_BYTES for q in range(queues)], entries=64,
                   per_completion_ps=200 * NS)
    drv = Scanner(k, lay)
    drv.head, drv.phase = [0] * queues, [1] * queues
    return sim, k, drv


def post(k: Kernel, drv: Scanner, q: int, slot: int) -> None:
    """What the device's DMA write of a completion does to host memory: the entry with phase 1."""
    off = drv.layout.bases[q] + slot * ENTRY_BYTES
    k.platform.memory[off:off + ENTRY_BYTES].view(np.uint32)[:] = [q, slot, 0, 1 << 16]


def test_scanning_32_queues_pays_32_entry_reads_missing_only_where_the_device_wrote() -> None:
    sim, k, drv = scan_setup(SERVER)
    n = len(drv.layout.bases)

    def one_pass() -> Callable[[], Awaitable[int]]:
        async def scan() -> int:
            return sum([await drv.process_queue(q) for q in range(n)])
        return scan
    post(k, drv, 5, 0)
    took = timed(sim, k, [(0, one_pass())])
    # cold: every head line and every queue's host state comes from memory; queue 5 then reads
    # its next entry, in the line it has just read: a hit
    assert took == [n * SERVER.dma_local_ps + SERVER.line_hit_ps + n * SERVER.dma_local_ps + 200 * NS]
    post(k, drv, 9, 0)
    post(k, drv, 5, 1)
    took = timed(sim, k, [(0, one_pass())])
    # warm: 32 head reads, 2 of them misses (queue 5's line and queue 9's), 1 more read each for
    # the entry after (a hit), the 32 host-state lines held by this CPU: hits
    hits = (n - 2) + 2 + n
    assert took == [2 * SERVER.dma_local_ps + hits * SERVER.line_hit_ps + 2 * 200 * NS]
    took = timed(sim, k, [(1, one_pass())])
    # the same pass on the other socket with nothing new: every line comes across the link
    assert took == [2 * n * SERVER.line_cross_socket_ps]


def test_the_list_operation_pays_interrupts_off_the_lock_the_head_and_the_entry() -> None:
    sim, k = make(SERVER)
    work = INTERLOCKED_LIST("work")
    took = timed(sim, k, [(0, lambda: k.ExInterlockedInsertTailList(work, 3)),
                          (1, lambda: k.ExInterlockedRemoveHeadList(work))])
    p = SERVER
    insert = p.interrupts_off_ps + p.dma_local_ps + p.locked_op_ps + p.dma_local_ps + p.dma_local_ps + p.line_hit_ps
    remove = p.interrupts_off_ps + 3 * p.line_cross_socket_ps + p.locked_op_ps + p.line_hit_ps
    assert took == [insert, remove]


def test_the_fixed_costs_follow_no_state() -> None:
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=4096, mmio_ps=0), latency=DpcLatencyModel(base_ps=0),
               settings=KernelSettings(cpus=2))
    lock = KSPIN_LOCK("fixed")

    async def hold() -> None:
        await k.KeAcquireSpinLockAtDpcLevel(lock)
        await k.KeReleaseSpinLockFromDpcLevel(lock)
    assert k.caches is None
    assert timed(sim, k, [(0, hold), (1, hold), (1, hold)]) == [2 * CpuCosts().spinlock_ps] * 3


def test_a_profile_sets_interrupt_entry_exit_and_the_register_read_round_trip() -> None:
    _, k = make(SERVER)
    assert (k.costs.isr_dispatch_ps, k.costs.isr_exit_ps, k.costs.mmio_read_extra_ps) == (500 * NS, 250 * NS, 1000 * NS)
    assert k.costs.copy_ps_per_kib == CpuCosts().copy_ps_per_kib


# ---- a user's own profile, and bad input ----
def test_a_profile_file_round_trips_and_the_builtins_resolve(tmp_path: Path) -> None:
    for p in PROFILES.values():
        f = tmp_path / f"{p.name}.toml"
        f.write_text(profiles.to_toml(p))
        assert profiles.resolve(str(f)) == p
    assert profiles.resolve("fixed") is None and profiles.resolve("server2s") is SERVER


@pytest.mark.parametrize("text, words", [
    ("laptop", "profile='laptop' is not a profile; choose fixed (default), desktop, workstation, server2s, or a .toml file"),
    ("nothere.toml", "profile file nothere.toml does not exist; choose fixed (default), desktop"),
])
def test_a_bad_profile_name_is_one_line_with_the_choices(text: str, words: str) -> None:
    with pytest.raises(ProfileError) as e:
        profiles.resolve(text)
    assert str(e.value).startswith(words) and "\n" not in str(e.value)


GOOD_FIGURES = profiles.to_toml(SERVER).split("[ns]\n", 1)[1]      # every figure, as a user writes them


@pytest.mark.parametrize("text, words", [
    ("name = 'x'\n[ns]\nline_hit = 1\n", "figure 'line_same_die' missing in [ns]; figures: line_hit, "),
    ("[ns]\nline_hot = 1\n" + GOOD_FIGURES, "unknown figure 'line_hot' in [ns]"),
    ("[ns]\n" + GOOD_FIGURES.replace("locked_op = 8", "locked_op = -8"), "[ns] locked_op = -8; expected a number"),
    ("sockets = 1\ndevice_socket = 1\n[ns]\n" + GOOD_FIGURES, "device_socket = 1 but the machine has sockets 0..0"),
    ("cores = 8\n[ns]\n" + GOOD_FIGURES, "unknown key 'cores'; keys: device_socket, dies_per_socket, name, ns, sockets"),
    ("sockets = 0\n[ns]\n" + GOOD_FIGURES, "sockets = 0; expected an integer in 1..64"),
    ("dies_per_socket = 2.5\n[ns]\n" + GOOD_FIGURES, "dies_per_socket = 2.5; expected an integer in 1..64"),
    ("device_socket = -1\n[ns]\n" + GOOD_FIGURES, "device_socket = -1; expected an integer in 0..64"),
    ("[ns\n", "is not TOML"),
])
def test_a_bad_profile_file_says_what_is_wrong(tmp_path: Path, text: str, words: str) -> None:
    f = tmp_path / "mine.toml"
    f.write_text(text)
    with pytest.raises(ProfileError) as e:
        profiles.load(f)
    assert words in str(e.value) and "\n" not in str(e.value)


def test_the_default_profile_leaves_plan_and_setup_as_they_were_and_a_chosen_one_carries_its_figures() -> None:
    from irqloop.tb import scenarios
    from irqloop.tb.scenarios.params import parse_overrides

    sc = scenarios.get("multiqueue")
    plan = sc.prepare(parse_overrides(sc.spec, []), 1)
    assert "profile" not in plan.values and all("profile" not in v.setup for v in plan.variants)
    plan = sc.prepare(parse_overrides(sc.spec, ["profile=server2s"]), 1)
    assert plan.values["profile"] == "server2s"
    assert all(HostProfile.from_json(v.setup["profile"]) == SERVER for v in plan.variants)


def test_profile_on_the_command_line_is_refused_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from irqloop import runner

    assert runner.main(["sim", "multiqueue", "--profile", "laptop"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: profile='laptop' is not a profile; choose fixed (default), desktop") and "\n" not in err
    assert runner.main(["sim", "overrun", "--profile", "desktop"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: PROFILE=desktop: scenario overrun has no host profile; profiles apply to: coalescing")


def test_dpcs_can_be_targeted_to_one_cpu_and_the_default_leaves_the_plan_as_it_was() -> None:
    from irqloop.tb import scenarios
    from irqloop.tb.scenarios.params import ParamError, parse_overrides

    sc = scenarios.get("multiqueue")
    assert all("dpc_cpu" not in v.setup for v in sc.prepare(parse_overrides(sc.spec, []), 1).variants)
    plan = sc.prepare(parse_overrides(sc.spec, ["dpc_cpu=2"]), 1)
    assert plan.values["dpc_cpu"] == "2" and {v.setup["dpc_cpu"] for v in plan.variants} == {2}
    with pytest.raises(ParamError, match=r"dpc_cpu=4 is not one of the 4 CPUs \(0..3\)"):
        sc.prepare(parse_overrides(sc.spec, ["dpc_cpu=4"]), 1)
    plan = sc.prepare(parse_overrides(sc.spec, ["irq_cpu=3"]), 1)
    assert plan.values["irq_cpu"] == "3" and {v.setup["irq_cpu"] for v in plan.variants} == {3}
    assert all("irq_cpu" not in v.setup for v in sc.prepare(parse_overrides(sc.spec, []), 1).variants)
    with pytest.raises(ParamError, match=r"irq_cpu='x' is not valid; use spread or a CPU number"):
        parse_overrides(sc.spec, ["irq_cpu=x"])
    sim, k = make(DESKTOP, cpus=3)
    drv = Scanner(k, CqLayout(bases=[0x1000], entries=64, dpc_cpu=2))
    d = drv.new_dpc(drv.process_queue)
    assert d.target_cpu == 2 and d.Importance == KDPC_IMPORTANCE.MediumHighImportance
    sim.run(until=0)


@pytest.mark.parametrize("profile, cpus, expected_ns", [
    # (uncontended, same die, other die or socket): docs/host-profiles.md's derived table
    (DESKTOP, (0, 1, None), (6, 45, None)),
    (WORKSTATION, (0, 2, 1), (5, 24, 84)),
    (SERVER, (0, 2, 1), (9.5, 63, 138)),
])
def test_the_derived_lock_costs_of_each_profile(profile: HostProfile, cpus: tuple[Any, ...],
                                                expected_ns: tuple[Any, ...]) -> None:
    c = CacheModel(profile)
    key = CacheModel.key_of("lock")
    c.atomic(0, key)
    assert c.atomic(cpus[0], key) == expected_ns[0] * NS
    assert c.atomic(cpus[1], key) == expected_ns[1] * NS
    if cpus[2] is not None:
        assert c.atomic(cpus[2], key) == expected_ns[2] * NS


def test_a_dpcs_own_time_leaves_out_the_isr_that_preempted_it() -> None:
    sim = EventSim()
    k = Kernel(EventSimPlatform(sim, memory_bytes=4096, mmio_ps=0), latency=DpcLatencyModel(base_ps=0),
               costs=CpuCosts(isr_dispatch_ps=0, isr_exit_ps=0, dpc_dispatch_ps=0), settings=KernelSettings(cpus=1))

    async def routine(dpc: Any, ctx: Any, a1: Any, a2: Any) -> None:
        await k.execute(10_000 * NS)

    async def isr(interrupt: Any, ctx: Any) -> bool:
        await k.execute(3_000 * NS)
        return True
    dpc = k.KeInitializeDpc(routine, name="work")
    k.IoConnectInterruptEx(0x40, isr, affinity=(0,))

    async def start() -> None:
        k.KeInsertQueueDpc(dpc)
    k.run_on(0, start())
    sim.call_at(4_000 * NS, lambda: k.deliver_msi(0x40))
    sim.run()
    assert dpc.run_times_ps == [13_000 * NS] and dpc.own_run_ps == 10_000 * NS


def test_a_c_driver_under_a_profile_is_refused_in_one_line() -> None:
    from irqloop.tb import scenarios
    from irqloop.tb.scenarios.params import ParamError, parse_overrides

    sc = scenarios.get("multiqueue")
    with pytest.raises(ParamError, match=r"^driver_file= runs a C driver at the fixed costs; profile=server2s applies"):
        sc.prepare(parse_overrides(sc.spec, ["driver_file=examples/drivers/cq_bitmap.c", "profile=server2s"]), 1)


@pytest.mark.sim
def test_interrupts_and_dpcs_targeted_on_the_rtl_run_where_they_were_sent(tmp_path: Path) -> None:
    import json

    from irqloop.runner import run_dir_for, run_scenario
    from irqloop.tb import scenarios
    from irqloop.tb.scenarios.params import parse_overrides

    params = ["strategies=interlocked_or", "queues=4", "per_queue=4", "irq_cpu=1", "dpc_cpu=2", "profile=desktop"]
    assert run_scenario("multiqueue", 1, "none", params, run_root=tmp_path, quiet=True) == 0
    values = parse_overrides(scenarios.get("multiqueue").spec, params)
    run = json.loads((run_dir_for("multiqueue", 1, values, tmp_path) / "report.json").read_text())["observed"]["runs"][0]
    spans = {(cpu, kind) for cpu, kind, _, _ in run["timeline"]}
    assert spans == {(1, "isr"), (2, "dpc")} and run["scoreboard"]["consumed"] == 16
