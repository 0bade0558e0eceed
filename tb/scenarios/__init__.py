"""Scenario registry and parameter handling (no simulator needed to import this)."""

from __future__ import annotations

from typing import Any

from irqloop.tb.scenarios.base import REGISTRY as _REGISTRY
from irqloop.tb.scenarios.params import ParamError


def names() -> list[str]:
    _load()
    return sorted(_REGISTRY)


def get(name: str) -> Any:
    _load()
    if name not in _REGISTRY:
        raise ParamError(f"unknown test '{name}'; valid tests: {', '.join(sorted(_REGISTRY))}")
    return _REGISTRY[name]()


def _load() -> None:
    import irqloop.tb.scenarios.overrun  # noqa: F401  (each registers itself)
    import irqloop.tb.scenarios.multiqueue  # noqa: F401
    import irqloop.tb.scenarios.coalescing  # noqa: F401
    import irqloop.tb.scenarios.msi_merge  # noqa: F401
    import irqloop.tb.scenarios.rearm_race  # noqa: F401
    import irqloop.tb.scenarios.latency_sweep  # noqa: F401
    import irqloop.tb.scenarios.hw_coalescing  # noqa: F401
    import irqloop.tb.scenarios.polling  # noqa: F401
    import irqloop.tb.scenarios.error_vector  # noqa: F401
    import irqloop.tb.scenarios.random_cq  # noqa: F401
    import irqloop.tb.scenarios.registers  # noqa: F401
