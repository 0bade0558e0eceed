// mmio_axil_master: the host CPU's MMIO path to the device's CSRs (simulation only).
//
// The CPU model queues requests in C (hostmem_dpi.cpp); while idle this block takes the next one
// through DPI and runs it as a real AXI4-Lite transaction (write: AW and W together, then B;
// read: AR, then R), then reports the completion. Requests run one at a time, in order.
`timescale 1ns / 1ps
`default_nettype none
`include "host_calls.vh"

module mmio_axil_master (
    input  wire        clk,
    input  wire        rst,

    output reg         busy,
    output reg  [31:0] completed,       // requests completed (for waveforms)

    output reg  [11:0] m_axil_awaddr,
    output wire [2:0]  m_axil_awprot,
    output reg         m_axil_awvalid,
    input  wire        m_axil_awready,
    output reg  [31:0] m_axil_wdata,
    output wire [3:0]  m_axil_wstrb,
    output reg         m_axil_wvalid,
    input  wire        m_axil_wready,
    input  wire [1:0]  m_axil_bresp,
    input  wire        m_axil_bvalid,
    output reg         m_axil_bready,
    output reg  [11:0] m_axil_araddr,
    output wire [2:0]  m_axil_arprot,
    output reg         m_axil_arvalid,
    input  wire        m_axil_arready,
    input  wire [31:0] m_axil_rdata,
    input  wire [1:0]  m_axil_rresp,
    input  wire        m_axil_rvalid,
    output reg         m_axil_rready
);
`ifndef IRQLOOP_VPI
    import "DPI-C" function int irqloop_mmio_pop(output byte write, output int addr, output int wdata);
    import "DPI-C" function void irqloop_mmio_done(input int rdata, input byte resp);
`endif

    assign m_axil_awprot = 3'b000;
    assign m_axil_arprot = 3'b000;
    assign m_axil_wstrb  = 4'hF;

    byte    req_write = 8'd0;
    int     req_addr = 0, req_wdata = 0;

    always @(posedge clk) begin
        if (rst) begin
            busy           <= 1'b0;
            completed      <= 32'd0;
            m_axil_awvalid <= 1'b0;
            m_axil_wvalid  <= 1'b0;
            m_axil_bready  <= 1'b0;
            m_axil_arvalid <= 1'b0;
            m_axil_rready  <= 1'b0;
        end else begin
            // nested, not `!busy && pop(...)`: Icarus evaluates both operands of && and would
            // take a request off the queue while busy
            if (!busy) begin
                if (`IRQLOOP_HOST(irqloop_mmio_pop)(req_write, req_addr, req_wdata) != 0) begin
                    busy <= 1'b1;
                    if (req_write != 0) begin
                        m_axil_awaddr  <= req_addr[11:0];
                        m_axil_awvalid <= 1'b1;
                        m_axil_wdata   <= req_wdata;
                        m_axil_wvalid  <= 1'b1;
                        m_axil_bready  <= 1'b1;
                    end else begin
                        m_axil_araddr  <= req_addr[11:0];
                        m_axil_arvalid <= 1'b1;
                        m_axil_rready  <= 1'b1;
                    end
                end
            end
            if (m_axil_awvalid && m_axil_awready) m_axil_awvalid <= 1'b0;
            if (m_axil_wvalid && m_axil_wready)   m_axil_wvalid  <= 1'b0;
            if (m_axil_arvalid && m_axil_arready) m_axil_arvalid <= 1'b0;
            if (m_axil_bvalid && m_axil_bready) begin
                m_axil_bready <= 1'b0;
                busy          <= 1'b0;
                completed     <= completed + 32'd1;
                `IRQLOOP_HOST(irqloop_mmio_done)(32'd0, {6'd0, m_axil_bresp});
            end
            if (m_axil_rvalid && m_axil_rready) begin
                m_axil_rready <= 1'b0;
                busy          <= 1'b0;
                completed     <= completed + 32'd1;
                `IRQLOOP_HOST(irqloop_mmio_done)(m_axil_rdata, {6'd0, m_axil_rresp});
            end
        end
    end

endmodule
