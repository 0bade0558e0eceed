// host_mem_axi: the host side of the device's AXI4 write master (simulation only).
//
// Writes to [0, 16 MiB) are stored in host RAM (hostmem_dpi.cpp); a write into the MSI window
// (MSI_BASE, 1 MiB, as x86's 0xFEE00000) is an interrupt message: its 32-bit data is logged
// and msi_count increments, which is what wakes the Python interrupt controller. Any other
// address gets SLVERR. One burst at a time; every accepted beat is committed before its B
// response, so an MSI observed by the host finds all earlier data in memory.
`timescale 1ns / 1ps
`default_nettype none
`include "host_calls.vh"

module host_mem_axi #(
    parameter [63:0] MSI_BASE = 64'h0000_0000_FEE0_0000
) (
    input  wire        clk,
    input  wire        rst,

    input  wire [0:0]  s_axi_awid,
    input  wire [63:0] s_axi_awaddr,
    input  wire [7:0]  s_axi_awlen,
    input  wire [2:0]  s_axi_awsize,
    input  wire [1:0]  s_axi_awburst,
    input  wire        s_axi_awvalid,
    output reg         s_axi_awready,
    input  wire [63:0] s_axi_wdata,
    input  wire [7:0]  s_axi_wstrb,
    input  wire        s_axi_wlast,
    input  wire        s_axi_wvalid,
    output reg         s_axi_wready,
    output reg  [0:0]  s_axi_bid,
    output reg  [1:0]  s_axi_bresp,
    output reg         s_axi_bvalid,
    input  wire        s_axi_bready,

    output reg  [31:0] msi_count,    // MSI messages received
    output reg  [31:0] beat_count    // data beats received
);
`ifndef IRQLOOP_VPI
    import "DPI-C" function int irqloop_mem_write(input longint addr, input longint data, input byte strb);
    import "DPI-C" function void irqloop_msi(input longint addr, input int data);
    import "DPI-C" function void irqloop_mem_burst(input longint addr, input int bytes, input longint time_ns);
`endif

    reg [63:0] addr;
    reg [63:0] burst_addr;   // where the current burst started, for the burst log
    reg [31:0] burst_bytes;
    reg [2:0]  size;
    reg        is_msi;
    reg [1:0]  resp;
    integer    r;
    reg [1:0]  beat_resp;

    always @(posedge clk) begin
        if (rst) begin
            s_axi_awready <= 1'b1;
            s_axi_wready  <= 1'b0;
            s_axi_bvalid  <= 1'b0;
            s_axi_bid     <= 1'b0;
            s_axi_bresp   <= 2'b00;
            msi_count     <= 32'd0;
            beat_count    <= 32'd0;
        end else begin
            if (s_axi_awvalid && s_axi_awready) begin
                s_axi_awready <= 1'b0;
                s_axi_wready  <= 1'b1;
                addr          <= s_axi_awaddr;
                burst_addr    <= s_axi_awaddr;
                burst_bytes   <= 32'd0;
                size          <= s_axi_awsize;
                s_axi_bid     <= s_axi_awid;
                is_msi        <= (s_axi_awaddr >> 20) == (MSI_BASE >> 20);
                resp          <= 2'b00;
            end
            if (s_axi_wvalid && s_axi_wready) begin
                if (is_msi) begin
                    `IRQLOOP_HOST(irqloop_msi)(addr, s_axi_wdata[{addr[2], 5'd0} +: 32]);
                    msi_count <= msi_count + 32'd1;
                    beat_resp = 2'b00;
                end else begin
                    r = `IRQLOOP_HOST(irqloop_mem_write)(addr, s_axi_wdata, s_axi_wstrb);
                    beat_resp = (r != 0) ? 2'b10 : 2'b00;
                    beat_count <= beat_count + 32'd1;
                    if (s_axi_wlast)
                        `IRQLOOP_HOST(irqloop_mem_burst)(burst_addr, burst_bytes + (32'd1 << size), $time);
                    else
                        burst_bytes <= burst_bytes + (32'd1 << size);
                end
                resp <= resp | beat_resp;
                addr <= (addr & ~((64'd1 << size) - 64'd1)) + (64'd1 << size);
                if (s_axi_wlast) begin
                    s_axi_wready <= 1'b0;
                    s_axi_bvalid <= 1'b1;
                    s_axi_bresp  <= resp | beat_resp;
                end
            end
            if (s_axi_bvalid && s_axi_bready) begin
                s_axi_bvalid  <= 1'b0;
                s_axi_awready <= 1'b1;
            end
        end
    end

    wire unused_ok = &{1'b0, s_axi_awlen, s_axi_awburst};

endmodule
