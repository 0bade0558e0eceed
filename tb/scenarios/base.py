"""What every scenario is: a specification. Parameters -> a typed plan (tb/plans.py); the plan
and what the simulator observed -> checks and a description. The runner side prepares and judges;
the simulator side runs the plan with the pyuvm sequence of its type (tb/uvm/sequences.py). No
scenario runs anything itself, so none imports cocotb."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar, Optional

from irqloop.tb.choices import NO_CHOICES, Choices
from irqloop.tb.plans import Plan
from irqloop.tb.scenarios.params import Check, Param


REGISTRY: dict[str, type[Scenario]] = {}     #: scenario name -> class (tb.scenarios.get() makes one)


def register(cls: type[Scenario]) -> type[Scenario]:
    """Class decorator: the scenario class is listed under its ``name``. It lives here, beside the
    contract, so a scenario module imports this one and never the package that lists it."""
    if not issubclass(cls, Scenario):
        raise TypeError(f"{cls.__name__} is not a Scenario (tb/scenarios/base.py)")
    missing = [a for a in ("name", "question", "spec", "plan_type") if not getattr(cls, a, None)]
    if missing:
        raise TypeError(f"scenario {cls.__name__} does not say its {', '.join(missing)}")
    if cls.name in REGISTRY:
        raise ValueError(f"two scenarios are named {cls.name!r}")
    REGISTRY[cls.name] = cls
    return cls


class Scenario(ABC):
    name: ClassVar[str]
    question: ClassVar[str]                 #: the user's question the scenario answers (make list)
    spec: ClassVar[list[Param]]             #: its parameters (make params)
    plan_type: ClassVar[type[Plan]]         #: what prepare() returns; the simulator runs it with its sequence
    num_cq: ClassVar[int] = 1               #: the simulator build it needs: completion queues of the device
    takes_overrides: ClassVar[bool] = False     #: a UVM test's factory overrides may pick its strategy and faults
    uses_csr_agent: ClassVar[bool] = False      #: it drives the register bus through the UVM CSR agent
    compares_variants: ClassVar[bool] = False   #: it runs several strategies or settings side by side (make compare)

    @abstractmethod
    def prepare(self, values: dict[str, Any], seed: Optional[int] = None,
                choices: Choices = NO_CHOICES) -> Any:
        """The plan (of type ``plan_type``): validated values, what is predicted and the declared
        outcome; raises ParamError. ``choices``: a pyuvm test's strategy and MSI faults
        (tb/choices.py), for the scenarios that take them (``takes_overrides``)."""

    @abstractmethod
    def checks(self, plan: Any, obs: dict[str, Any]) -> list[Check]:
        """The verdict's checks: (name, ok, detail)."""

    @abstractmethod
    def describe(self, plan: Any, rep: dict[str, Any]) -> list[str]:
        """The report's lines between its header and its checks (``rep``: report.json as saved)."""
