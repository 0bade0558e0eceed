"""MSI fault injection between the device and the host model (simulation only).

Real platforms do not deliver MSIs 1:1: messages are merged while pending, interrupt controllers
combine identical interrupts, and a lost or late message is what drivers must survive. The
injector sits where an MSI write reaches the host's interrupt controller and can drop, delay or
duplicate chosen messages. Every injected fault is logged with its simulation time.

Rules, separated by ``;``, each ``action[:selector...]``:

- actions: ``drop``, ``dup`` (deliver twice), ``delay=<time>`` (``us``, ``ns`` or ``ps`` suffix)
- selectors: ``vec=<n>`` (only that vector; default any), ``nth=<i>[,<j>...]`` (the i-th message
  of the matching vector, 1-based), ``every=<n>`` (every n-th), ``p=<probability>`` (seeded)

Example: ``drop:vec=0:nth=5;delay=20us:vec=0:every=7;dup:p=0.01``. The first matching rule wins.
"""

from __future__ import annotations

import math

import random
from dataclasses import dataclass, field
from typing import Callable, Optional

from irqloop.hostmodel.seeds import stream

ACTIONS = ("drop", "dup", "delay")
SELECTORS = ("vec", "nth", "every", "p")
_UNITS_PS = {"ps": 1, "ns": 1_000, "us": 1_000_000, "ms": 1_000_000_000}


class FaultSpecError(ValueError):
    """A malformed fault specification; the message is one line naming the problem and the choices."""


@dataclass(frozen=True)
class FaultRule:
    action: str
    delay_ps: int = 0
    vec: Optional[int] = None
    nth: frozenset[int] = frozenset()
    every: int = 0
    p: float = 0.0

    def selects(self, vec: int, count: int, rng: random.Random) -> bool:
        """Whether this rule applies to the ``count``-th message (1-based) of vector ``vec``."""
        if self.vec is not None and vec != self.vec:
            return False
        if self.nth and count not in self.nth:
            return False
        if self.every and count % self.every != 0:
            return False
        if self.p and rng.random() >= self.p:
            return False
        return True


@dataclass(frozen=True)
class FaultRecord:
    time_ps: int
    action: str
    vector: int
    count: int        # the message's number within its vector, 1-based
    data: int
    delay_ps: int = 0

    def describe(self) -> str:
        what = {"drop": "dropped", "dup": "duplicated", "delay": f"delayed by {self.delay_ps / 1e6:.3f} us"}
        return f"{self.time_ps / 1e6:.3f} us: {what[self.action]} MSI #{self.count} of vector {self.vector} " \
               f"(data {self.data:#x})"


def _parse_time(text: str, rule: str) -> int:
    for unit, scale in _UNITS_PS.items():
        if text.endswith(unit):
            try:
                value = float(text[:-len(unit)])
            except ValueError:
                break
            if not math.isfinite(value * scale) or value <= 0:     # float() takes 'inf', 'nan', '1e999'
                raise FaultSpecError(f"msi fault rule {rule!r}: delay must be > 0 and finite, e.g. delay=20us")
            return round(value * scale)
    raise FaultSpecError(f"msi fault rule {rule!r}: delay {text!r} needs a number and a unit "
                         f"({', '.join(_UNITS_PS)}), e.g. delay=20us")


def _parse_int(text: str, what: str, rule: str, lo: int) -> int:
    try:
        value = int(text, 0)
    except ValueError:
        raise FaultSpecError(f"msi fault rule {rule!r}: {what}={text!r} is not an integer") from None
    if value < lo:
        raise FaultSpecError(f"msi fault rule {rule!r}: {what}={value} is below {lo}")
    return value


def parse_faults(spec: str) -> list[FaultRule]:
    """Rules of a fault specification (see the module doc); '' or 'none' gives no rules."""
    rules: list[FaultRule] = []
    if spec.strip() in ("", "none"):
        return rules
    for text in (r.strip() for r in spec.split(";")):
        if not text:
            continue
        head, *sels = text.split(":")
        name, _, arg = head.partition("=")
        if name not in ACTIONS:
            raise FaultSpecError(f"msi fault rule {text!r}: unknown action {name!r}; actions: {', '.join(ACTIONS)}")
        if (name == "delay") != bool(arg):
            raise FaultSpecError(f"msi fault rule {text!r}: " +
                                 ("delay needs a time, e.g. delay=20us" if name == "delay"
                                  else f"{name} takes no value"))
        kw: dict = {"action": name, "delay_ps": _parse_time(arg, text) if arg else 0}
        for sel in sels:
            key, eq, val = sel.partition("=")
            if key not in SELECTORS or not eq:
                raise FaultSpecError(f"msi fault rule {text!r}: bad selector {sel!r}; selectors: "
                                     f"{', '.join(s + '=' for s in SELECTORS)}")
            if key == "vec":
                kw["vec"] = _parse_int(val, key, text, 0)
            elif key == "nth":
                kw["nth"] = frozenset(_parse_int(v, key, text, 1) for v in val.split(","))
            elif key == "every":
                kw["every"] = _parse_int(val, key, text, 1)
            else:
                try:
                    kw["p"] = float(val)
                except ValueError:
                    raise FaultSpecError(f"msi fault rule {text!r}: p={val!r} is not a number") from None
                if not 0 < kw["p"] <= 1:
                    raise FaultSpecError(f"msi fault rule {text!r}: p={val} must be in (0, 1]")
        rules.append(FaultRule(**kw))
    return rules


@dataclass
class MsiFaultInjector:
    """Applies ``rules`` to each MSI message; ``vector_of`` maps message data to a vector number."""
    rules: list[FaultRule]
    seed: int
    vector_of: Callable[[int], int]
    log: list[FaultRecord] = field(default_factory=list)
    counts: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rng = stream(self.seed, "msi_faults")

    def apply(self, data: int, now_ps: int) -> list[int]:
        """Delays (ps) at which to deliver this message: [0] as is, [] dropped, [0, 0] twice, [d] late."""
        vec = self.vector_of(data)
        count = self.counts[vec] = self.counts.get(vec, 0) + 1
        for rule in self.rules:
            if rule.selects(vec, count, self.rng):
                self.log.append(FaultRecord(now_ps, rule.action, vec, count, data, rule.delay_ps))
                return {"drop": [], "dup": [0, 0], "delay": [rule.delay_ps]}[rule.action]
        return [0]
