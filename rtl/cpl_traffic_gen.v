// cpl_traffic_gen: the completion sources of the device, feeding cq_engine.
//
// - DMA: one completion per finished chunk (dma_chunk pulse) to queue dma_q; DW0 = the chunk's
//   sequence number (counted here from stream_start), SQ id 0, command id = seq[15:0].
// - Traffic generator: while run is high, queue q gets tg_burst completions at each of its
//   deadlines, one every tg_period cycles (period 0: none), up to `limit` per queue (0:
//   unlimited). DW0 = the queue's own count of generated completions, SQ id 1, SQ head = q,
//   command id = count[15:0]. Every err_every-th generated completion (counted over all queues)
//   carries status 1 (0: never). A 0->1 of run restarts the generator's deadlines and counts.
//
// The generator's rule, in cycles since run rose (the edge at which run is first seen high is
// cycle 0; `now` is the cycle being evaluated):
// - a scanner visits one queue a cycle, round robin: queue q at the cycles with now mod NUM_CQ
//   == q (the first visit of queue 0 is at cycle NUM_CQ);
// - queue q's first deadline is its period; at a visit whose deadline has come (deadline <= now)
//   it adds the burst (cut at the limit) and moves the deadline on by the period (as read at that
//   visit); if that is still not after now (a period shorter than a scan round), the next
//   deadline is now + period;
// - while the period is 0 the queue makes nothing and its deadline is its next visit: a period
//   written later gives a burst at the queue's next visit, then one each period after it.
// So a burst lands at the scanner's first visit at or after its deadline, at most NUM_CQ - 1
// cycles late and never early; the totals are exact for periods of at least NUM_CQ cycles (a
// shorter period gives at most one burst a visit). At NUM_CQ = 1 every cycle is a visit and
// bursts land on their deadlines: cycles P, 2P, 3P... after the rise of run.
// The period and burst come from the register block's RAM (cq_csr): tg_q_next names the queue
// visited in the next cycle, and tg_period/tg_burst are that queue's, a cycle later.
//
// DMA completions go first; generated ones are offered round-robin over the queues that have
// some due. A completion for a full queue waits for its queue only: it is not offered until the
// host frees room, so a full queue never blocks the others; every cycle in which some completion
// waits for a full queue counts in full_wait_cycles. An offered completion is held until
// cq_engine takes it; the next one is chosen in the cycle after (so `q_full` already reflects
// the entry just taken). cpl_q_next is the queue offered in the next cycle (cq_engine and the
// base RAM read ahead at it).
//
// Per-queue state in RAM (no reset), touched one queue a cycle: the deadline and the generated
// count `made` (written at each visit; made is also read at an offer), and the offered count
// (DW0 of the queue's next entry, read at the offer, written back plus one in the cycle after;
// offers are at least two cycles apart, so the next read sees it). A bit per queue, cleared by
// reset and by a rise of run, says whether a queue's RAM words are its own (else the deadline
// reads as the period and the counts as 0). Per queue in flip-flops there is only `due`
// (generated != offered), set by a visit that adds completions and cleared when the offered
// count reaches the generated one. Nothing per queue runs every clock.
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
    output wire [QW-1:0]        tg_q_next,      // the queue the scanner visits in the next cycle
    input  wire [31:0]          tg_period,      // TG_PERIOD of the queue visited in this cycle
    input  wire [15:0]          tg_burst,       // TG_BURST of the queue visited in this cycle

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
    reg [32:0] deadline_ram [0:NUM_CQ-1];  // the queue's next deadline (cycles since run rose)
    reg [31:0] made_ram [0:NUM_CQ-1];      // generated since run rose (for the limit)
    reg [NUM_CQ-1:0] gen_set;         // deadline_ram and made_ram hold the queue's state
    reg [NUM_CQ-1:0] due;             // generated != offered
    reg [31:0] made_rd;               // the offered queue's generated count, read at the offer
    reg [32:0] now;                   // cycles since run rose; 33 bits: deadlines compare modulo 2^33
    reg [QW-1:0] scan_q;              // the queue visited in this cycle (now mod NUM_CQ)
    reg        cpl_tg;                // the offered completion is the generator's (else the DMA's)
    reg [31:0] dma_dw0;
    reg [31:0] dma_pending;           // chunks whose completion is not yet offered
    reg [31:0] dma_seq;
    reg [31:0] err_count;
    reg        run_d;
    reg [QW-1:0] rr;                  // round-robin start

    // queue offered next: the first with completions due and room, starting at rr (round robin
    // over a bit per queue, so the choice costs a rotate and a priority encoder, not a mux per queue)
    wire [NUM_CQ-1:0]  ready_due = due & ~q_full;     // completions due for a queue with room
    wire [NUM_CQ-1:0]  held_by   = due & q_full;      // completions due for a full queue
    reg [2*NUM_CQ-1:0] twice;
    reg [NUM_CQ-1:0]   rotated;
    reg                pick_valid;
    reg [QW-1:0]       pick_q;
    reg [31:0]         offset, sum;
    integer k;
    always @* begin
        twice   = {ready_due, ready_due} >> rr;
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

    // ---- the scanner: one queue a cycle ----
    wire last_q = {{(32-QW){1'b0}}, scan_q} == NUM_CQ - 1;
    assign tg_q_next = rst ? {QW{1'b0}} : starting ? QW'(1 % NUM_CQ) : last_q ? {QW{1'b0}} : scan_q + 1'b1;

    // not after now: a - now <= 0 as a 33-bit signed difference (deadlines are within 2^32 of now)
    function automatic come(input [32:0] a, input [32:0] t);
        reg [32:0] d;
        begin
            d = a - t;
            come = d[32] || d == 33'd0;
        end
    endfunction

    // completions a burst adds to a queue that has made m: the burst, cut at the limit
    // (the limit is an argument: a continuous assignment of a function call follows only its
    // arguments in an event-driven simulator such as Icarus)
    function automatic [31:0] burst_now(input [31:0] b, input [31:0] m, input [31:0] lim);
        begin
            if (lim != 32'd0 && m + b > lim) burst_now = (m >= lim) ? 32'd0 : lim - m;
            else burst_now = b;
        end
    endfunction

    wire        visit     = run && run_d;                 // running, and not the rise's edge
    wire [32:0] period    = {1'b0, tg_period};
    wire [32:0] v_dl      = gen_set[scan_q] ? deadline_ram[scan_q] : period;
    wire [31:0] v_made    = gen_set[scan_q] ? made_ram[scan_q] : 32'd0;
    wire        v_burst   = tg_period != 32'd0 && come(v_dl, now);
    wire [31:0] v_add     = v_burst ? burst_now({16'd0, tg_burst}, v_made, limit) : 32'd0;
    wire [31:0] v_made_nx = v_made + v_add;
    wire [32:0] v_dl_step = v_dl + period;
    wire [32:0] v_dl_nx   = tg_period == 32'd0 ? now + 33'(NUM_CQ)         // the next visit
                          : !v_burst ? v_dl
                          : come(v_dl_step, now) ? now + period : v_dl_step;

    always @(posedge clk) begin
        scan_q <= tg_q_next;
        if (starting) now <= 33'd1;
        else if (run) now <= now + 33'd1;
        if (visit) begin
            deadline_ram[scan_q] <= v_dl_nx;
            made_ram[scan_q]     <= v_made_nx;
        end
        if (rst) now <= 33'd0;
    end

    always @(posedge clk) begin
        run_d <= run;
        if (dma_en && dma_chunk) dma_pending <= dma_pending + 32'd1;
        if (starting) err_count <= 32'd0;
        // the offered count plus one, back into the RAM (a rise of run in this cycle zeroes it);
        // the queue has nothing due once that reaches its generated count
        seq_wb <= 1'b0;
        if (seq_wb) begin
            seq_ram[cpl_q] <= seq_now + 32'd1;
            seq_set[cpl_q] <= 1'b1;
            if (seq_now + 32'd1 == made_rd) due[cpl_q] <= 1'b0;
        end
        if (visit) begin
            gen_set[scan_q] <= 1'b1;
            if (v_add != 32'd0) due[scan_q] <= 1'b1;    // a burst in the same cycle wins
        end
        if (starting) begin
            seq_set <= {NUM_CQ{1'b0}};
            gen_set <= {NUM_CQ{1'b0}};
            due     <= {NUM_CQ{1'b0}};
        end

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
            // its generated count as this edge leaves it (the scanner may visit it now)
            made_rd     <= (visit && scan_q == pick_q) ? v_made_nx : gen_set[pick_q] ? made_ram[pick_q] : 32'd0;
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
            gen_set     <= {NUM_CQ{1'b0}};
            due         <= {NUM_CQ{1'b0}};
            seq_wb      <= 1'b0;
            seq_rd_set  <= 1'b0;
            made_rd     <= 32'd0;
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
