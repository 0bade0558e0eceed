// dma_axi_writer: AXI4 write master of the device. It writes a chunk job into host memory
// as INCR bursts (at most MAX_BURST beats, never crossing a 4 KiB boundary), 16-byte
// completion-queue entries, and MSI messages as single 32-bit posted writes.
//
// Ordering (PCIe posted-write rule): one transaction is in flight at a time and the next
// starts only after the previous B response, so an MSI raised for a chunk's or an entry's
// completion (after its last B) always lands after that data. Priority when idle: MSI, then
// completion entry, then the next data burst (interrupt latency first, then completions).
// msi_ack and cq_ready are combinational: the request is taken in the cycle they are high.
`resetall
`default_nettype none

module dma_axi_writer #(
    parameter integer DATA_W    = 64,
    parameter integer ADDR_W    = 64,
    parameter integer MAX_BURST = 16
) (
    input  wire                  clk,
    input  wire                  rst,

    // chunk job
    input  wire                  chunk_start,     // accepted only while !chunk_busy
    input  wire [ADDR_W-1:0]     chunk_addr,
    input  wire [31:0]           chunk_bytes,     // multiple of DATA_W/8, > 0
    input  wire [31:0]           chunk_seq,
    input  wire [31:0]           pattern_key,
    output reg                   chunk_busy,
    output reg                   chunk_done,      // pulse: last B of the chunk received

    // MSI message
    input  wire                  msi_valid,
    input  wire [ADDR_W-1:0]     msi_addr,
    input  wire [31:0]           msi_data,
    output wire                  msi_ack,         // message taken at this clock edge

    // completion-queue entry (16 bytes, 16-byte aligned)
    input  wire                  cq_valid,
    output wire                  cq_ready,        // entry taken at this clock edge
    input  wire [ADDR_W-1:0]     cq_addr,
    input  wire [127:0]          cq_data,
    output reg                   cq_done,         // pulse: the entry's B response arrived

    output reg                   bus_error,       // pulse: a B response was not OKAY

    // AXI4 master, write channels
    output wire [0:0]            m_axi_awid,
    output reg  [ADDR_W-1:0]     m_axi_awaddr,
    output reg  [7:0]            m_axi_awlen,
    output reg  [2:0]            m_axi_awsize,
    output wire [1:0]            m_axi_awburst,
    output wire                  m_axi_awlock,
    output wire [3:0]            m_axi_awcache,
    output wire [2:0]            m_axi_awprot,
    output reg                   m_axi_awvalid,
    input  wire                  m_axi_awready,
    output reg  [DATA_W-1:0]     m_axi_wdata,
    output reg  [DATA_W/8-1:0]   m_axi_wstrb,
    output reg                   m_axi_wlast,
    output reg                   m_axi_wvalid,
    input  wire                  m_axi_wready,
    input  wire [0:0]            m_axi_bid,
    input  wire [1:0]            m_axi_bresp,
    input  wire                  m_axi_bvalid,
    output wire                  m_axi_bready
);
    localparam integer BYTES   = DATA_W / 8;
    localparam integer BSHIFT  = $clog2(BYTES);
    localparam integer LANES   = DATA_W / 32;
    localparam integer LSHIFT  = $clog2(LANES);

    localparam [1:0] S_IDLE = 2'd0, S_AW = 2'd1, S_W = 2'd2, S_B = 2'd3;

    assign m_axi_awid    = 1'b0;
    assign m_axi_awburst = 2'b01;   // INCR
    assign m_axi_awlock  = 1'b0;
    assign m_axi_awcache = 4'b0011;
    assign m_axi_awprot  = 3'b000;
    assign m_axi_bready  = (state == S_B);
    assign msi_ack       = (state == S_IDLE) && msi_valid;
    assign cq_ready      = (state == S_IDLE) && !msi_valid && cq_valid;

    reg [1:0]         state;
    reg               is_msi;
    reg               is_cq;
    reg [127:0]       cq_rest;        // entry bytes not yet on the bus (narrow buses)
    reg [ADDR_W-1:0]  cur_addr;       // next data address of the chunk
    reg [31:0]        beats_left;     // beats of the chunk not yet put in a burst
    reg [15:0]        word_index;     // 32-bit word index of the next data beat
    reg [31:0]        cur_seq;
    reg [31:0]        cur_key;
    reg [8:0]         burst_beats;    // beats left in the current burst

    // length of the next data burst
    wire [12:0] bytes_to_4k = 13'd4096 - {1'b0, cur_addr[11:0]};
    wire [12:0] beats_to_4k = bytes_to_4k >> BSHIFT;
    reg  [8:0]  next_len;
    always @* begin
        next_len = MAX_BURST[8:0];
        if (beats_left < {23'd0, next_len}) next_len = beats_left[8:0];
        if ({4'd0, next_len} > beats_to_4k) next_len = beats_to_4k[8:0];
    end

    // a completion entry on the bus: one beat on buses of 16 bytes or more, else 16/BYTES beats
    localparam integer CQ_BEATS = (BYTES >= 16) ? 1 : 16 / BYTES;
    wire [DATA_W-1:0]  cq_first, cq_next;
    wire [BYTES-1:0]   cq_strb;
    generate
        if (BYTES > 16) begin : g_cq_wide
            assign cq_first = {(DATA_W / 128){cq_data}};
            assign cq_next  = cq_first;
            assign cq_strb  = {{(BYTES-16){1'b0}}, 16'hFFFF} << {cq_addr[BSHIFT-1:4], 4'd0};
        end else if (BYTES == 16) begin : g_cq_one
            assign cq_first = cq_data;
            assign cq_next  = cq_data;
            assign cq_strb  = {BYTES{1'b1}};
        end else begin : g_cq_narrow
            assign cq_first = cq_data[DATA_W-1:0];
            assign cq_next  = cq_rest[DATA_W-1:0];
            assign cq_strb  = {BYTES{1'b1}};
        end
    endgenerate

    wire [DATA_W-1:0] pattern_data;
    chunk_pattern #(.DATA_W(DATA_W)) u_pattern (
        .seq(cur_seq), .key(cur_key), .word_index(word_index), .data(pattern_data)
    );

    always @(posedge clk) begin
        chunk_done <= 1'b0;
        cq_done    <= 1'b0;
        bus_error  <= 1'b0;

        if (chunk_start && !chunk_busy) begin
            chunk_busy <= 1'b1;
            cur_addr   <= chunk_addr;
            beats_left <= chunk_bytes >> BSHIFT;
            word_index <= 16'd0;
            cur_seq    <= chunk_seq;
            cur_key    <= pattern_key;
        end

        case (state)
            S_IDLE: begin
                if (msi_valid) begin
                    is_msi        <= 1'b1;
                    is_cq         <= 1'b0;
                    m_axi_awaddr  <= msi_addr;
                    m_axi_awlen   <= 8'd0;
                    m_axi_awsize  <= 3'd2;
                    m_axi_awvalid <= 1'b1;
                    m_axi_wdata   <= {LANES{msi_data}};
                    m_axi_wstrb   <= {{(BYTES-4){1'b0}}, 4'hF} << ((msi_addr[BSHIFT-1:0] >> 2) << 2);
                    m_axi_wlast   <= 1'b1;
                    burst_beats   <= 9'd1;
                    state         <= S_AW;
                end else if (cq_valid) begin
                    is_msi        <= 1'b0;
                    is_cq         <= 1'b1;
                    m_axi_awaddr  <= cq_addr;
                    m_axi_awlen   <= CQ_BEATS[7:0] - 8'd1;
                    m_axi_awsize  <= (BYTES >= 16) ? 3'd4 : BSHIFT[2:0];
                    m_axi_awvalid <= 1'b1;
                    m_axi_wdata   <= cq_first;
                    m_axi_wstrb   <= cq_strb;
                    m_axi_wlast   <= (CQ_BEATS == 1);
                    burst_beats   <= CQ_BEATS[8:0];
                    cq_rest       <= cq_data >> DATA_W;
                    state         <= S_AW;
                end else if (chunk_busy && beats_left != 32'd0) begin
                    is_msi        <= 1'b0;
                    is_cq         <= 1'b0;
                    m_axi_awaddr  <= cur_addr;
                    m_axi_awlen   <= next_len[7:0] - 8'd1;
                    m_axi_awsize  <= BSHIFT[2:0];
                    m_axi_awvalid <= 1'b1;
                    m_axi_wdata   <= pattern_data;
                    m_axi_wstrb   <= {BYTES{1'b1}};
                    m_axi_wlast   <= (next_len == 9'd1);
                    burst_beats   <= next_len;
                    cur_addr      <= cur_addr + ({{(ADDR_W-9){1'b0}}, next_len} << BSHIFT);
                    beats_left    <= beats_left - {23'd0, next_len};
                    word_index    <= word_index + (16'd1 << LSHIFT);
                    state         <= S_AW;
                end
            end
            S_AW: begin
                if (m_axi_awready) begin
                    m_axi_awvalid <= 1'b0;
                    m_axi_wvalid  <= 1'b1;
                    state         <= S_W;
                end
            end
            S_W: begin
                if (m_axi_wready) begin
                    if (m_axi_wlast) begin
                        m_axi_wvalid <= 1'b0;
                        state        <= S_B;
                    end else if (is_cq) begin
                        m_axi_wdata <= cq_next;
                        m_axi_wlast <= (burst_beats == 9'd2);
                        cq_rest     <= cq_rest >> DATA_W;
                    end else begin
                        m_axi_wdata <= pattern_data;
                        m_axi_wlast <= (burst_beats == 9'd2);
                        word_index  <= word_index + (16'd1 << LSHIFT);
                    end
                    burst_beats <= burst_beats - 9'd1;
                end
            end
            S_B: begin
                if (m_axi_bvalid) begin
                    state <= S_IDLE;
                    if (m_axi_bresp != 2'b00) bus_error <= 1'b1;
                    if (is_cq) cq_done <= 1'b1;
                    if (!is_msi && !is_cq && beats_left == 32'd0) begin
                        chunk_busy <= 1'b0;
                        chunk_done <= 1'b1;
                    end
                end
            end
        endcase

        if (rst) begin
            state         <= S_IDLE;
            is_msi        <= 1'b0;
            is_cq         <= 1'b0;
            cq_rest       <= 128'd0;
            cq_done       <= 1'b0;
            chunk_busy    <= 1'b0;
            chunk_done    <= 1'b0;
            bus_error     <= 1'b0;
            m_axi_awvalid <= 1'b0;
            m_axi_wvalid  <= 1'b0;
            m_axi_wlast   <= 1'b0;
            m_axi_awaddr  <= {ADDR_W{1'b0}};
            m_axi_awlen   <= 8'd0;
            m_axi_awsize  <= 3'd0;
            m_axi_wdata   <= {DATA_W{1'b0}};
            m_axi_wstrb   <= {BYTES{1'b0}};
            cur_addr      <= {ADDR_W{1'b0}};
            beats_left    <= 32'd0;
            word_index    <= 16'd0;
            cur_seq       <= 32'd0;
            cur_key       <= 32'd0;
            burst_beats   <= 9'd0;
        end
    end

    wire unused_ok = &{1'b0, m_axi_bid};

endmodule

`resetall
