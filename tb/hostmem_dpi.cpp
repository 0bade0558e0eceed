// Host memory of the irqloop testbench, written by the device's DMA through DPI-C.
//
// The tb's AXI4 slave (host_mem_axi.v) calls irqloop_mem_write() once per accepted data beat
// and irqloop_msi() once per MSI message. The Python host model reads the same bytes through
// ctypes (the simulator is linked with -rdynamic), so the CPU side never wakes per bus beat.
#include <cstdint>
#include <cstring>

extern "C" {

// Size of host RAM; addresses [0, IRQLOOP_HOSTMEM_SIZE) are RAM.
#define IRQLOOP_HOSTMEM_SIZE (16u * 1024u * 1024u)
#define IRQLOOP_MSI_LOG_SIZE 4096u

uint8_t irqloop_hostmem[IRQLOOP_HOSTMEM_SIZE] __attribute__((aligned(64)));
uint64_t irqloop_hostmem_size = IRQLOOP_HOSTMEM_SIZE;

// MSI messages in arrival order: message address and data; index = count modulo the size.
uint64_t irqloop_msi_addr[IRQLOOP_MSI_LOG_SIZE];
uint32_t irqloop_msi_data[IRQLOOP_MSI_LOG_SIZE];
uint64_t irqloop_msi_count = 0;
uint64_t irqloop_msi_log_size = IRQLOOP_MSI_LOG_SIZE;

// Writes that fell outside host RAM (answered with SLVERR).
uint64_t irqloop_bad_writes = 0;
uint64_t irqloop_first_bad_addr = 0;

// One beat of a 64-bit bus: returns 0 (OKAY) or 2 (SLVERR).
int irqloop_mem_write(uint64_t addr, uint64_t data, uint8_t strb) {
    uint64_t base = addr & ~uint64_t(7);
    if (base + 8 > IRQLOOP_HOSTMEM_SIZE) {
        if (irqloop_bad_writes++ == 0) irqloop_first_bad_addr = addr;
        return 2;
    }
    if (strb == 0xFF) {
        std::memcpy(&irqloop_hostmem[base], &data, 8);  // host is little-endian like the bus
    } else {
        for (int i = 0; i < 8; ++i)
            if (strb & (1u << i)) irqloop_hostmem[base + i] = uint8_t(data >> (8 * i));
    }
    return 0;
}

void irqloop_msi(uint64_t addr, uint32_t data) {
    uint64_t i = irqloop_msi_count % IRQLOOP_MSI_LOG_SIZE;
    irqloop_msi_addr[i] = addr;
    irqloop_msi_data[i] = data;
    irqloop_msi_count++;
}

}  // extern "C"
