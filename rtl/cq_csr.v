// cq_csr: the per-queue registers of the completion queues (block CQ_BLOCK in irqloop_regs.vh).
//
// Holds each queue's base address, interrupt vector mapping (the mapping table) with its IEN
// bit, and the traffic generator's period and burst. A write of CQR_SIZE (re)creates the queue
// in cq_engine; a size outside 2..65535 or a vector >= NUM_VEC is refused (reg_error) and the
// queue is left as it was.
// A write of CQR_HEAD is the head doorbell; cq_engine checks it. Head, tail and size read back
// from cq_engine. The register bus is the device's internal one: a one-cycle write strobe with a
// whole 32-bit word, and a combinational read that returns 0 outside this block.
`resetall
`default_nettype none

module cq_csr #(
    parameter integer NUM_CQ = 4,
    parameter integer NUM_VEC = NUM_CQ + 2,
    parameter integer ADDR_W = 64,
    parameter integer QW     = (NUM_CQ > 1) ? $clog2(NUM_CQ) : 1
) (
    input  wire                     clk,
    input  wire                     rst,

    input  wire                     reg_we,
    input  wire [11:0]              reg_waddr,
    input  wire [31:0]              reg_wdata,
    input  wire [11:0]              reg_raddr,
    output reg  [31:0]              reg_rdata,

    // per-queue settings
    output wire [NUM_CQ*ADDR_W-1:0] q_base,
    output wire [NUM_CQ*6-1:0]      q_vec,
    output wire [NUM_CQ-1:0]        q_ien,
    output wire [NUM_CQ*32-1:0]     tg_period,
    output wire [NUM_CQ*16-1:0]     tg_burst,

    // to and from cq_engine
    output reg                      cfg_we,
    output reg  [QW-1:0]            cfg_q,
    output reg  [15:0]              cfg_size,
    output reg                      db_we,
    output reg  [QW-1:0]            db_q,
    output reg  [15:0]              db_head,
    output reg                      reg_error,     // pulse: a refused queue size or vector
    input  wire [NUM_CQ*16-1:0]     q_head,
    input  wire [NUM_CQ*16-1:0]     q_tail,
    input  wire [NUM_CQ*16-1:0]     q_size
);

`include "irqloop_regs.vh"

    localparam integer BLOCK_END = 32'(CQ_BLOCK) + NUM_CQ * 32'(CQ_STRIDE);

    reg [63:0] base   [0:NUM_CQ-1];
    reg [5:0]  vec    [0:NUM_CQ-1];
    reg        ien    [0:NUM_CQ-1];
    reg [31:0] period [0:NUM_CQ-1];
    reg [15:0] burst  [0:NUM_CQ-1];

    genvar g;
    generate
        for (g = 0; g < NUM_CQ; g = g + 1) begin : g_out
            assign q_base[g*ADDR_W +: ADDR_W] = base[g][ADDR_W-1:0];
            assign q_vec[g*6 +: 6]            = vec[g];
            assign q_ien[g]                   = ien[g];
            assign tg_period[g*32 +: 32]      = period[g];
            assign tg_burst[g*16 +: 16]       = burst[g];
        end
    endgenerate

    wire          w_in = reg_we && reg_waddr >= CQ_BLOCK && {20'd0, reg_waddr} < BLOCK_END;
    wire [11:0]   w_off = reg_waddr - CQ_BLOCK;
    wire [QW-1:0] w_q = w_off[5 +: QW];
    wire [7:0]    w_reg = {3'd0, w_off[4:2], 2'b00};

    integer i;
    always @(posedge clk) begin
        cfg_we     <= 1'b0;
        db_we      <= 1'b0;
        reg_error <= 1'b0;
        if (w_in) begin
            case (w_reg)
                CQR_BASE_LO:   base[w_q][31:0]  <= {reg_wdata[31:4], 4'd0};
                CQR_BASE_HI:   base[w_q][63:32] <= reg_wdata;
                CQR_SIZE: begin
                    if (reg_wdata >= 32'd2 && reg_wdata <= 32'd65535) begin
                        cfg_we   <= 1'b1;
                        cfg_q    <= w_q;
                        cfg_size <= reg_wdata[15:0];
                    end else begin
                        reg_error <= 1'b1;
                    end
                end
                CQR_HEAD: begin
                    db_we   <= 1'b1;
                    db_q    <= w_q;
                    db_head <= reg_wdata[15:0];
                end
                CQR_IV: begin
                    if ({26'd0, reg_wdata[5:0]} < NUM_VEC) begin
                        vec[w_q] <= reg_wdata[5:0];
                        ien[w_q] <= reg_wdata[CQ_IEN];
                    end else begin
                        reg_error <= 1'b1;
                    end
                end
                CQR_TG_PERIOD: period[w_q] <= reg_wdata;
                CQR_TG_BURST:  burst[w_q]  <= reg_wdata[15:0];
                default: ;
            endcase
        end
        if (rst) begin
            for (i = 0; i < NUM_CQ; i = i + 1) begin
                base[i]   <= 64'd0;
                vec[i]    <= 6'(VEC_CQ0 + i);
                ien[i]    <= 1'b0;
                period[i] <= 32'd0;
                burst[i]  <= 16'd0;
            end
            cfg_we     <= 1'b0;
            cfg_q      <= {QW{1'b0}};
            cfg_size   <= 16'd0;
            db_we      <= 1'b0;
            db_q       <= {QW{1'b0}};
            db_head    <= 16'd0;
            reg_error <= 1'b0;
        end
    end

    wire          r_in = reg_raddr >= CQ_BLOCK && {20'd0, reg_raddr} < BLOCK_END;
    wire [11:0]   r_off = reg_raddr - CQ_BLOCK;
    wire [QW-1:0] r_q = r_off[5 +: QW];
    always @* begin
        reg_rdata = 32'd0;
        if (r_in) begin
            case ({3'd0, r_off[4:2], 2'b00})
                CQR_BASE_LO:   reg_rdata = base[r_q][31:0];
                CQR_BASE_HI:   reg_rdata = base[r_q][63:32];
                CQR_SIZE:      reg_rdata = {16'd0, q_size[r_q*16 +: 16]};
                CQR_HEAD:      reg_rdata = {16'd0, q_head[r_q*16 +: 16]};
                CQR_TAIL:      reg_rdata = {16'd0, q_tail[r_q*16 +: 16]};
                CQR_IV:        reg_rdata = {15'd0, ien[r_q], 10'd0, vec[r_q]};
                CQR_TG_PERIOD: reg_rdata = period[r_q];
                CQR_TG_BURST:  reg_rdata = {16'd0, burst[r_q]};
                default:       reg_rdata = 32'd0;
            endcase
        end
    end

    wire unused_ok = &{1'b0, reg_waddr[1:0], reg_raddr[1:0], w_off, r_off};

endmodule

`resetall
