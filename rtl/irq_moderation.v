// irq_moderation: per-vector interrupt coalescing and rate limiting, ahead of the MSI
// mask/pending logic (msi_vector_ctrl). Registers: block IV_BLOCK in irqloop_regs.vh.
//
// Coalescing follows NVMe Interrupt Coalescing (Feature 08h), per vector:
//   - THR (bits 7:0) is zero-based: a message once THR+1 events are aggregated;
//   - TIME (bits 15:8) in 100 us units of TICK_CYCLES clock cycles: a message once TIME units
//     have passed since the first aggregated event (see "Timers" for the resolution);
//   - whichever comes first; THR = 0 or TIME = 0 means no aggregation (0 disables: TIME 0 is
//     "no delay" in the spec), and so does CD, the Coalescing Disable bit of Feature 09h;
//   - events marked immediate (error completions, the error vector) are never aggregated: they
//     send at once and take any aggregated events with them;
//   - DB_RESTART (bit 17): a head doorbell of a queue mapped to the vector restarts the time.
//     The spec allows this ("may result in interrupts being delayed indefinitely"); off by default;
//   - when software has serviced everything the vector covers (serviced), aggregated events are
//     dropped: there is nothing left to interrupt for.
// Rate limiting (IVR_RATE, cycles): once a message of the vector is sent (sent), the vector
// signals nothing for RATE cycles; events in the interval collapse into one at its end.
// merged counts events that did not send a message of their own.
//
// Timers. Both timers count shared steps, not cycles, so that a vector costs a few counter bits
// and nothing runs per vector between steps:
//   - the aggregation time counts steps of TIME_STEP cycles (TICK_CYCLES / TIME_STEP steps per
//     unit) from the step after the first event: it ends between TIME_STEP - 1 cycles early and
//     on time (NVMe's TIME is a maximum: never late);
//   - the rate limit counts steps of 2^RATE_SHIFT cycles: the interval ends on the first step at
//     least RATE cycles after the message was sent (the count loaded at the send takes the
//     phase of the step into account), up to 2^RATE_SHIFT - 1 cycles late: two messages of a
//     vector are never closer than RATE cycles.
// TIME_STEP = 1 and RATE_SHIFT = 0 give cycle-exact timers.
//
// Inputs come as lanes, each naming its vector: three event lanes (a queue entry, a stream chunk,
// an error; several may name the same vector), a doorbell lane and the sent lane. The settings
// live in RAMs (not reset: a bit per vector says whether a setting was written, else it reads 0)
// read at the lanes' vectors; per vector, flip-flops hold the aggregated count, the two timers,
// the held and fire bits and two bits of the settings that the timers need at a step.
`resetall
`default_nettype none

module irq_moderation #(
    parameter integer NUM_VEC     = 6,
    parameter integer TICK_CYCLES = 25000,     // clock cycles per 100 us (250 MHz)
    parameter integer TIME_STEP   = 250,       // cycles per step of the aggregation time (divides TICK_CYCLES)
    parameter integer RATE_SHIFT  = 7,         // the rate limit counts steps of 2^RATE_SHIFT cycles
    parameter integer VW          = (NUM_VEC > 1) ? $clog2(NUM_VEC) : 1
) (
    input  wire                 clk,
    input  wire                 rst,

    input  wire                 reg_we,
    input  wire [11:0]          reg_waddr,
    input  wire [31:0]          reg_wdata,
    input  wire [11:0]          reg_raddr,
    input  wire                 reg_re,        // reg_raddr is read at this edge
    output reg  [31:0]          reg_rdata,     // registered: the register read at the last reg_re

    input  wire [2:0]           ev_valid,      // an event on lane k this cycle
    input  wire [3*VW-1:0]      ev_vec,        // lane k's vector
    input  wire [2:0]           ev_now,        // lane k's event is immediate (never coalesced)
    input  wire                 db_valid,      // a head doorbell of a queue mapped to db_vec
    input  wire [VW-1:0]        db_vec,
    input  wire [NUM_VEC-1:0]   serviced,      // nothing left outstanding on the vector
    input  wire                 sent_valid,    // the message of sent_vec left the device
    input  wire [VW-1:0]        sent_vec,
    input  wire [NUM_VEC-1:0]   pending,       // the vector's message waits to be sent

    output reg  [NUM_VEC-1:0]   fire,          // pulse: send the vector's message
    output reg  [31:0]          merged,
    output reg  [31:0]          by_thr,        // aggregations ended by the threshold (THR + 1 events)
    output reg  [31:0]          by_time        // aggregations ended by the aggregation time
);

`include "irqloop_regs.vh"

    localparam integer BLOCK_END  = 32'(IV_BLOCK) + NUM_VEC * 32'(IV_STRIDE);
    localparam integer UNIT_STEPS = TICK_CYCLES / TIME_STEP;           // steps per 100 us unit
    localparam integer TW         = $clog2(255 * UNIT_STEPS + 1);       // the aggregation timer
    localparam integer RW         = 25 - RATE_SHIFT;                    // the rate timer (steps)
    localparam integer TPW        = (TIME_STEP > 1) ? $clog2(TIME_STEP) : 1;
    localparam integer RPW        = (RATE_SHIFT > 0) ? RATE_SHIFT : 1;

`ifndef __ICARUS__
    // (Icarus 11 has no elaboration-time $error; Verilator and Yosys stop here)
    generate
        if (TICK_CYCLES % TIME_STEP != 0 || TIME_STEP < 1) begin : g_bad_step
            $error("irq_moderation: TIME_STEP must divide TICK_CYCLES");
        end
    endgenerate
`endif

    // ---- settings: RAMs written from the register bus ----
    reg [17:0]        coal_ram [0:NUM_VEC-1];
    reg [23:0]        rate_ram [0:NUM_VEC-1];
    reg [NUM_VEC-1:0] coal_set, rate_set;     // written since reset (else the setting reads 0)
    reg [NUM_VEC-1:0] active;                 // coalescing on: !CD, THR != 0, TIME != 0
    reg [NUM_VEC-1:0] rate_on;                // RATE != 0

    wire          w_in  = reg_we && reg_waddr >= IV_BLOCK && {20'd0, reg_waddr} < BLOCK_END;
    wire [11:0]   w_off = reg_waddr - IV_BLOCK;
    wire [VW-1:0] w_v   = w_off[3 +: VW];

    always @(posedge clk) begin
        if (w_in && !w_off[2]) coal_ram[w_v] <= reg_wdata[17:0];
        if (w_in &&  w_off[2]) rate_ram[w_v] <= reg_wdata[23:0];
    end

    function automatic [17:0] coal_of(input [VW-1:0] i);
        coal_of = coal_set[i] ? coal_ram[i] : 18'd0;
    endfunction

    // the lanes' settings (read ports of the RAMs)
    wire [VW-1:0] ev_v0 = ev_vec[0 +: VW];
    wire [VW-1:0] ev_v1 = ev_vec[VW +: VW];
    wire [VW-1:0] ev_v2 = ev_vec[2*VW +: VW];
    // (written out, not through a function: a continuous assignment of a function call follows
    // only its arguments in an event-driven simulator such as Icarus, not the RAM it reads)
    wire [15:0]   cfg0  = coal_set[ev_v0] ? coal_ram[ev_v0][15:0] : 16'd0;
    wire [15:0]   cfg1  = coal_set[ev_v1] ? coal_ram[ev_v1][15:0] : 16'd0;
    wire [15:0]   cfg2  = coal_set[ev_v2] ? coal_ram[ev_v2][15:0] : 16'd0;
    wire [17:0]   cfg_db = coal_set[db_vec] ? coal_ram[db_vec] : 18'd0;
    wire [23:0]   rate_sent = rate_set[sent_vec] ? rate_ram[sent_vec] : 24'd0;
    // the aggregation time in steps, once per lane (not per vector)
    wire [TW-1:0] tload0   = TW'(cfg0[15:8]) * TW'(UNIT_STEPS);
    wire [TW-1:0] tload1   = TW'(cfg1[15:8]) * TW'(UNIT_STEPS);
    wire [TW-1:0] tload2   = TW'(cfg2[15:8]) * TW'(UNIT_STEPS);
    wire [TW-1:0] tload_db = TW'(cfg_db[15:8]) * TW'(UNIT_STEPS);
    // ---- the shared steps ----
    reg [TPW-1:0] t_pre;
    reg [RPW-1:0] r_pre;
    wire step_t = (TIME_STEP == 1) || t_pre == TPW'(TIME_STEP - 1);
    wire step_r = (RATE_SHIFT == 0) || r_pre == {RPW{1'b1}};

    // the rate interval in steps: it ends on the first step at least RATE cycles after the send.
    // The first step after this cycle is r_first cycles away, the next ones 2^RATE_SHIFT apart.
    wire [24:0]   r_first    = (RATE_SHIFT == 0 || step_r) ? 25'(1 << RATE_SHIFT)
                                                           : 25'({RPW{1'b1}} - r_pre);
    wire [24:0]   rate_beyond = {1'b0, rate_sent} - r_first + 25'((1 << RATE_SHIFT) - 1);
    wire [RW-1:0] rate_steps = (rate_sent == 24'd0) ? {RW{1'b0}}
                             : ({1'b0, rate_sent} <= r_first) ? RW'(1)
                             : RW'(rate_beyond >> RATE_SHIFT) + 1'b1;

    // ---- per vector: flip-flops ----
    // Read and written only by the clocked block below, which updates them with blocking
    // assignments (each vector's new state from its old state, computed first): a simulator then
    // writes what changed in cycles with something to do and keeps no per-element bookkeeping of
    // non-blocking writes in every cycle. fire, read by msi_vector_ctrl, is non-blocking.
    (* mem2reg *) reg [8:0]    agg   [0:NUM_VEC-1];   // events aggregated
    (* mem2reg *) reg [TW-1:0] tleft [0:NUM_VEC-1];   // steps left of the aggregation time
    (* mem2reg *) reg [RW-1:0] rl    [0:NUM_VEC-1];   // steps left of the rate-limit interval
    reg [NUM_VEC-1:0] held;             // a message waits for the interval's end
    reg               timing;           // some vector has agg != 0 or rl != 0: a step has work

    // A cycle with no lane, and no step while a timer runs, changes nothing: the per-vector loop
    // below runs only in cycles with something to do (a simulator spends nothing per vector
    // otherwise). In the loop, the decisions are blocking temporaries (combinational logic):
    //   cf      the coalescer wants a message now
    //   fn      the rate limiter lets a message out now
    //   at_thr  THR + 1 events are aggregated now (the aggregation ends by the threshold)
    wire lanes = |ev_valid || db_valid || |serviced || sent_valid;
    // (timing: updated by the loop, which visits every vector whenever any state changes)
    wire work  = lanes || ((step_t || step_r) && timing);

    integer v;
    reg [1:0]    cnt;
    reg          ev, now_ev, hit0, hit1, hit2, dbr, sent_v, expired, cf, queued, fn, at_thr, rl_over, rl_end;
    reg [7:0]    thr;                             // THR of the vector's lane
    reg [9:0]    total;
    reg [8:0]    a_old;
    reg [TW-1:0] t_old, tload;
    reg [RW-1:0] r_old;
    reg [NUM_VEC-1:0] fire_n;
    reg          running;                         // a timer of some vector runs after this edge
    reg [15:0]   merged_now, thr_now, time_now;   // at most 7 merged per vector: 16 bits hold 64 vectors
    /* verilator lint_off BLKSEQ */
    always @(posedge clk) begin
        merged_now = 16'd0;
        thr_now    = 16'd0;
        time_now   = 16'd0;
        fire_n     = {NUM_VEC{1'b0}};
        if (work) begin
            running = 1'b0;
            for (v = 0; v < NUM_VEC; v = v + 1) begin
                a_old   = agg[v];
                t_old   = tleft[v];
                r_old   = rl[v];
                hit0    = ev_valid[0] && ev_v0 == VW'(v);
                hit1    = ev_valid[1] && ev_v1 == VW'(v);
                hit2    = ev_valid[2] && ev_v2 == VW'(v);
                cnt     = {1'b0, hit0} + {1'b0, hit1} + {1'b0, hit2};
                ev      = cnt != 2'd0;
                now_ev  = (hit0 && ev_now[0]) || (hit1 && ev_now[1]) || (hit2 && ev_now[2]);
                thr     = hit0 ? cfg0[7:0] : hit1 ? cfg1[7:0] : hit2 ? cfg2[7:0] : 8'd0;
                dbr     = db_valid && db_vec == VW'(v) && cfg_db[COAL_DB_RESTART];
                sent_v  = sent_valid && sent_vec == VW'(v);
                tload   = hit0 ? tload0 : hit1 ? tload1 : hit2 ? tload2 : tload_db;
                total   = {1'b0, a_old} + {8'd0, cnt};
                expired = a_old != 9'd0 && step_t && t_old == TW'(1);
                cf      = ev ? (!active[v] || now_ev || total >= {2'd0, thr} + 10'd1 || expired)
                             : (expired && !serviced[v]);
                // with a rate set, a message already on its way (fired or pending) takes the event
                queued  = rate_on[v] && (fire[v] || pending[v]);
                rl_over = r_old == {RW{1'b0}};
                rl_end  = step_r && r_old == RW'(1);
                fn      = !queued && ((cf && rl_over) || (rl_end && (held[v] || cf)));
                at_thr  = ev && !now_ev && total >= {2'd0, thr} + 10'd1;
                fire_n[v] = fn;
                merged_now = merged_now + ((ev && !cf) ? {14'd0, cnt} : 16'd0)
                                        + ((cf && !fn && (held[v] || queued)) ? 16'd1 : 16'd0);
                if (active[v] && at_thr) thr_now = thr_now + 16'd1;
                if (active[v] && cf && !at_thr && !now_ev && expired) time_now = time_now + 16'd1;
                // held: a message waits for the interval's end
                if (fn)                                                 held[v] = 1'b0;
                else if (cf && !rl_over && !(fire[v] || pending[v]))    held[v] = 1'b1;
                // aggregation: the time starts with the first event (or a doorbell restart) and
                // counts down one step at a time
                if (cf) begin
                    agg[v]   = 9'd0;
                    tleft[v] = {TW{1'b0}};
                end else if (ev) begin
                    agg[v] = a_old + {7'd0, cnt};
                    if (a_old == 9'd0 || dbr)                tleft[v] = tload;
                    else if (step_t && t_old != {TW{1'b0}})  tleft[v] = t_old - 1'b1;
                end else if (serviced[v]) begin
                    agg[v]   = 9'd0;
                    tleft[v] = {TW{1'b0}};
                end else if (a_old != 9'd0) begin
                    // (a restart under a TIME set to 0 since: the aggregation ends at the next step)
                    if (dbr)                                 tleft[v] = (tload == {TW{1'b0}}) ? TW'(1) : tload;
                    else if (step_t && t_old != {TW{1'b0}})  tleft[v] = t_old - 1'b1;
                end
                // rate limit: the interval starts when a message is sent
                if (sent_v)                     rl[v] = rate_steps;
                else if (step_r && !rl_over)    rl[v] = r_old - 1'b1;
                // a timer of the vector runs after this edge (aggregated events, or an interval)
                running = running || agg[v] != 9'd0 || rl[v] != {RW{1'b0}};
            end
            timing <= running;    // every vector was visited: exact (state changes only here)
        end
        fire    <= fire_n;
        merged  <= merged + {16'd0, merged_now};
        by_thr  <= by_thr + {16'd0, thr_now};
        by_time <= by_time + {16'd0, time_now};
        // the steps
        t_pre <= step_t ? {TPW{1'b0}} : t_pre + 1'b1;
        r_pre <= r_pre + 1'b1;
        // the settings' flags
        if (w_in && !w_off[2]) begin
            coal_set[w_v] <= 1'b1;
            active[w_v]   <= !reg_wdata[COAL_CD] && reg_wdata[7:0] != 8'd0 && reg_wdata[15:8] != 8'd0;
        end
        if (w_in && w_off[2]) begin
            rate_set[w_v] <= 1'b1;
            rate_on[w_v]  <= reg_wdata[23:0] != 24'd0;
        end
        if (rst) begin
            for (v = 0; v < NUM_VEC; v = v + 1) begin
                agg[v]   = 9'd0;
                tleft[v] = {TW{1'b0}};
                rl[v]    = {RW{1'b0}};
            end
            held     = {NUM_VEC{1'b0}};
            timing   <= 1'b0;
            coal_set <= {NUM_VEC{1'b0}};
            rate_set <= {NUM_VEC{1'b0}};
            active   <= {NUM_VEC{1'b0}};
            rate_on  <= {NUM_VEC{1'b0}};
            fire     <= {NUM_VEC{1'b0}};
            t_pre    <= {TPW{1'b0}};
            r_pre    <= {RPW{1'b0}};
            merged   <= 32'd0;
            by_thr   <= 32'd0;
            by_time  <= 32'd0;
        end
    end
    /* verilator lint_on BLKSEQ */

    wire          r_in  = reg_raddr >= IV_BLOCK && {20'd0, reg_raddr} < BLOCK_END;
    wire [11:0]   r_off = reg_raddr - IV_BLOCK;
    wire [VW-1:0] r_v   = r_off[3 +: VW];
    always @(posedge clk) begin
        if (reg_re) begin
            reg_rdata <= 32'd0;
            if (r_in)
                reg_rdata <= r_off[2] ? {8'd0, rate_set[r_v] ? rate_ram[r_v] : 24'd0} : {14'd0, coal_of(r_v)};
        end
        if (rst) reg_rdata <= 32'd0;
    end

    wire unused_ok = &{1'b0, reg_wdata[31:24], w_off, r_off};

endmodule

`resetall
