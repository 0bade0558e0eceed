// What both plain Verilator C++ mains of `make bench` share (plain_main.cpp: the streaming path;
// plain_cq_main.cpp: the 32-queue path): the tb_irqloop model stepped from C++ with the same C
// host memory and MMIO queue as the Python host model, and no cocotb or Python.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>

#include "Vtb_irqloop.h"
#include "Vtb_irqloop___024root.h"
#include "verilated.h"

extern "C" {
extern uint64_t irqloop_msi_count;
extern uint64_t irqloop_mmio_completed;
extern uint32_t irqloop_mmio_rdata[];
extern uint64_t irqloop_mmio_queue_size;
int64_t irqloop_mmio_push(int write, uint32_t addr, uint32_t wdata);
}

namespace plain_bench {

// the clock period (tb/board.py CLOCK_PS, passed in as the half period by irqloop/bench.py)
constexpr uint64_t kClockPs = 2 * IRQLOOP_CLOCK_HALF_PERIOD;

struct Bench {
    std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    std::unique_ptr<Vtb_irqloop> top;
    Vtb_irqloop___024root* r = nullptr;

    Bench() : top(new Vtb_irqloop(ctx.get())) { r = top->rootp; }

    // One time step, then on to the next clock edge, where the clock toggles before the step is
    // evaluated (as tb/hdl/cocotb_main.cpp toggles it): edges every half period from the first,
    // at one half period, which rises.
    void step() {
        if (ctx->time() != 0) r->IRQLOOP_CLOCK_FIELD = !r->IRQLOOP_CLOCK_FIELD;
        top->eval();
        ctx->time(ctx->time() + IRQLOOP_CLOCK_HALF_PERIOD);
    }

    void run_until(uint64_t t_ps) {
        while (ctx->time() < t_ps) step();
    }

    // reset held for 10 cycles, then 2 idle cycles
    void reset() {
        r->tb_irqloop__DOT__rst = 1;
        run_until(40000);
        r->tb_irqloop__DOT__rst = 0;
        run_until(48000);
    }

    // same MMIO queue as the Python host model: writes are posted, reads wait
    void write(uint32_t addr, uint32_t data) { irqloop_mmio_push(1, addr, data); }
    uint32_t read(uint32_t addr) {
        const int64_t n = irqloop_mmio_push(0, addr, 0);
        while (irqloop_mmio_completed <= uint64_t(n)) step();
        return irqloop_mmio_rdata[n % irqloop_mmio_queue_size];
    }

    uint64_t cycles_since(uint64_t t_ps) const { return (ctx->time() - t_ps) / kClockPs; }
};

inline double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace plain_bench
