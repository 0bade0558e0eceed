// irq_moderation: per-vector interrupt coalescing and rate limiting, ahead of the MSI
// mask/pending logic (msi_vector_ctrl). Registers: block IV_BLOCK in irqloop_regs.vh.
//
// Coalescing follows NVMe Interrupt Coalescing (Feature 08h), per vector:
//   - THR (bits 7:0) is zero-based: a message once THR+1 events are aggregated;
//   - TIME (bits 15:8) in 100 us units, TICK_CYCLES clock cycles each: a message once TIME units
//     have passed since the first aggregated event;
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
`resetall
`default_nettype none

module irq_moderation #(
    parameter integer NUM_VEC     = 6,
    parameter integer TICK_CYCLES = 25000      // clock cycles per 100 us (250 MHz)
) (
    input  wire                 clk,
    input  wire                 rst,

    input  wire                 reg_we,
    input  wire [11:0]          reg_waddr,
    input  wire [31:0]          reg_wdata,
    input  wire [11:0]          reg_raddr,
    input  wire                 reg_re,        // reg_raddr is read at this edge
    output reg  [31:0]          reg_rdata,     // registered: the register read at the last reg_re

    input  wire [NUM_VEC*2-1:0] ev_cnt,        // events this cycle (0..3) per vector
    input  wire [NUM_VEC-1:0]   ev_now,        // an immediate (never coalesced) event
    input  wire [NUM_VEC-1:0]   db_restart,    // a head doorbell of a mapped queue
    input  wire [NUM_VEC-1:0]   serviced,      // nothing left outstanding on the vector
    input  wire [NUM_VEC-1:0]   sent,          // the vector's message left the device
    input  wire [NUM_VEC-1:0]   pending,       // the vector's message waits to be sent

    output reg  [NUM_VEC-1:0]   fire,          // pulse: send the vector's message
    output reg  [31:0]          merged,
    output reg  [31:0]          by_thr,        // aggregations ended by the threshold (THR + 1 events)
    output reg  [31:0]          by_time        // aggregations ended by the aggregation time
);

`include "irqloop_regs.vh"

    localparam integer BLOCK_END = 32'(IV_BLOCK) + NUM_VEC * 32'(IV_STRIDE);
    localparam integer VW = (NUM_VEC > 1) ? $clog2(NUM_VEC) : 1;

    // read by every vector's logic in every cycle: registers, not RAM
    (* mem2reg *) reg [17:0] coal    [0:NUM_VEC-1];
    (* mem2reg *) reg [23:0] rate    [0:NUM_VEC-1];
    reg [8:0]  agg     [0:NUM_VEC-1];   // events aggregated
    // cycles left of the aggregation time = units * TICK_CYCLES + ticks (no multiplier)
    localparam integer TW = $clog2(TICK_CYCLES + 1);
    reg [7:0]    units [0:NUM_VEC-1];
    reg [TW-1:0] ticks [0:NUM_VEC-1];
    reg [23:0] rl      [0:NUM_VEC-1];   // cycles left of the rate-limit interval
    reg        held    [0:NUM_VEC-1];   // a message waits for the interval's end

    wire        w_in = reg_we && reg_waddr >= IV_BLOCK && {20'd0, reg_waddr} < BLOCK_END;
    wire [11:0] w_off = reg_waddr - IV_BLOCK;
    wire [VW-1:0] w_v = w_off[3 +: VW];

    // Per vector and cycle, in one clocked loop. A vector with no event, no message leaving, nothing
    // aggregated, no rate-limit interval running and no message held changes nothing and fires
    // nothing (its decisions below all come out 0 then), so the loop skips it: a simulator spends
    // its work per cycle on the few vectors with something going on, not on all of them.
    // The decisions are blocking temporaries of the loop (combinational logic, no flip-flops):
    //   cf      the coalescer wants a message now
    //   fn      the rate limiter lets a message out now
    //   at_thr  THR + 1 events are aggregated now (the aggregation ends by the threshold)
    //   merged, by_thr, by_time count over the vectors what the cycle merged and ended.
    // start the aggregation time (TIME units), and count it down by one cycle
    task automatic time_load(input [VW-1:0] i);
        begin
            units[i] <= coal[i][15:8] - 8'd1;
            ticks[i] <= TW'(TICK_CYCLES - 1);
        end
    endtask
    task automatic time_step(input [VW-1:0] i);
        begin
            if (ticks[i] != {TW{1'b0}}) begin
                ticks[i] <= ticks[i] - 1'b1;
            end else if (units[i] != 8'd0) begin
                units[i] <= units[i] - 8'd1;
                ticks[i] <= TW'(TICK_CYCLES - 1);
            end
        end
    endtask

    integer v;
    reg [1:0]  cnt;
    reg        ev, active, expired, cf, queued, fn, at_thr;
    reg [9:0]  total;
    reg [15:0] merged_now, thr_now, time_now;   // at most 7 merged per vector: 16 bits hold 64 vectors
    /* verilator lint_off BLKSEQ */
    always @(posedge clk) begin
        merged_now = 16'd0;
        thr_now    = 16'd0;
        time_now   = 16'd0;
        for (v = 0; v < NUM_VEC; v = v + 1) begin
            cnt = ev_cnt[v*2 +: 2];
            ev  = cnt != 2'd0 || ev_now[v];
            if (!ev && !sent[v] && agg[v] == 9'd0 && rl[v] == 24'd0 && !held[v]) begin
                fire[v] <= 1'b0;
            end else begin
                active  = !coal[v][COAL_CD] && coal[v][7:0] != 8'd0 && coal[v][15:8] != 8'd0;
                total   = {1'b0, agg[v]} + {8'd0, cnt};
                expired = agg[v] != 9'd0 && units[v] == 8'd0 && ticks[v] == {TW{1'b0}};
                cf      = ev ? (!active || ev_now[v] || total >= {2'd0, coal[v][7:0]} + 10'd1 || expired)
                             : (expired && !serviced[v]);
                // with a rate set, a message already on its way (fired or pending) takes the event
                queued  = rate[v] != 24'd0 && (fire[v] || pending[v]);
                fn      = !queued && ((cf && rl[v] == 24'd0) || (rl[v] == 24'd1 && (held[v] || cf)));
                at_thr  = ev && !ev_now[v] && total >= {2'd0, coal[v][7:0]} + 10'd1;
                fire[v] <= fn;
                merged_now = merged_now + ((ev && !cf) ? {14'd0, cnt} : 16'd0)
                                        + ((cf && !fn && (held[v] || queued)) ? 16'd1 : 16'd0);
                if (active && at_thr) thr_now = thr_now + 16'd1;
                if (active && cf && !at_thr && !ev_now[v] && expired) time_now = time_now + 16'd1;
                // aggregation
                if (cf) begin
                    agg[v] <= 9'd0;
                end else if (cnt != 2'd0) begin
                    agg[v] <= agg[v] + {7'd0, cnt};
                    if (agg[v] == 9'd0 || (db_restart[v] && coal[v][COAL_DB_RESTART]))
                        time_load(VW'(v));
                    else
                        time_step(VW'(v));
                end else if (serviced[v]) begin
                    agg[v] <= 9'd0;
                end else if (agg[v] != 9'd0) begin
                    if (db_restart[v] && coal[v][COAL_DB_RESTART])
                        time_load(VW'(v));
                    else
                        time_step(VW'(v));
                end
                // rate limit: the interval starts when a message is sent
                if (sent[v]) begin
                    rl[v] <= rate[v];
                end else if (rl[v] != 24'd0) begin
                    rl[v] <= rl[v] - 24'd1;
                end
                if (fn)                                                held[v] <= 1'b0;
                else if (cf && rl[v] != 24'd0 && !(fire[v] || pending[v])) held[v] <= 1'b1;
            end
        end
        merged  <= merged + {16'd0, merged_now};
        by_thr  <= by_thr + {16'd0, thr_now};
        by_time <= by_time + {16'd0, time_now};
        if (w_in) begin
            if (w_off[2] == 1'b0) coal[w_v] <= reg_wdata[17:0];
            else                  rate[w_v] <= reg_wdata[23:0];
        end
        if (rst) begin
            for (v = 0; v < NUM_VEC; v = v + 1) begin
                coal[v]  <= 18'd0;
                rate[v]  <= 24'd0;
                agg[v]   <= 9'd0;
                units[v] <= 8'd0;
                ticks[v] <= {TW{1'b0}};
                rl[v]    <= 24'd0;
                held[v]  <= 1'b0;
            end
            fire   <= {NUM_VEC{1'b0}};
            merged <= 32'd0;
            by_thr  <= 32'd0;
            by_time <= 32'd0;
        end
    end
    /* verilator lint_on BLKSEQ */

    wire        r_in = reg_raddr >= IV_BLOCK && {20'd0, reg_raddr} < BLOCK_END;
    wire [11:0] r_off = reg_raddr - IV_BLOCK;
    wire [VW-1:0] r_v = r_off[3 +: VW];
    always @(posedge clk) begin
        if (reg_re) begin
            reg_rdata <= 32'd0;
            if (r_in)
                reg_rdata <= r_off[2] ? {8'd0, rate[r_v]} : {14'd0, coal[r_v]};
        end
        if (rst) reg_rdata <= 32'd0;
    end

    wire unused_ok = &{1'b0, reg_wdata[31:24], w_off, r_off};

endmodule

`resetall
