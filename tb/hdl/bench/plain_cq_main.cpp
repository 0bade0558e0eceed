// Plain Verilator C++ main for `make bench`, the 32-queue path: tb_irqloop built with NUM_CQ=32,
// the multiqueue scenario's shape of traffic (every queue on its own MSI-X message, bursts of
// `burst` completions, queue q's period spread over 0.5x..1.5x of the mean), the generator
// unlimited, and a minimal C++ driver: on each message of queue q, read the queue's tail and
// write it as the new head. No cocotb or Python: the speed limit of the 32-queue device.
// Registers by name from the generated header (include/irqloop_regs.h).
#include <cstddef>
#include <cstdio>
#include <cstdlib>

#include "irqloop_regs.h"
#include "plain_bench.h"

extern "C" {
extern uint32_t irqloop_msi_data[];
extern uint64_t irqloop_msi_log_size;
}

using plain_bench::Bench;
using plain_bench::kClockPs;

namespace {

constexpr uint32_t kQueues = 32;
constexpr uint32_t kEntries = 64;
constexpr uint32_t kCqArea = 0x200000;      // tb/board.py CQ_AREA
constexpr uint32_t kMsiAddr = 0xFEE00000;   // tb/board.py MSI_ADDR
constexpr uint32_t kMessageBase = 0x100;    // tb/sim/e2e_cq.py MESSAGE_BASE: queue q's message data
constexpr uint32_t kVecCq0 = 2;             // the first queue vector (rtl/irqloop_regs.vh VEC_CQ0)

uint32_t cq_reg(uint32_t q, size_t field) {
    return uint32_t(offsetof(irqloop_t, CQ) + q * sizeof(irqloop__CQ_t) + field);
}
uint32_t vt_reg(uint32_t v, size_t field) {
    return uint32_t(offsetof(irqloop_t, VT) + v * sizeof(irqloop__VT_t) + field);
}

}  // namespace

int main(int argc, char** argv) {
    const uint64_t cycles = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 2000000;
    const uint32_t mean = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 10000;
    const uint32_t burst = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 2;
    Bench b;
    b.reset();
    for (uint32_t q = 0; q < kQueues; ++q) {
        b.write(cq_reg(q, offsetof(irqloop__CQ_t, TG_PERIOD)), mean / 2 + q * mean / kQueues);
        b.write(cq_reg(q, offsetof(irqloop__CQ_t, TG_BURST)), burst);
    }
    b.write(offsetof(irqloop_t, TG_LIMIT), 0);
    b.write(offsetof(irqloop_t, TG_ERR_EVERY), 0);
    for (uint32_t q = 0; q < kQueues; ++q) {
        const uint32_t v = kVecCq0 + q;
        b.write(vt_reg(v, offsetof(irqloop__VT_t, ADDR_LO)), kMsiAddr);
        b.write(vt_reg(v, offsetof(irqloop__VT_t, ADDR_HI)), 0);
        b.write(vt_reg(v, offsetof(irqloop__VT_t, DATA)), kMessageBase + q);
        b.write(vt_reg(v, offsetof(irqloop__VT_t, CTRL)), 0);
        b.write(cq_reg(q, offsetof(irqloop__CQ_t, BASE_LO)), kCqArea + q * kEntries * 16);
        b.write(cq_reg(q, offsetof(irqloop__CQ_t, BASE_HI)), 0);
        b.write(cq_reg(q, offsetof(irqloop__CQ_t, SIZE)), kEntries);
        b.write(cq_reg(q, offsetof(irqloop__CQ_t, IV)),
                (v << IRQLOOP__CQ__IV__VECTOR_bp) | IRQLOOP__CQ__IV__IEN_bm);
    }
    b.write(offsetof(irqloop_t, MSIX_CTRL), IRQLOOP__MSIX_CTRL__ENABLE_bm);
    b.read(offsetof(irqloop_t, STATUS));
    b.write(offsetof(irqloop_t, TG_CTRL), IRQLOOP__TG_CTRL__RUN_bm);
    b.read(offsetof(irqloop_t, STATUS));

    const uint64_t t_start = b.ctx->time();
    const uint64_t t_end = t_start + cycles * kClockPs;
    uint64_t seen = irqloop_msi_count, doorbells = 0;
    const auto w0 = std::chrono::steady_clock::now();
    while (b.ctx->time() < t_end) {
        b.step();
        while (seen != irqloop_msi_count) {     // reads step the model: more messages may arrive
            const uint32_t q = irqloop_msi_data[seen % irqloop_msi_log_size] - kMessageBase;
            ++seen;
            if (q >= kQueues) continue;
            const uint32_t tail = b.read(cq_reg(q, offsetof(irqloop__CQ_t, TAIL)));
            b.write(cq_reg(q, offsetof(irqloop__CQ_t, HEAD)), tail);
            ++doorbells;
        }
    }
    const double wall = plain_bench::seconds_since(w0);
    const uint64_t done = b.cycles_since(t_start);
    const uint32_t entries = b.read(offsetof(irqloop_t, CNT_CQ_ENTRY));
    std::printf("plain cycles=%llu wall_s=%.4f cycles_per_s=%.0f chunks=%u msis=%llu\n",
                (unsigned long long)done, wall, done / wall, entries, (unsigned long long)doorbells);
    b.top->final();
    return 0;
}
