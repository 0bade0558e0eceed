// Plain Verilator C++ main for `make bench`: the same tb_irqloop RTL and host memory, with a
// minimal C++ "driver" (on each MSI: read and clear the cause, free every produced slot) and no
// cocotb or Python. It is the speed limit the cocotb run is compared with.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

namespace {

constexpr uint64_t kClockPs = 4000;

struct Bench {
    std::unique_ptr<VerilatedContext> ctx{new VerilatedContext};
    std::unique_ptr<Vtb_irqloop> top;
    Vtb_irqloop___024root* r = nullptr;

    Bench() : top(new Vtb_irqloop(ctx.get())) { r = top->rootp; }

    void step() {
        top->eval();
        ctx->time(top->nextTimeSlot());
    }

    void run_until(uint64_t t_ps) {
        while (ctx->time() < t_ps) step();
    }

    // same MMIO queue as the Python host model: writes are posted, reads wait
    void write(uint32_t addr, uint32_t data) { irqloop_mmio_push(1, addr, data); }
    uint32_t read(uint32_t addr) {
        const int64_t n = irqloop_mmio_push(0, addr, 0);
        while (irqloop_mmio_completed <= uint64_t(n)) step();
        return irqloop_mmio_rdata[n % irqloop_mmio_queue_size];
    }
};

}  // namespace

int main(int argc, char** argv) {
    const uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
    const uint32_t period = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2500;
    Bench b;
    b.r->tb_irqloop__DOT__rst = 1;
    b.run_until(40000);
    b.r->tb_irqloop__DOT__rst = 0;
    b.run_until(48000);
    // the default overrun configuration (see tb/scenarios/overrun.py), unlimited chunks
    const struct { uint32_t a, v; } cfg[] = {
        {0x014, 0x100000}, {0x018, 0}, {0x01C, 8}, {0x020, 1024}, {0x010, period}, {0x05C, 0},
        {0x058, 0x5A5A0000}, {0x034, 0xFEE00000}, {0x038, 0}, {0x03C, 0x40}, {0x040, 0}, {0x030, 3},
        {0x008, 1}};
    for (const auto& c : cfg) b.write(c.a, c.v);
    b.read(0x00C);

    const uint64_t t_start = b.ctx->time();
    const uint64_t t_end = t_start + cycles * kClockPs;
    uint64_t seen = irqloop_msi_count, irqs = 0;
    const auto w0 = std::chrono::steady_clock::now();
    while (b.ctx->time() < t_end) {
        b.step();
        if (irqloop_msi_count != seen) {
            seen = irqloop_msi_count;
            ++irqs;
            const uint32_t cause = b.read(0x02C);
            b.write(0x02C, cause);
            const uint32_t prod = b.read(0x024);
            b.write(0x028, prod);
        }
    }
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    const uint64_t done = (b.ctx->time() - t_start) / kClockPs;
    const uint32_t chunks = b.read(0x048);
    std::printf("plain cycles=%llu wall_s=%.4f cycles_per_s=%.0f chunks=%u msis=%llu\n",
                (unsigned long long)done, wall, done / wall, chunks, (unsigned long long)irqs);
    b.top->final();
    return 0;
}
