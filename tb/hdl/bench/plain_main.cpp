// Plain Verilator C++ main for `make bench`: the same tb_irqloop RTL and host memory, with a
// minimal C++ "driver" (on each MSI: read and clear the cause, free every produced slot) and no
// cocotb or Python. It is the speed limit the cocotb run is compared with.
#include <cstdio>
#include <cstdlib>

#include "plain_bench.h"

using plain_bench::Bench;
using plain_bench::kClockPs;

int main(int argc, char** argv) {
    const uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
    const uint32_t period = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 2500;
    Bench b;
    b.reset();
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
    const double wall = plain_bench::seconds_since(w0);
    const uint64_t done = b.cycles_since(t_start);
    const uint32_t chunks = b.read(0x048);
    std::printf("plain cycles=%llu wall_s=%.4f cycles_per_s=%.0f chunks=%u msis=%llu\n",
                (unsigned long long)done, wall, done / wall, chunks, (unsigned long long)irqs);
    b.top->final();
    return 0;
}
