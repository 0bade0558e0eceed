"""What a test's factory overrides select: the completion-queue driver strategy and the faults
on the MSI path. Scenarios ask the factory for these while they build their plan; the base
classes leave the scenario's own choice. (Only pyuvm here: the runner imports this module
outside the simulator.)"""

from __future__ import annotations

from typing import Optional

from pyuvm import uvm_factory, uvm_object

#: strategies that find work only through the message that named the queue
PER_MESSAGE = ("interlocked_list", "spinlock_bitmap", "interlocked_or", "per_queue_dpc", "napi", "naive")


class CqStrategy(uvm_object):
    """The completion-queue driver strategy (hostmodel/strategies.py); None: the scenario's own."""
    strategy: Optional[str] = None
    expected: str = "clean"              #: the outcome to declare for it on traffic a correct driver handles


class InterlockedOrStrategy(CqStrategy):
    strategy = "interlocked_or"


class ScanTimerStrategy(CqStrategy):
    strategy = "scan_timer"


class NaiveStrategy(CqStrategy):
    strategy = "naive"
    expected = "any"                     #: loses work when ISRs coalesce; not judged on random traffic


class MsiFaultPolicy(uvm_object):
    """Faults on the MSI path (tb/models/msi_faults.py syntax; vec= is the queue); None: the scenario's own."""
    rules: Optional[str] = None

    def expected_for(self, strategy: str) -> Optional[str]:
        """The outcome these faults force on a strategy, or None (the strategy's own)."""
        return None


class DropQueue0Messages(MsiFaultPolicy):
    """Every message of queue 0 is lost on the way: a driver that finds work only through
    messages never sees queue 0; one with a periodic scan (scan_timer) still does."""
    rules = "drop:vec=0"

    def expected_for(self, strategy: str) -> Optional[str]:
        return "loss" if strategy in PER_MESSAGE else "clean" if strategy == "scan_timer" else "any"


class DropSomeMessages(MsiFaultPolicy):
    rules = "drop:p=0.2"

    def expected_for(self, strategy: str) -> Optional[str]:
        return "clean" if strategy == "scan_timer" else "any"


def strategy_choice() -> CqStrategy:
    return uvm_factory().create_object_by_type(CqStrategy, name="strategy")


def fault_choice() -> MsiFaultPolicy:
    return uvm_factory().create_object_by_type(MsiFaultPolicy, name="msi_faults")
