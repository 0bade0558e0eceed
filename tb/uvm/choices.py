"""The factory overrides of the pyuvm tests: the completion-queue driver strategy and the faults
on the MSI path, as uvm_objects the factory creates. Each carries one of the choices of
tb/choices.py (the facts, which the runner reads without pyuvm); ``factory_choices`` is what
the overrides in force choose."""

from __future__ import annotations

from pyuvm import uvm_factory, uvm_object

from irqloop.tb.choices import (DROP_QUEUE0, DROP_SOME, INTERLOCKED_OR, NAIVE, SCAN_TIMER, Choices, FaultChoice,
                                StrategyChoice)


class CqStrategy(uvm_object):
    """The completion-queue driver strategy; the base class leaves the scenario's own."""
    choice: StrategyChoice = StrategyChoice()


class InterlockedOrStrategy(CqStrategy):
    choice = INTERLOCKED_OR


class ScanTimerStrategy(CqStrategy):
    choice = SCAN_TIMER


class NaiveStrategy(CqStrategy):
    choice = NAIVE


class MsiFaultPolicy(uvm_object):
    """Faults on the MSI path; the base class leaves the scenario's own."""
    choice: FaultChoice = FaultChoice()


class DropQueue0Messages(MsiFaultPolicy):
    choice = DROP_QUEUE0


class DropSomeMessages(MsiFaultPolicy):
    choice = DROP_SOME


def factory_choices() -> Choices:
    """What the factory's overrides in force choose."""
    factory = uvm_factory()
    return Choices(factory.create_object_by_type(CqStrategy, name="strategy").choice,
                   factory.create_object_by_type(MsiFaultPolicy, name="msi_faults").choice)
