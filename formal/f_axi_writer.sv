// Formal wrapper: dma_axi_writer's AXI4 write master port (the device's DMA/MSI port; irqloop_dev
// wires it straight through). The slave is free within the AXI4 rules (assumed: ready at will,
// a B only for a burst whose AW and last W were accepted, held until bready); the job inputs
// follow what the device's other blocks guarantee (a chunk starts only while none is busy, with a
// non-zero multiple of the bus width). Asserted, by label group:
//   axi_hs_*  AW and W valid held until ready, payload stable while stalled; quiet after reset
//   axi_one_* one transaction in flight (the posted-write ordering the header promises), exactly
//             awlen+1 W beats with WLAST on the last, no W before its AW, BREADY only while a
//             response is due, so each burst takes exactly one B
//   axi_4k_*  INCR bursts never cross a 4 KiB boundary and stay within MAX_BURST beats
`default_nettype none

module f_axi_writer (
    input wire clk
);
    localparam integer DATA_W = 64, ADDR_W = 64, MAX_BURST = 16, BYTES = DATA_W / 8;

    wire               rst           = $anyseq;
    wire               chunk_start   = $anyseq;
    wire [ADDR_W-1:0]  chunk_addr    = $anyseq;
    wire [31:0]        chunk_bytes   = $anyseq;
    wire [31:0]        chunk_seq     = $anyseq;
    wire [31:0]        pattern_key   = $anyseq;
    wire               msi_valid     = $anyseq;
    wire [ADDR_W-1:0]  msi_addr      = $anyseq;
    wire [31:0]        msi_data      = $anyseq;
    wire               cq_valid      = $anyseq;
    wire [ADDR_W-1:0]  cq_addr       = $anyseq;
    wire [127:0]       cq_data       = $anyseq;
    wire               m_axi_awready = $anyseq;
    wire               m_axi_wready  = $anyseq;
    wire [1:0]         m_axi_bresp   = $anyseq;
    wire               m_axi_bvalid  = $anyseq;

    wire               chunk_busy, chunk_done, msi_ack, cq_ready, cq_done, bus_error;
    wire [0:0]         m_axi_awid;
    wire [ADDR_W-1:0]  m_axi_awaddr;
    wire [7:0]         m_axi_awlen;
    wire [2:0]         m_axi_awsize, m_axi_awprot;
    wire [1:0]         m_axi_awburst;
    wire               m_axi_awlock, m_axi_awvalid, m_axi_wlast, m_axi_wvalid, m_axi_bready;
    wire [3:0]         m_axi_awcache;
    wire [DATA_W-1:0]  m_axi_wdata;
    wire [BYTES-1:0]   m_axi_wstrb;

    dma_axi_writer #(.DATA_W(DATA_W), .ADDR_W(ADDR_W), .MAX_BURST(MAX_BURST)) dut (
        .clk(clk), .rst(rst),
        .chunk_start(chunk_start), .chunk_addr(chunk_addr), .chunk_bytes(chunk_bytes),
        .chunk_seq(chunk_seq), .pattern_key(pattern_key), .chunk_busy(chunk_busy), .chunk_done(chunk_done),
        .msi_valid(msi_valid), .msi_addr(msi_addr), .msi_data(msi_data), .msi_ack(msi_ack),
        .cq_valid(cq_valid), .cq_ready(cq_ready), .cq_addr(cq_addr), .cq_data(cq_data), .cq_done(cq_done),
        .bus_error(bus_error),
        .m_axi_awid(m_axi_awid), .m_axi_awaddr(m_axi_awaddr), .m_axi_awlen(m_axi_awlen),
        .m_axi_awsize(m_axi_awsize), .m_axi_awburst(m_axi_awburst), .m_axi_awlock(m_axi_awlock),
        .m_axi_awcache(m_axi_awcache), .m_axi_awprot(m_axi_awprot),
        .m_axi_awvalid(m_axi_awvalid), .m_axi_awready(m_axi_awready),
        .m_axi_wdata(m_axi_wdata), .m_axi_wstrb(m_axi_wstrb), .m_axi_wlast(m_axi_wlast),
        .m_axi_wvalid(m_axi_wvalid), .m_axi_wready(m_axi_wready),
        .m_axi_bid(1'b0), .m_axi_bresp(m_axi_bresp), .m_axi_bvalid(m_axi_bvalid),
        .m_axi_bready(m_axi_bready)
    );

    `include "f_reset.vh"

    // ---- the job side, as the device's blocks drive it ----
    // ring_producer starts a chunk only while the writer is not busy, with bytes a non-zero
    // multiple of the bus width (its settings check); cq_engine entries are 16-byte aligned;
    // MSI addresses are DWORD aligned (irqloop_csr and msix_table clear bits 1:0)
    always @* begin
        if (chunk_start) assume(!chunk_busy && chunk_bytes != 0 && chunk_bytes[2:0] == 3'd0 && chunk_bytes <= 32'd262144);
        assume(chunk_addr[2:0] == 3'd0 && cq_addr[3:0] == 4'd0 && msi_addr[1:0] == 2'd0);
    end

    // ---- bookkeeping of the bus ----
    wire aw_hs = m_axi_awvalid && m_axi_awready;
    wire w_hs  = m_axi_wvalid && m_axi_wready;
    wire b_hs  = m_axi_bvalid && m_axi_bready;
    reg [1:0] aw_open;     // bursts whose AW was accepted and whose B has not come
    reg [1:0] w_done;      // bursts whose last W was accepted and whose B has not come
    reg [8:0] beats;       // W beats accepted in the current burst
    reg [7:0] len;         // awlen of the current burst
    always @(posedge clk) begin
        aw_open <= aw_open + aw_hs - b_hs;
        w_done  <= w_done + (w_hs && m_axi_wlast) - b_hs;
        if (aw_hs) len <= m_axi_awlen;
        if (w_hs) beats <= m_axi_wlast ? 9'd0 : beats + 9'd1;
        if (rst) begin
            aw_open <= 2'd0;
            w_done  <= 2'd0;
            beats   <= 9'd0;
            len     <= 8'd0;
        end
    end

    // ---- the slave's side of AXI4 (assumed): B only when due, held until taken ----
    always @(posedge clk) if (started && !rst) begin
        if (rst_q) assume(!m_axi_bvalid);
        else if ($past(m_axi_bvalid && !m_axi_bready)) assume(m_axi_bvalid && $stable(m_axi_bresp));
    end
    always @* if (m_axi_bvalid) assume(aw_open != 0 && w_done != 0);

    // ---- the master's side (asserted) ----
    always @(posedge clk) if (started && !rst) begin
        if (rst_q) begin
            axi_hs_reset: assert(!m_axi_awvalid && !m_axi_wvalid);
        end else begin
            if ($past(m_axi_awvalid && !m_axi_awready))
                axi_hs_aw_hold: assert(m_axi_awvalid && $stable(m_axi_awaddr) && $stable(m_axi_awlen)
                                       && $stable(m_axi_awsize) && $stable(m_axi_awburst)
                                       && $stable(m_axi_awid) && $stable(m_axi_awcache)
                                       && $stable(m_axi_awprot) && $stable(m_axi_awlock));
            if ($past(m_axi_wvalid && !m_axi_wready))
                axi_hs_w_hold: assert(m_axi_wvalid && $stable(m_axi_wdata) && $stable(m_axi_wstrb)
                                      && $stable(m_axi_wlast));
        end
    end
    always @(posedge clk) if (live) begin
        axi_one_in_flight: assert(aw_open <= 1 && w_done <= 1 && !(m_axi_awvalid && aw_open != 0));
        if (m_axi_wvalid) begin
            axi_one_w_after_aw: assert(aw_open == 1 && w_done == 0);
            axi_one_wlast: assert(m_axi_wlast == ({1'b0, len} == beats));
            axi_one_wstrb: assert(m_axi_wstrb != 0);
        end
        axi_one_bready_due: assert(!m_axi_bready || (aw_open == 1 && w_done == 1));
        if (m_axi_awvalid) begin
            axi_4k_boundary: assert({1'b0, m_axi_awaddr[11:0]} + (({5'd0, m_axi_awlen} + 13'd1) << m_axi_awsize) <= 13'd4096);
            axi_4k_len: assert(m_axi_awlen < MAX_BURST && m_axi_awburst == 2'b01 && (1 << m_axi_awsize) <= BYTES * 2);
        end
    end
endmodule

`resetall
