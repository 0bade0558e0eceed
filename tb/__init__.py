"""irqloop testbench: cocotb glue, scenarios and the simulation runner."""
