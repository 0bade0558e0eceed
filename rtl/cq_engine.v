// cq_engine: NVMe-style completion queues in host memory (NUM_CQ of them).
//
// Each queue is a ring of 16-byte entries at a per-queue base address (q_base, held by the
// register block) with a per-queue size.
// An accepted completion is written as one entry (NVMe layout: DW0 command specific, DW1
// reserved, DW2 = SQ head | SQ id << 16, DW3 = command id | phase << 16 | status << 17) at the
// queue's tail; the device writes phase 1 on its first pass and inverts it on every wrap.
// A completion for a full queue (tail + 1 == head) is not accepted: it waits, and each cycle it
// waits is counted (stall_cycles also counts cycles behind the one write in flight; the
// device reports cpl_traffic_gen's full-queue count instead). The host frees entries with the
// head doorbell; a head outside the queue or past the tail is refused (db_error) and ignored. The queue's event pulses once the entry's
// write is acknowledged (wr_done), so an interrupt raised from it follows the data.
// One entry write is in flight at a time.
`resetall
`default_nettype none

module cq_engine #(
    parameter integer NUM_CQ = 4,
    parameter integer ADDR_W = 64,
    parameter integer QW     = (NUM_CQ > 1) ? $clog2(NUM_CQ) : 1
) (
    input  wire              clk,
    input  wire              rst,

    // queue base addresses (queue q at [q*ADDR_W +: ADDR_W])
    input  wire [NUM_CQ*ADDR_W-1:0] q_base,

    // queue setup: size in entries (2..65535, checked by the register block); resets that queue
    input  wire              cfg_we,
    input  wire [QW-1:0]     cfg_q,
    input  wire [15:0]       cfg_size,

    // head doorbell
    input  wire              db_we,
    input  wire [QW-1:0]     db_q,
    input  wire [15:0]       db_head,
    output reg               db_error,          // pulse: refused doorbell
    output reg  [NUM_CQ-1:0] db_ok,             // pulse: accepted doorbell of that queue

    // completion request
    input  wire              cpl_valid,
    output wire              cpl_ready,
    input  wire [QW-1:0]     cpl_q,
    input  wire [31:0]       cpl_dw0,
    input  wire [15:0]       cpl_sqid,
    input  wire [15:0]       cpl_sqhead,
    input  wire [15:0]       cpl_cid,
    input  wire [14:0]       cpl_status,

    // entry write to host memory
    output reg               wr_valid,
    input  wire              wr_ready,
    output reg  [ADDR_W-1:0] wr_addr,
    output reg  [127:0]      wr_data,
    input  wire              wr_done,           // the write's response (B) arrived

    // per queue
    output reg  [NUM_CQ-1:0] event_out,         // pulse: an entry of that queue is in memory
    output reg               event_err,         // with event_out: that entry has a non-zero status
    output wire [NUM_CQ-1:0] full,
    output wire [NUM_CQ-1:0] empty,
    output wire [NUM_CQ*16-1:0] q_head,
    output wire [NUM_CQ*16-1:0] q_tail,
    output wire [NUM_CQ*16-1:0] q_size,
    output reg  [31:0]       stall_cycles,      // cycles cpl_valid waited (full queue or a write in flight)
    output reg  [31:0]       entries_written
);
    reg [15:0]       size  [0:NUM_CQ-1];
    reg [15:0]       head  [0:NUM_CQ-1];
    reg [15:0]       tail  [0:NUM_CQ-1];
    reg [NUM_CQ-1:0] phase;

    reg              busy;                       // an entry write is in flight
    reg [QW-1:0]     busy_q;
    reg              busy_err;

    genvar g;
    generate
        for (g = 0; g < NUM_CQ; g = g + 1) begin : g_full
            wire [15:0] next_tail = (tail[g] + 16'd1 == size[g]) ? 16'd0 : tail[g] + 16'd1;
            assign full[g]  = (next_tail == head[g]);
            assign empty[g] = (tail[g] == head[g]);
            assign q_head[g*16 +: 16] = head[g];
            assign q_tail[g*16 +: 16] = tail[g];
            assign q_size[g*16 +: 16] = size[g];
        end
    endgenerate

    assign cpl_ready = !busy && !full[cpl_q];

    // entries in use in the doorbell's queue, and how far the new head moves
    wire [15:0] db_used  = (tail[db_q] >= head[db_q]) ? tail[db_q] - head[db_q]
                                                      : size[db_q] - head[db_q] + tail[db_q];
    wire [15:0] db_moved = (db_head >= head[db_q]) ? db_head - head[db_q]
                                                   : size[db_q] - head[db_q] + db_head;
    wire        db_bad   = (db_head >= size[db_q]) || (db_moved > db_used);

    integer i;
    always @(posedge clk) begin
        db_error  <= 1'b0;
        db_ok     <= {NUM_CQ{1'b0}};
        event_out <= {NUM_CQ{1'b0}};
        event_err <= 1'b0;

        if (cpl_valid && !cpl_ready) stall_cycles <= stall_cycles + 32'd1;

        if (cpl_valid && cpl_ready) begin
            busy     <= 1'b1;
            busy_q   <= cpl_q;
            busy_err <= (cpl_status != 15'd0);
            wr_valid <= 1'b1;
            wr_addr  <= q_base[cpl_q*ADDR_W +: ADDR_W] + {{(ADDR_W-20){1'b0}}, tail[cpl_q], 4'd0};
            wr_data  <= {cpl_status, phase[cpl_q], cpl_cid, cpl_sqid, cpl_sqhead, 32'd0, cpl_dw0};
            tail[cpl_q] <= (tail[cpl_q] + 16'd1 == size[cpl_q]) ? 16'd0 : tail[cpl_q] + 16'd1;
            if (tail[cpl_q] + 16'd1 == size[cpl_q]) phase[cpl_q] <= ~phase[cpl_q];
        end

        if (wr_valid && wr_ready) wr_valid <= 1'b0;

        if (busy && wr_done && !(wr_valid && !wr_ready)) begin
            busy              <= 1'b0;
            event_out[busy_q] <= 1'b1;
            event_err         <= busy_err;
            entries_written   <= entries_written + 32'd1;
        end

        if (db_we) begin
            if (db_bad) db_error <= 1'b1;
            else begin
                head[db_q]  <= db_head;
                db_ok[db_q] <= 1'b1;
            end
        end

        if (cfg_we) begin
            size[cfg_q]  <= cfg_size;
            head[cfg_q]  <= 16'd0;
            tail[cfg_q]  <= 16'd0;
            phase[cfg_q] <= 1'b1;
        end

        if (rst) begin
            for (i = 0; i < NUM_CQ; i = i + 1) begin
                size[i] <= 16'd2;
                head[i] <= 16'd0;
                tail[i] <= 16'd0;
            end
            phase           <= {NUM_CQ{1'b1}};
            busy            <= 1'b0;
            busy_q          <= {QW{1'b0}};
            busy_err        <= 1'b0;
            db_ok           <= {NUM_CQ{1'b0}};
            event_err       <= 1'b0;
            wr_valid        <= 1'b0;
            wr_addr         <= {ADDR_W{1'b0}};
            wr_data         <= 128'd0;
            db_error        <= 1'b0;
            event_out       <= {NUM_CQ{1'b0}};
            stall_cycles    <= 32'd0;
            entries_written <= 32'd0;
        end
    end

endmodule

`resetall
