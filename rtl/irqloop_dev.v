// irqloop_dev: the streaming DMA device of irqloop.
//
// A CSR block on an AXI4-Lite slave; a data source that fills a ring of slots in host memory
// through an AXI4 write master; NUM_CQ NVMe-style completion queues fed by the DMA (one entry
// per chunk) and by a traffic generator; and an interrupt path of NUM_CQ + 2 vectors (data,
// error, then one per queue by default through the mapping table): moderation (coalescing and
// rate limiting), PCIe mask/pending/collapse, and an MSI / MSI-X message table.
// See irqloop_regs.vh for the register map and README.md for the behaviour.
`resetall
`default_nettype none

module irqloop_dev #(
    parameter integer DATA_W    = 64,
    parameter integer ADDR_W    = 64,
    parameter integer MAX_BURST = 16,
    parameter integer NUM_CQ    = 4,        // completion queues, 1..32
    parameter integer COAL_TICK = 25000,    // clock cycles per 100 us (aggregation time unit)
    parameter integer COAL_STEP = 250,      // cycles per step of the aggregation time (1 us; divides COAL_TICK)
    parameter integer RATE_SHIFT = 7        // the rate limit counts steps of 2^RATE_SHIFT cycles
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

    localparam integer NUM_VEC = NUM_CQ + 2;
    localparam integer VW      = $clog2(NUM_VEC);
    localparam integer QW      = (NUM_CQ > 1) ? $clog2(NUM_CQ) : 1;

    // ---------------- registers ----------------
    wire         ctrl_enable, ctrl_flowctl;
    wire [31:0]  chunk_period, slot_count, slot_size, msi_data, pattern_key, chunk_limit;
    wire [63:0]  ring_base, msi_addr;
    wire [3:0]   int_enable;
    wire         cons_wr;
    wire [31:0]  cons_wr_data;
    wire [3:0]   cause, cause_w1c;
    wire [31:0]  dma_cq, tg_limit, tg_err_every;
    wire         tg_run;
    wire         ext_we, ext_re;
    wire [11:0]  ext_waddr, ext_raddr;
    wire [31:0]  ext_wdata;
    wire [31:0]  rdata_cq, rdata_vt, rdata_iv;

    wire         running, done, cfg_error, overrun, stalled;
    wire [31:0]  prod_idx, cons_idx, cnt_chunks, cnt_overwrite, cnt_stall, overrun_seq, overrun_cycle;
    wire         ev_data, ev_overrun, ev_cfgerr;

    wire         chunk_start, chunk_busy, chunk_done;
    wire [ADDR_W-1:0] chunk_addr;
    wire [31:0]  chunk_bytes, chunk_seq;

    wire         msi_req_valid, msi_ack, bus_error;
    wire [VW-1:0] msi_req_vec, msi_req_vec_next;
    wire [NUM_VEC-1:0] vec_mask, vec_mask_next, vec_pending;
    wire [ADDR_W-1:0]  msg_addr;
    wire [31:0]        msg_data;
    wire               msix_enable;

    reg          bus_error_flag;
    wire [31:0]  cnt_irqs, cnt_coalesced, cnt_coal_thr, cnt_coal_time;
    reg  [31:0]  cnt_db_error, db_error_q;

    // completion queues
    wire [ADDR_W-1:0]        cpl_base;
    wire [NUM_CQ*6-1:0]      q_vec;
    wire [NUM_CQ-1:0]        q_ien, q_event, q_db_ok, q_full, q_empty;
    wire [QW-1:0]            tg_q_next;
    wire [31:0]              tg_period;
    wire [15:0]              tg_burst;
    wire                     ctx_re;
    wire [QW-1:0]            ctx_q;
    wire [15:0]              ctx_head, ctx_tail, ctx_size;
    wire                     cq_cfg_we, cq_db_we, cq_reg_error, cq_db_error, q_event_err;
    wire [QW-1:0]            q_event_q, q_db_ok_q;           // the queue of q_event / q_db_ok
    wire [QW-1:0]            cq_cfg_q, cq_db_q, cq_db_q_next;
    wire [15:0]              cq_cfg_size, cq_db_head;
    wire                     cpl_valid, cpl_ready;
    wire [QW-1:0]            cpl_q, cpl_q_next;
    wire [31:0]              cpl_dw0;
    wire [15:0]              cpl_sqid, cpl_sqhead, cpl_cid;
    wire [14:0]              cpl_status;
    wire                     cqw_valid, cqw_ready, cqw_done;
    wire [ADDR_W-1:0]        cqw_addr;
    wire [127:0]             cqw_data;
    wire [31:0]              cq_stall_cycles, cq_entries, cq_full_wait;

    wire ev_dberr  = cq_db_error;
    wire ev_cfgany = ev_cfgerr | cq_reg_error;

    wire [31:0] status = {26'd0, done, bus_error_flag, stalled, overrun, cfg_error, running};

    irqloop_csr #(.BUS_BYTES(DATA_W / 8), .NUM_CQ(NUM_CQ), .NUM_VEC(NUM_VEC), .COAL_TICK(COAL_TICK)) u_csr (
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
        .int_enable(int_enable), .msi_addr(msi_addr), .msi_data(msi_data),
        .pattern_key(pattern_key), .chunk_limit(chunk_limit),
        .dma_cq(dma_cq), .tg_run(tg_run), .tg_limit(tg_limit), .tg_err_every(tg_err_every),
        .ext_we(ext_we), .ext_waddr(ext_waddr), .ext_wdata(ext_wdata), .ext_raddr(ext_raddr),
        .ext_re(ext_re), .ext_rdata(rdata_cq | rdata_vt | rdata_iv),
        .cons_wr(cons_wr), .cons_wr_data(cons_wr_data),
        .cause_set({ev_dberr, ev_cfgany, ev_overrun, ev_data}), .cause(cause), .cause_w1c(cause_w1c),
        .status(status), .prod_idx(prod_idx), .cons_idx(cons_idx),
        .cnt_chunks(cnt_chunks), .cnt_overwrite(cnt_overwrite), .cnt_irqs(cnt_irqs),
        .cnt_stall(cnt_stall), .overrun_seq(overrun_seq), .overrun_cycle(overrun_cycle),
        .cq_full({{(32-NUM_CQ){1'b0}}, q_full}), .cnt_cq_stall(cq_full_wait), .cnt_cq_entry(cq_entries),
        .cnt_db_error(cnt_db_error), .db_error_q(db_error_q), .cnt_coalesced(cnt_coalesced),
        .cnt_coal_thr(cnt_coal_thr), .cnt_coal_time(cnt_coal_time)
    );

    // ---------------- streaming DMA source ----------------
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

    reg running_d;
    always @(posedge clk) running_d <= rst ? 1'b0 : running;

    // ---------------- completion queues ----------------
    cq_csr #(.NUM_CQ(NUM_CQ), .NUM_VEC(NUM_VEC), .ADDR_W(ADDR_W)) u_cq_csr (
        .clk(clk), .rst(rst),
        .reg_we(ext_we), .reg_waddr(ext_waddr), .reg_wdata(ext_wdata),
        .reg_raddr(ext_raddr), .reg_re(ext_re), .reg_rdata(rdata_cq),
        .cpl_q_next(cpl_q_next), .cpl_base(cpl_base),
        .q_vec(q_vec), .q_ien(q_ien), .tg_q_next(tg_q_next), .tg_period(tg_period), .tg_burst(tg_burst),
        .cfg_we(cq_cfg_we), .cfg_q(cq_cfg_q), .cfg_size(cq_cfg_size),
        .db_we(cq_db_we), .db_q(cq_db_q), .db_q_next(cq_db_q_next), .db_head(cq_db_head),
        .reg_error(cq_reg_error), .ctx_re(ctx_re), .ctx_q(ctx_q),
        .ctx_head(ctx_head), .ctx_tail(ctx_tail), .ctx_size(ctx_size)
    );

    wire dma_cq_ok = dma_cq[DMA_CQ_EN] && {27'd0, dma_cq[4:0]} < NUM_CQ;

    cpl_traffic_gen #(.NUM_CQ(NUM_CQ)) u_tg (
        .clk(clk), .rst(rst),
        .dma_en(dma_cq_ok), .dma_q(dma_cq[QW-1:0]), .dma_chunk(chunk_done),
        .stream_start(running && !running_d),
        .run(tg_run), .limit(tg_limit), .err_every(tg_err_every),
        .tg_q_next(tg_q_next), .tg_period(tg_period), .tg_burst(tg_burst),
        .cpl_valid(cpl_valid), .cpl_ready(cpl_ready), .cpl_q(cpl_q), .cpl_q_next(cpl_q_next),
        .cpl_dw0(cpl_dw0), .cpl_sqid(cpl_sqid), .cpl_sqhead(cpl_sqhead), .cpl_cid(cpl_cid),
        .cpl_status(cpl_status), .q_full(q_full), .full_wait_cycles(cq_full_wait)
    );

    cq_engine #(.NUM_CQ(NUM_CQ), .ADDR_W(ADDR_W)) u_cq (
        .clk(clk), .rst(rst),
        .cfg_we(cq_cfg_we), .cfg_q(cq_cfg_q), .cfg_size(cq_cfg_size),
        .db_we(cq_db_we), .db_q(cq_db_q), .db_q_next(cq_db_q_next), .db_head(cq_db_head),
        .db_error(cq_db_error), .db_ok(q_db_ok), .db_ok_q(q_db_ok_q),
        .cpl_valid(cpl_valid), .cpl_ready(cpl_ready), .cpl_q(cpl_q), .cpl_q_next(cpl_q_next),
        .cpl_base(cpl_base), .cpl_dw0(cpl_dw0),
        .cpl_sqid(cpl_sqid), .cpl_sqhead(cpl_sqhead), .cpl_cid(cpl_cid), .cpl_status(cpl_status),
        .wr_valid(cqw_valid), .wr_ready(cqw_ready), .wr_addr(cqw_addr), .wr_data(cqw_data),
        .wr_done(cqw_done),
        .event_out(q_event), .event_err(q_event_err), .event_q(q_event_q), .full(q_full), .empty(q_empty),
        .rd_re(ctx_re), .rd_q(ctx_q), .rd_size(ctx_size), .rd_head(ctx_head), .rd_tail(ctx_tail),
        .stall_cycles(cq_stall_cycles), .entries_written(cq_entries)
    );

    always @(posedge clk) begin
        if (cq_db_error) begin
            cnt_db_error <= cnt_db_error + 32'd1;
            db_error_q   <= {1'b1, 26'd0, {(5-QW){1'b0}}, cq_db_q};
        end
        if (rst) begin
            cnt_db_error <= 32'd0;
            db_error_q   <= 32'd0;
        end
    end

    // ---------------- interrupts ----------------
    // the landed entry's and the doorbell's vectors, and whether a vector still has entries
    wire          cqv_ev, cqv_db, cqv_db_busy;
    wire [VW-1:0] cqv_ev_vec, cqv_db_vec;
    wire [1:0]    fixed_busy;                  // a queue on the data / error vector holds entries

    // stream events on the data and error vectors (when enabled in INT_ENABLE)
    wire st_data  = ev_data & int_enable[VEC_DATA];
    wire st_error = (ev_overrun | ev_cfgany | ev_dberr) & int_enable[VEC_ERROR];

    // software has serviced the data or error vector: cause bits cleared and none left set
    wire data_left  = cause[CAUSE_DATA];
    wire error_left = cause[CAUSE_OVERRUN] | cause[CAUSE_CFGERR] | cause[CAUSE_DBERR];
    wire data_w1c   = cause_w1c[CAUSE_DATA];
    wire error_w1c  = cause_w1c[CAUSE_OVERRUN] | cause_w1c[CAUSE_CFGERR] | cause_w1c[CAUSE_DBERR];

    cq_vector_map #(.NUM_CQ(NUM_CQ), .NUM_VEC(NUM_VEC), .FIXED0(VEC_DATA), .FIXED1(VEC_ERROR)) u_map (
        .ev(|q_event), .ev_q(q_event_q), .db(|q_db_ok), .db_q(q_db_ok_q),
        .look(|q_db_ok || data_w1c || error_w1c),
        .q_empty(q_empty), .q_vec(q_vec), .q_ien(q_ien),
        .vec_ev(cqv_ev), .ev_vec(cqv_ev_vec), .vec_db(cqv_db), .db_vec(cqv_db_vec),
        .db_busy(cqv_db_busy), .fixed_busy(fixed_busy)
    );

    // serviced: a doorbell left its vector with no queue holding entries (and, on the data or
    // error vector, no cause bit set), or a W1C of the data or error causes did
    wire               db_serviced = cqv_db && !cqv_db_busy && !(cqv_db_vec == VW'(VEC_DATA) && data_left)
                                     && !(cqv_db_vec == VW'(VEC_ERROR) && error_left);
    wire [NUM_VEC-1:0] serviced = (db_serviced ? {{(NUM_VEC-1){1'b0}}, 1'b1} << cqv_db_vec : {NUM_VEC{1'b0}})
                                | (data_w1c && !data_left && !fixed_busy[0] ? {{(NUM_VEC-1){1'b0}}, 1'b1} << VEC_DATA : {NUM_VEC{1'b0}})
                                | (error_w1c && !error_left && !fixed_busy[1] ? {{(NUM_VEC-1){1'b0}}, 1'b1} << VEC_ERROR : {NUM_VEC{1'b0}});

    // three event lanes: a landed entry (immediate with an error status, or on the error vector),
    // a stream chunk on the data vector, a stream error on the error vector (never coalesced)
    wire [2:0]      ev_valid = {st_error, st_data, cqv_ev};
    wire [3*VW-1:0] ev_vec   = {VW'(VEC_ERROR), VW'(VEC_DATA), cqv_ev_vec};
    wire [2:0]      ev_now   = {1'b1, 1'b0, q_event_err || cqv_ev_vec == VW'(VEC_ERROR)};

    wire [NUM_VEC-1:0] vec_fire;
    wire [NUM_VEC-1:0] vec_sent;               // (moderation takes the sent vector by number)
    irq_moderation #(.NUM_VEC(NUM_VEC), .TICK_CYCLES(COAL_TICK), .TIME_STEP(COAL_STEP), .RATE_SHIFT(RATE_SHIFT))
    u_moderation (
        .clk(clk), .rst(rst),
        .reg_we(ext_we), .reg_waddr(ext_waddr), .reg_wdata(ext_wdata),
        .reg_raddr(ext_raddr), .reg_re(ext_re), .reg_rdata(rdata_iv),
        .ev_valid(ev_valid), .ev_vec(ev_vec), .ev_now(ev_now), .db_valid(cqv_db), .db_vec(cqv_db_vec),
        .serviced(serviced), .sent_valid(msi_ack), .sent_vec(msi_req_vec), .pending(vec_pending),
        .fire(vec_fire), .merged(cnt_coalesced), .by_thr(cnt_coal_thr), .by_time(cnt_coal_time)
    );

    msi_vector_ctrl #(.NUM_VEC(NUM_VEC)) u_msi (
        .clk(clk), .rst(rst),
        .event_in(vec_fire), .mask(vec_mask), .mask_next(vec_mask_next), .clear_masked(serviced),
        .pending(vec_pending), .req_valid(msi_req_valid), .req_vec(msi_req_vec),
        .req_vec_next(msi_req_vec_next), .req_ack(msi_ack), .sent(vec_sent)
    );

    msix_table #(.NUM_VEC(NUM_VEC), .ADDR_W(ADDR_W)) u_table (
        .clk(clk), .rst(rst),
        .reg_we(ext_we), .reg_waddr(ext_waddr), .reg_wdata(ext_wdata),
        .reg_raddr(ext_raddr), .reg_re(ext_re), .reg_rdata(rdata_vt),
        .msi_addr(msi_addr), .msi_data(msi_data), .pending(vec_pending),
        .mask(vec_mask), .mask_next(vec_mask_next), .sel_vec_next(msi_req_vec_next),
        .msg_addr(msg_addr), .msg_data(msg_data),
        .msix_enable(msix_enable)
    );

    // ---------------- AXI4 write master ----------------
    dma_axi_writer #(.DATA_W(DATA_W), .ADDR_W(ADDR_W), .MAX_BURST(MAX_BURST)) u_writer (
        .clk(clk), .rst(rst),
        .chunk_start(chunk_start), .chunk_addr(chunk_addr), .chunk_bytes(chunk_bytes),
        .chunk_seq(chunk_seq), .pattern_key(pattern_key),
        .chunk_busy(chunk_busy), .chunk_done(chunk_done),
        .msi_valid(msi_req_valid), .msi_addr(msg_addr), .msi_data(msg_data), .msi_ack(msi_ack),
        .cq_valid(cqw_valid), .cq_ready(cqw_ready), .cq_addr(cqw_addr), .cq_data(cqw_data),
        .cq_done(cqw_done),
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

    wire unused_ok = &{1'b0, int_enable[3:2], ring_base[63:ADDR_W > 63 ? 63 : ADDR_W],
                       msi_addr[63:ADDR_W > 63 ? 63 : ADDR_W], dma_cq, msix_enable, cause_w1c,
                       cq_stall_cycles, vec_sent};

endmodule

`resetall
