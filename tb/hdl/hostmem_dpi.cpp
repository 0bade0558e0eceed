// Host side of the irqloop testbench, shared by the simulator (DPI-C under Verilator, the VPI shim
// hostmem_vpi.cpp under Icarus) and Python (ctypes):
//   - host RAM, written by the device's DMA: the tb's AXI4 slave (host_mem_axi.v) calls
//     irqloop_mem_write() once per accepted data beat;
//   - the MSI log: irqloop_msi() once per MSI message;
//   - the write-burst log: irqloop_mem_burst() once per completed data burst (address, bytes,
//     simulation time), which the testbench's DMA and completion-queue monitors drain in bulk;
//   - the CPU's MMIO queue: Python pushes requests (irqloop_mmio_push), the tb's AXI4-Lite master
//     (mmio_axil_master.v) pulls them in order (irqloop_mmio_pop) and reports completions
//     (irqloop_mmio_done). Writes are posted: nothing waits for them. Reads complete in order
//     after every earlier write, as PCIe orders a read behind posted writes.
// A completed read or an MSI calls the hook Python installed, which arms a one-shot ReadWrite
// callback for that time step: no VPI value-change callback stays registered (each one costs
// every time step) and the simulator links with -rdynamic so ctypes finds these symbols (under
// Icarus they live in the VPI module, which Python opens by its path; see hostmem_vpi.cpp).
#include <cstdint>
#include <cstring>

#include "hostmem.h"

extern "C" {

#define IRQLOOP_HOSTMEM_SIZE (16u * 1024u * 1024u)
#define IRQLOOP_MSI_LOG_SIZE 4096u
#define IRQLOOP_MMIO_QUEUE 1024u
#define IRQLOOP_BURST_LOG_SIZE 65536u

enum { IRQLOOP_HOOK_MSI = 1, IRQLOOP_HOOK_MMIO_READ = 2 };

uint8_t irqloop_hostmem[IRQLOOP_HOSTMEM_SIZE] __attribute__((aligned(64)));
uint64_t irqloop_hostmem_size = IRQLOOP_HOSTMEM_SIZE;

uint64_t irqloop_msi_addr[IRQLOOP_MSI_LOG_SIZE];
uint32_t irqloop_msi_data[IRQLOOP_MSI_LOG_SIZE];
uint64_t irqloop_msi_count = 0;
uint64_t irqloop_msi_log_size = IRQLOOP_MSI_LOG_SIZE;

uint64_t irqloop_burst_addr[IRQLOOP_BURST_LOG_SIZE];
uint32_t irqloop_burst_bytes[IRQLOOP_BURST_LOG_SIZE];
uint64_t irqloop_burst_time[IRQLOOP_BURST_LOG_SIZE];   // simulation time of the last beat, ns
uint64_t irqloop_burst_count = 0;
uint64_t irqloop_burst_log_size = IRQLOOP_BURST_LOG_SIZE;

uint64_t irqloop_bad_writes = 0;
uint64_t irqloop_first_bad_addr = 0;

// MMIO queue: entry i is request number i modulo the size
uint8_t irqloop_mmio_write_flag[IRQLOOP_MMIO_QUEUE];
uint32_t irqloop_mmio_addr[IRQLOOP_MMIO_QUEUE];
uint32_t irqloop_mmio_wdata[IRQLOOP_MMIO_QUEUE];
uint32_t irqloop_mmio_rdata[IRQLOOP_MMIO_QUEUE];
uint8_t irqloop_mmio_resp[IRQLOOP_MMIO_QUEUE];
uint64_t irqloop_mmio_pushed = 0;      // requests queued by the CPU
uint64_t irqloop_mmio_issued = 0;      // requests taken by the bus master
uint64_t irqloop_mmio_completed = 0;   // requests completed
uint64_t irqloop_mmio_errors = 0;      // completions with a non-OKAY response
uint64_t irqloop_mmio_queue_size = IRQLOOP_MMIO_QUEUE;

typedef void (*irqloop_hook_t)(int kind);
static irqloop_hook_t irqloop_hook = nullptr;
void irqloop_set_hook(irqloop_hook_t hook) { irqloop_hook = hook; }

void irqloop_reset_host() {
    std::memset(irqloop_hostmem, 0, sizeof irqloop_hostmem);
    irqloop_msi_count = irqloop_burst_count = irqloop_bad_writes = irqloop_first_bad_addr = 0;
    irqloop_mmio_pushed = irqloop_mmio_issued = irqloop_mmio_completed = irqloop_mmio_errors = 0;
}

// One beat of a 64-bit bus: returns 0 (OKAY) or 2 (SLVERR).
int irqloop_mem_write(uint64_t addr, uint64_t data, uint8_t strb) {
    uint64_t base = addr & ~uint64_t(7);
    if (base + 8 > IRQLOOP_HOSTMEM_SIZE) {
        if (irqloop_bad_writes++ == 0) irqloop_first_bad_addr = addr;
        return 2;
    }
    if (strb == 0xFF) {
        std::memcpy(&irqloop_hostmem[base], &data, 8);  // the host is little-endian like the bus
    } else {
        for (int i = 0; i < 8; ++i)
            if (strb & (1u << i)) irqloop_hostmem[base + i] = uint8_t(data >> (8 * i));
    }
    return 0;
}

// One completed burst into host RAM (not the MSI window).
void irqloop_mem_burst(uint64_t addr, uint32_t bytes, uint64_t time_ns) {
    uint64_t i = irqloop_burst_count % IRQLOOP_BURST_LOG_SIZE;
    irqloop_burst_addr[i] = addr;
    irqloop_burst_bytes[i] = bytes;
    irqloop_burst_time[i] = time_ns;
    irqloop_burst_count++;
}

void irqloop_msi(uint64_t addr, uint32_t data) {
    uint64_t i = irqloop_msi_count % IRQLOOP_MSI_LOG_SIZE;
    irqloop_msi_addr[i] = addr;
    irqloop_msi_data[i] = data;
    irqloop_msi_count++;
    if (irqloop_hook) irqloop_hook(IRQLOOP_HOOK_MSI);
}

// CPU side: queue a request; returns its number, or -1 if the queue is full.
int64_t irqloop_mmio_push(int write, uint32_t addr, uint32_t wdata) {
    if (irqloop_mmio_pushed - irqloop_mmio_completed >= IRQLOOP_MMIO_QUEUE) return -1;
    uint64_t i = irqloop_mmio_pushed % IRQLOOP_MMIO_QUEUE;
    irqloop_mmio_write_flag[i] = uint8_t(write != 0);
    irqloop_mmio_addr[i] = addr;
    irqloop_mmio_wdata[i] = wdata;
    return int64_t(irqloop_mmio_pushed++);
}

// Bus side (DPI): take the next request if there is one.
int irqloop_mmio_pop(uint8_t* write, uint32_t* addr, uint32_t* wdata) {
    if (irqloop_mmio_issued == irqloop_mmio_pushed) {
        *write = 0;  // outputs are always written: the caller's variables must not see garbage
        *addr = 0;
        *wdata = 0;
        return 0;
    }
    uint64_t i = irqloop_mmio_issued++ % IRQLOOP_MMIO_QUEUE;
    *write = irqloop_mmio_write_flag[i];
    *addr = irqloop_mmio_addr[i];
    *wdata = irqloop_mmio_wdata[i];
    return 1;
}

// Bus side (DPI): the oldest issued request completed.
void irqloop_mmio_done(uint32_t rdata, uint8_t resp) {
    uint64_t i = irqloop_mmio_completed % IRQLOOP_MMIO_QUEUE;
    irqloop_mmio_rdata[i] = rdata;
    irqloop_mmio_resp[i] = resp;
    if (resp != 0) irqloop_mmio_errors++;
    irqloop_mmio_completed++;
    if (!irqloop_mmio_write_flag[i] && irqloop_hook) irqloop_hook(IRQLOOP_HOOK_MMIO_READ);
}

}  // extern "C"
