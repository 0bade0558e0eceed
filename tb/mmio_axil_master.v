// mmio_axil_master: the host CPU's MMIO path to the device's CSRs (simulation only).
//
// The Python host model puts one request on req_* and flips req_toggle; this block runs the
// AXI4-Lite transaction (write: AW and W together, then B; read: AR, then R) and flips
// rsp_toggle when it completes. A CSR access therefore costs the real bus cycles and two
// Python wakes, not one per clock.
`timescale 1ns / 1ps
`default_nettype none

module mmio_axil_master (
    input  wire        clk,
    input  wire        rst,

    input  wire        req_toggle,
    input  wire        req_write,
    input  wire [11:0] req_addr,
    input  wire [31:0] req_wdata,
    output reg         rsp_toggle,
    output reg  [31:0] rsp_rdata,
    output reg  [1:0]  rsp_resp,
    output reg         busy,

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
    assign m_axil_awprot = 3'b000;
    assign m_axil_arprot = 3'b000;
    assign m_axil_wstrb  = 4'hF;

    reg seen;

    always @(posedge clk) begin
        if (rst) begin
            seen           <= req_toggle;
            rsp_toggle     <= 1'b0;
            rsp_rdata      <= 32'd0;
            rsp_resp       <= 2'b00;
            busy           <= 1'b0;
            m_axil_awvalid <= 1'b0;
            m_axil_wvalid  <= 1'b0;
            m_axil_bready  <= 1'b0;
            m_axil_arvalid <= 1'b0;
            m_axil_rready  <= 1'b0;
        end else begin
            if (!busy && req_toggle != seen) begin
                seen <= req_toggle;
                busy <= 1'b1;
                if (req_write) begin
                    m_axil_awaddr  <= req_addr;
                    m_axil_awvalid <= 1'b1;
                    m_axil_wdata   <= req_wdata;
                    m_axil_wvalid  <= 1'b1;
                    m_axil_bready  <= 1'b1;
                end else begin
                    m_axil_araddr  <= req_addr;
                    m_axil_arvalid <= 1'b1;
                    m_axil_rready  <= 1'b1;
                end
            end
            if (m_axil_awvalid && m_axil_awready) m_axil_awvalid <= 1'b0;
            if (m_axil_wvalid && m_axil_wready)   m_axil_wvalid  <= 1'b0;
            if (m_axil_arvalid && m_axil_arready) m_axil_arvalid <= 1'b0;
            if (m_axil_bvalid && m_axil_bready) begin
                m_axil_bready <= 1'b0;
                rsp_resp      <= m_axil_bresp;
                rsp_toggle    <= ~rsp_toggle;
                busy          <= 1'b0;
            end
            if (m_axil_rvalid && m_axil_rready) begin
                m_axil_rready <= 1'b0;
                rsp_rdata     <= m_axil_rdata;
                rsp_resp      <= m_axil_rresp;
                rsp_toggle    <= ~rsp_toggle;
                busy          <= 1'b0;
            end
        end
    end

endmodule
