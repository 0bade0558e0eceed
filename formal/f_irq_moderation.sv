// Formal wrapper: irq_moderation's coalescing (NVMe Feature 08h) on one vector, with the aggregation
// threshold THR and time TIME free constants written once after reset (Coalescing Disable free,
// doorbell restart off, no rate limit), TICK_CYCLES = 4 cycles per time unit counted in steps of
// TIME_STEP = 2 cycles (so the time may end a cycle early, never late), and events,
// immediate events and "serviced" at will. The message leaves as soon as it fires (sent = fire).
// Events are counted here per message, independently of the block's own counter: `covered` is
// the number of events since the previous message (or since software serviced the vector).
//   md_thr_bound   with coalescing on, a message covers at most THR+1 events
//   md_no_empty    a message covers at least one event
//   md_no_loss     no event waits longer than the aggregation time (TIME x TICK_CYCLES cycles,
//                  plus the cycle of the registered fire output) without a message, unless
//                  software serviced the vector: no event is lost
// Events per cycle: at most one by default (a completion queue's vector); with `define EV2 up to
// two (the data vector: a queue's entry and a stream chunk in one cycle, as irqloop_dev adds them).
`default_nettype none

module f_irq_moderation (
    input wire clk
);
    localparam integer TICK = 4;
    localparam integer STEP = 2;     // the aggregation time counts steps of 2 cycles (2 a unit)

`include "irqloop_regs.vh"

    wire        rst        = $anyseq;
    wire [1:0]  ev_cnt     = $anyseq;
    wire        ev_now     = $anyseq;
    wire        db_restart = $anyseq;
    wire        serviced   = $anyseq;
    wire [17:0] coal_cfg   = $anyconst;

    reg  [1:0]  cycle;           // cycles since reset, saturating at 3: configure in cycle 1
    wire        configured = cycle == 2'd3 || cycle == 2'd2;
    wire        reg_we     = cycle == 2'd1;
    wire        fire;

    // the events as the block takes them: lanes naming the vector (two lanes for two events)
    wire [2:0] ev_valid = {1'b0, ev_cnt == 2'd2, ev_cnt != 2'd0};
    irq_moderation #(.NUM_VEC(1), .TICK_CYCLES(TICK), .TIME_STEP(STEP), .RATE_SHIFT(0)) dut (
        .clk(clk), .rst(rst), .reg_we(reg_we), .reg_waddr(IV_BLOCK), .reg_wdata({14'd0, coal_cfg}),
        .reg_raddr(12'd0), .reg_re(1'b0), .reg_rdata(), .ev_valid(ev_valid), .ev_vec(3'd0),
        .ev_now({2'b00, ev_now}), .db_valid(db_restart), .db_vec(1'b0),
        .serviced(serviced), .sent_valid(fire), .sent_vec(1'b0), .pending(1'b0), .fire(fire),
        .merged(), .by_thr(), .by_time()
    );

    reg started = 1'b0;
    always @(posedge clk) begin
        started <= 1'b1;
        cycle   <= (cycle == 2'd3) ? 2'd3 : cycle + 2'd1;
        if (rst) cycle <= 2'd0;
    end
    always @* begin
        if (!started) assume(rst);
        assume(!coal_cfg[COAL_DB_RESTART]);
        if (!configured || rst) assume(ev_cnt == 2'd0 && !ev_now);
        if (ev_now) assume(ev_cnt != 2'd0);        // an immediate event is also counted (irqloop_dev)
`ifdef EV2
        assume(ev_cnt <= 2'd2);
`else
        assume(ev_cnt <= 2'd1);
`endif
    end

    wire [7:0] thr    = coal_cfg[7:0];
    wire [7:0] tunits = coal_cfg[15:8];
    wire       active = !coal_cfg[COAL_CD] && thr != 8'd0 && tunits != 8'd0;

    // events not yet covered by a message: a message (fire, registered) covers everything up to
    // the cycle before it
    reg  [9:0] acc;
    reg  [9:0] age;              // cycles the oldest uncovered event has waited
    wire [9:0] waiting = fire ? 10'd0 : acc;
    wire [9:0] total   = waiting + {8'd0, ev_cnt};
    wire       dropped = serviced && ev_cnt == 2'd0 && !ev_now;   // the block drops its aggregate
    always @(posedge clk) begin
        acc <= dropped ? 10'd0 : total;
        age <= (dropped || total == 10'd0) ? 10'd0 : (waiting == 10'd0 ? 10'd1 : age + 10'd1);
        if (rst) begin
            acc <= 10'd0;
            age <= 10'd0;
        end
    end

    always @(posedge clk) if (started && !rst && configured) begin
        if (fire && active) md_thr_bound: assert(acc <= {2'd0, thr} + 10'd1);
        if (fire) md_no_empty: assert(acc != 10'd0);
        md_no_loss: assert(age <= (active ? {2'd0, tunits} * TICK + 10'd1 : 10'd1));
    end
endmodule

`resetall
