/* The day model's inner loop: irqloop/daymodel.py compiles it with gcc at first use and
   documents its semantics; the comments here say how the loop realises them. */
#include <stdint.h>
#include <string.h>
#include <stdlib.h>

#define INF INT64_MAX

/* settings and timing, all times in picoseconds (the layout matches DayParams in daymodel.py) */
typedef struct {
    int64_t slots, period_ps, chunks, flow_control, rearm_by_mask;
    int64_t isr_ps, mmio_write_ps, mmio_read_ps, dpc_dispatch_ps, chunk_copy_ps, read_span_ps;
    int64_t write_ps, restart_ps, start_offset_ps;
    int64_t latency_mode;            /* 0: sequence in order, 1: sequence cycled, 2: resampled */
    int64_t latency_count;
    uint64_t seed;
    int64_t max_ranges, trace_capacity;
} DayParams;

typedef struct {
    int64_t status;                  /* 0 ok, 1 latency sequence exhausted, 2 MMIO queue overflow */
    int64_t produced, lost, lost_ranges, overwrites;
    int64_t first_overwrite_seq, first_overwrite_ps;
    int64_t stalled_chunks, stall_ps, max_stall_ps;
    int64_t isrs, isrs_unclaimed, msi_collapsed, dpc_insert_attempts, dpc_inserts, dpc_runs;
    int64_t max_chunks_per_dpc, skipped, torn_or_replaced, stranded, end_ps, latencies_used;
    int64_t max_latency_ps, traced;
} DayResult;

enum { REG_INT_CAUSE = 0, REG_MSI_MASK = 1, REG_CONS_IDX = 2 };
enum { D_IDLE = 0, D_WAIT_START, D_READ, D_COPY_NEXT, D_EXEC };
#define CAUSE_DATA 1
#define CAUSE_OVERRUN 2
#define FIFO 64

static uint64_t splitmix(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
static inline uint64_t rotl(uint64_t v, int k) { return (v << k) | (v >> (64 - k)); }
static inline uint64_t xoshiro(uint64_t s[4]) {          /* xoshiro256** */
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return r;
}

typedef struct {
    const DayParams *p;
    const int64_t *lat; uint64_t rng[4]; int64_t lat_i;
    DayResult *r;
    int64_t *ranges;                  /* (first seq, count) pairs */
    int64_t *trace;                   /* per DPC run: queued_at, start, prod read, chunks copied */
    /* device */
    int64_t started, prod, cons_reg, next_due, held, held_since, write_done_at;
    int cause, data_masked, data_pending;
    int64_t *slot_seq, *slot_claim;
    /* MMIO posted writes in flight, in issue order */
    int64_t f_time[FIFO]; int f_reg[FIFO]; int64_t f_val[FIFO]; int f_head, f_n;
    /* CPU 0: interrupts */
    int irr[2], irr_n, in_irr[2], isr_active; int64_t isr_end;
    /* the DPC object and its dispatcher, and the driver */
    int inserted; int64_t queued_at, dpc_ready; int phase;
    int64_t drv_cons, prod_read, copy_start, copied, run_queued, run_start;
    int64_t run_first, run_count;     /* the range of lost chunks being extended */
} Sim;

static int64_t next_latency(Sim *s) {
    const DayParams *p = s->p;
    int64_t v;
    if (p->latency_mode == 2) {
        v = s->lat[xoshiro(s->rng) % (uint64_t)p->latency_count];
    } else {
        if (s->lat_i >= p->latency_count) {
            if (p->latency_mode == 0) { s->r->status = 1; return -1; }
            s->lat_i = 0;
        }
        v = s->lat[s->lat_i++];
    }
    s->r->latencies_used++;
    if (v > s->r->max_latency_ps) s->r->max_latency_ps = v;
    return v;
}

static void lose(Sim *s, int64_t seq) {
    DayResult *r = s->r;
    r->lost++;
    if (s->run_count && s->run_first + s->run_count == seq) {
        s->run_count++;
    } else {
        r->lost_ranges++;                 /* counted past the capacity: the caller sees the truncation */
        s->run_first = seq; s->run_count = 1;
    }
    int64_t i = r->lost_ranges - 1;
    if (i < s->p->max_ranges) { s->ranges[2 * i] = s->run_first; s->ranges[2 * i + 1] = s->run_count; }
}

static void post_write(Sim *s, int64_t now, int reg, int64_t val) {
    if (s->f_n == FIFO) { s->r->status = 2; return; }
    int i = (s->f_head + s->f_n) % FIFO;
    s->f_time[i] = now + s->p->mmio_write_ps; s->f_reg[i] = reg; s->f_val[i] = val; s->f_n++;
}

/* KeInsertQueueDpc: FALSE (nothing) if queued; the dispatcher takes its latency when it gets to it */
static void insert_queue_dpc(Sim *s, int64_t now) {
    s->r->dpc_insert_attempts++;
    if (s->inserted) return;
    s->inserted = 1; s->queued_at = now; s->r->dpc_inserts++;
    if (s->phase == D_IDLE) {
        int64_t lat = next_latency(s);
        s->phase = D_WAIT_START; s->dpc_ready = s->queued_at + lat + s->p->dpc_dispatch_ps;
    }
}

static void try_dispatch_isr(Sim *s, int64_t now) {
    if (s->isr_active >= 0 || s->phase == D_READ || s->irr_n == 0) return;
    s->isr_active = s->irr[0];
    s->in_irr[s->irr[0]] = 0;
    s->irr[0] = s->irr[1]; s->irr_n--;
    s->isr_end = now + s->p->isr_ps;
    /* an ISR preempts the DPC's copy on this CPU: the copy ends that much later */
    if (s->phase == D_EXEC && now < s->dpc_ready) s->dpc_ready += s->p->isr_ps;
}

/* an MSI reaches CPU 0 (message 0: data, 1: error); one already waiting there absorbs it */
static void msi(Sim *s, int64_t now, int message) {
    if (s->in_irr[message]) { s->r->msi_collapsed++; return; }
    s->irr[s->irr_n++] = message; s->in_irr[message] = 1;
    try_dispatch_isr(s, now);
}

static void deliver_data(Sim *s, int64_t now) {
    if (s->data_pending && !s->data_masked) { s->data_pending = 0; msi(s, now, 0); }
}

/* the chunk's write completes: PROD_IDX counts it, the data cause and vector fire */
static void chunk_done(Sim *s, int64_t now) {
    s->prod++;
    s->cause |= CAUSE_DATA;
    s->data_pending = 1;
    deliver_data(s, now);
}

static void next_due_after(Sim *s, int64_t t) {
    const DayParams *p = s->p;
    if (s->started >= p->chunks) { s->next_due = INF; return; }
    /* the source's ticks at k x period; a chunk started at t used up every tick <= t */
    int64_t tick = (t - p->start_offset_ps) / p->period_ps;
    if (t - p->start_offset_ps < 0) tick = -1;
    s->next_due = (tick + 1) * p->period_ps + p->start_offset_ps;
}

static void chunk_start(Sim *s, int64_t now) {
    const DayParams *p = s->p;
    DayResult *r = s->r;
    if (s->started - s->cons_reg >= p->slots) {          /* free-running: overwrite the oldest */
        r->overwrites++;
        if (r->first_overwrite_seq < 0) { r->first_overwrite_seq = s->started; r->first_overwrite_ps = now; }
        s->cause |= CAUSE_OVERRUN;
        msi(s, now, 1);                                   /* the error vector is never masked */
    }
    int64_t slot = s->started % p->slots;
    s->slot_seq[slot] = s->started; s->slot_claim[slot] = now;
    s->started++;
    r->produced++;
    if (p->write_ps == 0) chunk_done(s, now); else s->write_done_at = now + p->write_ps;
    next_due_after(s, now);
}

static void chunk_due(Sim *s, int64_t now) {
    if (s->p->flow_control && s->started - s->cons_reg >= s->p->slots) {
        s->held = 1; s->held_since = now; s->next_due = INF;
        return;
    }
    chunk_start(s, now);
}

static void restart_held(Sim *s, int64_t at) {
    int64_t stall = at - s->held_since;
    s->held = 0;
    s->r->stalled_chunks++; s->r->stall_ps += stall;
    if (stall > s->r->max_stall_ps) s->r->max_stall_ps = stall;
    chunk_start(s, at);
}

static void land_write(Sim *s, int64_t now) {
    int reg = s->f_reg[s->f_head]; int64_t v = s->f_val[s->f_head];
    s->f_head = (s->f_head + 1) % FIFO; s->f_n--;
    if (reg == REG_INT_CAUSE) {
        int cleared = (int)v & s->cause;
        s->cause &= ~(int)v;
        if ((cleared & CAUSE_DATA) && s->data_masked) s->data_pending = 0;   /* serviced while masked */
    } else if (reg == REG_MSI_MASK) {
        s->data_masked = (int)(v & 1);
        deliver_data(s, now);
    } else {
        if (v <= s->prod) s->cons_reg = v;
        if (s->held && s->started - s->cons_reg < s->p->slots) {
            if (s->p->restart_ps == 0) restart_held(s, now);
            else { s->held = 2; s->next_due = now + s->p->restart_ps; }
        }
    }
}

/* EvtInterruptIsr: read INT_CAUSE at its end; claimed: write it back to clear it, and for data mask
   the data vector and queue the DPC */
static void isr_end(Sim *s, int64_t now) {
    s->r->isrs++;
    int cause = s->cause;
    s->isr_active = -1;
    if (cause == 0) {
        s->r->isrs_unclaimed++;
    } else {
        post_write(s, now, REG_INT_CAUSE, cause);
        if (cause & CAUSE_DATA) {
            if (s->p->rearm_by_mask) post_write(s, now, REG_MSI_MASK, 1);
            insert_queue_dpc(s, now);
        }
    }
    try_dispatch_isr(s, now);
}

static void dpc_step(Sim *s, int64_t now) {
    const DayParams *p = s->p;
    DayResult *r = s->r;
    switch (s->phase) {
    case D_WAIT_START:                      /* dequeued: queueable again before the routine runs */
        s->inserted = 0;
        s->run_queued = s->queued_at; s->run_start = now; s->copied = 0;
        s->phase = D_READ; s->dpc_ready = now + p->mmio_read_ps;      /* PROD_IDX read, interrupts held */
        break;
    case D_READ: {
        s->prod_read = s->prod;
        int64_t avail = s->prod_read - s->drv_cons;
        if (avail > p->slots) {               /* lapped: the oldest chunks are gone, skip them */
            int64_t gone = avail - p->slots;
            for (int64_t q = 0; q < gone; q++) lose(s, s->drv_cons + q);
            r->skipped += gone;
            s->drv_cons += gone;
        }
        s->phase = D_COPY_NEXT; s->dpc_ready = now;
        try_dispatch_isr(s, now);
        break;
    }
    case D_COPY_NEXT:
        if (s->drv_cons == s->prod_read) {    /* all copied: free the slots, unmask, return */
            post_write(s, now, REG_CONS_IDX, s->prod_read);
            if (p->rearm_by_mask) post_write(s, now, REG_MSI_MASK, 0);
            r->dpc_runs++;
            if (s->copied > r->max_chunks_per_dpc) r->max_chunks_per_dpc = s->copied;
            if (r->traced < p->trace_capacity) {
                int64_t *t = s->trace + 4 * r->traced++;
                t[0] = s->run_queued; t[1] = s->run_start; t[2] = s->prod_read; t[3] = s->copied;
            }
            if (s->inserted) {
                int64_t lat = next_latency(s);
                int64_t start = s->queued_at + lat + p->dpc_dispatch_ps;
                s->phase = D_WAIT_START; s->dpc_ready = start > now ? start : now;
            } else {
                s->phase = D_IDLE; s->dpc_ready = INF;
            }
            break;
        }
        {
            int64_t slot = s->drv_cons % p->slots;
            if (s->slot_seq[slot] != s->drv_cons) { lose(s, s->drv_cons); r->torn_or_replaced++; s->copy_start = -1; }
            else s->copy_start = now;
        }
        s->phase = D_EXEC; s->dpc_ready = now + p->chunk_copy_ps;
        break;
    case D_EXEC: {
        int64_t slot = s->drv_cons % p->slots;
        /* a refill of the slot that started before the copy's last read tore the copy */
        if (s->copy_start >= 0 && s->slot_seq[slot] != s->drv_cons
                && s->slot_claim[slot] <= s->copy_start + p->read_span_ps) {
            lose(s, s->drv_cons); r->torn_or_replaced++;
        }
        s->drv_cons++; s->copied++;
        s->phase = D_COPY_NEXT; s->dpc_ready = now;
        break;
    }
    }
}

int64_t day_run(const DayParams *p, const int64_t *latencies, DayResult *r, int64_t *ranges, int64_t *trace) {
    Sim s;
    memset(&s, 0, sizeof s);
    memset(r, 0, sizeof *r);
    s.p = p; s.lat = latencies; s.r = r; s.ranges = ranges; s.trace = trace;
    uint64_t x = p->seed;
    for (int i = 0; i < 4; i++) s.rng[i] = splitmix(&x);
    r->first_overwrite_seq = -1; r->first_overwrite_ps = -1;
    s.slot_seq = malloc(sizeof(int64_t) * p->slots);
    s.slot_claim = malloc(sizeof(int64_t) * p->slots);
    if (!s.slot_seq || !s.slot_claim) { free(s.slot_seq); free(s.slot_claim); return -1; }
    for (int64_t i = 0; i < p->slots; i++) { s.slot_seq[i] = -1; s.slot_claim[i] = -1; }
    s.isr_active = -1; s.phase = D_IDLE; s.dpc_ready = INF; s.write_done_at = INF;
    s.next_due = p->chunks > 0 ? p->start_offset_ps : INF;
    int64_t now = 0;
    while (r->status == 0) {
        /* the next event; at one instant: the device, then posted writes land, then an ISR ends, then
           the DPC steps (the device's tick was scheduled a period ahead, the others less than one) */
        int64_t t_fifo = s.f_n ? s.f_time[s.f_head] : INF;
        int64_t t_dev = s.next_due < s.write_done_at ? s.next_due : s.write_done_at;
        int64_t t_isr = s.isr_active >= 0 ? s.isr_end : INF;
        int64_t t_dpc = INF;
        if (s.phase != D_IDLE) {
            int needs_idle = s.phase != D_READ;
            if (!(needs_idle && s.isr_active >= 0)) t_dpc = s.dpc_ready > now ? s.dpc_ready : now;
        }
        int64_t t = t_fifo;
        if (t_dev < t) t = t_dev;
        if (t_isr < t) t = t_isr;
        if (t_dpc < t) t = t_dpc;
        if (t == INF) break;
        now = t;
        if (t_dev == t) {
            if (s.write_done_at == t) { s.write_done_at = INF; chunk_done(&s, now); }
            else if (s.held == 2) restart_held(&s, now);
            else chunk_due(&s, now);
        }
        else if (t_fifo == t) land_write(&s, now);
        else if (t_isr == t) isr_end(&s, now);
        else dpc_step(&s, now);
    }
    r->end_ps = now;
    r->stranded = s.prod - s.drv_cons;
    for (int64_t q = s.drv_cons; q < s.prod; q++) lose(&s, q);
    free(s.slot_seq); free(s.slot_claim);
    return r->status;
}
