// tb_irqloop: simulation top of the end-to-end scenarios (simulation only).
//
// The clock runs without Python: under Verilator the simulator's main loop toggles clk at each
// edge (IRQLOOP_MAIN_CLOCK: tb/hdl/cocotb_main.cpp, the plain bench's step), which spares every
// edge the --timing delay scheduler; under Icarus the `always` below generates it. The
// device's AXI4 master writes into host_mem_axi (host RAM and the MSI window); the host
// model's MMIO requests (queued in hostmem_dpi.cpp) reach the device's AXI4-Lite CSR slave
// through mmio_axil_master.
// rst is driven by the testbench.
`timescale 1ns / 1ps
`default_nettype none

module tb_irqloop #(
    parameter integer MAX_BURST = 16,
    parameter integer NUM_CQ    = 1,      // the streaming scenario needs no more (a faster build)
    parameter integer COAL_TICK = 25000
) ();
    // 250 MHz, a common PCIe user clock (tb/board.py CLOCK_PS); the first rising edge at 2 ns
    reg clk = 1'b0;
`ifndef IRQLOOP_MAIN_CLOCK
    always #2 clk = ~clk;
`endif

    reg rst = 1'b1;

    wire        mmio_busy;
    wire [31:0] mmio_completed;

    wire [11:0] axil_awaddr, axil_araddr;
    wire [2:0]  axil_awprot, axil_arprot;
    wire        axil_awvalid, axil_awready, axil_wvalid, axil_wready, axil_bvalid, axil_bready;
    wire        axil_arvalid, axil_arready, axil_rvalid, axil_rready;
    wire [31:0] axil_wdata, axil_rdata;
    wire [3:0]  axil_wstrb;
    wire [1:0]  axil_bresp, axil_rresp;

    wire [0:0]  axi_awid, axi_bid;
    wire [63:0] axi_awaddr, axi_wdata;
    wire [7:0]  axi_awlen, axi_wstrb;
    wire [2:0]  axi_awsize, axi_awprot;
    wire [1:0]  axi_awburst, axi_bresp;
    wire        axi_awlock;
    wire [3:0]  axi_awcache;
    wire        axi_awvalid, axi_awready, axi_wlast, axi_wvalid, axi_wready, axi_bvalid, axi_bready;

    wire [31:0] msi_count, beat_count;

    mmio_axil_master u_mmio (
        .clk(clk), .rst(rst),
        .busy(mmio_busy), .completed(mmio_completed),
        .m_axil_awaddr(axil_awaddr), .m_axil_awprot(axil_awprot), .m_axil_awvalid(axil_awvalid),
        .m_axil_awready(axil_awready), .m_axil_wdata(axil_wdata), .m_axil_wstrb(axil_wstrb),
        .m_axil_wvalid(axil_wvalid), .m_axil_wready(axil_wready), .m_axil_bresp(axil_bresp),
        .m_axil_bvalid(axil_bvalid), .m_axil_bready(axil_bready), .m_axil_araddr(axil_araddr),
        .m_axil_arprot(axil_arprot), .m_axil_arvalid(axil_arvalid), .m_axil_arready(axil_arready),
        .m_axil_rdata(axil_rdata), .m_axil_rresp(axil_rresp), .m_axil_rvalid(axil_rvalid),
        .m_axil_rready(axil_rready)
    );

    irqloop_dev #(.DATA_W(64), .ADDR_W(64), .MAX_BURST(MAX_BURST), .NUM_CQ(NUM_CQ), .COAL_TICK(COAL_TICK)) dut (
        .clk(clk), .rst(rst),
        .s_axil_awaddr(axil_awaddr), .s_axil_awprot(axil_awprot), .s_axil_awvalid(axil_awvalid),
        .s_axil_awready(axil_awready), .s_axil_wdata(axil_wdata), .s_axil_wstrb(axil_wstrb),
        .s_axil_wvalid(axil_wvalid), .s_axil_wready(axil_wready), .s_axil_bresp(axil_bresp),
        .s_axil_bvalid(axil_bvalid), .s_axil_bready(axil_bready), .s_axil_araddr(axil_araddr),
        .s_axil_arprot(axil_arprot), .s_axil_arvalid(axil_arvalid), .s_axil_arready(axil_arready),
        .s_axil_rdata(axil_rdata), .s_axil_rresp(axil_rresp), .s_axil_rvalid(axil_rvalid),
        .s_axil_rready(axil_rready),
        .m_axi_awid(axi_awid), .m_axi_awaddr(axi_awaddr), .m_axi_awlen(axi_awlen),
        .m_axi_awsize(axi_awsize), .m_axi_awburst(axi_awburst), .m_axi_awlock(axi_awlock),
        .m_axi_awcache(axi_awcache), .m_axi_awprot(axi_awprot), .m_axi_awvalid(axi_awvalid),
        .m_axi_awready(axi_awready), .m_axi_wdata(axi_wdata), .m_axi_wstrb(axi_wstrb),
        .m_axi_wlast(axi_wlast), .m_axi_wvalid(axi_wvalid), .m_axi_wready(axi_wready),
        .m_axi_bid(axi_bid), .m_axi_bresp(axi_bresp), .m_axi_bvalid(axi_bvalid),
        .m_axi_bready(axi_bready)
    );

    host_mem_axi u_host (
        .clk(clk), .rst(rst),
        .s_axi_awid(axi_awid), .s_axi_awaddr(axi_awaddr), .s_axi_awlen(axi_awlen),
        .s_axi_awsize(axi_awsize), .s_axi_awburst(axi_awburst), .s_axi_awvalid(axi_awvalid),
        .s_axi_awready(axi_awready), .s_axi_wdata(axi_wdata), .s_axi_wstrb(axi_wstrb),
        .s_axi_wlast(axi_wlast), .s_axi_wvalid(axi_wvalid), .s_axi_wready(axi_wready),
        .s_axi_bid(axi_bid), .s_axi_bresp(axi_bresp), .s_axi_bvalid(axi_bvalid),
        .s_axi_bready(axi_bready),
        .msi_count(msi_count), .beat_count(beat_count)
    );

    // the host model's activity, written by tb/sim/probe.py while waves are on
    host_activity u_act ();

    wire unused_ok = &{1'b0, axi_awlock, axi_awcache, axi_awprot, mmio_busy, mmio_completed};

endmodule
