"""Facts of the simulated board: the harness top (tb/hdl/tb_irqloop.v), its host memory
(tb/hdl/hostmem_dpi.cpp, tb/hdl/host_mem_axi.v) and where the runs place things in it.

Written once here and imported by the run engines, the cocotb platform, the scenarios and the
device models; this module imports nothing, so nothing below it depends on a scenario.
"""

from __future__ import annotations

CLOCK_PS = 4000             #: 250 MHz: the main loop toggles tb_irqloop.clk every 2 ns (Icarus: its `always #2 clk = ~clk`)
US = 1_000_000              #: picoseconds per microsecond
HOSTMEM_BYTES = 16 << 20    #: tb/hdl/hostmem_dpi.cpp IRQLOOP_HOSTMEM_SIZE
MSI_ADDR = 0xFEE0_0000      #: tb/hdl/host_mem_axi.v MSI_BASE: a write there is an interrupt message (x86's LAPIC window)
RING_BASE = 0x10_0000       #: the streaming device's ring of slots
CQ_AREA = 0x20_0000         #: the completion queues, one after the other
