"""What a pyuvm test chooses for a scenario, as data: the completion-queue driver strategy and the
faults on the MSI path.

The tests of tb/uvm/tests.py make these choices with factory overrides in the simulator (as in
pyuvm's TinyALU example); the runner, which never loads pyuvm, reads the same choices here by
the test's name and hands them to ``Scenario.prepare``, so the declared outcome in the plan
follows them. tests/test_uvm_env.py holds the two views equal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

#: correct strategies that find work only through the message that named the queue
PER_MESSAGE = ("interlocked_list", "spinlock_bitmap", "interlocked_or", "per_queue_dpc", "napi")
#: strategies that scan every queue, message or not
SCANNING = ("scan_phase", "scan_timer")


@dataclass(frozen=True)
class StrategyChoice:
    """The completion-queue driver strategy (hostmodel/strategies.py); None: the scenario's own."""
    strategy: Optional[str] = None
    expected: str = "clean"              #: the outcome to declare for it on traffic a correct driver handles


@dataclass(frozen=True)
class FaultChoice:
    """Faults on the MSI path (tb/models/msi_faults.py syntax; vec= is the queue); None: the
    scenario's own. ``forces`` gives the outcome the faults force on strategies, the others get
    ``otherwise`` (None: the strategy's own outcome)."""
    rules: Optional[str] = None
    forces: tuple[tuple[tuple[str, ...], str], ...] = ()
    otherwise: Optional[str] = None

    def expected_for(self, strategy: str) -> Optional[str]:
        return next((outcome for strategies, outcome in self.forces if strategy in strategies), self.otherwise)


@dataclass(frozen=True)
class Choices:
    strategy: StrategyChoice = field(default_factory=StrategyChoice)
    faults: FaultChoice = field(default_factory=FaultChoice)

    @property
    def override_anything(self) -> bool:
        return self.strategy.strategy is not None or self.faults.rules is not None


INTERLOCKED_OR = StrategyChoice("interlocked_or")
SCAN_TIMER = StrategyChoice("scan_timer")
#: loses work when ISRs coalesce; not judged on random traffic
NAIVE = StrategyChoice("naive", expected="any")

#: every message of queue 0 lost on the way: a driver that finds work only through messages
#: (the naive one too) never sees queue 0; one with a periodic scan (scan_timer) still does
DROP_QUEUE0 = FaultChoice("drop:vec=0", forces=((PER_MESSAGE + ("naive",), "loss"), (("scan_timer",), "clean")),
                          otherwise="any")
#: one message in five lost at random
DROP_SOME = FaultChoice("drop:p=0.2", forces=((("scan_timer",), "clean"),), otherwise="any")

#: pyuvm test name (UVM_TEST) -> what it chooses
TESTS: dict[str, Choices] = {
    "ScenarioTest": Choices(),
    "LostVectorTest": Choices(INTERLOCKED_OR, DROP_QUEUE0),
    "LostVectorScanTimerTest": Choices(SCAN_TIMER, DROP_QUEUE0),
    "DropMessagesScanTimerTest": Choices(SCAN_TIMER, DROP_SOME),
    "NaiveStrategyTest": Choices(NAIVE),
}
DEFAULT_TEST = "ScenarioTest"
NO_CHOICES = TESTS[DEFAULT_TEST]        #: the scenario's own strategy and faults


def choices_of(name: str) -> Choices:
    """The choices of the pyuvm test ``name``; KeyError with the valid names."""
    try:
        return TESTS[name]
    except KeyError:
        raise KeyError(f"unknown UVM_TEST {name!r}; valid: {', '.join(TESTS)}") from None
