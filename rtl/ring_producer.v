// ring_producer: the device's data source and host-ring bookkeeping.
//
// While running, a chunk becomes due every CHUNK_PERIOD cycles (the first in the cycle the
// stream starts). A due chunk is written into slot (seq mod SLOT_COUNT) of the host ring by
// dma_axi_writer. PROD_IDX counts chunks completely written; the host frees slots by writing
// CONS_IDX. A chunk occupies its slot from the cycle its write starts, so the ring is full when
// the chunks started (PROD_IDX plus one still being written) minus CONS_IDX equal SLOT_COUNT.
// When a chunk is due and the ring is full:
//   - free-running mode writes it anyway: the unfreed slot is overwritten, the overrun flag and
//     counter are set and an overrun event is raised;
//   - flow-controlled mode holds the chunk and counts stall cycles until a slot is freed.
// If a chunk becomes due while the previous one is still being written, the two collapse
// (the source cannot outrun the bus).
//
// Settings are checked when ENABLE goes 0->1; invalid ones are refused (cfg_error) and the
// stream does not start. A consumer index ahead of the producer index is refused too.
// A stream restarted while the writer still finishes a chunk of the previous one does not count
// that chunk (it was not written for the new stream); its first chunk starts after it.
`resetall
`default_nettype none

module ring_producer #(
    parameter integer DATA_W = 64,
    parameter integer ADDR_W = 64
) (
    input  wire              clk,
    input  wire              rst,

    // settings
    input  wire              enable,
    input  wire              flowctl,
    input  wire [31:0]       chunk_period,
    input  wire [ADDR_W-1:0] ring_base,
    input  wire [31:0]       slot_count,
    input  wire [31:0]       slot_size,
    input  wire [31:0]       chunk_limit,
    input  wire              msi_sent,       // an MSI message left (counted per stream)

    input  wire              cons_wr,
    input  wire [31:0]       cons_wr_data,

    // to the AXI writer
    output reg               chunk_start,
    output reg  [ADDR_W-1:0] chunk_addr,
    output wire [31:0]       chunk_bytes,
    output reg  [31:0]       chunk_seq,
    input  wire              chunk_busy,
    input  wire              chunk_done,

    // state and counters
    output reg               running,
    output reg               done,
    output reg               cfg_error,
    output reg               overrun,
    output wire              stalled,
    output reg  [31:0]       prod_idx,
    output reg  [31:0]       cons_idx,
    output reg  [31:0]       cnt_chunks,
    output reg  [31:0]       cnt_overwrite,
    output reg  [31:0]       cnt_stall,
    output reg  [31:0]       cnt_irqs,
    output reg  [31:0]       overrun_seq,
    output reg  [31:0]       overrun_cycle,

    // events (one-cycle pulses)
    output reg               ev_data,
    output reg               ev_overrun,
    output reg               ev_cfgerr
);
    localparam integer BYTES = DATA_W / 8;
    localparam integer BSHIFT = $clog2(BYTES);
    localparam [31:0] MAX_SLOT_SIZE = 32'd262144;  // 64 Ki 32-bit words per chunk

    assign chunk_bytes = slot_size;

    // ---- settings check, evaluated when the stream is asked to start ----
    wire bad_slots  = (slot_count == 32'd0) || (slot_count > 32'd65535);
    wire bad_size   = (slot_size == 32'd0) || (slot_size[BSHIFT-1:0] != 0) || (slot_size > MAX_SLOT_SIZE);
    wire bad_base   = (ring_base[BSHIFT-1:0] != 0);
    wire bad_period = (chunk_period == 32'd0);
    wire cfg_bad    = bad_slots | bad_size | bad_base | bad_period;

    reg         enable_q;
    wire        start_req = enable && !enable_q;
    wire        new_stream = start_req && !cfg_bad;

    reg  [31:0] period_cnt;
    reg         due;
    reg  [31:0] started;        // chunks started (sequence number of the next chunk)
    reg  [31:0] slot_idx;       // slot of the next chunk
    reg  [ADDR_W-1:0] slot_addr;
    reg  [31:0] cycle;          // cycles since the stream started
    reg         stale;          // the writer still finishes a chunk of an earlier stream

    wire [31:0] fill      = started - cons_idx;   // slots holding unconsumed or in-flight chunks
    wire        ring_full = (fill >= slot_count);
    wire        limit_hit = (chunk_limit != 32'd0) && (started >= chunk_limit);
    wire        can_start = running && due && !chunk_busy && !chunk_start;

    assign stalled = can_start && ring_full && flowctl;

    always @(posedge clk) begin
        enable_q    <= enable;
        chunk_start <= 1'b0;
        ev_data     <= 1'b0;
        ev_overrun  <= 1'b0;
        ev_cfgerr   <= 1'b0;

        if (start_req) begin
            if (cfg_bad) begin
                cfg_error <= 1'b1;
                ev_cfgerr <= 1'b1;
            end else begin
                cfg_error     <= 1'b0;
                running       <= 1'b1;
                slot_addr     <= ring_base;
            end
        end else if (!enable) begin
            running <= 1'b0;
        end

        if (running) begin
            cycle <= cycle + 32'd1;

            // the source: a chunk is due every chunk_period cycles
            if (period_cnt == 32'd0) begin
                period_cnt <= chunk_period - 32'd1;
                if (!limit_hit) due <= 1'b1;
            end else begin
                period_cnt <= period_cnt - 32'd1;
            end

            if (stalled) cnt_stall <= cnt_stall + 32'd1;

            if (can_start && !(ring_full && flowctl)) begin
                due         <= 1'b0;
                chunk_start <= 1'b1;
                chunk_addr  <= slot_addr;
                chunk_seq   <= started;
                started     <= started + 32'd1;
                if (slot_idx + 32'd1 >= slot_count) begin
                    slot_idx  <= 32'd0;
                    slot_addr <= ring_base;
                end else begin
                    slot_idx  <= slot_idx + 32'd1;
                    slot_addr <= slot_addr + {{(ADDR_W-32){1'b0}}, slot_size};
                end
                if (ring_full) begin
                    cnt_overwrite <= cnt_overwrite + 32'd1;
                    overrun       <= 1'b1;
                    ev_overrun    <= 1'b1;
                    if (!overrun) begin
                        overrun_seq   <= started;
                        overrun_cycle <= cycle;
                    end
                end
            end

            if (chunk_done && !stale) begin
                prod_idx   <= prod_idx + 32'd1;
                cnt_chunks <= cnt_chunks + 32'd1;
                ev_data    <= 1'b1;
                if (chunk_limit != 32'd0 && prod_idx + 32'd1 == chunk_limit) done <= 1'b1;
            end
        end

        if (chunk_done) stale <= 1'b0;

        if (msi_sent) cnt_irqs <= cnt_irqs + 32'd1;

        // host frees slots; an index ahead of what was written is refused
        if (cons_wr) begin
            if ($signed(prod_idx - cons_wr_data) < 0) begin
                cfg_error <= 1'b1;
                ev_cfgerr <= 1'b1;
            end else begin
                cons_idx <= cons_wr_data;
            end
        end

        // a new stream starts from the state reset leaves (its indices and figures cleared)
        if (rst || new_stream) begin
            done          <= 1'b0;
            overrun       <= 1'b0;
            due           <= 1'b0;
            period_cnt    <= 32'd0;
            started       <= 32'd0;
            slot_idx      <= 32'd0;
            prod_idx      <= 32'd0;
            cons_idx      <= 32'd0;
            cnt_chunks    <= 32'd0;
            cnt_overwrite <= 32'd0;
            cnt_stall     <= 32'd0;
            cnt_irqs      <= 32'd0;
            overrun_seq   <= 32'hFFFF_FFFF;
            overrun_cycle <= 32'hFFFF_FFFF;
            cycle         <= 32'd0;
            stale         <= (chunk_busy && !chunk_done) || chunk_start;
        end

        if (rst) begin
            enable_q      <= 1'b0;
            running       <= 1'b0;
            cfg_error     <= 1'b0;
            slot_addr     <= {ADDR_W{1'b0}};
            chunk_start   <= 1'b0;
            chunk_addr    <= {ADDR_W{1'b0}};
            chunk_seq     <= 32'd0;
            ev_data       <= 1'b0;
            ev_overrun    <= 1'b0;
            ev_cfgerr     <= 1'b0;
            stale         <= 1'b0;
        end
    end

endmodule

`resetall
