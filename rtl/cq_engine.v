// cq_engine: NVMe-style completion queues in host memory (NUM_CQ of them).
//
// Each queue is a ring of 16-byte entries at a per-queue base address (cpl_base: the register
// block reads the base of cpl_q) with a per-queue size.
// An accepted completion is written as one entry (NVMe layout: DW0 command specific, DW1
// reserved, DW2 = SQ head | SQ id << 16, DW3 = command id | phase << 16 | status << 17) at the
// queue's tail; the device writes phase 1 on its first pass and inverts it on every wrap.
// A completion for a full queue (tail + 1 == head) is not accepted: it waits, and each cycle it
// waits is counted (stall_cycles also counts cycles behind the one write in flight; the
// device reports cpl_traffic_gen's full-queue count instead). The host frees entries with the
// head doorbell; a head outside the queue or past the tail is refused (db_error) and ignored. The queue's event pulses once the entry's
// write is acknowledged (wr_done), so an interrupt raised from it follows the data.
// One entry write is in flight at a time.
// Queue contexts live in RAM (block RAM), touched one queue per operation: size, head and tail,
// each a RAM of one write port (size: queue creation; tail: the accepted completion; head: the
// doorbell) read synchronously at three ports (an address register each): the completion port at
// cpl_q_next, the doorbell port at db_q_next (the queues of the next cycle's completion and
// doorbell, so the read sees this edge's writes and the data belongs to cpl_q and db_q), and the
// register port at rd_q when rd_re is high. The arrays are not reset: per queue, a flip-flop says
// whether size still reads its reset value 2 and whether head and tail read 0 (reset and queue
// creation set them; the RAM's next write clears them). Per queue in flip-flops stay what every
// cycle needs of every queue: full, empty and the phase tag, updated at each operation.
`resetall
`default_nettype none

module cq_engine #(
    parameter integer NUM_CQ = 4,
    parameter integer ADDR_W = 64,
    parameter integer QW     = (NUM_CQ > 1) ? $clog2(NUM_CQ) : 1
) (
    input  wire              clk,
    input  wire              rst,

    // queue setup: size in entries (2..65535, checked by the register block); resets that queue
    input  wire              cfg_we,
    input  wire [QW-1:0]     cfg_q,
    input  wire [15:0]       cfg_size,

    // head doorbell
    input  wire              db_we,
    input  wire [QW-1:0]     db_q,
    input  wire [QW-1:0]     db_q_next,         // db_q in the next cycle
    input  wire [15:0]       db_head,
    output reg               db_error,          // pulse: refused doorbell
    output reg  [NUM_CQ-1:0] db_ok,             // pulse: accepted doorbell of that queue
    output reg  [QW-1:0]     db_ok_q,           // with db_ok: its queue

    // completion request
    input  wire              cpl_valid,
    output wire              cpl_ready,
    input  wire [QW-1:0]     cpl_q,
    input  wire [QW-1:0]     cpl_q_next,        // cpl_q in the next cycle
    input  wire [ADDR_W-1:0] cpl_base,          // base address of queue cpl_q
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
    output reg  [QW-1:0]     event_q,           // with event_out: its queue
    output reg  [NUM_CQ-1:0] full,
    output reg  [NUM_CQ-1:0] empty,

    // register reads of a queue's size, head and tail (registered: read at rd_re)
    input  wire              rd_re,
    input  wire [QW-1:0]     rd_q,
    output wire [15:0]       rd_size,
    output wire [15:0]       rd_head,
    output wire [15:0]       rd_tail,

    output reg  [31:0]       stall_cycles,      // cycles cpl_valid waited (full queue or a write in flight)
    output reg  [31:0]       entries_written
);
    // the RAMs and what stands in for them until their first write
    reg [15:0]       size_ram [0:NUM_CQ-1];
    reg [15:0]       head_ram [0:NUM_CQ-1];
    reg [15:0]       tail_ram [0:NUM_CQ-1];
    reg [NUM_CQ-1:0] size_set;                   // size_ram holds the size (else it is 2)
    reg [NUM_CQ-1:0] head_set, tail_set;         // head_ram/tail_ram hold it (else it is 0)
    reg [NUM_CQ-1:0] phase;

    reg              busy;                       // an entry write is in flight
    reg [QW-1:0]     busy_q;
    reg              busy_err;

    // the completion port and the doorbell port: address registers, read as the RAM gives them
    reg [QW-1:0] a_q, b_q;
    always @(posedge clk) begin
        a_q <= cpl_q_next;
        b_q <= db_q_next;
    end
    wire [15:0] a_size = size_set[a_q] ? size_ram[a_q] : 16'd2;
    wire [15:0] a_head = head_set[a_q] ? head_ram[a_q] : 16'd0;
    wire [15:0] a_tail = tail_set[a_q] ? tail_ram[a_q] : 16'd0;
    wire [15:0] b_size = size_set[b_q] ? size_ram[b_q] : 16'd2;
    wire [15:0] b_head = head_set[b_q] ? head_ram[b_q] : 16'd0;
    wire [15:0] b_tail = tail_set[b_q] ? tail_ram[b_q] : 16'd0;

    // the register port: read at rd_re, with the set bits of that moment
    reg [15:0] c_size, c_head, c_tail;
    reg        c_size_set, c_head_set, c_tail_set;
    always @(posedge clk) begin
        if (rd_re) begin
            c_size     <= size_ram[rd_q];
            c_head     <= head_ram[rd_q];
            c_tail     <= tail_ram[rd_q];
            c_size_set <= size_set[rd_q];
            c_head_set <= head_set[rd_q];
            c_tail_set <= tail_set[rd_q];
        end
        if (rst) begin
            c_size_set <= 1'b0;
            c_head_set <= 1'b0;
            c_tail_set <= 1'b0;
        end
    end
    assign rd_size = c_size_set ? c_size : 16'd2;
    assign rd_head = c_head_set ? c_head : 16'd0;
    assign rd_tail = c_tail_set ? c_tail : 16'd0;

    function automatic [15:0] next_slot(input [15:0] slot, input [15:0] size);
        next_slot = (slot + 16'd1 == size) ? 16'd0 : slot + 16'd1;
    endfunction

    assign cpl_ready = !busy && !full[cpl_q];
    wire accept = cpl_valid && cpl_ready;

    // entries in use in the doorbell's queue, and how far the new head moves
    wire [15:0] db_used  = (b_tail >= b_head) ? b_tail - b_head : b_size - b_head + b_tail;
    wire [15:0] db_moved = (db_head >= b_head) ? db_head - b_head : b_size - b_head + db_head;
    wire        db_bad   = (db_head >= b_size) || (db_moved > db_used);
    wire        db_take  = db_we && !db_bad;

    // the queues' head and tail after this edge, for their full and empty flags
    wire [15:0] a_tail_new = next_slot(a_tail, a_size);
    wire [15:0] a_head_new = (db_take && db_q == cpl_q) ? db_head : a_head;
    wire [15:0] b_tail_new = (accept && db_q == cpl_q) ? a_tail_new : b_tail;

    always @(posedge clk) begin
        db_error  <= 1'b0;
        db_ok     <= {NUM_CQ{1'b0}};
        event_out <= {NUM_CQ{1'b0}};
        event_err <= 1'b0;

        if (cpl_valid && !cpl_ready) stall_cycles <= stall_cycles + 32'd1;

        if (db_we) begin
            if (db_bad) db_error <= 1'b1;
            else begin
                head_ram[db_q] <= db_head;
                head_set[db_q] <= 1'b1;
                db_ok[db_q]    <= 1'b1;
                db_ok_q        <= db_q;
                full[db_q]     <= next_slot(b_tail_new, b_size) == db_head;
                empty[db_q]    <= b_tail_new == db_head;
            end
        end

        if (accept) begin
            busy     <= 1'b1;
            busy_q   <= cpl_q;
            busy_err <= (cpl_status != 15'd0);
            wr_valid <= 1'b1;
            wr_addr  <= cpl_base + {{(ADDR_W-20){1'b0}}, a_tail, 4'd0};
            wr_data  <= {cpl_status, phase[cpl_q], cpl_cid, cpl_sqid, cpl_sqhead, 32'd0, cpl_dw0};
            tail_ram[cpl_q] <= a_tail_new;
            tail_set[cpl_q] <= 1'b1;
            full[cpl_q]     <= next_slot(a_tail_new, a_size) == a_head_new;
            empty[cpl_q]    <= a_tail_new == a_head_new;
            if (a_tail_new == 16'd0) phase[cpl_q] <= ~phase[cpl_q];
        end

        if (wr_valid && wr_ready) wr_valid <= 1'b0;

        if (busy && wr_done && !(wr_valid && !wr_ready)) begin
            busy              <= 1'b0;
            event_out[busy_q] <= 1'b1;
            event_q           <= busy_q;
            event_err         <= busy_err;
            entries_written   <= entries_written + 32'd1;
        end

        if (cfg_we) begin
            size_ram[cfg_q] <= cfg_size;
            size_set[cfg_q] <= 1'b1;
            head_set[cfg_q] <= 1'b0;
            tail_set[cfg_q] <= 1'b0;
            phase[cfg_q]    <= 1'b1;
            full[cfg_q]     <= 1'b0;            // size >= 2: an empty queue has room
            empty[cfg_q]    <= 1'b1;
        end

        if (rst) begin
            size_set        <= {NUM_CQ{1'b0}};
            head_set        <= {NUM_CQ{1'b0}};
            tail_set        <= {NUM_CQ{1'b0}};
            phase           <= {NUM_CQ{1'b1}};
            full            <= {NUM_CQ{1'b0}};
            empty           <= {NUM_CQ{1'b1}};
            busy            <= 1'b0;
            busy_q          <= {QW{1'b0}};
            busy_err        <= 1'b0;
            db_ok           <= {NUM_CQ{1'b0}};
            db_ok_q         <= {QW{1'b0}};
            event_err       <= 1'b0;
            event_q         <= {QW{1'b0}};
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
