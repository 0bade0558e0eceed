// How the HDL host calls the C host (tb/hdl/hostmem_dpi.cpp), the one place that differs by
// simulator: Verilator imports the C functions through DPI-C; Icarus has no DPI, so the same C
// functions sit behind system functions of the same names, $irqloop_*, registered by the VPI shim
// (tb/hdl/hostmem_vpi.cpp) and selected by IRQLOOP_VPI. A call site writes
// `IRQLOOP_HOST(irqloop_msi)(addr, data) and gets whichever this build has.
`ifndef IRQLOOP_HOST_CALLS_VH
`define IRQLOOP_HOST_CALLS_VH
`ifdef IRQLOOP_VPI
`define IRQLOOP_HOST(name) $``name
`else
`define IRQLOOP_HOST(name) name
`endif
`endif
