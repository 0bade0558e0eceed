// minidma: a small streaming DMA card (irqloop's worked example of a user's own device).
//
// Every PERIOD cycles a chunk of CHUNK_BYTES becomes due; the card writes chunk n into slot
// n mod SLOTS of a ring in host memory through its AXI4 write master, in 128-byte bursts, word w
// of chunk n holding {n, w}. When a chunk's last burst is answered, WR_IDX counts it and
// IRQ_STATUS.CHUNK is set. The card never waits for the driver: a chunk written into a slot the
// driver has not freed (WR_IDX - RD_IDX >= SLOTS when it starts) counts in LOST and sets
// STATUS.OVERRUN and IRQ_STATUS.OVERRUN.
//
// One MSI: when a bit of IRQ_STATUS & IRQ_ENABLE is set while none was since the last message,
// the card writes MSI_DATA to MSI_ADDR (a posted write on the same master, after the data it
// announces), and sends the next message only after the driver has cleared IRQ_STATUS.
//
// Registers on a 256-byte AXI4-Lite slave; offsets and fields from minidma.rdl (minidma_regs.vh).
`timescale 1ns / 1ps
`default_nettype none

module minidma (
    input  wire        clk,
    input  wire        rst,

    input  wire [7:0]  s_axil_awaddr,
    input  wire        s_axil_awvalid,
    output reg         s_axil_awready,
    input  wire [31:0] s_axil_wdata,
    input  wire [3:0]  s_axil_wstrb,
    input  wire        s_axil_wvalid,
    output reg         s_axil_wready,
    output reg  [1:0]  s_axil_bresp,
    output reg         s_axil_bvalid,
    input  wire        s_axil_bready,
    input  wire [7:0]  s_axil_araddr,
    input  wire        s_axil_arvalid,
    output reg         s_axil_arready,
    output reg  [31:0] s_axil_rdata,
    output reg  [1:0]  s_axil_rresp,
    output reg         s_axil_rvalid,
    input  wire        s_axil_rready,

    output reg  [63:0] m_axi_awaddr,
    output reg  [7:0]  m_axi_awlen,
    output reg  [2:0]  m_axi_awsize,
    output wire [1:0]  m_axi_awburst,
    output reg         m_axi_awvalid,
    input  wire        m_axi_awready,
    output reg  [63:0] m_axi_wdata,
    output reg  [7:0]  m_axi_wstrb,
    output reg         m_axi_wlast,
    output reg         m_axi_wvalid,
    input  wire        m_axi_wready,
    input  wire [1:0]  m_axi_bresp,
    input  wire        m_axi_bvalid,
    output reg         m_axi_bready
);
`include "minidma_regs.vh"

    localparam [2:0] IDLE = 3'd0, DATA_AW = 3'd1, DATA_W = 3'd2, DATA_B = 3'd3,
                     MSI_AW = 3'd4, MSI_W = 3'd5, MSI_B = 3'd6;
    localparam [12:0] BURST_BYTES = 13'd128;

    assign m_axi_awburst = 2'b01;      // INCR

    // ---- registers ----
    reg        enable;
    reg [1:0]  irq_status, irq_enable;
    reg [31:0] ring_lo, ring_hi, period, count, wr_idx, rd_idx, lost, msi_addr_lo, msi_addr_hi, msi_data;
    reg [8:0]  slots;
    reg [12:0] chunk_bytes;
    reg        overrun, running;
    wire       done = running && count != 32'd0 && wr_idx == count;

    // ---- the source and the DMA engine ----
    reg [31:0] tick;            // cycles since the last chunk became due
    reg [31:0] due;             // chunks due since enable
    reg [2:0]  state;
    reg [31:0] slot_off;        // byte offset of the current slot in the ring
    reg [8:0]  slot;            // slot of the chunk wr_idx
    reg [12:0] burst_off;       // byte offset of the current burst in the chunk
    reg [4:0]  beat;
    reg        msi_armed;       // a message may be sent (IRQ_STATUS was clear since the last one)

    wire [63:0] ring = {ring_hi, ring_lo};
    wire        starting = state == IDLE && running && due != wr_idx && !(msi_armed && |(irq_status & irq_enable));
    wire        chunk_done = state == DATA_B && m_axi_bvalid && m_axi_bready && burst_off + BURST_BYTES == chunk_bytes;
    wire        chunk_overwrites = wr_idx - rd_idx >= {23'd0, slots};

    // CSR writes (AW and W together, as the host's master sends them)
    wire        csr_write = s_axil_awvalid && s_axil_wvalid && !s_axil_awready && !s_axil_bvalid;
    wire [11:0] waddr = {4'd0, s_axil_awaddr};
    wire        enabling = csr_write && waddr == REG_CTRL && s_axil_wdata[0] && !enable;
    wire [1:0]  irq_clear = csr_write && waddr == REG_IRQ_STATUS ? s_axil_wdata[1:0] : 2'b00;
    wire [1:0]  irq_set = {starting && chunk_overwrites, chunk_done};

    always @(posedge clk) begin
        if (rst) begin
            s_axil_awready <= 1'b0;
            s_axil_wready  <= 1'b0;
            s_axil_bvalid  <= 1'b0;
            s_axil_bresp   <= 2'b00;
            s_axil_arready <= 1'b0;
            s_axil_rvalid  <= 1'b0;
            s_axil_rresp   <= 2'b00;
            s_axil_rdata   <= 32'd0;
            enable <= 1'b0; irq_status <= 2'b00; irq_enable <= 2'b00;
            ring_lo <= 32'd0; ring_hi <= 32'd0; period <= 32'd0; count <= 32'd0;
            wr_idx <= 32'd0; rd_idx <= 32'd0; lost <= 32'd0;
            msi_addr_lo <= 32'd0; msi_addr_hi <= 32'd0; msi_data <= 32'd0;
            slots <= 9'd0; chunk_bytes <= 13'd0; overrun <= 1'b0; running <= 1'b0;
        end else begin
            // ---- AXI4-Lite slave ----
            s_axil_awready <= 1'b0;
            s_axil_wready  <= 1'b0;
            s_axil_arready <= 1'b0;
            if (csr_write) begin
                s_axil_awready <= 1'b1;
                s_axil_wready  <= 1'b1;
                s_axil_bvalid  <= 1'b1;
                s_axil_bresp   <= 2'b00;
                case (waddr)
                    REG_CTRL:        enable <= s_axil_wdata[0];
                    REG_IRQ_ENABLE:  irq_enable <= s_axil_wdata[1:0];
                    REG_RING_LO:     ring_lo <= s_axil_wdata;
                    REG_RING_HI:     ring_hi <= s_axil_wdata;
                    REG_SLOTS:       slots <= s_axil_wdata[8:0];
                    REG_CHUNK_BYTES: chunk_bytes <= s_axil_wdata[12:0];
                    REG_PERIOD:      period <= s_axil_wdata;
                    REG_COUNT:       count <= s_axil_wdata;
                    REG_RD_IDX:      rd_idx <= s_axil_wdata;
                    REG_MSI_ADDR_LO: msi_addr_lo <= s_axil_wdata;
                    REG_MSI_ADDR_HI: msi_addr_hi <= s_axil_wdata;
                    REG_MSI_DATA:    msi_data <= s_axil_wdata;
                    default: ;
                endcase
            end
            if (s_axil_bvalid && s_axil_bready) s_axil_bvalid <= 1'b0;
            if (s_axil_arvalid && !s_axil_arready && !s_axil_rvalid) begin
                s_axil_arready <= 1'b1;
                s_axil_rvalid  <= 1'b1;
                s_axil_rresp   <= 2'b00;
                case ({4'd0, s_axil_araddr[7:2], 2'b00})
                    REG_ID:          s_axil_rdata <= DEVICE_ID;
                    REG_CTRL:        s_axil_rdata <= {31'd0, enable};
                    REG_STATUS:      s_axil_rdata <= {29'd0, overrun, done, running};
                    REG_IRQ_STATUS:  s_axil_rdata <= {30'd0, irq_status};
                    REG_IRQ_ENABLE:  s_axil_rdata <= {30'd0, irq_enable};
                    REG_RING_LO:     s_axil_rdata <= ring_lo;
                    REG_RING_HI:     s_axil_rdata <= ring_hi;
                    REG_SLOTS:       s_axil_rdata <= {23'd0, slots};
                    REG_CHUNK_BYTES: s_axil_rdata <= {19'd0, chunk_bytes};
                    REG_PERIOD:      s_axil_rdata <= period;
                    REG_COUNT:       s_axil_rdata <= count;
                    REG_WR_IDX:      s_axil_rdata <= wr_idx;
                    REG_RD_IDX:      s_axil_rdata <= rd_idx;
                    REG_LOST:        s_axil_rdata <= lost;
                    REG_MSI_ADDR_LO: s_axil_rdata <= msi_addr_lo;
                    REG_MSI_ADDR_HI: s_axil_rdata <= msi_addr_hi;
                    REG_MSI_DATA:    s_axil_rdata <= msi_data;
                    default:         s_axil_rdata <= 32'd0;
                endcase
            end
            if (s_axil_rvalid && s_axil_rready) s_axil_rvalid <= 1'b0;

            // ---- stream state the CSRs show ----
            irq_status <= (irq_status & ~irq_clear) | irq_set;
            if (enabling) begin
                running <= 1'b1;
                wr_idx <= 32'd0; lost <= 32'd0; overrun <= 1'b0;
            end else begin
                if (csr_write && waddr == REG_CTRL && !s_axil_wdata[0]) running <= 1'b0;
                if (chunk_done) wr_idx <= wr_idx + 32'd1;
                if (starting && chunk_overwrites) begin
                    lost <= lost + 32'd1;
                    overrun <= 1'b1;
                end
            end
        end
    end

    // ---- the source: a chunk due every PERIOD cycles, COUNT at most ----
    always @(posedge clk) begin
        if (rst || enabling) begin
            tick <= 32'd0;
            due  <= 32'd0;
        end else if (running && (count == 32'd0 || due != count)) begin
            if (tick + 32'd1 == period) begin
                tick <= 32'd0;
                due  <= due + 32'd1;
            end else begin
                tick <= tick + 32'd1;
            end
        end
    end

    // ---- the DMA engine: chunks in 128-byte bursts, and the message ----
    always @(posedge clk) begin
        if (rst || enabling) begin
            state <= IDLE;
            m_axi_awvalid <= 1'b0;
            m_axi_wvalid  <= 1'b0;
            m_axi_wlast   <= 1'b0;
            m_axi_bready  <= 1'b0;
            m_axi_awaddr  <= 64'd0;
            m_axi_awlen   <= 8'd0;
            m_axi_awsize  <= 3'd0;
            m_axi_wdata   <= 64'd0;
            m_axi_wstrb   <= 8'd0;
            slot <= 9'd0;
            slot_off <= 32'd0;
            burst_off <= 13'd0;
            beat <= 5'd0;
            msi_armed <= 1'b1;
        end else begin
            if (!(|(irq_status & irq_enable))) msi_armed <= 1'b1;
            case (state)
                IDLE: begin
                    if (running && msi_armed && |(irq_status & irq_enable)) begin
                        msi_armed     <= 1'b0;
                        m_axi_awaddr  <= {msi_addr_hi, msi_addr_lo};
                        m_axi_awlen   <= 8'd0;
                        m_axi_awsize  <= 3'd2;
                        m_axi_awvalid <= 1'b1;
                        state <= MSI_AW;
                    end else if (starting) begin
                        burst_off <= 13'd0;
                        m_axi_awaddr  <= ring + {32'd0, slot_off};
                        m_axi_awlen   <= 8'd15;
                        m_axi_awsize  <= 3'd3;
                        m_axi_awvalid <= 1'b1;
                        state <= DATA_AW;
                    end
                end
                DATA_AW: if (m_axi_awready) begin
                    m_axi_awvalid <= 1'b0;
                    beat <= 5'd0;
                    m_axi_wdata <= {wr_idx, 22'd0, burst_off[12:3]};
                    m_axi_wstrb <= 8'hFF;
                    m_axi_wlast <= 1'b0;
                    m_axi_wvalid <= 1'b1;
                    state <= DATA_W;
                end
                DATA_W: if (m_axi_wready) begin
                    if (beat == 5'd15) begin
                        m_axi_wvalid <= 1'b0;
                        m_axi_wlast  <= 1'b0;
                        m_axi_bready <= 1'b1;
                        state <= DATA_B;
                    end else begin
                        beat <= beat + 5'd1;
                        m_axi_wdata <= {wr_idx, 22'd0, burst_off[12:3] + {5'd0, beat} + 10'd1};
                        m_axi_wlast <= beat == 5'd14;
                    end
                end
                DATA_B: if (m_axi_bvalid) begin
                    m_axi_bready <= 1'b0;
                    if (chunk_done) begin
                        if (slot + 9'd1 == slots) begin
                            slot <= 9'd0;
                            slot_off <= 32'd0;
                        end else begin
                            slot <= slot + 9'd1;
                            slot_off <= slot_off + {19'd0, chunk_bytes};
                        end
                        state <= IDLE;
                    end else begin
                        burst_off <= burst_off + BURST_BYTES;
                        m_axi_awaddr  <= ring + {32'd0, slot_off} + {51'd0, burst_off + BURST_BYTES};
                        m_axi_awlen   <= 8'd15;
                        m_axi_awsize  <= 3'd3;
                        m_axi_awvalid <= 1'b1;
                        state <= DATA_AW;
                    end
                end
                MSI_AW: if (m_axi_awready) begin
                    m_axi_awvalid <= 1'b0;
                    m_axi_wdata  <= {msi_data, msi_data};
                    m_axi_wstrb  <= msi_addr_lo[2] ? 8'hF0 : 8'h0F;
                    m_axi_wlast  <= 1'b1;
                    m_axi_wvalid <= 1'b1;
                    state <= MSI_W;
                end
                MSI_W: if (m_axi_wready) begin
                    m_axi_wvalid <= 1'b0;
                    m_axi_wlast  <= 1'b0;
                    m_axi_bready <= 1'b1;
                    state <= MSI_B;
                end
                MSI_B: if (m_axi_bvalid) begin
                    m_axi_bready <= 1'b0;
                    state <= IDLE;
                end
                default: state <= IDLE;
            endcase
        end
    end

    wire unused_ok = &{1'b0, s_axil_wstrb, s_axil_araddr[1:0], m_axi_bresp};

endmodule
