/* The C header for driver writers (include/irqloop_regs.h, generated from regs/irqloop.rdl)
 * compiles under -std=c11 -Wall -Werror and gives the offsets and fields the device has.
 * The expected numbers are written out by hand on purpose: they are the map as the RTL
 * decodes it, not a second reading of the header. */
#include <stddef.h>
#include <stdint.h>

#include "irqloop_regs.h"

/* offsets: a driver reads them from the struct layout */
_Static_assert(offsetof(irqloop_t, ID) == 0x000, "ID");
_Static_assert(offsetof(irqloop_t, STATUS) == 0x00C, "STATUS");
_Static_assert(offsetof(irqloop_t, INT_CAUSE) == 0x02C, "INT_CAUSE");
_Static_assert(offsetof(irqloop_t, MSIX_CTRL) == 0x068, "MSIX_CTRL");
_Static_assert(offsetof(irqloop_t, CNT_COAL_TIME) == 0x0A0, "CNT_COAL_TIME");
_Static_assert(offsetof(irqloop_t, CQ[0].BASE_LO) == 0x400, "CQ block");
_Static_assert(offsetof(irqloop_t, CQ[3].HEAD) == 0x400 + 3 * 0x20 + 0x0C, "CQ[3].HEAD");
_Static_assert(offsetof(irqloop_t, VT[33].CTRL) == 0x800 + 33 * 0x10 + 0x0C, "VT[33].CTRL");
_Static_assert(offsetof(irqloop_t, PBA[1].BITS) == 0xC04, "PBA[1]");
_Static_assert(offsetof(irqloop_t, IV[2].RATE) == 0xE00 + 2 * 0x8 + 0x4, "IV[2].RATE");

/* fields: bit position (_bp), mask (_bm), width (_bw), reset */
_Static_assert(IRQLOOP__STATUS__OVERRUN_bp == 2, "STATUS.OVERRUN");
_Static_assert(IRQLOOP__INT_CAUSE__DBERR_bm == 0x8, "INT_CAUSE.DBERR");
_Static_assert(IRQLOOP__CQ__IV__VECTOR_bm == 0x3F && IRQLOOP__CQ__IV__IEN_bp == 16, "CQ IV");
_Static_assert(IRQLOOP__IV__COAL__THR_bm == 0xFF && IRQLOOP__IV__COAL__TIME_bp == 8, "IV COAL THR/TIME");
_Static_assert(IRQLOOP__IV__COAL__DB_RESTART_bp == 17, "IV COAL DB_RESTART");
_Static_assert(IRQLOOP__IV__RATE__CYCLES_bw == 24, "IV RATE");
_Static_assert(IRQLOOP__MSI_ADDR_LO__ADDR_bm == 0xFFFFFFFC, "MSI_ADDR_LO");
_Static_assert(IRQLOOP__ID__ID_reset == 0x49524C50, "DEVICE_ID");
_Static_assert(IRQLOOP__OVERRUN_SEQ__SEQ_reset == 0xFFFFFFFF, "OVERRUN_SEQ resets to all-ones");

/* what a driver writes: a coalescing setting of 4 events or 2 units of 100 us */
static uint32_t coal_word(uint32_t thr, uint32_t units)
{
    return ((thr - 1u) << IRQLOOP__IV__COAL__THR_bp & IRQLOOP__IV__COAL__THR_bm) |
           (units << IRQLOOP__IV__COAL__TIME_bp & IRQLOOP__IV__COAL__TIME_bm);
}

int main(void)
{
    return coal_word(4, 2) == 0x0203u ? 0 : 1;
}
