// Formal wrapper: irq_moderation's rate limiter on one vector, with its interval counted in steps
// as the device counts it (RATE_SHIFT = 2: steps of 4 cycles) and IVR_RATE a free constant of
// 1..10 cycles written once after reset (no coalescing). Events at will; the message leaves as
// soon as it fires (sent = fire, as the other moderation wrapper plays msi_vector_ctrl).
//   rt_never_early  two messages are never closer than RATE cycles: the block decides the next
//                   one at least RATE cycles after the send, and its fire output is registered,
//                   so consecutive fires are at least RATE + 1 cycles apart
//   rt_no_loss      an event is covered by a message at most RATE + 2^RATE_SHIFT cycles after it
//                   (the interval ends less than a step late; + the registered fire)
`default_nettype none

module f_irq_rate (
    input wire clk
);
    localparam integer SHIFT = 2;
    localparam integer STEP  = 1 << SHIFT;

`include "irqloop_regs.vh"

    wire        rst  = $anyseq;
    wire        ev   = $anyseq;
    wire [23:0] rate = $anyconst;

    `include "f_reset.vh"

    reg  [1:0]  cycle;              // cycles since reset, saturating at 3: configure in cycle 1
    wire        configured = cycle == 2'd3;
    wire        fire;

    irq_moderation #(.NUM_VEC(1), .TICK_CYCLES(4), .TIME_STEP(2), .RATE_SHIFT(SHIFT)) dut (
        .clk(clk), .rst(rst), .reg_we(cycle == 2'd1), .reg_waddr(IV_BLOCK + 12'd4), .reg_wdata({8'd0, rate}),
        .reg_raddr(12'd0), .reg_re(1'b0), .reg_rdata(), .ev_valid({2'b00, ev && configured}), .ev_vec(3'd0),
        .ev_now(3'd0), .db_valid(1'b0), .db_vec(1'b0), .serviced(1'b0), .sent_valid(fire), .sent_vec(1'b0),
        .pending(1'b0), .fire(fire), .merged(), .by_thr(), .by_time()
    );

    always @(posedge clk) begin
        cycle <= (cycle == 2'd3) ? 2'd3 : cycle + 2'd1;
        if (rst) cycle <= 2'd0;
    end
    always @* assume(rate >= 24'd1 && rate <= 24'd10);

    // cycles since the last message (saturating), and since the oldest event no message covers
    reg [5:0] gap;
    reg       fired_once;
    reg [5:0] age;
    reg       waiting;
    always @(posedge clk) begin
        gap        <= fire ? 6'd1 : (gap == 6'd63 ? gap : gap + 6'd1);
        fired_once <= fired_once || fire;
        // a message (fire, registered) covers the events up to the cycle before it
        if (fire) begin
            waiting <= 1'b0;          // an event in the cycle a message leaves rides on it
            age     <= 6'd0;
        end else if (!waiting) begin
            waiting <= ev && configured;
            age     <= 6'd1;
        end else begin
            age     <= (age == 6'd63) ? age : age + 6'd1;
        end
        if (rst) begin
            gap        <= 6'd63;
            fired_once <= 1'b0;
            waiting    <= 1'b0;
            age        <= 6'd0;
        end
    end

    always @(posedge clk) if (live && configured) begin
        if (fire && fired_once) rt_never_early: assert({18'd0, gap} >= rate + 24'd1);
        if (waiting) rt_no_loss: assert({18'd0, age} <= rate + STEP);
    end
endmodule

`resetall
