// The VPI shim: the C host of hostmem_dpi.cpp for a simulator without DPI-C (Icarus Verilog).
//
// Compiled together with hostmem_dpi.cpp into one VPI module (irqloop_host.vpi) that vvp loads
// beside cocotb's (`vvp -M DIR -m irqloop_host`). It registers one system task or function per
// DPI import of the HDL host, named as the import with a '$' (tb/hdl/host_calls.vh picks them
// when IRQLOOP_VPI is defined), and each one reads its arguments and calls the same C function
// the DPI import calls: host RAM, the MSI log, the burst log and the MMIO queue are the same
// code under both simulators, and Python reaches them the same way, through ctypes. vvp opens
// VPI modules with RTLD_LOCAL, so their symbols are not in the process's global namespace; the
// Python side opens this module again by its path (IRQLOOP_HOST_LIB), which gives the already
// loaded copy, not a second one.
//
// Nothing here calls into Python except through the hook, as under Verilator: no callback is
// registered with the simulator, and a call costs one C function call plus the argument reads.
// Argument handles are looked up once per call site and kept.
//
// Unknown bits (x or z) in an argument read as 0 and are counted in irqloop_vpi_unknown_args:
// Verilator has no such bits, so a non-zero count means the two simulators may disagree (an
// uninitialised register reached the host); the first one is reported in the log.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

#include <vpi_user.h>

#include "hostmem.h"

extern "C" {
uint64_t irqloop_vpi_unknown_args = 0;   //: arguments with x or z bits seen so far
}

namespace {

struct Arg {
    vpiHandle handle;
    int bits;
    bool system_function;   // e.g. $time: Icarus gives its value as a number or a string, not a vector
};

std::unordered_map<vpiHandle, std::vector<Arg>> call_sites;

// The arguments of the system task or function being called, with their widths.
const std::vector<Arg>& args_of(vpiHandle call) {
    auto found = call_sites.find(call);
    if (found != call_sites.end()) return found->second;
    std::vector<Arg> args;
    if (vpiHandle it = vpi_iterate(vpiArgument, call)) {
        while (vpiHandle h = vpi_scan(it))
            args.push_back({h, vpi_get(vpiSize, h), vpi_get(vpiType, h) == vpiSysFuncCall});
    }
    return call_sites.emplace(call, std::move(args)).first->second;
}

uint64_t read_u64(const Arg& arg) {
    s_vpi_value v;
    if (arg.system_function) {     // once per burst ($time), so a decimal string costs nothing that matters
        v.format = vpiDecStrVal;
        vpi_get_value(arg.handle, &v);
        return std::strtoull(v.value.str, nullptr, 10);
    }
    v.format = vpiVectorVal;
    vpi_get_value(arg.handle, &v);
    uint64_t lo = uint32_t(v.value.vector[0].aval), unknown = uint32_t(v.value.vector[0].bval);
    uint64_t hi = 0;
    if (arg.bits > 32) {
        hi = uint32_t(v.value.vector[1].aval);
        unknown |= uint64_t(uint32_t(v.value.vector[1].bval)) << 32;
    }
    uint64_t mask = arg.bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << arg.bits) - 1;
    unknown &= mask;
    if (unknown != 0 && irqloop_vpi_unknown_args++ == 0) {
        char* name = vpi_get_str(vpiName, arg.handle);
        vpi_printf(const_cast<char*>("irqloop VPI shim: an argument with unknown (x/z) bits reached the C host "
                                     "(%s at %s:%d); it reads as 0\n"),
                   name ? name : const_cast<char*>("an expression"),
                   vpi_get_str(vpiFile, vpi_handle(vpiSysTfCall, nullptr)),
                   (int)vpi_get(vpiLineNo, vpi_handle(vpiSysTfCall, nullptr)));
    }
    return ((hi << 32) | lo) & ~unknown & mask;
}

void put_int(vpiHandle target, uint32_t value) {
    s_vpi_value v;
    v.format = vpiIntVal;
    v.value.integer = PLI_INT32(value);
    vpi_put_value(target, &v, nullptr, vpiNoDelay);
}

const std::vector<Arg>& this_call(vpiHandle* call = nullptr) {
    vpiHandle h = vpi_handle(vpiSysTfCall, nullptr);
    if (call != nullptr) *call = h;
    return args_of(h);
}

// $irqloop_mem_write(addr, data, strb): OKAY (0) or SLVERR (2)
PLI_INT32 mem_write(PLI_BYTE8*) {
    vpiHandle call;
    const auto& a = this_call(&call);
    put_int(call, uint32_t(irqloop_mem_write(read_u64(a[0]), read_u64(a[1]), uint8_t(read_u64(a[2])))));
    return 0;
}

// $irqloop_mem_burst(addr, bytes, time_ns)
PLI_INT32 mem_burst(PLI_BYTE8*) {
    const auto& a = this_call();
    irqloop_mem_burst(read_u64(a[0]), uint32_t(read_u64(a[1])), read_u64(a[2]));
    return 0;
}

// $irqloop_msi(addr, data)
PLI_INT32 msi(PLI_BYTE8*) {
    const auto& a = this_call();
    irqloop_msi(read_u64(a[0]), uint32_t(read_u64(a[1])));
    return 0;
}

// $irqloop_mmio_pop(write, addr, wdata): 1 and the request in the three variables, or 0 (and zeros)
PLI_INT32 mmio_pop(PLI_BYTE8*) {
    vpiHandle call;
    const auto& a = this_call(&call);
    uint8_t write = 0;
    uint32_t addr = 0, wdata = 0;
    int got = irqloop_mmio_pop(&write, &addr, &wdata);
    // the variables are written only when something changed hands or they must be cleared, as a
    // put costs more than the C call; the DPI function writes its outputs on every call, and the
    // HDL reads them only after a successful pop, so the difference cannot be seen
    if (got != 0) {
        put_int(a[0].handle, write);
        put_int(a[1].handle, addr);
        put_int(a[2].handle, wdata);
    }
    put_int(call, uint32_t(got));
    return 0;
}

// $irqloop_mmio_done(rdata, resp)
PLI_INT32 mmio_done(PLI_BYTE8*) {
    const auto& a = this_call();
    irqloop_mmio_done(uint32_t(read_u64(a[0])), uint8_t(read_u64(a[1])));
    return 0;
}

void register_one(PLI_INT32 type, const char* name, PLI_INT32 (*calltf)(PLI_BYTE8*)) {
    s_vpi_systf_data data;
    std::memset(&data, 0, sizeof data);
    data.type = type;
    data.sysfunctype = vpiSysFuncInt;
    data.tfname = const_cast<PLI_BYTE8*>(name);
    data.calltf = calltf;
    vpi_register_systf(&data);
}

void register_host_calls() {
    register_one(vpiSysFunc, "$irqloop_mem_write", mem_write);
    register_one(vpiSysTask, "$irqloop_mem_burst", mem_burst);
    register_one(vpiSysTask, "$irqloop_msi", msi);
    register_one(vpiSysFunc, "$irqloop_mmio_pop", mmio_pop);
    register_one(vpiSysTask, "$irqloop_mmio_done", mmio_done);
}

}  // namespace

extern "C" {
void (*vlog_startup_routines[])() = {register_host_calls, nullptr};
}
