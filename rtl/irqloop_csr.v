// irqloop_csr: AXI4-Lite slave holding the irqloop register file.
//
// One transaction of each direction in flight. Writes take effect when both AW and W have
// been accepted; the B response follows one cycle later. Reads return the value of the
// register in the cycle the address is accepted. Register map: irqloop_regs.vh.
// Every write is also put on the device's internal register bus (ext_we, one cycle, whole word)
// and every read address not held here is answered by ext_rdata: the queue, vector table and
// moderation blocks decode their own registers from it. Their read data is registered (they keep
// registers in block RAM, read synchronously): each block latches the register at ext_raddr
// when ext_re is high (the AR handshake) and holds it; R returns it in the same cycle as a
// register of this block, the cycle after the address was accepted.
`resetall
`default_nettype none

module irqloop_csr #(
    parameter integer BUS_BYTES = 8,   // DMA data bus width in bytes (reported in VERSION)
    parameter integer NUM_CQ    = 4,
    parameter integer NUM_VEC   = NUM_CQ + 2,
    parameter integer COAL_TICK = 25000
) (
    input  wire                 clk,
    input  wire                 rst,

    // AXI4-Lite slave
    input  wire [11:0]          s_axil_awaddr,
    input  wire [2:0]           s_axil_awprot,
    input  wire                 s_axil_awvalid,
    output wire                 s_axil_awready,
    input  wire [31:0]          s_axil_wdata,
    input  wire [3:0]           s_axil_wstrb,
    input  wire                 s_axil_wvalid,
    output wire                 s_axil_wready,
    output wire [1:0]           s_axil_bresp,
    output reg                  s_axil_bvalid,
    input  wire                 s_axil_bready,
    input  wire [11:0]          s_axil_araddr,
    input  wire [2:0]           s_axil_arprot,
    input  wire                 s_axil_arvalid,
    output wire                 s_axil_arready,
    output wire [31:0]          s_axil_rdata,
    output wire [1:0]           s_axil_rresp,
    output reg                  s_axil_rvalid,
    input  wire                 s_axil_rready,

    // settings
    output reg                  ctrl_enable,
    output reg                  ctrl_flowctl,
    output reg  [31:0]          chunk_period,
    output reg  [63:0]          ring_base,
    output reg  [31:0]          slot_count,
    output reg  [31:0]          slot_size,
    output reg  [3:0]           int_enable,
    output reg  [63:0]          msi_addr,
    output reg  [31:0]          msi_data,
    output reg  [31:0]          pattern_key,
    output reg  [31:0]          chunk_limit,
    output reg  [31:0]          dma_cq,
    output reg                  tg_run,
    output reg  [31:0]          tg_limit,
    output reg  [31:0]          tg_err_every,

    // internal register bus to the other register blocks
    output wire                 ext_we,
    output wire [11:0]          ext_waddr,
    output wire [31:0]          ext_wdata,
    output wire [11:0]          ext_raddr,
    output wire                 ext_re,          // ext_raddr is read at this clock edge
    input  wire [31:0]          ext_rdata,       // registered: the register read at the last ext_re

    // consumer index write (the core validates and stores it)
    output reg                  cons_wr,
    output reg  [31:0]          cons_wr_data,

    // interrupt cause: set by the core, cleared by software (write 1 to clear)
    input  wire [3:0]           cause_set,
    output reg  [3:0]           cause,
    output reg  [3:0]           cause_w1c,     // bits software cleared this cycle

    // read-only values
    input  wire [31:0]          status,
    input  wire [31:0]          prod_idx,
    input  wire [31:0]          cons_idx,
    input  wire [31:0]          cnt_chunks,
    input  wire [31:0]          cnt_overwrite,
    input  wire [31:0]          cnt_irqs,
    input  wire [31:0]          cnt_stall,
    input  wire [31:0]          overrun_seq,
    input  wire [31:0]          overrun_cycle,
    input  wire [31:0]          cq_full,
    input  wire [31:0]          cnt_cq_stall,
    input  wire [31:0]          cnt_cq_entry,
    input  wire [31:0]          cnt_db_error,
    input  wire [31:0]          db_error_q,
    input  wire [31:0]          cnt_coalesced,
    input  wire [31:0]          cnt_coal_thr,
    input  wire [31:0]          cnt_coal_time
);

`include "irqloop_regs.vh"

    // ---- write path ----
    reg         aw_full, w_full;
    reg [11:0]  aw_addr;
    reg [31:0]  w_data;
    reg [3:0]   w_strb;

    assign s_axil_awready = !aw_full && !s_axil_bvalid;
    assign s_axil_wready  = !w_full && !s_axil_bvalid;
    assign s_axil_bresp   = 2'b00;

    wire do_write = aw_full && w_full && !s_axil_bvalid;

    function automatic [31:0] merge(input [31:0] old, input [31:0] nw, input [3:0] strb);
        integer i;
        begin
            for (i = 0; i < 4; i = i + 1)
                merge[8*i +: 8] = strb[i] ? nw[8*i +: 8] : old[8*i +: 8];
        end
    endfunction

    wire [3:0] w1c_bits = (do_write && aw_addr[11:2] == REG_INT_CAUSE[11:2] && w_strb[0]) ? w_data[3:0] : 4'd0;

    assign ext_we    = do_write;
    assign ext_waddr = {aw_addr[11:2], 2'b00};
    assign ext_wdata = w_data;
    assign ext_raddr = {s_axil_araddr[11:2], 2'b00};
    assign ext_re    = s_axil_arvalid && s_axil_arready;

    always @(posedge clk) begin
        cons_wr   <= 1'b0;
        cause_w1c <= 4'b0000;

        if (s_axil_awvalid && s_axil_awready) begin
            aw_full <= 1'b1;
            aw_addr <= s_axil_awaddr;
        end
        if (s_axil_wvalid && s_axil_wready) begin
            w_full <= 1'b1;
            w_data <= s_axil_wdata;
            w_strb <= s_axil_wstrb;
        end
        if (s_axil_bvalid && s_axil_bready)
            s_axil_bvalid <= 1'b0;

        if (do_write) begin
            aw_full       <= 1'b0;
            w_full        <= 1'b0;
            s_axil_bvalid <= 1'b1;
            case ({aw_addr[11:2], 2'b00})
                REG_CTRL: begin
                    if (w_strb[0]) begin
                        ctrl_enable  <= w_data[CTRL_ENABLE];
                        ctrl_flowctl <= w_data[CTRL_FLOWCTL];
                    end
                end
                REG_CHUNK_PERIOD: chunk_period      <= merge(chunk_period, w_data, w_strb);
                REG_RING_BASE_LO: ring_base[31:0]   <= merge(ring_base[31:0], w_data, w_strb);
                REG_RING_BASE_HI: ring_base[63:32]  <= merge(ring_base[63:32], w_data, w_strb);
                REG_SLOT_COUNT:   slot_count        <= merge(slot_count, w_data, w_strb);
                REG_SLOT_SIZE:    slot_size         <= merge(slot_size, w_data, w_strb);
                REG_CONS_IDX: begin
                    cons_wr      <= 1'b1;
                    cons_wr_data <= merge(cons_idx, w_data, w_strb);
                end
                REG_INT_ENABLE:   if (w_strb[0]) int_enable <= {2'b00, w_data[1:0]};  // bits 3:2 unused: read 0
                REG_MSI_ADDR_LO:  msi_addr[31:0]    <= merge(msi_addr[31:0], w_data, w_strb) & ~32'h3;
                REG_MSI_ADDR_HI:  msi_addr[63:32]   <= merge(msi_addr[63:32], w_data, w_strb);
                REG_MSI_DATA:     msi_data          <= merge(msi_data, w_data, w_strb);
                REG_PATTERN_KEY:  pattern_key       <= merge(pattern_key, w_data, w_strb);
                REG_CHUNK_LIMIT:  chunk_limit       <= merge(chunk_limit, w_data, w_strb);
                REG_DMA_CQ:       dma_cq            <= merge(dma_cq, w_data, w_strb);
                REG_TG_CTRL:      if (w_strb[0]) tg_run <= w_data[0];
                REG_TG_LIMIT:     tg_limit          <= merge(tg_limit, w_data, w_strb);
                REG_TG_ERR_EVERY: tg_err_every      <= merge(tg_err_every, w_data, w_strb);
                REG_INT_CAUSE:    cause_w1c         <= w1c_bits & cause;
                default: ;  // read-only, unmapped, or held by another block (ext_we)
            endcase
        end

        // a cause bit set by hardware in the same cycle as software clears it stays set
        cause <= (cause & ~w1c_bits) | cause_set;

        if (rst) begin
            aw_full       <= 1'b0;
            w_full        <= 1'b0;
            s_axil_bvalid <= 1'b0;
            ctrl_enable   <= 1'b0;
            ctrl_flowctl  <= 1'b0;
            chunk_period  <= 32'd0;
            ring_base     <= 64'd0;
            slot_count    <= 32'd0;
            slot_size     <= 32'd0;
            int_enable    <= 4'd0;
            msi_addr      <= 64'd0;
            msi_data      <= 32'd0;
            pattern_key   <= 32'd0;
            chunk_limit   <= 32'd0;
            dma_cq        <= 32'd0;
            tg_run        <= 1'b0;
            tg_limit      <= 32'd0;
            tg_err_every  <= 32'd0;
            cause         <= 4'b0000;
            cause_w1c     <= 4'b0000;
            cons_wr       <= 1'b0;
            cons_wr_data  <= 32'd0;
            aw_addr       <= 12'd0;
            w_data        <= 32'd0;
            w_strb        <= 4'd0;
        end
    end

    // ---- read path ----
    assign s_axil_arready = !s_axil_rvalid;
    assign s_axil_rresp   = 2'b00;

    reg [31:0] rd_mux;
    reg        rd_own;           // the address is a register of this block
    always @* begin
        rd_own = 1'b1;
        case ({s_axil_araddr[11:2], 2'b00})
            REG_ID:            rd_mux = DEVICE_ID;
            REG_VERSION:       rd_mux = {8'd0, BUS_BYTES[7:0], DEVICE_VERSION};
            REG_CTRL:          rd_mux = {30'd0, ctrl_flowctl, ctrl_enable};
            REG_STATUS:        rd_mux = status;
            REG_CHUNK_PERIOD:  rd_mux = chunk_period;
            REG_RING_BASE_LO:  rd_mux = ring_base[31:0];
            REG_RING_BASE_HI:  rd_mux = ring_base[63:32];
            REG_SLOT_COUNT:    rd_mux = slot_count;
            REG_SLOT_SIZE:     rd_mux = slot_size;
            REG_PROD_IDX:      rd_mux = prod_idx;
            REG_CONS_IDX:      rd_mux = cons_idx;
            REG_INT_CAUSE:     rd_mux = {28'd0, cause};
            REG_INT_ENABLE:    rd_mux = {28'd0, int_enable};
            REG_MSI_ADDR_LO:   rd_mux = msi_addr[31:0];
            REG_MSI_ADDR_HI:   rd_mux = msi_addr[63:32];
            REG_MSI_DATA:      rd_mux = msi_data;
            REG_CNT_CHUNKS:    rd_mux = cnt_chunks;
            REG_CNT_OVERWRITE: rd_mux = cnt_overwrite;
            REG_CNT_IRQS:      rd_mux = cnt_irqs;
            REG_CNT_STALL:     rd_mux = cnt_stall;
            REG_PATTERN_KEY:   rd_mux = pattern_key;
            REG_CHUNK_LIMIT:   rd_mux = chunk_limit;
            REG_OVERRUN_SEQ:   rd_mux = overrun_seq;
            REG_OVERRUN_CYCLE: rd_mux = overrun_cycle;
            REG_CAPS:          rd_mux = {16'd0, NUM_VEC[7:0], NUM_CQ[7:0]};
            REG_COAL_TICK:     rd_mux = COAL_TICK;
            REG_DMA_CQ:        rd_mux = dma_cq;
            REG_TG_CTRL:       rd_mux = {31'd0, tg_run};
            REG_TG_LIMIT:      rd_mux = tg_limit;
            REG_TG_ERR_EVERY:  rd_mux = tg_err_every;
            REG_CQ_FULL:       rd_mux = cq_full;
            REG_CNT_CQ_STALL:  rd_mux = cnt_cq_stall;
            REG_CNT_CQ_ENTRY:  rd_mux = cnt_cq_entry;
            REG_CNT_DB_ERROR:  rd_mux = cnt_db_error;
            REG_DB_ERROR_Q:    rd_mux = db_error_q;
            REG_CNT_COALESCED: rd_mux = cnt_coalesced;
            REG_CNT_COAL_THR:  rd_mux = cnt_coal_thr;
            REG_CNT_COAL_TIME: rd_mux = cnt_coal_time;
            default: begin
                rd_mux = 32'd0;
                rd_own = 1'b0;
            end
        endcase
    end

    reg [31:0] rdata_own;
    reg        rdata_ext;        // the read went to another block: its registered ext_rdata
    assign s_axil_rdata = rdata_ext ? ext_rdata : rdata_own;
    always @(posedge clk) begin
        if (s_axil_arvalid && s_axil_arready) begin
            s_axil_rvalid <= 1'b1;
            rdata_own     <= rd_mux;
            rdata_ext     <= !rd_own;
        end else if (s_axil_rvalid && s_axil_rready) begin
            s_axil_rvalid <= 1'b0;
        end
        if (rst) begin
            s_axil_rvalid <= 1'b0;
            rdata_own     <= 32'd0;
            rdata_ext     <= 1'b0;
        end
    end

    // protection bits and the byte offset within a register are not used
    wire unused_ok = &{1'b0, s_axil_awprot, s_axil_arprot, s_axil_araddr[1:0], aw_addr[1:0]};

endmodule

`resetall
