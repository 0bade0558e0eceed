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
    /* clocked mode (clock_ps > 0): the RTL harness, edge by edge (see day_run_clocked) */
    int64_t clock_ps, slot_bytes, bus_bytes, max_burst, burst_extra, msi_land;
    int64_t rd_sample, rd_done, rd_busy, wr_effect, wr_busy, cons_extra;
    int64_t done_to_prod, done_to_cause, done_to_pending, ovr_to_cause, ovr_to_pending;
    int64_t start_to_busy, isr_entry_ps;
} DayParams;

typedef struct {
    int64_t status;                  /* 0 ok, 1 latency sequence exhausted, 2 MMIO queue overflow,
                                        3 (-DDAYMODEL_CHECK) a shortcut of the clocked loop changed a result */
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

/* the next DPC's latency (both modes): the sequence in order, cycled, or resampled */
static int64_t draw_latency(const DayParams *p, DayResult *r, const int64_t *lat, int64_t *lat_i, uint64_t *rng) {
    int64_t v;
    if (p->latency_mode == 2) {
        v = lat[xoshiro(rng) % (uint64_t)p->latency_count];
    } else {
        if (*lat_i >= p->latency_count) {
            if (p->latency_mode == 0) { r->status = 1; return -1; }
            *lat_i = 0;
        }
        v = lat[(*lat_i)++];
    }
    r->latencies_used++;
    if (v > r->max_latency_ps) r->max_latency_ps = v;
    return v;
}

/* a lost chunk (both modes): extends the range being built or starts the next one */
static void record_loss(const DayParams *p, DayResult *r, int64_t *ranges, int64_t *run_first, int64_t *run_count,
                        int64_t seq) {
    r->lost++;
    if (*run_count && *run_first + *run_count == seq) {
        (*run_count)++;
    } else {
        r->lost_ranges++;                 /* counted past the capacity: the caller sees the truncation */
        *run_first = seq; *run_count = 1;
    }
    int64_t i = r->lost_ranges - 1;
    if (i < p->max_ranges) { ranges[2 * i] = *run_first; ranges[2 * i + 1] = *run_count; }
}

/* a DPC run that copied ``copied`` chunks ended (both modes): the counts and the run's trace record */
static void record_dpc_run(const DayParams *p, DayResult *r, int64_t *trace, int64_t queued, int64_t start,
                           int64_t prod_read, int64_t copied) {
    r->dpc_runs++;
    if (copied > r->max_chunks_per_dpc) r->max_chunks_per_dpc = copied;
    if (r->traced < p->trace_capacity) {
        int64_t *t = trace + 4 * r->traced++;
        t[0] = queued; t[1] = start; t[2] = prod_read; t[3] = copied;
    }
}

static int64_t next_latency(Sim *s) { return draw_latency(s->p, s->r, s->lat, &s->lat_i, s->rng); }

static void lose(Sim *s, int64_t seq) { record_loss(s->p, s->r, s->ranges, &s->run_first, &s->run_count, seq); }

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
            record_dpc_run(p, r, s->trace, s->run_queued, s->run_start, s->prod_read, s->copied);
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

static int64_t day_run_clocked(const DayParams *p, const int64_t *latencies, DayResult *r, int64_t *ranges,
                               int64_t *trace);

int64_t day_run(const DayParams *p, const int64_t *latencies, DayResult *r, int64_t *ranges, int64_t *trace) {
    if (p->clock_ps > 0) return day_run_clocked(p, latencies, r, ranges, trace);
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

/* ---------------------------------------------------------------------------------------------
   Clocked mode: the RTL harness (tb_irqloop: rtl/ irqloop_dev, tb/hdl mmio_axil_master and
   host_mem_axi, the host model on cocotb). The device moves at clock edges (edge e is stream
   cycle e, at e x clock_ps); the loop takes only the edges where something can change
   (c_next_edge) and the host events between them, and a quiet chunk in one step (c_quiet_chunk).
   The host steps in picoseconds with an order key
   4t + k at time t:
     k = 0  Python woken by a timer (cocotb runs it before the clock edge of that time step),
     k = 1  the clock edge (the device, the MMIO master, the DMA writer, host memory),
     k = 2  a read completion and everything it wakes (the hook fires after the edge),
     k = 3  an MSI landing and what it wakes (its hook fires after the read completion's).
   The MMIO master takes one request at a time, in order, at an edge after it was queued.
   --------------------------------------------------------------------------------------------- */

#define Q_INT_CAUSE 0
#define Q_MSI_MASK 1
#define Q_CONS_IDX 2
#define Q_PROD_IDX 3
#define BUSQ 64
enum { W_ISR = 0, W_DPC = 1 };

typedef struct {
    const DayParams *p;
    DayResult *r;
    const int64_t *lat; uint64_t rng[4]; int64_t lat_i;
    int64_t *ranges, *trace;
    int64_t run_first, run_count;
    int64_t clk, period_cycles, tick_edge;
    /* device: state after the last edge taken */
    int64_t started, prod, cons_idx, due, held, held_edge;
    int64_t last_start, beats_left, slot_addr_next, cur_addr, chunk_done_edge, writer_free;
    int64_t prod_at, cause_data_at, pend_data_at, ovr_cause_at, ovr_pend_at;
    int cause, mask, pending[2];
    int64_t w1c_edge; int w1c_val;              /* INT_CAUSE written (cause_w1c pulse) */
    int64_t wr_eff_edge; int wr_eff_reg; int64_t wr_eff_val;
    int64_t cons_apply_at, cons_val;
    int64_t *slot_seq, *slot_beat;              /* claimant and the edge of its first data beat */
    /* MMIO: requests queued by the CPU, the one on the bus */
    int64_t q_key[BUSQ]; int q_reg[BUSQ]; int64_t q_val[BUSQ]; int q_who[BUSQ]; int q_head, q_n;
    int64_t bus_free, rd_pop; int rd_reg, rd_who; int64_t rd_value, rd_done_key;
    /* an MSI on its way: lands at msi_key */
    int64_t msi_key; int msi_vec;
    /* CPU 0 */
    int irr[2], irr_n, in_irr[2], isr_active, isr_reading, isr_vec, blocked;
    int64_t isr_start, isr_start_key, isr_timer_key;
    int stretch;                                /* the running ISR preempted the DPC's copy */
    /* the DPC */
    int inserted, phase; int64_t queued_at, dpc_key;
    int64_t drv_cons, prod_read, copied, run_queued, run_start;
    /* the loop: the first edge not yet taken, the order key of the last step */
    int64_t e, last_key;
} Clk;

static int64_t c_latency(Clk *s) { return draw_latency(s->p, s->r, s->lat, &s->lat_i, s->rng); }

static void c_lose(Clk *s, int64_t seq) { record_loss(s->p, s->r, s->ranges, &s->run_first, &s->run_count, seq); }

static void c_push(Clk *s, int64_t key, int reg, int64_t val, int who) {
    if (s->q_n == BUSQ) { s->r->status = 2; return; }
    int i = (s->q_head + s->q_n) % BUSQ;
    s->q_key[i] = key; s->q_reg[i] = reg; s->q_val[i] = val; s->q_who[i] = who; s->q_n++;
}

static int64_t c_time(int64_t key) { return key >> 2; }

/* the first source tick (a multiple of the period in cycles) at or after edge e; cached, since e only grows */
static inline int64_t c_tick_at_or_after(Clk *s, int64_t e) {
    if (s->tick_edge < e) s->tick_edge = (e + s->period_cycles - 1) / s->period_cycles * s->period_cycles;
    return s->tick_edge;
}

/* ---- the device at edge e: decisions on the state after edge e-1, then the changes at e ---- */
static void c_edge(Clk *s, int64_t e) {
    const DayParams *p = s->p;
    DayResult *r = s->r;
    int64_t clk = s->clk;
    /* a read on the bus samples its register (CSR: the value in the cycle AR is accepted) */
    if (s->rd_pop >= 0 && e == s->rd_pop + p->rd_sample)
        s->rd_value = s->rd_reg == Q_PROD_IDX ? s->prod : s->cause;
    /* ring_producer: the source's tick, and a due chunk starts when the writer is free */
    int tick = e == c_tick_at_or_after(s, e) && s->started < p->chunks;
    int busy = (s->last_start >= 0 && e - 1 >= s->last_start + p->start_to_busy && e - 1 < s->chunk_done_edge)
               || s->last_start == e - 1;
    int can_start = s->due && !busy;
    int full = s->started - s->cons_idx >= p->slots;
    int start = can_start && !(full && p->flow_control);
    if (can_start && full && p->flow_control && !s->held) { s->held = 1; s->held_edge = e; }
    /* dma_axi_writer: when idle, an MSI first (lowest vector), then the chunk's next burst */
    int sent[2] = {0, 0};
    if (s->writer_free <= e) {
        int req0 = s->pending[0] && !s->mask, req1 = s->pending[1];
        if (req0 || req1) {
            s->msi_vec = req0 ? 0 : 1; sent[s->msi_vec] = 1;
            s->msi_key = 4 * (e + p->msi_land) * clk + 3;
            s->writer_free = e + 1 + p->burst_extra;
        } else if (s->last_start >= 0 && e - 1 >= s->last_start + p->start_to_busy && s->beats_left > 0) {
            int64_t to_4k = (4096 - (s->cur_addr & 4095)) / p->bus_bytes;
            int64_t len = p->max_burst;
            if (s->beats_left < len) len = s->beats_left;
            if (to_4k < len) len = to_4k;
            if (s->beats_left * p->bus_bytes == p->slot_bytes) {
                int64_t slot = (s->started - 1) % p->slots;
                s->slot_beat[slot] = e + 2;                 /* AW at e, W handshake, first beat */
            }
            s->beats_left -= len; s->cur_addr += len * p->bus_bytes;
            s->writer_free = e + len + p->burst_extra;
            if (s->beats_left == 0) s->chunk_done_edge = e + len + p->burst_extra - 1;
        }
    }
    /* msi_vector_ctrl: software serviced a vector while it was masked (INT_CAUSE cleared) */
    int w1c_now = s->w1c_edge == e - 1;
    int serviced0 = w1c_now && (s->w1c_val & CAUSE_DATA) && !(s->cause & CAUSE_DATA);
    /* (the error vector is never masked: its pending bit is only cleared by its message) */
    s->pending[0] = (s->pending[0] && !sent[0] && !(serviced0 && s->mask)) || s->pend_data_at == e;
    s->pending[1] = (s->pending[1] && !sent[1]) || s->ovr_pend_at == e;
    /* ---- changes at edge e ---- */
    if (start) {
        int64_t slot = s->started % p->slots;
        if (full) {
            r->overwrites++;
            if (r->first_overwrite_seq < 0) { r->first_overwrite_seq = s->started; r->first_overwrite_ps = e * clk; }
            s->ovr_cause_at = e + p->ovr_to_cause; s->ovr_pend_at = e + p->ovr_to_pending;
        }
        if (s->held) {
            int64_t stall = (e - s->held_edge) * clk;
            r->stalled_chunks++; r->stall_ps += stall;
            if (stall > r->max_stall_ps) r->max_stall_ps = stall;
            s->held = 0;
        }
        s->slot_seq[slot] = s->started; s->slot_beat[slot] = INF;
        s->cur_addr = slot * p->slot_bytes;
        s->started++; r->produced++;
        s->due = 0; s->last_start = e; s->beats_left = p->slot_bytes / p->bus_bytes; s->chunk_done_edge = INF;
    } else if (tick) {
        s->due = 1;
    }
    if (e == s->chunk_done_edge) {
        s->prod_at = e + p->done_to_prod; s->cause_data_at = e + p->done_to_cause; s->pend_data_at = e + p->done_to_pending;
    }
    if (e == s->prod_at) s->prod++;
    if (e == s->cons_apply_at) {
        if (s->cons_val <= s->prod) s->cons_idx = s->cons_val;
    }
    int w1c = 0;
    if (e == s->wr_eff_edge) {
        if (s->wr_eff_reg == Q_INT_CAUSE) {
            w1c = (int)s->wr_eff_val;
            s->w1c_edge = e; s->w1c_val = w1c & s->cause;
        } else if (s->wr_eff_reg == Q_MSI_MASK) {
            s->mask = (int)(s->wr_eff_val & 1);
        } else {
            s->cons_apply_at = e + p->cons_extra; s->cons_val = s->wr_eff_val;
        }
    }
    s->cause = (s->cause & ~w1c) | (s->cause_data_at == e ? CAUSE_DATA : 0) | (s->ovr_cause_at == e ? CAUSE_OVERRUN : 0);
    /* mmio_axil_master: the next request, if the bus is free and it was queued before this edge */
    if (s->q_n && s->bus_free <= e && s->q_key[s->q_head] < 4 * e * clk + 1) {
        int i = s->q_head;
        s->q_head = (s->q_head + 1) % BUSQ; s->q_n--;
        if (s->q_reg[i] == Q_PROD_IDX || s->q_reg[i] == -1) {
            s->rd_pop = e; s->rd_reg = s->q_reg[i] == -1 ? Q_INT_CAUSE : Q_PROD_IDX; s->rd_who = s->q_who[i];
            s->rd_done_key = 4 * (e + p->rd_done) * clk + 2;
            s->bus_free = e + p->rd_busy;
        } else {
            s->wr_eff_edge = e + p->wr_effect; s->wr_eff_reg = s->q_reg[i]; s->wr_eff_val = s->q_val[i];
            s->bus_free = e + p->wr_busy;
        }
    }
}

/* The first edge at or after e where c_edge can change anything: every other edge leaves the state
   as it is (a decision there sees the same values as at the edge before and takes the same branch),
   so the loop jumps over them. c_edge acts only at
     - a scheduled edge: a read's sample, chunk_done, PROD_IDX, INT_CAUSE bits, a vector's pending bit,
       a write's effect (and the cause_w1c pulse's edge after), CONS_IDX reaching the producer;
     - a source tick while no chunk is due;
     - a due chunk's first edge with the writer's chunk slot free (start, or held), unless it is held
       on a full ring under flow control (then only CONS_IDX's arrival, scheduled, changes that);
     - the DMA writer's first free edge with a request (an MSI: pending and unmasked; else the
       chunk's next burst, once chunk_busy is up);
     - the MMIO master's first free edge after the head request was queued.
   The pending bits, the mask, the cause, the queue and CONS_IDX change only at such edges or at a
   host event, and the loop recomputes this after each. */
/* end_ps is the last step the edge-by-edge loop took: an event, or an edge while anything was still
   in flight (the bus, the writer, a pulse, a scheduled change); this is that "in flight" */
static int c_in_flight(Clk *s, int64_t e) {
    if (s->q_n || s->bus_free > e || s->rd_pop >= 0 || s->writer_free > e || s->beats_left > 0) return 1;
    if (s->last_start >= 0 && s->chunk_done_edge >= e - 1 && s->chunk_done_edge != INF) return 1;
    if (s->last_start == e - 1) return 1;
    if (s->prod_at >= e || s->cause_data_at >= e || s->pend_data_at >= e || s->ovr_cause_at >= e || s->ovr_pend_at >= e)
        return 1;
    if (s->wr_eff_edge >= e || s->cons_apply_at >= e || s->w1c_edge >= e - 1) return 1;
    if ((s->pending[0] && !s->mask) || s->pending[1]) return 1;
    if (s->due && (!s->held || s->cons_apply_at >= e - 1)) return 1;
    return 0;
}

static inline void c_min(int64_t *m, int64_t v) { if (v < *m) *m = v; }
static inline int64_t c_max(int64_t a, int64_t b) { return a > b ? a : b; }

static int64_t c_next_edge(Clk *s, int64_t e) {
    const DayParams *p = s->p;
    int64_t m = INF;
    if (s->rd_pop >= 0 && s->rd_pop + p->rd_sample >= e) c_min(&m, s->rd_pop + p->rd_sample);
    if (s->chunk_done_edge >= e) c_min(&m, s->chunk_done_edge);
    if (s->prod_at >= e) c_min(&m, s->prod_at);
    if (s->cause_data_at >= e) c_min(&m, s->cause_data_at);
    if (s->pend_data_at >= e) c_min(&m, s->pend_data_at);
    if (s->ovr_cause_at >= e) c_min(&m, s->ovr_cause_at);
    if (s->ovr_pend_at >= e) c_min(&m, s->ovr_pend_at);
    if (s->wr_eff_edge >= e) c_min(&m, s->wr_eff_edge);
    if (s->w1c_edge + 1 >= e) c_min(&m, s->w1c_edge + 1);
    if (s->cons_apply_at >= e) c_min(&m, s->cons_apply_at);
    if (m == e) return e;
    /* ring_producer: a tick, or the due chunk's first edge with the writer's chunk slot free */
    if (!s->due) {
        if (s->started < p->chunks) c_min(&m, c_tick_at_or_after(s, e));
    } else if (!(s->held && p->flow_control && s->started - s->cons_idx >= p->slots)) {
        int64_t c = e;
        if (s->last_start >= 0) {
            if (c == s->last_start + 1) c++;
            if (c - 1 >= s->last_start + p->start_to_busy && c - 1 < s->chunk_done_edge)
                c = s->chunk_done_edge == INF ? INF : s->chunk_done_edge + 1;
        }
        c_min(&m, c);
    }
    /* dma_axi_writer */
    if ((s->pending[0] && !s->mask) || s->pending[1]) c_min(&m, c_max(s->writer_free, e));
    else if (s->beats_left > 0 && s->last_start >= 0)
        c_min(&m, c_max(c_max(s->writer_free, e), s->last_start + p->start_to_busy + 1));
    /* mmio_axil_master: q_key < 4 x edge x clk + 1 */
    if (s->q_n) {
        int64_t k = s->q_key[s->q_head], per = 4 * s->clk, b = c_max(s->bus_free, e);
        c_min(&m, k < b * per + 1 ? b : (k + per - 1) / per);
    }
    return m;
}

static void c_isr_start(Clk *s, int64_t key) {
    s->isr_active = 1; s->isr_reading = 0; s->isr_vec = s->irr[0];
    s->in_irr[s->irr[0]] = 0; s->irr[0] = s->irr[1]; s->irr_n--;
    s->isr_start = c_time(key); s->isr_start_key = key;
    s->isr_timer_key = 4 * (s->isr_start + s->p->isr_entry_ps);
    /* an ISR preempts the DPC's copy: it ends that much later (known when the ISR ends) */
    s->stretch = s->phase == D_EXEC && key < s->dpc_key;
}

static void c_try_isr(Clk *s, int64_t key) {
    if (!s->isr_active && !s->blocked && s->irr_n) c_isr_start(s, key);
}

static void c_insert_dpc(Clk *s, int64_t key) {
    s->r->dpc_insert_attempts++;
    if (s->inserted) return;
    s->inserted = 1; s->queued_at = c_time(key); s->r->dpc_inserts++;
    if (s->phase == D_IDLE) {
        int64_t lat = c_latency(s);
        s->phase = D_WAIT_START; s->dpc_key = 4 * (s->queued_at + lat + s->p->dpc_dispatch_ps);
    }
}

static void c_isr_end(Clk *s, int64_t key) {
    int64_t dur = c_time(key) - s->isr_start;
    s->isr_active = 0; s->isr_reading = 0;
    if (s->stretch) s->dpc_key += 4 * dur;
    s->stretch = 0;
    c_try_isr(s, key);
    if (!s->isr_active && s->phase != D_IDLE && s->phase != D_READ && s->phase != D_EXEC && s->dpc_key < key)
        s->dpc_key = key;                      /* it waited for the ISR: it goes on as the ISR returns */
}

static void c_read_done(Clk *s, int64_t key) {
    const DayParams *p = s->p;
    DayResult *r = s->r;
    int64_t v = s->rd_value;
    int who = s->rd_who;
    s->rd_pop = -1; s->rd_done_key = INF;
    if (who == W_ISR) {                         /* EvtInterruptIsr: the INT_CAUSE it read */
        r->isrs++;
        if (v == 0) r->isrs_unclaimed++;
        else {
            c_push(s, key, Q_INT_CAUSE, v, W_ISR);
            if (v & CAUSE_DATA) {
                if (p->rearm_by_mask) c_push(s, key, Q_MSI_MASK, 1, W_ISR);
                c_insert_dpc(s, key);
            }
        }
        c_isr_end(s, key);
        return;
    }
    /* the DPC's PROD_IDX: skip what was overwritten beyond the ring */
    s->prod_read = v;
    int64_t avail = s->prod_read - s->drv_cons;
    if (avail > p->slots) {
        int64_t gone = avail - p->slots;
        for (int64_t q = 0; q < gone; q++) c_lose(s, s->drv_cons + q);
        r->skipped += gone; s->drv_cons += gone;
    }
    s->blocked = 0;
    s->phase = D_COPY_NEXT; s->dpc_key = key;
    c_try_isr(s, key);
}

static void c_dpc_step(Clk *s, int64_t key) {
    const DayParams *p = s->p;
    DayResult *r = s->r;
    int64_t now = c_time(key);
    switch (s->phase) {
    case D_WAIT_START:                          /* dequeued: queueable again before the routine runs */
        s->inserted = 0;
        s->run_queued = s->queued_at; s->run_start = now; s->copied = 0;
        s->blocked = 1;                         /* the PROD_IDX read holds interrupts off */
        c_push(s, key, Q_PROD_IDX, 0, W_DPC);
        s->phase = D_READ; s->dpc_key = INF;
        break;
    case D_COPY_NEXT:
        if (s->drv_cons == s->prod_read) {
            c_push(s, key, Q_CONS_IDX, s->prod_read, W_DPC);
            if (p->rearm_by_mask) c_push(s, key, Q_MSI_MASK, 0, W_DPC);
            record_dpc_run(p, r, s->trace, s->run_queued, s->run_start, s->prod_read, s->copied);
            if (s->inserted) {
                int64_t lat = c_latency(s);
                int64_t start = s->queued_at + lat + p->dpc_dispatch_ps;
                s->phase = D_WAIT_START; s->dpc_key = start > now ? 4 * start : key;
            } else {
                s->phase = D_IDLE; s->dpc_key = INF;
            }
            break;
        }
        {   /* the copy reads the slot now: a refill whose first beat has landed tore or replaced it */
            int64_t slot = s->drv_cons % p->slots, q = s->slot_seq[slot], b = s->slot_beat[slot];
            int landed = q >= s->drv_cons + 2 * p->slots
                         || (q == s->drv_cons + p->slots && b != INF
                             && (b * s->clk < now || (b * s->clk == now && (key & 3) > 1)));
            if (landed) { c_lose(s, s->drv_cons); r->torn_or_replaced++; }
        }
        s->phase = D_EXEC; s->dpc_key = 4 * (now + p->chunk_copy_ps);
        break;
    case D_EXEC:
        s->drv_cons++; s->copied++;
        s->phase = D_COPY_NEXT;
        break;
    }
}

#ifdef DAYMODEL_CHECK
#include <stdio.h>
/* every edge the loop jumps over (up to 4096 of them) changes nothing: take it on a copy and compare */
static void c_check_skip(Clk *s, int64_t ne, int64_t hk) {
    for (int64_t x = s->e; x < ne && x < s->e + 4096 && 4 * x * s->clk + 1 < hk; x++) {
        Clk c; DayResult rc = *s->r;
        memcpy(&c, s, sizeof c);
        c.r = &rc;
        c_edge(&c, x);
        c.r = s->r; c.tick_edge = s->tick_edge;
        if (memcmp(&c, s, sizeof c) || memcmp(&rc, s->r, sizeof rc)) {
            fprintf(stderr, "daymodel: edge %ld was skipped but changes the state\n", (long)x);
            s->r->status = 3;
            return;
        }
    }
}
#endif

/* one step of the loop: the next host event, or the next edge that can change anything (0: nothing left) */
static inline int c_step(Clk *s) {
    int64_t ne = c_next_edge(s, s->e);
    /* the next host event: a read completion, then an ISR's timer, the DPC, an MSI landing */
    int64_t hk = s->rd_done_key, which = 0;
    if (s->isr_active && !s->isr_reading && s->isr_timer_key < hk) { hk = s->isr_timer_key; which = 1; }
    int dpc_can = s->phase != D_IDLE && s->phase != D_READ && !s->isr_active;
    if (dpc_can && s->dpc_key < hk) { hk = s->dpc_key; which = 2; }
    if (s->msi_key < hk) { hk = s->msi_key; which = 3; }
    if (hk == INF && ne == INF) return 0;
#ifdef DAYMODEL_CHECK
    c_check_skip(s, ne, hk);
    if (s->r->status) return 0;
#endif
    if (ne == INF || hk < 4 * ne * s->clk + 1) {
        s->last_key = hk;
        if (which == 0) c_read_done(s, hk);
        else if (which == 1) { s->isr_reading = 1; c_push(s, hk, -1, 0, W_ISR); }
        else if (which == 2) c_dpc_step(s, hk);
        else {                                  /* an MSI: one already waiting at the CPU absorbs it */
            int v = s->msi_vec;
            s->msi_key = INF;
            if (s->in_irr[v]) s->r->msi_collapsed++;
            else { s->irr[s->irr_n++] = v; s->in_irr[v] = 1; c_try_isr(s, hk); }
        }
        int64_t first_edge = (hk - 1) / (4 * s->clk) + 1;   /* edges before it had nothing to do */
        if (first_edge > s->e) s->e = first_edge;
    } else {
        c_edge(s, ne);
        s->last_key = 4 * ne * s->clk + 1;
        s->e = ne + 1;
    }
    return 1;
}

/* ---- a quiet chunk in one step ----
   Most chunks of a day start with nothing else going on: the ring drained, the bus, the writer and
   the CPU idle, no vector pending or masked, no cause set. From there the chunk's whole life is a
   fixed sequence of edges and host events (below, with RtlCycles' figures; T is its tick), and
   c_quiet_chunk computes where the loop would be after it, field by field, instead of taking its
   ~20 edges and ~10 host events one at a time. It does so only if the next tick comes after all of
   it (else the tick, or a later chunk, could meet it), and when the DPC's latency makes its part too
   long it stops where the latency is drawn (the ISR's INT_CAUSE read completing) and hands over to
   the loop there. The sequence (edges; keys 4t + k as in the loop):
     T tick (due); S = T+1 chunk_start; bursts from S+2 (each len + 3 edges, the first beat at
     AW + 2); chunk_done D; PROD_IDX D+1, INT_CAUSE.DATA D+2, pending D+3; MSI issued M = D+4,
     landing at M+2 (key 4(M+2)clk + 3): the ISR starts, its INT_CAUSE read is queued isr_entry_ps
     later (key 4I) and goes out at r = max(ceil(I/clk), M+3), samples at r+1 and completes at
     r+2 (key K = 4(r+2)clk + 2): the ISR queues the DPC (latency drawn here) and its INT_CAUSE
     write (out r+3, effect r+5, bus free r+7) and MSI_MASK write (out r+7, effect r+9, free r+11).
     The DPC starts at key ks = 4(queued + latency + dispatch) (K if that is 0: it waited for the
     ISR), its PROD_IDX read goes out at p = max(r+11, ceil(ks/4clk)), samples at p+1, completes at
     p+2; the copy of the one slot ends at tc = (p+2)clk + copy; its CONS_IDX write goes out at
     q = max(p+3, ceil(tc/clk)) (effect q+2, at the producer q+3), its MSI_MASK write at q+4
     (effect q+6, bus free q+8). The loop's last step is edge q+6.
   Checked against the loop itself, state for state, by building with -DDAYMODEL_CHECK (every quiet
   chunk is also run through the loop from a copy and the two compared byte for byte). */
static int c_fast_ok(const DayParams *p) {        /* the figures the sequence above was derived with */
    return p->rearm_by_mask && p->start_to_busy == 1 && p->burst_extra == 3 && p->msi_land == 2 && p->rd_sample == 1
        && p->rd_done == 2 && p->rd_busy == 3 && p->wr_effect == 2 && p->wr_busy == 4 && p->cons_extra == 1
        && p->done_to_prod == 1 && p->done_to_cause == 2 && p->done_to_pending == 3;
}

static inline int c_quiet(const Clk *s) {
    const DayParams *p = s->p;
    int64_t e = s->e;
    return s->phase == D_IDLE && !s->isr_active && !s->irr_n && s->msi_key == INF && s->rd_done_key == INF
        && !s->inserted && !s->blocked && !s->q_n && s->rd_pop < 0
        && !s->due && !s->held && !s->beats_left && s->started < p->chunks
        && s->cons_idx == s->started && s->prod == s->started && s->drv_cons == s->prod
        && !s->pending[0] && !s->pending[1] && !s->mask && !s->cause
        && (s->last_start < 0 || s->chunk_done_edge < e)
        && s->prod_at < e && s->cause_data_at < e && s->pend_data_at < e && s->ovr_cause_at < e
        && s->ovr_pend_at < e && s->wr_eff_edge < e && s->w1c_edge + 1 < e && s->cons_apply_at < e
        && (p->latency_mode != 0 || s->lat_i < p->latency_count);
}

static inline int64_t c_ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

static int c_quiet_chunk(Clk *s) {
    const DayParams *p = s->p;
    DayResult *r = s->r;
    int64_t clk = s->clk, per = 4 * clk;
    int64_t T = c_tick_at_or_after(s, s->e), next_tick = T + s->period_cycles;
    if (s->writer_free > T || s->bus_free > T) return 0;
    /* the device: the chunk's start, its bursts, chunk_done, the MSI */
    int64_t S = T + 1, seq = s->started, slot = seq % p->slots;
    int64_t a = S + p->start_to_busy + 1, beats = p->slot_bytes / p->bus_bytes, addr = slot * p->slot_bytes;
    int64_t first_beat = a + 2, D;
    for (;;) {
        int64_t len = p->max_burst, to_4k = (4096 - (addr & 4095)) / p->bus_bytes;
        if (beats < len) len = beats;
        if (to_4k < len) len = to_4k;
        beats -= len; addr += len * p->bus_bytes;
        if (!beats) { D = a + len + p->burst_extra - 1; break; }
        a += len + p->burst_extra;
    }
    int64_t M = D + p->done_to_pending + 1, land = M + p->msi_land;
    /* the ISR and its INT_CAUSE read */
    int64_t t_isr = land * clk, I = t_isr + p->isr_entry_ps;
    int64_t rd = c_ceil_div(I, clk);
    if (rd < land + 1) rd = land + 1;
    if (rd + p->rd_done >= next_tick) return 0;
    int64_t K = 4 * (rd + p->rd_done) * clk + 2, queued = (rd + p->rd_done) * clk;
    /* ---- from here on the chunk is the loop's: first the state after the ISR's read completes ---- */
    int h = s->q_head;
    s->q_key[h] = 4 * I; s->q_reg[h] = -1; s->q_val[h] = 0; s->q_who[h] = W_ISR;
    int h1 = (h + 1) % BUSQ, h2 = (h + 2) % BUSQ;
    s->q_key[h1] = K; s->q_reg[h1] = Q_INT_CAUSE; s->q_val[h1] = CAUSE_DATA; s->q_who[h1] = W_ISR;
    s->q_key[h2] = K; s->q_reg[h2] = Q_MSI_MASK; s->q_val[h2] = 1; s->q_who[h2] = W_ISR;
    s->q_head = h1; s->q_n = 2;
    s->rd_pop = -1; s->rd_reg = Q_INT_CAUSE; s->rd_who = W_ISR; s->rd_value = CAUSE_DATA; s->rd_done_key = INF;
    s->bus_free = rd + p->rd_busy;
    s->slot_seq[slot] = seq; s->slot_beat[slot] = first_beat;
    s->cur_addr = addr; s->started++; r->produced++; s->last_start = S; s->beats_left = 0;
    s->chunk_done_edge = D; s->writer_free = M + 1 + p->burst_extra;
    s->prod_at = D + p->done_to_prod; s->cause_data_at = D + p->done_to_cause; s->pend_data_at = D + p->done_to_pending;
    s->prod++; s->cause = CAUSE_DATA;
    s->tick_edge = next_tick;
    s->msi_key = INF; s->msi_vec = 0;
    s->irr[0] = s->irr[1]; s->in_irr[0] = 0;
    s->isr_active = 0; s->isr_reading = 0; s->isr_vec = 0; s->stretch = 0;
    s->isr_start = t_isr; s->isr_start_key = 4 * t_isr + 3; s->isr_timer_key = 4 * I;
    r->isrs++;
    r->dpc_insert_attempts++; r->dpc_inserts++;
    s->inserted = 1; s->queued_at = queued;
    int64_t lat = c_latency(s);
    int64_t ks = lat + p->dpc_dispatch_ps == 0 ? K : 4 * (queued + lat + p->dpc_dispatch_ps);
    s->phase = D_WAIT_START; s->dpc_key = ks;
    s->e = rd + p->rd_done + 1; s->last_key = K;
    /* the DPC: PROD_IDX, the copy, CONS_IDX and the unmask, if all of it comes before the next tick */
    int64_t wr1 = rd + p->rd_busy, wr2 = wr1 + p->wr_busy;
    int64_t pr = c_ceil_div(ks, per);
    if (pr < wr2 + p->wr_busy) pr = wr2 + p->wr_busy;
    int64_t t_copy = (pr + p->rd_done) * clk + p->chunk_copy_ps;
    int64_t qc = c_ceil_div(t_copy, clk);
    if (qc < pr + p->rd_busy) qc = pr + p->rd_busy;
    int64_t qm = qc + p->wr_busy;
    if (qm + p->wr_effect >= next_tick) return 1;
    int h3 = (h + 3) % BUSQ, h4 = (h + 4) % BUSQ, h5 = (h + 5) % BUSQ;
    s->q_key[h3] = ks; s->q_reg[h3] = Q_PROD_IDX; s->q_val[h3] = 0; s->q_who[h3] = W_DPC;
    s->q_key[h4] = 4 * t_copy; s->q_reg[h4] = Q_CONS_IDX; s->q_val[h4] = s->prod; s->q_who[h4] = W_DPC;
    s->q_key[h5] = 4 * t_copy; s->q_reg[h5] = Q_MSI_MASK; s->q_val[h5] = 0; s->q_who[h5] = W_DPC;
    s->q_head = (h + 6) % BUSQ; s->q_n = 0;
    s->rd_reg = Q_PROD_IDX; s->rd_who = W_DPC; s->rd_value = s->prod;
    s->bus_free = qm + p->wr_busy;
    s->cause = 0; s->w1c_edge = wr1 + p->wr_effect; s->w1c_val = CAUSE_DATA;
    s->wr_eff_edge = qm + p->wr_effect; s->wr_eff_reg = Q_MSI_MASK; s->wr_eff_val = 0;
    s->cons_apply_at = qc + p->wr_effect + p->cons_extra; s->cons_val = s->prod; s->cons_idx = s->prod;
    s->inserted = 0; s->phase = D_IDLE; s->dpc_key = INF;
    s->run_queued = queued; s->run_start = c_time(ks); s->copied = 1; s->prod_read = s->prod; s->drv_cons++;
    record_dpc_run(p, r, s->trace, s->run_queued, s->run_start, s->prod_read, s->copied);
    s->e = qm + p->wr_effect + 1; s->last_key = 4 * (qm + p->wr_effect) * clk + 1;
    return 1;
}

#ifdef DAYMODEL_CHECK
/* run the quiet chunk through the loop from a copy and compare: every field, the slots, the counts */
static int c_checked_quiet_chunk(Clk *s) {
    int64_t n = s->p->slots;
    Clk c; DayResult rc = *s->r;
    memcpy(&c, s, sizeof c);
    int64_t *seq = malloc(8 * n), *beat = malloc(8 * n);
    memcpy(seq, s->slot_seq, 8 * n); memcpy(beat, s->slot_beat, 8 * n);
    int64_t traced = s->r->traced;
    int done = c_quiet_chunk(s);
    if (!done) { free(seq); free(beat); return 0; }
    int64_t trow[4] = {0, 0, 0, 0};
    if (s->r->traced > traced) memcpy(trow, s->trace + 4 * traced, sizeof trow);
    int64_t *sseq = c.slot_seq, *sbeat = c.slot_beat;
    c.slot_seq = seq; c.slot_beat = beat; c.r = &rc;
    rc.traced = traced;
    while (c.last_key < s->last_key && rc.status == 0) c_step(&c);
    c.slot_seq = sseq; c.slot_beat = sbeat; c.r = s->r;
    int64_t trow2[4] = {0, 0, 0, 0};
    if (rc.traced > traced) memcpy(trow2, s->trace + 4 * traced, sizeof trow2);
    if (memcmp(&c, s, sizeof c) || memcmp(&rc, s->r, sizeof rc) || memcmp(seq, s->slot_seq, 8 * n)
            || memcmp(beat, s->slot_beat, 8 * n) || memcmp(trow, trow2, sizeof trow)) {
        fprintf(stderr, "daymodel: quiet chunk %ld differs from the loop's\n", (long)(s->started - 1));
        s->r->status = 3;
    }
    free(seq); free(beat);
    return 1;
}
#define c_quiet_chunk c_checked_quiet_chunk
#endif

static int64_t day_run_clocked(const DayParams *p, const int64_t *latencies, DayResult *r, int64_t *ranges,
                               int64_t *trace) {
    Clk s;
    memset(&s, 0, sizeof s);
    memset(r, 0, sizeof *r);
    s.p = p; s.r = r; s.lat = latencies; s.ranges = ranges; s.trace = trace; s.clk = p->clock_ps;
    uint64_t x = p->seed;
    for (int i = 0; i < 4; i++) s.rng[i] = splitmix(&x);
    r->first_overwrite_seq = -1; r->first_overwrite_ps = -1;
    s.slot_seq = malloc(sizeof(int64_t) * p->slots);
    s.slot_beat = malloc(sizeof(int64_t) * p->slots);
    if (!s.slot_seq || !s.slot_beat) { free(s.slot_seq); free(s.slot_beat); return -1; }
    for (int64_t i = 0; i < p->slots; i++) { s.slot_seq[i] = -1; s.slot_beat[i] = INF; }
    s.last_start = -1; s.chunk_done_edge = INF; s.prod_at = s.cause_data_at = s.pend_data_at = -1;
    s.ovr_cause_at = s.ovr_pend_at = -1; s.w1c_edge = -2; s.wr_eff_edge = -1; s.cons_apply_at = -1;
    s.rd_pop = -1; s.rd_done_key = INF; s.msi_key = INF; s.phase = D_IDLE; s.dpc_key = INF;
    s.period_cycles = p->period_ps / p->clock_ps; s.tick_edge = -1;
    s.e = 0; s.last_key = 0;
    int fast = c_fast_ok(p);
    while (r->status == 0) {
        if (fast && c_quiet(&s) && c_quiet_chunk(&s)) continue;
        if (!c_step(&s)) break;
    }
    /* the edges after the last event that still had something in flight (the edge-by-edge loop took
       them; they change nothing) */
    while (c_in_flight(&s, s.e)) { s.last_key = 4 * s.e * s.clk + 1; s.e++; }
    r->end_ps = c_time(s.last_key);
    r->stranded = s.prod - s.drv_cons;
    for (int64_t q = s.drv_cons; q < s.prod; q++) c_lose(&s, q);
    free(s.slot_seq); free(s.slot_beat);
    return r->status;
}
