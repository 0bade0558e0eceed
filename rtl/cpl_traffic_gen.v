// cpl_traffic_gen: the completion sources of the device, feeding cq_engine.
//
// - DMA: one completion per finished chunk (dma_chunk pulse) to queue dma_q; DW0 = the chunk's
//   sequence number (counted here from stream_start), SQ id 0, command id = seq[15:0].
// - Traffic generator: while run is high, every tg_period[q] cycles queue q gets tg_burst[q]
//   completions (period 0: none), up to `limit` per queue (0: unlimited). DW0 = the queue's own
//   count of generated completions, SQ id 1, SQ head = q, command id = count[15:0]. Every
//   err_every-th generated completion (counted over all queues) carries status 1 (0: never).
//   A 0->1 of run restarts the generator's timers and counts.
// DMA completions go first; generated ones are offered round-robin over the queues that have
// some due. A completion for a full queue waits for its queue only: it is not offered until the
// host frees room, so a full queue never blocks the others; every cycle in which some completion
// waits for a full queue counts in full_wait_cycles. An offered completion is held until
// cq_engine takes it; the next one is chosen in the cycle after (so `q_full` already reflects
// the entry just taken). cpl_q_next is the queue offered in the next cycle (cq_engine and the
// base RAM read ahead at it).
// Each queue's count of offered completions (DW0 of its next entry) lives in a RAM (block RAM),
// read at the offer (the RAM's output register is the offered DW0) and written back, plus one,
// in the cycle after; offers are at least two cycles apart, so the next read sees it. It is not
// reset: a bit per queue, cleared by reset and by a rise of run, makes the count read as 0 until
// its next write. Timers and the generated and due counts stay in flip-flops: every queue's
// timer may expire, and every queue's burst add to its counts, in the same cycle.
`resetall
`default_nettype none

module cpl_traffic_gen #(
    parameter integer NUM_CQ = 4,
    parameter integer QW     = (NUM_CQ > 1) ? $clog2(NUM_CQ) : 1
) (
    input  wire                 clk,
    input  wire                 rst,

    input  wire                 dma_en,
    input  wire [QW-1:0]        dma_q,
    input  wire                 dma_chunk,      // pulse: a chunk finished
    input  wire                 stream_start,   // pulse: a new stream starts at chunk 0

    input  wire                 run,
    input  wire [31:0]          limit,
    input  wire [31:0]          err_every,
    input  wire [NUM_CQ*32-1:0] tg_period,
    input  wire [NUM_CQ*16-1:0] tg_burst,

    output reg                  cpl_valid,
    input  wire                 cpl_ready,
    output reg  [QW-1:0]        cpl_q,
    output wire [QW-1:0]        cpl_q_next,     // cpl_q in the next cycle
    output wire [31:0]          cpl_dw0,
    output reg  [15:0]          cpl_sqid,
    output reg  [15:0]          cpl_sqhead,
    output wire [15:0]          cpl_cid,
    output reg  [14:0]          cpl_status,

    input  wire [NUM_CQ-1:0]    q_full,
    output reg  [31:0]          full_wait_cycles
);
    reg [31:0] seq_ram [0:NUM_CQ-1];  // offered since run rose (DW0 of the next entry)
    reg [NUM_CQ-1:0] seq_set;         // seq_ram holds the count (else it is 0)
    reg [31:0] seq_rd;                // the offered queue's count, read at the offer
    reg        seq_rd_set;
    reg        seq_wb;                // write the count plus one back to cpl_q in this cycle
    reg        cpl_tg;                // the offered completion is the generator's (else the DMA's)
    reg [31:0] dma_dw0;
    reg [31:0] dma_pending;           // chunks whose completion is not yet offered
    reg [31:0] dma_seq;
    reg [31:0] err_count;
    reg        run_d;
    reg [QW-1:0] rr;                  // round-robin start

    // queue offered next: the first with completions due, starting at rr (round robin over a
    // bit per queue, so the choice costs a rotate and a priority encoder, not a mux per queue)
    wire [NUM_CQ-1:0]  has_due;         // completions due for a queue with room
    wire [NUM_CQ-1:0]  held_by;         // completions due for a full queue
    reg [2*NUM_CQ-1:0] twice;
    reg [NUM_CQ-1:0]   rotated;
    reg                pick_valid;
    reg [QW-1:0]       pick_q;
    reg [31:0]         offset, sum;
    integer k;
    always @* begin
        twice   = {has_due, has_due} >> rr;
        rotated = twice[NUM_CQ-1:0];
        pick_valid = |rotated;
        offset = 32'd0;
        for (k = NUM_CQ - 1; k >= 0; k = k - 1)
            if (rotated[k]) offset = k;
        sum    = {{(32-QW){1'b0}}, rr} + offset;
        pick_q = QW'((sum >= NUM_CQ) ? sum - NUM_CQ : sum);
    end

    wire load     = !cpl_valid;            // the offer register is empty
    wire dma_ok   = dma_pending != 32'd0 && !q_full[dma_q];
    wire take_dma = load && dma_ok;
    wire take_tg  = load && !dma_ok && pick_valid;
    wire waiting  = (dma_pending != 32'd0 && q_full[dma_q]) || |held_by;
    wire starting = run && !run_d;

    assign cpl_q_next = rst ? {QW{1'b0}} : take_dma ? dma_q : (take_tg && !starting) ? pick_q : cpl_q;
    wire [31:0] seq_now = seq_rd_set ? seq_rd : 32'd0;
    assign cpl_dw0 = cpl_tg ? seq_now : dma_dw0;
    assign cpl_cid = cpl_dw0[15:0];

    // completions generated this cycle for queue q: the burst, cut at the limit
    function automatic [31:0] burst_now(input [31:0] b, input [31:0] m);
        begin
            if (limit != 32'd0 && m + b > limit) burst_now = (m >= limit) ? 32'd0 : limit - m;
            else burst_now = b;
        end
    endfunction

    // each queue's timer and counts, in a block of its own (plain registers per queue: a
    // simulator updates them without the bookkeeping of writes into an array)
    genvar g;
    generate
        for (g = 0; g < NUM_CQ; g = g + 1) begin : g_queue
            reg  [31:0] timer;                // cycles to the queue's next burst
            reg  [31:0] due;                  // generated, not yet offered
            reg  [31:0] made;                 // generated since run rose (for the limit)
            wire [31:0] period = tg_period[g*32 +: 32];
            wire [31:0] burst  = {16'd0, tg_burst[g*16 +: 16]};
            wire        taken  = take_tg && pick_q == QW'(g);
            assign has_due[g] = due != 32'd0 && !q_full[g];
            assign held_by[g] = due != 32'd0 && q_full[g];
            always @(posedge clk) begin
                if (starting) begin
                    timer <= period;
                    due   <= 32'd0;
                    made  <= 32'd0;
                end else if (!run) begin             // stopped: what is due still drains
                    timer <= period;
                    if (taken) due <= due - 32'd1;
                end else if (period != 32'd0) begin
                    if (timer <= 32'd1) begin
                        timer <= period;
                        made  <= made + burst_now(burst, made);
                        due   <= due + burst_now(burst, made) - (taken ? 32'd1 : 32'd0);
                    end else begin
                        timer <= timer - 32'd1;
                        if (taken) due <= due - 32'd1;
                    end
                end else if (taken) begin
                    due <= due - 32'd1;
                end
                if (rst) begin
                    timer <= 32'd0;
                    due   <= 32'd0;
                    made  <= 32'd0;
                end
            end
        end
    endgenerate

    always @(posedge clk) begin
        run_d <= run;
        if (dma_en && dma_chunk) dma_pending <= dma_pending + 32'd1;
        if (starting) err_count <= 32'd0;
        // the offered count plus one, back into the RAM (a rise of run in this cycle zeroes it)
        seq_wb <= 1'b0;
        if (seq_wb) begin
            seq_ram[cpl_q] <= seq_now + 32'd1;
            seq_set[cpl_q] <= 1'b1;
        end
        if (starting) seq_set <= {NUM_CQ{1'b0}};

        if (cpl_valid && cpl_ready) cpl_valid <= 1'b0;
        if (waiting) full_wait_cycles <= full_wait_cycles + 32'd1;
        if (take_dma) begin
            cpl_valid   <= 1'b1;
            cpl_q       <= dma_q;
            cpl_tg      <= 1'b0;
            dma_dw0     <= dma_seq;
            cpl_sqid    <= 16'd0;
            cpl_sqhead  <= 16'd0;
            cpl_status  <= 15'd0;
            dma_seq     <= dma_seq + 32'd1;
            dma_pending <= dma_pending - 32'd1 + ((dma_en && dma_chunk) ? 32'd1 : 32'd0);
        end else if (take_tg && !starting) begin
            cpl_valid   <= 1'b1;
            cpl_q       <= pick_q;
            cpl_tg      <= 1'b1;
            seq_rd      <= seq_ram[pick_q];
            seq_rd_set  <= seq_set[pick_q];
            seq_wb      <= 1'b1;
            cpl_sqid    <= 16'd1;
            cpl_sqhead  <= {{(16-QW){1'b0}}, pick_q};
            cpl_status  <= (err_every != 32'd0 && err_count + 32'd1 == err_every) ? 15'd1 : 15'd0;
            err_count   <= (err_every != 32'd0 && err_count + 32'd1 == err_every) ? 32'd0 : err_count + 32'd1;
            rr          <= ({{(32-QW){1'b0}}, pick_q} == NUM_CQ - 1) ? {QW{1'b0}} : pick_q + 1'b1;
        end

        if (stream_start) begin
            dma_pending <= 32'd0;
            dma_seq     <= 32'd0;
        end

        if (rst) begin
            seq_set     <= {NUM_CQ{1'b0}};
            seq_wb      <= 1'b0;
            seq_rd_set  <= 1'b0;
            cpl_tg      <= 1'b0;
            dma_dw0     <= 32'd0;
            dma_pending <= 32'd0;
            dma_seq     <= 32'd0;
            err_count   <= 32'd0;
            full_wait_cycles <= 32'd0;
            run_d       <= 1'b0;
            rr          <= {QW{1'b0}};
            cpl_valid   <= 1'b0;
            cpl_q       <= {QW{1'b0}};
            cpl_sqid    <= 16'd0;
            cpl_sqhead  <= 16'd0;
            cpl_status  <= 15'd0;
        end
    end

    wire unused_ok = &{1'b0, twice[2*NUM_CQ-1:NUM_CQ]};

endmodule

`resetall
