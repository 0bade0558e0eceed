"""Drives tb/hdl/host_activity.v from the host model so the waveform shows the driver's activity.

Only attached when waves are on: each write is a VPI call, and nothing here wakes Python (the
writes happen inside host-model events that run anyway). Values are cached so only changes are
written."""

from __future__ import annotations

from typing import Any

from irqloop.hostmodel.kernel import KDPC, Kernel

IDLE, ISR, DPC, DISPATCH, DIRQL = range(5)
NAMES = {IDLE: "IDLE", ISR: "ISR", DPC: "DPC", DISPATCH: "DISPATCH", DIRQL: "DIRQL"}
SHOWN_CPUS = 4


class HostActivityProbe:
    def __init__(self, handle: Any, kernel: Kernel, driver: Any = None, cyclic: Any = None,
                 consumer: Any = None, scoreboard: Any = None) -> None:
        self.h = handle
        self.k = kernel
        self.driver, self.cyclic, self.consumer, self.sb = driver, cyclic, consumer, scoreboard
        self._cache: dict[str, int] = {}
        self._dpc_numbers: dict[int, int] = {}
        self._sig: dict[str, Any] = {}
        kernel.observers.append(self.refresh)
        if consumer is not None:
            consumer.observers.append(self.refresh)
        if scoreboard is not None:
            scoreboard.observers.append(self.refresh)

    def dpc_number(self, dpc: KDPC) -> int:
        return self._dpc_numbers.setdefault(id(dpc), len(self._dpc_numbers))

    def _set(self, name: str, value: int) -> None:
        if self._cache.get(name) != value:
            self._cache[name] = value
            sig = self._sig.get(name)
            if sig is None:
                sig = self._sig[name] = getattr(self.h, name)
            sig.value = value

    def refresh(self) -> None:
        for cpu in self.k.cpus[:SHOWN_CPUS]:
            n = cpu.number
            if cpu.isr_active is not None:
                state, who = ISR, cpu.isr_active.MessageId
            elif cpu.dirql_raised:
                state, who = DIRQL, 0
            elif cpu.dpc_active is not None:
                state, who = DPC, self.dpc_number(cpu.dpc_active)
            elif cpu.draining:
                state, who = DISPATCH, 0
            else:
                state, who = IDLE, 0
            self._set(f"cpu{n}_state", state)
            self._set(f"cpu{n}_name", int.from_bytes(NAMES[state].encode().rjust(8, b"\0"), "big"))
            self._set(f"cpu{n}_who", who)
            self._set(f"cpu{n}_irql", int(cpu.irql))
            self._set(f"cpu{n}_dpcq", min(255, len(cpu.dpc_queue)))
        held = [0] * SHOWN_CPUS                   # bit n: the n-th spin lock seen is held by the CPU
        for n, lock in enumerate(list(self.k.locks_seen.values())[:32]):
            if lock.owner is not None and lock.owner < SHOWN_CPUS:
                held[lock.owner] |= 1 << n
        for c in range(min(SHOWN_CPUS, len(self.k.cpus))):
            self._set(f"cpu{c}_locks", held[c])
        queued = 0
        for cpu in self.k.cpus:
            for d in cpu.dpc_queue:
                num = self.dpc_number(d)
                if num < 32:
                    queued |= 1 << num
        self._set("dpc_queued", queued)
        if self.cyclic is not None:
            self._set("cyclic_fill", len(self.cyclic))
        if self.consumer is not None:
            self._set("consumer_pos", self.consumer.consumed)
        if self.sb is not None:
            self._set("sb_errors", len(self.sb.divergences))
        if self.driver is not None:
            self._set("driver_cons", self.driver.cons & 0xFFFFFFFF)
