"""irqloop host model: the Windows interrupt path (ISR, DPC, IRQL) of a streaming DMA driver.

The model is pure Python and runs on any :class:`~hostmodel.platform.Platform`: the
discrete-event simulator in :mod:`hostmodel.eventsim` (no HDL simulator needed) or the cocotb
adapter in ``tb/`` that drives it from the RTL simulation's clock.
"""

from irqloop.hostmodel.kernel import Irql, Kernel, KDPC, KINTERRUPT
from irqloop.hostmodel.latency import DpcLatencyModel, LatencySpike
from irqloop.hostmodel.platform import Platform

__all__ = ["Irql", "Kernel", "KDPC", "KINTERRUPT", "DpcLatencyModel", "LatencySpike", "Platform"]
