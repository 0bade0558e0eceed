"""A scenario's C driver (driver_file=): built against irqloop's WDK shim when the run is
prepared, kept in the plan as its source (absolute, with its SHA-256) and the shared library the
simulator loads. A driver that does not build is bad input: one line, gcc's file:line."""

from __future__ import annotations

from pathlib import Path
from typing import Union

from irqloop.tb.scenarios.params import ParamError


def built_c_driver(source: Union[str, Path]) -> dict[str, str]:
    from irqloop import cdriver       # the runner side's build (gcc), imported only when a C driver runs
    try:
        built = cdriver.build(source)
    except cdriver.CDriverBuildError as e:
        raise ParamError(str(e)) from None
    return {"source": str(built.source), "sha256": built.sha256, "library": str(built.library)}


def default_c_driver(name: str) -> Path:
    """An example driver of examples/drivers by file name."""
    from irqloop import cdriver
    return cdriver.EXAMPLES / name
