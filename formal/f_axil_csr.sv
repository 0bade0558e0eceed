// Formal wrapper: irqloop_csr's AXI4-Lite slave port (the device's CSR port; irqloop_dev wires it
// straight through). The master side is free within the AXI4-Lite rules (assumed); the slave's
// side of those rules is asserted. Properties (labels; make formal runs one group at a time):
//   axil_hs_*  valid held until ready, payload stable while stalled (B and R channels)
//   axil_one_* one response per request: a B only for an accepted AW+W pair, an R only for an
//              accepted AR, each answered once, and within the cycles the header promises
// Written for Yosys `read_verilog -formal -sv` (immediate assertions in clocked blocks).
`default_nettype none

module f_axil_csr (
    input wire clk
);
    // free inputs: a new value every cycle
    wire        rst            = $anyseq;
    wire [11:0] s_axil_awaddr  = $anyseq;
    wire [2:0]  s_axil_awprot  = $anyseq;
    wire        s_axil_awvalid = $anyseq;
    wire [31:0] s_axil_wdata   = $anyseq;
    wire [3:0]  s_axil_wstrb   = $anyseq;
    wire        s_axil_wvalid  = $anyseq;
    wire        s_axil_bready  = $anyseq;
    wire [11:0] s_axil_araddr  = $anyseq;
    wire [2:0]  s_axil_arprot  = $anyseq;
    wire        s_axil_arvalid = $anyseq;
    wire        s_axil_rready  = $anyseq;
    wire [31:0] ext_rdata      = $anyseq;
    wire [3:0]  cause_set      = $anyseq;
    wire [31:0] ro_value       = $anyseq;

    wire        s_axil_awready, s_axil_wready, s_axil_bvalid, s_axil_arready, s_axil_rvalid;
    wire [1:0]  s_axil_bresp, s_axil_rresp;
    wire [31:0] s_axil_rdata;
    wire        ext_re;

    irqloop_csr #(.NUM_CQ(1)) dut (
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
        .ctrl_enable(), .ctrl_flowctl(), .chunk_period(), .ring_base(), .slot_count(),
        .slot_size(), .int_enable(), .msi_addr(), .msi_data(), .pattern_key(), .chunk_limit(),
        .dma_cq(), .tg_run(), .tg_limit(), .tg_err_every(),
        .ext_we(), .ext_waddr(), .ext_wdata(), .ext_raddr(), .ext_re(ext_re), .ext_rdata(ext_rdata),
        .cons_wr(), .cons_wr_data(),
        .cause_set(cause_set), .cause(), .cause_w1c(),
        .status(ro_value), .prod_idx(ro_value), .cons_idx(ro_value), .cnt_chunks(ro_value),
        .cnt_overwrite(ro_value), .cnt_irqs(ro_value), .cnt_stall(ro_value),
        .overrun_seq(ro_value), .overrun_cycle(ro_value), .cq_full(ro_value),
        .cnt_cq_stall(ro_value), .cnt_cq_entry(ro_value), .cnt_db_error(ro_value),
        .db_error_q(ro_value), .cnt_coalesced(ro_value), .cnt_coal_thr(ro_value),
        .cnt_coal_time(ro_value)
    );

    `include "f_reset.vh"

    // the other blocks' read data is registered: it changes only after a read strobe
    reg        ext_re_q;
    reg [31:0] ext_rdata_q;
    always @(posedge clk) begin
        ext_re_q    <= ext_re;
        ext_rdata_q <= ext_rdata;
    end
    always @* if (started && !ext_re_q) assume(ext_rdata == ext_rdata_q);

    // ---- the master's side of AXI4-Lite (assumed) ----
    always @(posedge clk) if (started) begin
        if ($past(rst)) begin
            assume(!s_axil_awvalid && !s_axil_wvalid && !s_axil_arvalid);
        end else if (!rst) begin
            if ($past(s_axil_awvalid && !s_axil_awready))
                assume(s_axil_awvalid && $stable(s_axil_awaddr) && $stable(s_axil_awprot));
            if ($past(s_axil_wvalid && !s_axil_wready))
                assume(s_axil_wvalid && $stable(s_axil_wdata) && $stable(s_axil_wstrb));
            if ($past(s_axil_arvalid && !s_axil_arready))
                assume(s_axil_arvalid && $stable(s_axil_araddr) && $stable(s_axil_arprot));
        end
    end

    // ---- the slave's side (asserted) ----
    always @(posedge clk) if (started && !rst) begin
        if ($past(rst)) begin
            axil_hs_reset: assert(!s_axil_bvalid && !s_axil_rvalid);
        end else begin
            if ($past(s_axil_bvalid && !s_axil_bready))
                axil_hs_b_hold: assert(s_axil_bvalid && $stable(s_axil_bresp));
            if ($past(s_axil_rvalid && !s_axil_rready))
                axil_hs_r_hold: assert(s_axil_rvalid && $stable(s_axil_rdata) && $stable(s_axil_rresp));
        end
    end

    // ---- one response per request: requests accepted and not yet answered ----
    wire aw_hs = s_axil_awvalid && s_axil_awready;
    wire w_hs  = s_axil_wvalid && s_axil_wready;
    wire b_hs  = s_axil_bvalid && s_axil_bready;
    wire ar_hs = s_axil_arvalid && s_axil_arready;
    wire r_hs  = s_axil_rvalid && s_axil_rready;
    reg [2:0] aw_open, w_open, ar_open;   // accepted, not answered
    reg [2:0] pair_age;                   // cycles an AW+W pair has waited without its B
    always @(posedge clk) begin
        aw_open  <= aw_open + aw_hs - b_hs;
        w_open   <= w_open + w_hs - b_hs;
        ar_open  <= ar_open + ar_hs - r_hs;
        pair_age <= (aw_open != 0 && w_open != 0 && !s_axil_bvalid) ? pair_age + 3'd1 : 3'd0;
        if (rst) begin
            aw_open  <= 3'd0;
            w_open   <= 3'd0;
            ar_open  <= 3'd0;
            pair_age <= 3'd0;
        end
    end
    always @(posedge clk) if (live) begin
        // a B answers exactly one accepted AW and one accepted W, an R one accepted AR
        axil_one_b_has_request: assert(!s_axil_bvalid || (aw_open != 0 && w_open != 0));
        axil_one_r_has_request: assert(s_axil_rvalid == (ar_open != 0));
        // one transaction of each direction in flight (the header's promise)
        axil_one_in_flight: assert(aw_open <= 1 && w_open <= 1 && ar_open <= 1);
        // and every write is answered: B the cycle after AW and W are both in (bounded liveness)
        axil_one_b_follows: assert(pair_age <= 1);
    end
endmodule

`resetall
