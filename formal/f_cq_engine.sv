// Formal wrapper: cq_engine's phase tag (NVMe: the controller writes P=1 on its first pass through
// a queue and inverts P on each wrap). Two queues; the host creates queues (size 2..65535, as
// cq_csr checks), rings head doorbells and posts completions at will; the base addresses are
// free constants, 16-byte aligned; 32-bit addresses (ADDR_W = 32) keep the solver fast, and the
// queue logic does not depend on the address width. cpl_q and db_q are registers with free next
// values (cpl_q_next, db_q_next), as the traffic generator and the register block drive them, and
// cpl_base is the base of cpl_q, as the register block's base RAM gives it. For each written entry of queue q, compared with the last
// entry written to q since it was created (tracked here from the entries on the write port):
//   cq_phase_first  the first entry after creation goes to slot 0 with P = 1
//   cq_phase_wrap   P inverts exactly when the slot index wraps to 0, and is unchanged otherwise
//   cq_slot_next    slots are used in order: last slot + 1, or 0 after the last slot (size - 1)
`default_nettype none

module f_cq_engine (
    input wire clk
);
    localparam integer NUM_CQ = 2, ADDR_W = 32;

    wire         rst        = $anyseq;
    wire [63:0]  q_base     = $anyconst;
    wire         cfg_we     = $anyseq;
    wire         cfg_q      = $anyseq;
    wire [15:0]  cfg_size   = $anyseq;
    wire         db_we      = $anyseq;
    wire         db_q_next  = $anyseq;
    wire [15:0]  db_head    = $anyseq;
    wire         cpl_valid  = $anyseq;
    wire         cpl_q_next = $anyseq;
    reg          cpl_q, db_q;
    always @(posedge clk) begin
        cpl_q <= cpl_q_next;
        db_q  <= db_q_next;
    end
    wire [31:0]  cpl_base   = cpl_q ? q_base[63:32] : q_base[31:0];
    wire [31:0]  cpl_dw0    = $anyseq;
    wire [15:0]  cpl_sqid   = $anyseq;
    wire [15:0]  cpl_sqhead = $anyseq;
    wire [15:0]  cpl_cid    = $anyseq;
    wire [14:0]  cpl_status = $anyseq;
    wire         wr_ready   = $anyseq;
    wire         wr_done    = $anyseq;

    wire         cpl_ready, wr_valid;
    wire [31:0]  wr_addr;
    wire [127:0] wr_data;

    cq_engine #(.NUM_CQ(NUM_CQ), .ADDR_W(ADDR_W)) dut (
        .clk(clk), .rst(rst),
        .cfg_we(cfg_we), .cfg_q(cfg_q), .cfg_size(cfg_size),
        .db_we(db_we), .db_q(db_q), .db_q_next(db_q_next), .db_head(db_head), .db_error(), .db_ok(),
        .cpl_valid(cpl_valid), .cpl_ready(cpl_ready), .cpl_q(cpl_q), .cpl_q_next(cpl_q_next),
        .cpl_base(cpl_base), .cpl_dw0(cpl_dw0),
        .cpl_sqid(cpl_sqid), .cpl_sqhead(cpl_sqhead), .cpl_cid(cpl_cid), .cpl_status(cpl_status),
        .wr_valid(wr_valid), .wr_ready(wr_ready), .wr_addr(wr_addr), .wr_data(wr_data), .wr_done(wr_done),
        .event_out(), .event_err(), .full(), .empty(),
        .rd_re(1'b0), .rd_q(1'b0), .rd_size(), .rd_head(), .rd_tail(),
        .stall_cycles(), .entries_written()
    );

    `include "f_reset.vh"

    // the environment the device gives it
    always @* begin
        assume(q_base[3:0] == 4'd0 && q_base[35:32] == 4'd0);
        if (cfg_we) assume(cfg_size >= 16'd2);
    end
    // the writer: one entry write in flight, its B (wr_done) only after the entry was taken
    reg taken;
    always @(posedge clk) begin
        if (wr_valid && wr_ready) taken <= 1'b1;
        else if (wr_done) taken <= 1'b0;
        if (rst) taken <= 1'b0;
    end
    always @* if (wr_done) assume(taken);

    // per queue: created (size), whether an entry was written since, its slot and phase
    reg [15:0] size [0:NUM_CQ-1];
    reg        seen [0:NUM_CQ-1];
    reg [15:0] last_slot [0:NUM_CQ-1];
    reg        last_phase [0:NUM_CQ-1];

    reg        acc_q;       // an entry was accepted last cycle: it is on wr_addr/wr_data now
    reg        acc_qq;      // its queue
    reg        cfg_q_we;
    reg        cfg_q_q;
    reg [15:0] cfg_q_size;
    always @(posedge clk) begin
        acc_q      <= cpl_valid && cpl_ready && !rst;
        acc_qq     <= cpl_q;
        cfg_q_we   <= cfg_we && !rst;
        cfg_q_q    <= cfg_q;
        cfg_q_size <= cfg_size;
    end

    wire [31:0] base  = acc_qq ? q_base[63:32] : q_base[31:0];
    wire [31:0] off   = wr_addr - base;
    wire [15:0] slot  = off[19:4];
    wire        phase = wr_data[112];
    wire [15:0] qsize = size[acc_qq];
    wire [15:0] expect_slot = (last_slot[acc_qq] + 16'd1 == qsize) ? 16'd0 : last_slot[acc_qq] + 16'd1;

    always @(posedge clk) if (started && !rst && !rst_q && acc_q) begin
        if (!seen[acc_qq]) begin
            cq_phase_first: assert(slot == 16'd0 && phase == 1'b1);
        end else begin
            cq_phase_wrap: assert(phase == (slot == 16'd0 ? !last_phase[acc_qq] : last_phase[acc_qq]));
            cq_slot_next: assert(slot == expect_slot && off[31:20] == 12'd0 && off[3:0] == 4'd0);
        end
    end

    integer i;
    always @(posedge clk) begin
        // the same order as the engine: the accepted entry first, then a queue (re)creation
        if (acc_q) begin
            seen[acc_qq]       <= 1'b1;
            last_slot[acc_qq]  <= slot;
            last_phase[acc_qq] <= phase;
        end
        if (cfg_q_we) begin
            size[cfg_q_q] <= cfg_q_size;
            seen[cfg_q_q] <= 1'b0;
        end
        if (rst) begin
            for (i = 0; i < NUM_CQ; i = i + 1) begin
                size[i] <= 16'd2;
                seen[i] <= 1'b0;
                last_slot[i] <= 16'd0;
                last_phase[i] <= 1'b0;
            end
        end
    end
endmodule

`resetall
