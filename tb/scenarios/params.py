"""Typed, validated scenario parameters, overridable as ``name=value`` from the command line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional


class ParamError(ValueError):
    """A bad test name or parameter; its message is one line naming the problem and the choices."""


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

    def parse(self, text: str) -> Any:
        if self.choices is not None:
            if text not in self.choices:
                raise ParamError(f"{self.name}={text!r} is not valid; choose one of: {', '.join(self.choices)}")
            return text
        try:
            value = self.kind(float(text)) if self.kind is int and "." not in text and "e" not in text.lower() \
                else self.kind(text)
            if self.kind is int and isinstance(value, float):
                value = int(value)
        except ValueError:
            raise ParamError(f"{self.name}={text!r} is not a {self.kind.__name__}") from None
        self.check(value)
        return value

    def check(self, value: Any) -> None:
        if self.validate is not None:
            try:
                self.validate(value)
            except ValueError as e:
                raise ParamError(str(e)) from None
        if self.lo is not None and value < self.lo:
            raise ParamError(f"{self.name}={value} is below its minimum {self.lo:g}")
        if self.hi is not None and value > self.hi:
            raise ParamError(f"{self.name}={value} is above its maximum {self.hi:g}")


def parse_overrides(spec: list[Param], items: list[str]) -> dict[str, Any]:
    """Defaults of ``spec`` with ``name=value`` items applied; raises ParamError on bad input."""
    by_name = {p.name: p for p in spec}
    values = {p.name: p.default for p in spec}
    for item in items:
        if "=" not in item:
            raise ParamError(f"parameter {item!r} must be name=value; parameters: {', '.join(by_name)}")
        name, text = item.split("=", 1)
        name = name.strip().lower()
        if name not in by_name:
            raise ParamError(f"unknown parameter {name!r}; parameters: {', '.join(by_name)}")
        values[name] = by_name[name].parse(text.strip())
    return values


def describe(spec: list[Param]) -> str:
    lines = []
    for p in spec:
        rng = f" one of {'|'.join(p.choices)}" if p.choices else ""
        lines.append(f"  {p.name:<20} {str(p.default):<10} {p.doc}{rng}")
    return "\n".join(lines)


Check = tuple[str, bool, str]
CheckFn = Callable[..., list[Check]]
