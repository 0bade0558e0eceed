"""A scenario's C driver (driver_file=): built against irqloop's WDK shim when the run is
prepared, kept in the plan as its source (absolute, with its SHA-256) and the shared library the
simulator loads. A driver that does not build is bad input: one line, gcc's file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Union

from irqloop.tb.scenarios.params import ParamError


#: which scenarios run a driver of each device, for the one line that points a driver to them
SCENARIOS_OF = {"stream": "overrun, overrun_flowcontrol or random_stream", "completion_queues": "multiqueue"}
QUERY_OF = {"stream": "IrqloopQueryStreamParameters", "completion_queues": "IrqloopQueryCompletionQueueParameters"}


def built_c_driver(source: Union[str, Path, None], device: str) -> dict[str, str]:
    """Build the driver for a scenario of ``device`` ("stream" or "completion_queues"; None: the
    streaming example a plain driver=c runs); a driver that asks for the other device's
    parameters only is refused in one line."""
    from irqloop import cdriver       # the runner side's build (gcc), imported only when a C driver runs
    source = cdriver.DEFAULT_DRIVER if source is None else source
    try:
        built = cdriver.build(source)
    except cdriver.CDriverBuildError as e:
        raise ParamError(str(e)) from None
    if built.devices and device not in built.devices:
        (other,) = sorted(built.devices)[:1]
        raise ParamError(f"driver_file={Path(source).name} is written for the {other.replace('_', ' ')} device (it calls "
                         f"{QUERY_OF[other]}): run it in {SCENARIOS_OF[other]}; this scenario runs a "
                         f"{device.replace('_', ' ')} driver, one that calls {QUERY_OF[device]} (docs/c-driver.md)")
    return {"source": str(built.source), "sha256": built.sha256, "library": str(built.library)}
