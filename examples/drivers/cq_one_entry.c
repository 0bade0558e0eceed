/* A deliberately buggy variant of cq_bitmap.c: the DPC takes one completion per queue per run,
 * "one interrupt's worth". The seed thread's warning: messages are not 1:1 with completions (the
 * device coalesces them, and enqueueing a DPC that is still queued does nothing), so completions
 * behind the first wait for an interrupt that may never come; the harness reports them stranded.
 * `irqloop sim multiqueue strategies=interlocked_or driver_file=examples/drivers/cq_one_entry.c`
 * shows the loss. */
#define CQ_MAX_ENTRIES_PER_RUN 1
#include "cq_bitmap.c"
