// cq_csr: the per-queue registers of the completion queues (block CQ_BLOCK in irqloop_regs.vh).
//
// Holds each queue's base address, interrupt vector mapping (the mapping table) with its IEN
// bit, and the traffic generator's period and burst. A write of CQR_SIZE (re)creates the queue
// in cq_engine; a size outside 2..65535 or a vector >= NUM_VEC is refused (reg_error) and the
// queue is left as it was.
// A write of CQR_HEAD is the head doorbell; cq_engine checks it. Head, tail and size read back
// from cq_engine (its register port). The register bus is the device's internal one: a one-cycle
// write strobe with a whole 32-bit word, and a read strobe (reg_re) at which the register at
// reg_raddr is latched; reg_rdata holds it (0 outside this block) until the next strobe.
// The base addresses live in a RAM (block RAM), one 64-bit word per queue, read synchronously:
// at cpl_q_next for cq_engine (cpl_base is then the base of its cpl_q) and at the register read
// strobe. The generator's period and burst live in a second RAM, one 48-bit word per queue
// ({burst, period}), read synchronously at tg_q_next for the traffic generator's scanner
// (tg_period and tg_burst are then its queue's, one queue a cycle) and at the register read
// strobe. They stay here, beside the other CQ_BLOCK registers, so the queue register block is
// decoded and read back in one place and the generator has no register port of its own.
// Neither RAM is reset: a valid bit per queue and RAM, cleared by reset, makes a word read as
// zero until its first write, which writes the whole word (the half not written as zeros).
// Vector and IEN stay in flip-flops: the vector map uses every queue's in every cycle.
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
    input  wire                     reg_re,        // reg_raddr is read at this edge
    output reg  [31:0]              reg_rdata,     // the register read at the last reg_re

    // per-queue settings
    input  wire [QW-1:0]            cpl_q_next,    // the queue of cq_engine's next-cycle completion
    output wire [ADDR_W-1:0]        cpl_base,      // base address of that queue, in that cycle
    output wire [NUM_CQ*6-1:0]      q_vec,
    output wire [NUM_CQ-1:0]        q_ien,
    input  wire [QW-1:0]            tg_q_next,     // the queue the generator visits in the next cycle
    output wire [31:0]              tg_period,     // TG_PERIOD and TG_BURST of that queue, in that cycle
    output wire [15:0]              tg_burst,

    // to and from cq_engine
    output reg                      cfg_we,
    output reg  [QW-1:0]            cfg_q,
    output reg  [15:0]              cfg_size,
    output reg                      db_we,
    output reg  [QW-1:0]            db_q,
    output wire [QW-1:0]            db_q_next,     // db_q in the next cycle
    output reg  [15:0]              db_head,
    output reg                      reg_error,     // pulse: a refused queue size or vector
    output wire                     ctx_re,        // read size, head and tail of queue ctx_q
    output wire [QW-1:0]            ctx_q,
    input  wire [15:0]              ctx_head,      // registered: read at the last ctx_re
    input  wire [15:0]              ctx_tail,
    input  wire [15:0]              ctx_size
);

`include "irqloop_regs.vh"

    localparam integer BLOCK_END = 32'(CQ_BLOCK) + NUM_CQ * 32'(CQ_STRIDE);

    reg [63:0]       base_ram [0:NUM_CQ-1];
    reg [NUM_CQ-1:0] base_set;                     // base_ram holds the base (else it is 0)
    reg [47:0]       tg_ram [0:NUM_CQ-1];          // {TG_BURST, TG_PERIOD}
    reg [NUM_CQ-1:0] tg_set;                       // tg_ram holds the settings (else they are 0)
    // read by every queue's logic in every cycle: registers, not RAM
    (* mem2reg *) reg [5:0]  vec    [0:NUM_CQ-1];
    (* mem2reg *) reg        ien    [0:NUM_CQ-1];

    genvar g;
    generate
        for (g = 0; g < NUM_CQ; g = g + 1) begin : g_out
            assign q_vec[g*6 +: 6]            = vec[g];
            assign q_ien[g]                   = ien[g];
        end
    endgenerate

    wire          w_in = reg_we && reg_waddr >= CQ_BLOCK && {20'd0, reg_waddr} < BLOCK_END;
    wire [11:0]   w_off = reg_waddr - CQ_BLOCK;
    wire [QW-1:0] w_q = w_off[5 +: QW];
    wire [7:0]    w_reg = {3'd0, w_off[4:2], 2'b00};

    assign db_q_next = (w_in && w_reg == CQR_HEAD && !rst) ? w_q : rst ? {QW{1'b0}} : db_q;

    // the base RAM's write port: one 32-bit half; a base's first write fills the other with zeros
    always @(posedge clk) begin
        if (w_in && (w_reg == CQR_BASE_LO || w_reg == CQR_BASE_HI)) begin
            if (!base_set[w_q])
                base_ram[w_q] <= (w_reg == CQR_BASE_LO) ? {32'd0, reg_wdata[31:4], 4'd0} : {reg_wdata, 32'd0};
            else if (w_reg == CQR_BASE_LO) base_ram[w_q][31:0]  <= {reg_wdata[31:4], 4'd0};
            else                           base_ram[w_q][63:32] <= reg_wdata;
        end
    end

    // cq_engine's port: an address register, read as the RAM gives it
    reg [QW-1:0] e_q;
    always @(posedge clk) e_q <= cpl_q_next;
    wire [63:0] e_base = base_set[e_q] ? base_ram[e_q] : 64'd0;
    assign cpl_base = e_base[ADDR_W-1:0];

    // the generator settings RAM's write port: period or burst; a queue's first write fills the
    // other with zeros
    always @(posedge clk) begin
        if (w_in && w_reg == CQR_TG_PERIOD) begin
            if (!tg_set[w_q]) tg_ram[w_q] <= {16'd0, reg_wdata};
            else              tg_ram[w_q][31:0] <= reg_wdata;
        end
        if (w_in && w_reg == CQR_TG_BURST) begin
            if (!tg_set[w_q]) tg_ram[w_q] <= {reg_wdata[15:0], 32'd0};
            else              tg_ram[w_q][47:32] <= reg_wdata[15:0];
        end
    end

    // the generator's port: an address register, read as the RAM gives it
    reg [QW-1:0] t_q;
    always @(posedge clk) t_q <= tg_q_next;
    wire [47:0] t_word = tg_set[t_q] ? tg_ram[t_q] : 48'd0;
    assign tg_period = t_word[31:0];
    assign tg_burst  = t_word[47:32];

    integer i;
    always @(posedge clk) begin
        cfg_we     <= 1'b0;
        db_we      <= 1'b0;
        reg_error <= 1'b0;
        if (w_in) begin
            case (w_reg)
                CQR_BASE_LO, CQR_BASE_HI: base_set[w_q] <= 1'b1;
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
                CQR_TG_PERIOD, CQR_TG_BURST: tg_set[w_q] <= 1'b1;
                default: ;
            endcase
        end
        if (rst) begin
            base_set <= {NUM_CQ{1'b0}};
            tg_set   <= {NUM_CQ{1'b0}};
            for (i = 0; i < NUM_CQ; i = i + 1) begin
                vec[i]    <= 6'(VEC_CQ0 + i);
                ien[i]    <= 1'b0;
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

    // the register port: the queue's base and settings words and which register, latched at reg_re
    wire          r_in = reg_raddr >= CQ_BLOCK && {20'd0, reg_raddr} < BLOCK_END;
    wire [11:0]   r_off = reg_raddr - CQ_BLOCK;
    wire [QW-1:0] r_q = r_off[5 +: QW];
    wire [7:0]    r_reg = {3'd0, r_off[4:2], 2'b00};
    assign ctx_re = reg_re && r_in;
    assign ctx_q  = r_q;
    reg [63:0] r_base;
    reg        r_base_set;
    reg [47:0] r_tg;
    reg        r_tg_set;
    reg [7:0]  r_which;        // the register read (an out-of-block read latches 8'hFF)
    reg [31:0] r_flops;        // a register held in flip-flops here
    always @(posedge clk) begin
        if (reg_re) begin
            r_base     <= base_ram[r_q];
            r_base_set <= base_set[r_q];
            r_tg       <= tg_ram[r_q];
            r_tg_set   <= tg_set[r_q];
            r_which    <= r_in ? r_reg : 8'hFF;
            case (r_reg)
                CQR_IV:        r_flops <= {15'd0, ien[r_q], 10'd0, vec[r_q]};
                default:       r_flops <= 32'd0;
            endcase
        end
        if (rst) begin
            r_base_set <= 1'b0;
            r_tg_set   <= 1'b0;
            r_which    <= 8'hFF;
            r_flops    <= 32'd0;
        end
    end
    always @* begin
        case (r_which)
            CQR_BASE_LO:   reg_rdata = r_base_set ? r_base[31:0] : 32'd0;
            CQR_BASE_HI:   reg_rdata = r_base_set ? r_base[63:32] : 32'd0;
            CQR_SIZE:      reg_rdata = {16'd0, ctx_size};
            CQR_HEAD:      reg_rdata = {16'd0, ctx_head};
            CQR_TAIL:      reg_rdata = {16'd0, ctx_tail};
            CQR_TG_PERIOD: reg_rdata = r_tg_set ? r_tg[31:0] : 32'd0;
            CQR_TG_BURST:  reg_rdata = r_tg_set ? {16'd0, r_tg[47:32]} : 32'd0;
            CQR_IV:        reg_rdata = r_flops;
            default:       reg_rdata = 32'd0;
        endcase
    end

    wire unused_ok = &{1'b0, reg_waddr[1:0], reg_raddr[1:0], w_off, r_off, e_base};

endmodule

`resetall
