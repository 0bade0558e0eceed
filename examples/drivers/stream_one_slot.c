/* A deliberately buggy variant of stream.c: the DPC copies one slot per run, "one interrupt's
 * worth" of work. The EvtInterruptDpc docs warn against it: the ISR may run several times before
 * the DPC runs, and KeInsertQueueDpc of a DPC still queued does nothing, so after one late DPC
 * the backlog never shrinks; the ring overflows and chunks are left in it at the end.
 * `irqloop sim overrun driver_file=examples/drivers/stream_one_slot.c` shows the loss. */
#define STREAM_MAX_SLOTS_PER_DPC 1
#include "stream.c"
