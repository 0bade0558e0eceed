// The bus side of the C host (tb/hdl/hostmem_dpi.cpp): what the HDL host calls, through DPI-C
// under Verilator and through the VPI shim (tb/hdl/hostmem_vpi.cpp) under Icarus.
#pragma once
#include <cstdint>

extern "C" {
int irqloop_mem_write(uint64_t addr, uint64_t data, uint8_t strb);
void irqloop_mem_burst(uint64_t addr, uint32_t bytes, uint64_t time_ns);
void irqloop_msi(uint64_t addr, uint32_t data);
int irqloop_mmio_pop(uint8_t* write, uint32_t* addr, uint32_t* wdata);
void irqloop_mmio_done(uint32_t rdata, uint8_t resp);
}
