// irqloop_dev: the streaming DMA device of irqloop.
//
// A CSR block on an AXI4-Lite slave, a data source that fills a ring of slots in host memory
// through an AXI4 write master, and an MSI generator with a data-ready vector and an error
// vector. See irqloop_regs.vh for the register map and README.md for the behaviour.
`resetall
`default_nettype none

module irqloop_dev #(
    parameter integer DATA_W    = 64,
    parameter integer ADDR_W    = 64,
    parameter integer MAX_BURST = 16
) (
    input  wire                 clk,
    input  wire                 rst,

    // CSR: AXI4-Lite slave
    input  wire [11:0]          s_axil_awaddr,
    input  wire [2:0]           s_axil_awprot,
    input  wire                 s_axil_awvalid,
    output wire                 s_axil_awready,
    input  wire [31:0]          s_axil_wdata,
    input  wire [3:0]           s_axil_wstrb,
    input  wire                 s_axil_wvalid,
    output wire                 s_axil_wready,
    output wire [1:0]           s_axil_bresp,
    output wire                 s_axil_bvalid,
    input  wire                 s_axil_bready,
    input  wire [11:0]          s_axil_araddr,
    input  wire [2:0]           s_axil_arprot,
    input  wire                 s_axil_arvalid,
    output wire                 s_axil_arready,
    output wire [31:0]          s_axil_rdata,
    output wire [1:0]           s_axil_rresp,
    output wire                 s_axil_rvalid,
    input  wire                 s_axil_rready,

    // DMA and MSI: AXI4 master, write channels
    output wire [0:0]           m_axi_awid,
    output wire [ADDR_W-1:0]    m_axi_awaddr,
    output wire [7:0]           m_axi_awlen,
    output wire [2:0]           m_axi_awsize,
    output wire [1:0]           m_axi_awburst,
    output wire                 m_axi_awlock,
    output wire [3:0]           m_axi_awcache,
    output wire [2:0]           m_axi_awprot,
    output wire                 m_axi_awvalid,
    input  wire                 m_axi_awready,
    output wire [DATA_W-1:0]    m_axi_wdata,
    output wire [DATA_W/8-1:0]  m_axi_wstrb,
    output wire                 m_axi_wlast,
    output wire                 m_axi_wvalid,
    input  wire                 m_axi_wready,
    input  wire [0:0]           m_axi_bid,
    input  wire [1:0]           m_axi_bresp,
    input  wire                 m_axi_bvalid,
    output wire                 m_axi_bready
);

`include "irqloop_regs.vh"

    localparam integer NUM_VEC = 2;

    wire         ctrl_enable, ctrl_flowctl;
    wire [31:0]  chunk_period, slot_count, slot_size, msi_data, pattern_key, chunk_limit;
    wire [63:0]  ring_base, msi_addr;
    wire [3:0]   int_enable;
    wire [NUM_VEC-1:0] msi_mask, msi_pending;
    wire         cons_wr;
    wire [31:0]  cons_wr_data;
    wire [2:0]   cause, cause_w1c;

    wire         running, done, cfg_error, overrun, stalled;
    wire [31:0]  prod_idx, cons_idx, cnt_chunks, cnt_overwrite, cnt_stall, overrun_seq, overrun_cycle;
    wire         ev_data, ev_overrun, ev_cfgerr;

    wire         chunk_start, chunk_busy, chunk_done;
    wire [ADDR_W-1:0] chunk_addr;
    wire [31:0]  chunk_bytes, chunk_seq;

    wire         msi_req_valid, msi_ack, bus_error;
    wire         msi_req_vec;

    reg          bus_error_flag;
    wire [31:0]  cnt_irqs;

    wire [31:0] status = {26'd0, done, bus_error_flag, stalled, overrun, cfg_error, running};

    irqloop_csr #(.BUS_BYTES(DATA_W / 8), .NUM_VEC(NUM_VEC)) u_csr (
        .clk(clk), .rst(rst),
        .s_axil_awaddr(s_axil_awaddr), .s_axil_awprot(s_axil_awprot),
        .s_axil_awvalid(s_axil_awvalid), .s_axil_awready(s_axil_awready),
        .s_axil_wdata(s_axil_wdata), .s_axil_wstrb(s_axil_wstrb),
        .s_axil_wvalid(s_axil_wvalid), .s_axil_wready(s_axil_wready),
        .s_axil_bresp(s_axil_bresp), .s_axil_bvalid(s_axil_bvalid), .s_axil_bready(s_axil_bready),
        .s_axil_araddr(s_axil_araddr), .s_axil_arprot(s_axil_arprot),
        .s_axil_arvalid(s_axil_arvalid), .s_axil_arready(s_axil_arready),
        .s_axil_rdata(s_axil_rdata), .s_axil_rresp(s_axil_rresp),
        .s_axil_rvalid(s_axil_rvalid), .s_axil_rready(s_axil_rready),
        .ctrl_enable(ctrl_enable), .ctrl_flowctl(ctrl_flowctl), .chunk_period(chunk_period),
        .ring_base(ring_base), .slot_count(slot_count), .slot_size(slot_size),
        .int_enable(int_enable), .msi_addr(msi_addr), .msi_data(msi_data), .msi_mask(msi_mask),
        .pattern_key(pattern_key), .chunk_limit(chunk_limit),
        .cons_wr(cons_wr), .cons_wr_data(cons_wr_data),
        .cause_set({ev_cfgerr, ev_overrun, ev_data}), .cause(cause), .cause_w1c(cause_w1c),
        .status(status), .prod_idx(prod_idx), .cons_idx(cons_idx), .msi_pending(msi_pending),
        .cnt_chunks(cnt_chunks), .cnt_overwrite(cnt_overwrite), .cnt_irqs(cnt_irqs),
        .cnt_stall(cnt_stall), .overrun_seq(overrun_seq), .overrun_cycle(overrun_cycle)
    );

    ring_producer #(.DATA_W(DATA_W), .ADDR_W(ADDR_W)) u_producer (
        .clk(clk), .rst(rst),
        .enable(ctrl_enable), .flowctl(ctrl_flowctl), .chunk_period(chunk_period),
        .ring_base(ring_base[ADDR_W-1:0]), .slot_count(slot_count), .slot_size(slot_size),
        .chunk_limit(chunk_limit), .msi_sent(msi_ack),
        .cons_wr(cons_wr), .cons_wr_data(cons_wr_data),
        .chunk_start(chunk_start), .chunk_addr(chunk_addr), .chunk_bytes(chunk_bytes),
        .chunk_seq(chunk_seq), .chunk_busy(chunk_busy), .chunk_done(chunk_done),
        .running(running), .done(done), .cfg_error(cfg_error), .overrun(overrun), .stalled(stalled),
        .prod_idx(prod_idx), .cons_idx(cons_idx), .cnt_chunks(cnt_chunks),
        .cnt_overwrite(cnt_overwrite), .cnt_stall(cnt_stall), .cnt_irqs(cnt_irqs),
        .overrun_seq(overrun_seq), .overrun_cycle(overrun_cycle),
        .ev_data(ev_data), .ev_overrun(ev_overrun), .ev_cfgerr(ev_cfgerr)
    );

    // events of each vector (only when enabled in INT_ENABLE) and software servicing them
    wire [NUM_VEC-1:0] vec_event = {(ev_overrun | ev_cfgerr) & int_enable[VEC_ERROR],
                                    ev_data & int_enable[VEC_DATA]};
    wire [NUM_VEC-1:0] vec_serviced = {cause_w1c[CAUSE_OVERRUN] | cause_w1c[CAUSE_CFGERR],
                                       cause_w1c[CAUSE_DATA]};
    // a vector's events are serviced once none of its cause bits remain set
    wire [NUM_VEC-1:0] vec_clear = vec_serviced &
                                   {~(cause[CAUSE_OVERRUN] & ~cause_w1c[CAUSE_OVERRUN]) &
                                    ~(cause[CAUSE_CFGERR] & ~cause_w1c[CAUSE_CFGERR]),
                                    1'b1};

    msi_vector_ctrl #(.NUM_VEC(NUM_VEC)) u_msi (
        .clk(clk), .rst(rst),
        .event_in(vec_event), .mask(msi_mask), .clear_masked(vec_clear), .pending(msi_pending),
        .req_valid(msi_req_valid), .req_vec(msi_req_vec), .req_ack(msi_ack)
    );

    dma_axi_writer #(.DATA_W(DATA_W), .ADDR_W(ADDR_W), .MAX_BURST(MAX_BURST)) u_writer (
        .clk(clk), .rst(rst),
        .chunk_start(chunk_start), .chunk_addr(chunk_addr), .chunk_bytes(chunk_bytes),
        .chunk_seq(chunk_seq), .pattern_key(pattern_key),
        .chunk_busy(chunk_busy), .chunk_done(chunk_done),
        .msi_valid(msi_req_valid), .msi_addr(msi_addr[ADDR_W-1:0]),
        .msi_data(msi_data + {31'd0, msi_req_vec}), .msi_ack(msi_ack),
        .bus_error(bus_error),
        .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen),
        .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst), .m_axi_awlock(m_axi_awlock),
        .m_axi_awcache(m_axi_awcache), .m_axi_awprot(m_axi_awprot),
        .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready),
        .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb), .m_axi_wlast(m_axi_wlast),
        .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
        .m_axi_bid(m_axi_bid), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
        .m_axi_bready(m_axi_bready)
    );

    always @(posedge clk) begin
        if (bus_error) bus_error_flag <= 1'b1;
        if (rst) begin
            bus_error_flag <= 1'b0;
        end
    end

    wire unused_ok = &{1'b0, cause[2:0], int_enable[3:2], ring_base[63:ADDR_W > 63 ? 63 : ADDR_W],
                       msi_addr[63:ADDR_W > 63 ? 63 : ADDR_W]};

endmodule

`resetall
