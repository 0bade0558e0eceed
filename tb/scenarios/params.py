"""Typed, validated scenario parameters, overridable as ``name=value`` from the command line."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Optional


class ParamError(ValueError):
    """A bad test name or parameter; its message is one line naming the problem and the choices."""


def format_bound(bound: float) -> str:
    """A range bound as a user would type it: 65535 and 1000000, not 65535.0 or 1e+06."""
    if float(bound).is_integer() and abs(bound) < 1e15:
        return str(int(bound))
    return f"{bound:g}"


def finite_float(text: str) -> Optional[float]:
    """``text`` as a finite float, or None. float() also accepts 'inf', 'nan' and '1e999' (which
    overflows to inf); no simulated time or rate can be any of those."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    doc: str
    kind: type = int
    choices: Optional[tuple[str, ...]] = None
    lo: Optional[float] = None
    hi: Optional[float] = None
    validate: Optional[Callable[[Any], None]] = None   #: raises ValueError with a one-line message
    #: left out of a plan's values (and so of its report) while at its default: a parameter added
    #: after reports existed, which then stay byte-identical; chosen, it is named like every other
    quiet: bool = False

    def expected(self) -> str:
        """The valid values in words, type and range: 'an integer in 1..65535'."""
        if self.choices is not None:
            return "one of: " + ", ".join(self.choices)
        what = {int: "an integer", float: "a finite number"}.get(self.kind, "text")
        if self.lo is not None and self.hi is not None:
            return f"{what} in {format_bound(self.lo)}..{format_bound(self.hi)}"
        if self.lo is not None:
            return f"{what} >= {format_bound(self.lo)}"
        if self.hi is not None:
            return f"{what} <= {format_bound(self.hi)}"
        return what

    def parse(self, text: str) -> Any:
        if self.choices is not None:
            if text not in self.choices:
                raise ParamError(f"{self.name}={text!r} is not valid; choose one of: {', '.join(self.choices)}")
            return text
        value: Any
        if self.kind is int:
            value = self._integer(text)
        elif self.kind is float:
            value = finite_float(text)
        else:
            value = self.kind(text)
        if value is None:
            raise ParamError(f"{self.name}={text!r} is not valid; expected {self.expected()}")
        self.check(value)
        return value

    @staticmethod
    def _integer(text: str) -> Optional[int]:
        """An integer written as one ('8') or as a whole number in float notation ('8.0', '1e3');
        '8.5' is not silently truncated."""
        try:
            return int(text)
        except ValueError:
            pass
        value = finite_float(text)
        return int(value) if value is not None and value.is_integer() else None

    def check(self, value: Any) -> None:
        """Range and validator of a parsed value (also of values a suite or scenario sets in code)."""
        if isinstance(value, float) and not math.isfinite(value):
            raise ParamError(f"{self.name}={value} is not valid; expected {self.expected()}")
        if self.lo is not None and value < self.lo:
            raise ParamError(f"{self.name}={value} is below its minimum {format_bound(self.lo)}; "
                             f"expected {self.expected()}")
        if self.hi is not None and value > self.hi:
            raise ParamError(f"{self.name}={value} is above its maximum {format_bound(self.hi)}; "
                             f"expected {self.expected()}")
        if self.validate is not None:
            try:
                self.validate(value)
            except ValueError as e:
                raise ParamError(str(e)) from None


def parse_overrides(spec: list[Param], items: list[str]) -> dict[str, Any]:
    """Defaults of ``spec`` with ``name=value`` items applied; raises ParamError on bad input."""
    by_name = {p.name: p for p in spec}
    values = {p.name: p.default for p in spec}
    given: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise ParamError(f"parameter {item!r} must be name=value; parameters: {', '.join(by_name)}")
        name, text = item.split("=", 1)
        name = name.strip().lower()
        if name not in by_name:
            raise ParamError(f"unknown parameter {name!r}{MAKE_VARIABLE_HINT.get(name, '')}; parameters: {', '.join(by_name)}")
        value = by_name[name].parse(text.strip())
        if name in given and value != values[name]:
            # DRIVER= and PROFILE= are driver_file= and profile=: a second, different value is a conflict,
            # not an override
            raise ParamError(f"{name} is given twice, as {given[name]!r} and {text.strip()!r}"
                             f"{MAKE_VARIABLE_HINT.get(name, '')}: give it once")
        given[name] = text.strip()
        values[name] = value
    return values


#: the make variables that become a parameter, named where the parameter is refused or repeated
MAKE_VARIABLE_HINT = {"driver_file": " (make's DRIVER= sets driver_file=)", "profile": " (make's PROFILE= sets profile=)"}


def shown_values(spec: list[Param], values: dict[str, Any]) -> dict[str, Any]:
    """A plan's values: every parameter's, except the quiet ones at their defaults."""
    quiet = {p.name: p.default for p in spec if p.quiet}
    return {k: x for k, x in values.items() if k not in quiet or x != quiet[k]}


def describe(spec: list[Param]) -> str:
    lines = []
    for p in spec:
        # the same words as the error for a bad value, so `make params` shows what is accepted
        valid = f" one of {'|'.join(p.choices)}" if p.choices else \
            f" [{p.expected()}]" if p.kind in (int, float) else ""
        lines.append(f"  {p.name:<20} {str(p.default):<10} {p.doc}{valid}")
    return "\n".join(lines)


Check = tuple[str, bool, str]
CheckFn = Callable[..., list[Check]]
