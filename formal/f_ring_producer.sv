// Formal wrapper: ring_producer's flow control. The writer is modelled as the device's
// dma_axi_writer behaves towards the producer (busy from a chunk start until its done, done
// after any delay); the host writes CONS_IDX at will (the producer refuses an index past
// PROD_IDX); the settings are free but constant within a run (the driver's contract: they are
// written while the stream is stopped). Asserted:
//   fc_no_overwrite  with flow control on, a chunk starts only into a freed slot: the chunks
//                    started and not freed by the host (counted here from chunk_start pulses,
//                    not from the producer's own counter) are fewer than SLOT_COUNT at the start
//   fc_fill_bound    ... so the unfreed chunks never exceed SLOT_COUNT, and no overrun is raised
//   fc_cons_bound    the host can free only written chunks: CONS_IDX is not ahead of PROD_IDX, nor
//                    PROD_IDX of the chunks started (32-bit indices that wrap: compared as serial
//                    numbers, as the producer does)
// fc_fill_bound and fc_cons_bound are asserted while the host never moved CONS_IDX backwards:
// the producer accepts any index not ahead of PROD_IDX as a serial number, also one behind the
// current CONS_IDX. That un-frees slots (a flow-controlled stream then stalls; it does not
// overwrite), and an index written 2^31 - 1 behind PROD_IDX reads as ahead of it once PROD_IDX
// moves on (found by this wrapper; docs/formal.md). fc_no_overwrite and fc_no_overrun hold for
// any host.
`default_nettype none

module f_ring_producer (
    input wire clk
);
    wire        rst          = $anyseq;
    wire        enable       = $anyseq;
    wire        cons_wr      = $anyseq;
    wire [31:0] cons_wr_data = $anyseq;
    wire        done_now     = $anyseq;   // the writer finishes its chunk this cycle (if busy)
    wire        flowctl      = $anyconst;
    wire [31:0] chunk_period = $anyconst;
    wire [63:0] ring_base    = $anyconst;
    wire [31:0] slot_count   = $anyconst;
    wire [31:0] slot_size    = $anyconst;
    wire [31:0] chunk_limit  = $anyconst;

    wire        chunk_start, running, overrun, ev_overrun;
    wire [63:0] chunk_addr;
    wire [31:0] chunk_seq, prod_idx, cons_idx;
    reg         busy;
    wire        chunk_done = busy && done_now;

    ring_producer dut (
        .clk(clk), .rst(rst),
        .enable(enable), .flowctl(flowctl), .chunk_period(chunk_period), .ring_base(ring_base),
        .slot_count(slot_count), .slot_size(slot_size), .chunk_limit(chunk_limit), .msi_sent(1'b0),
        .cons_wr(cons_wr), .cons_wr_data(cons_wr_data),
        .chunk_start(chunk_start), .chunk_addr(chunk_addr), .chunk_bytes(), .chunk_seq(chunk_seq),
        .chunk_busy(busy), .chunk_done(chunk_done),
        .running(running), .done(), .cfg_error(), .overrun(overrun), .stalled(),
        .prod_idx(prod_idx), .cons_idx(cons_idx), .cnt_chunks(), .cnt_overwrite(), .cnt_stall(),
        .cnt_irqs(), .overrun_seq(), .overrun_cycle(),
        .ev_data(), .ev_overrun(ev_overrun), .ev_cfgerr()
    );

    reg started = 1'b0;
    reg rst_q = 1'b1;
    reg running_q = 1'b0;
    always @(posedge clk) begin
        started   <= 1'b1;
        rst_q     <= rst;
        running_q <= running;
    end
    always @* if (!started) assume(rst);
    wire live = started && !rst_q && !rst;

    // the writer: busy from a chunk start to its done
    always @(posedge clk) begin
        if (chunk_start) busy <= 1'b1;
        else if (chunk_done) busy <= 1'b0;
        if (rst) busy <= 1'b0;
    end

    // chunks started in this stream, counted from the producer's start pulses; a stream begins
    // when running rises (the producer clears its indices in that cycle)
    reg [31:0] n_started;
    always @(posedge clk) begin
        if (running && !running_q) n_started <= 32'd0;
        else n_started <= n_started + {31'd0, chunk_start};
        if (rst) n_started <= 32'd0;
    end
    wire [31:0] n_now   = (running && !running_q) ? 32'd0 : n_started;
    wire [31:0] unfreed = n_now - cons_idx;

    // the host moved CONS_IDX backwards (an accepted write behind the current index)
    reg host_backward;
    always @(posedge clk) begin
        if (running && !running_q) host_backward <= 1'b0;
        if (cons_wr && $signed(prod_idx - cons_wr_data) >= 0 && $signed(cons_wr_data - cons_idx) < 0)
            host_backward <= 1'b1;
        if (rst) host_backward <= 1'b0;
    end

    reg [31:0] unfreed_q;
    reg        flow_q;
    always @(posedge clk) begin
        unfreed_q <= unfreed;
        flow_q    <= running && flowctl;
    end

    always @(posedge clk) if (live && flowctl) begin
        // chunk_start is registered: the decision was taken on last cycle's indices
        if (chunk_start && flow_q)
            fc_no_overwrite: assert(unfreed_q < slot_count);
        if (running) begin
            if (!host_backward) fc_fill_bound: assert(unfreed <= slot_count);
            fc_no_overrun: assert(!ev_overrun && !overrun);
        end
    end
    always @(posedge clk) if (live && running && !host_backward) begin
        fc_cons_bound: assert($signed(prod_idx - cons_idx) >= 0 && $signed(n_now - prod_idx) >= 0);
    end
endmodule

`resetall
