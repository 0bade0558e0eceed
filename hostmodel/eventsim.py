"""A small deterministic discrete-event simulator for running the host model without HDL.

Coroutines ``await`` the objects returned by :meth:`EventSim.sleep` and :meth:`SimEvent.wait`.
Ties in time are broken by scheduling order, so a run is fully deterministic.
"""

from __future__ import annotations

import heapq
from typing import Any, Callable, Coroutine, Generator

import numpy as np


class _Sleep:
    __slots__ = ("ps",)

    def __init__(self, ps: int) -> None:
        self.ps = ps

    def __await__(self) -> Generator[Any, None, None]:
        yield self


class _Wait:
    __slots__ = ("event",)

    def __init__(self, event: "SimEvent") -> None:
        self.event = event

    def __await__(self) -> Generator[Any, None, None]:
        if not self.event._set:
            yield self


class SimEvent:
    def __init__(self, sim: "EventSim") -> None:
        self._sim = sim
        self._set = False
        self._waiters: list[Task] = []

    def set(self) -> None:
        self._set = True
        waiters, self._waiters = self._waiters, []
        for t in waiters:
            self._sim._schedule(self._sim.now, t)

    def clear(self) -> None:
        self._set = False

    def is_set(self) -> bool:
        return self._set

    def wait(self) -> _Wait:
        return _Wait(self)


class Task:
    def __init__(self, sim: "EventSim", coro: Coroutine[Any, Any, Any]) -> None:
        self.sim = sim
        self.coro = coro
        self.done = False
        self.result: Any = None

    def step(self) -> None:
        self.sim.current = self
        try:
            req = self.coro.send(None)
        except StopIteration as stop:
            self.done = True
            self.result = stop.value
            return
        finally:
            self.sim.current = None
        if isinstance(req, _Sleep):
            self.sim._schedule(self.sim.now + max(0, int(req.ps)), self)
        elif isinstance(req, _Wait):
            req.event._waiters.append(self)
        else:
            raise TypeError(f"EventSim task awaited an unsupported object: {req!r}")


class EventSim:
    def __init__(self) -> None:
        self.now = 0
        self._queue: list[tuple[int, int, Task | Callable[[], None]]] = []
        self._seq = 0
        self.current: Task | None = None     # the task whose code runs now

    def _schedule(self, when: int, item: "Task | Callable[[], None]") -> None:
        heapq.heappush(self._queue, (when, self._seq, item))
        self._seq += 1

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Task:
        task = Task(self, coro)
        self._schedule(self.now, task)
        return task

    def call_at(self, when: int, fn: Callable[[], None]) -> None:
        self._schedule(when, fn)

    def sleep(self, ps: int) -> _Sleep:
        return _Sleep(ps)

    def event(self) -> SimEvent:
        return SimEvent(self)

    def run(self, until: int | None = None) -> None:
        while self._queue:
            when, _, item = self._queue[0]
            if until is not None and when > until:
                self.now = until
                return
            heapq.heappop(self._queue)
            self.now = when
            if isinstance(item, Task):
                item.step()
            else:
                item()
        if until is not None:
            self.now = max(self.now, until)


class EventSimPlatform:
    """A :class:`~hostmodel.platform.Platform` on :class:`EventSim`; MMIO goes to Python callables."""

    def __init__(self, sim: EventSim, memory_bytes: int = 1 << 20, mmio_ps: int = 40_000,
                 clock_period_ps: int = 4000) -> None:
        self.sim = sim
        self.memory = np.zeros(memory_bytes, dtype=np.uint8)
        self.mmio_ps = mmio_ps
        self.clock_period_ps = clock_period_ps
        self.read_hook: Callable[[int], int] = lambda off: 0
        self.write_hook: Callable[[int, int], None] = lambda off, v: None

    def now_ps(self) -> int:
        return self.sim.now

    def sleep(self, ps: int) -> _Sleep:
        return self.sim.sleep(ps)

    def event(self) -> SimEvent:
        return self.sim.event()

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> Task:
        return self.sim.spawn(coro)

    def current_task(self) -> Task | None:
        return self.sim.current

    async def mmio_read(self, offset: int) -> int:
        await self.sim.sleep(self.mmio_ps)
        return self.read_hook(offset)

    async def mmio_write(self, offset: int, value: int) -> None:
        # posted: lands after the bus latency; the caller does not wait (reads of equal latency
        # queued later land later, so a read still sees every earlier write)
        self.sim.call_at(self.sim.now + self.mmio_ps, lambda: self.write_hook(offset, value))
