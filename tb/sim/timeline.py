"""trace.json: a run's host activity in the Chrome trace event format, for Perfetto's viewer
(ui.perfetto.dev, "Open trace file") or chrome://tracing, when a PNG timeline is too coarse.

One process per run of the host model (a scenario with several variants has several), one thread
per CPU: every ISR and DPC run and every spin lock hold as a complete event ("X"), every MSI
taken by a CPU as an instant ("i") on that CPU, and what the device did that matters (the first
overwrite) as instants on a "device" thread. Times are the simulation's, in microseconds.
"""

from __future__ import annotations

import json
from typing import Any, Optional

from irqloop.hostmodel.kernel import Kernel
from irqloop.hostmodel.metrics import RunSpan, run_spans

DEVICE_THREAD = 1000            #: the tid of the device's instants (CPUs are 0..n-1)


def _us(ps: int) -> float:
    return ps / 1e6


class Timeline:
    """The trace events of the runs of one simulation (``TIMELINE``: the one of this process)."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.runs = 0

    def add_run(self, name: str, kernel: Kernel, device: list[tuple[int, str, dict[str, Any]]] = (),
                spans: Optional[list[RunSpan]] = None) -> None:
        """A run's host model (its kernel trace) and device instants (time ps, name, args);
        ``spans``: the trace's ``run_spans``, when the caller has them already."""
        self.runs += 1
        pid = self.runs
        ev = self.events
        ev.append({"ph": "M", "pid": pid, "tid": 0, "name": "process_name", "args": {"name": name}})
        for cpu in range(len(kernel.cpus)):
            ev.append({"ph": "M", "pid": pid, "tid": cpu, "name": "thread_name", "args": {"name": f"CPU {cpu}"}})
        ev.append({"ph": "M", "pid": pid, "tid": DEVICE_THREAD, "name": "thread_name", "args": {"name": "device"}})
        for span in run_spans(kernel) if spans is None else spans:
            ev.append({"ph": "X", "pid": pid, "tid": span.cpu, "cat": span.kind, "name": span.who,
                       "ts": _us(span.start_ps), "dur": _us(span.end_ps - span.start_ps)})
        for e in kernel.trace:
            if e.kind == "spin_lock_released" and e.info["cpu"] is not None:
                ev.append({"ph": "X", "pid": pid, "tid": e.info["cpu"], "cat": "lock", "name": e.info["lock"],
                           "ts": _us(e.info["acquired_at_ps"]), "dur": _us(e.t_ps - e.info["acquired_at_ps"])})
            elif e.kind == "msi":
                ev.append({"ph": "i", "s": "t", "pid": pid, "tid": e.info["cpu"], "cat": "msi",
                           "name": f"MSI {e.info['message']:#x}", "ts": _us(e.t_ps)})
            elif e.kind == "ring_overrun_found":
                ev.append({"ph": "i", "s": "t", "pid": pid, "tid": 0, "cat": "driver", "name": "overrun found",
                           "ts": _us(e.t_ps), "args": {k: v for k, v in e.info.items() if isinstance(v, int)}})
        for t_ps, what, args in device:
            ev.append({"ph": "i", "s": "t", "pid": pid, "tid": DEVICE_THREAD, "cat": "device", "name": what,
                       "ts": _us(t_ps), "args": args})

    def to_json(self) -> str:
        return json.dumps({"traceEvents": self.events, "displayTimeUnit": "ns",
                           "otherData": {"source": "irqloop", "time": "simulated, microseconds"}},
                          separators=(",", ":")) + "\n"


TIMELINE = Timeline()
