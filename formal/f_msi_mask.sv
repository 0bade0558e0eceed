// Formal wrapper: the device's MSI/MSI-X mask and pending rules (PCIe 6.1.4) on msix_table and
// msi_vector_ctrl wired as irqloop_dev wires them (three vectors). The register bus writes at
// will (vector table entries, MSI_MASK, MSIX_CTRL), events and "serviced" come at will, and the
// writer takes a requested message whenever it likes (req_ack only while req_valid). Asserted:
//   mk_masked_silent   a masked vector (its entry's Mask, or the Function Mask with MSI-X on)
//                      sends nothing and is never the one requested
//   mk_sets_pending    an event sets the vector's pending bit, masked or not
//   mk_keeps_pending   a pending bit clears only when its message leaves, or when software
//                      serviced the events while the vector was masked
//   mk_unmask_sends    a pending, unmasked vector requests a message (so unmasking with pending
//                      set sends one)
//   mk_one_message     at most one message of a vector between two of its events: unmasking
//                      sends exactly one, however many events came while masked
//   mk_fmask_all       with MSI-X enabled and the Function Mask set, every vector is masked
//   mk_ahead           the vector and mask announced a cycle ahead (req_vec_next, mask_next, where
//                      msix_table reads the message in advance) are the next cycle's
`default_nettype none

module f_msi_mask (
    input wire clk
);
    localparam integer NUM_VEC = 3, VW = 2;

`include "irqloop_regs.vh"

    wire               rst          = $anyseq;
    wire               reg_we       = $anyseq;
    wire [11:0]        reg_waddr    = $anyseq;
    wire [31:0]        reg_wdata    = $anyseq;
    wire [NUM_VEC-1:0] event_in     = $anyseq;
    wire [NUM_VEC-1:0] clear_masked = $anyseq;
    wire               req_ack      = $anyseq;

    wire [NUM_VEC-1:0] mask, mask_next, pending, sent;
    wire               req_valid, msix_enable;
    wire [VW-1:0]      req_vec, req_vec_next;

    msi_vector_ctrl #(.NUM_VEC(NUM_VEC)) u_msi (
        .clk(clk), .rst(rst), .event_in(event_in), .mask(mask), .mask_next(mask_next),
        .clear_masked(clear_masked), .pending(pending), .req_valid(req_valid), .req_vec(req_vec),
        .req_vec_next(req_vec_next), .req_ack(req_ack), .sent(sent)
    );
    msix_table #(.NUM_VEC(NUM_VEC), .ADDR_W(64)) u_table (
        .clk(clk), .rst(rst), .reg_we(reg_we), .reg_waddr(reg_waddr), .reg_wdata(reg_wdata),
        .reg_raddr(12'd0), .reg_re(1'b0), .reg_rdata(), .msi_addr(64'd0), .msi_data(32'd0),
        .pending(pending), .mask(mask), .mask_next(mask_next), .sel_vec_next(req_vec_next),
        .msg_addr(), .msg_data(), .msix_enable(msix_enable)
    );

    `include "f_reset.vh"
    always @* if (req_ack) assume(req_valid);   // dma_axi_writer: msi_ack = idle && msi_valid

    // MSIX_CTRL as last written (the Function Mask and MSI-X Enable bits)
    reg en_w, fmask_w;
    always @(posedge clk) begin
        if (reg_we && reg_waddr == REG_MSIX_CTRL) begin
            en_w    <= reg_wdata[MSIX_ENABLE];
            fmask_w <= reg_wdata[MSIX_FUNC_MASK];
        end
        if (rst) begin
            en_w    <= 1'b0;
            fmask_w <= 1'b0;
        end
    end

    // messages of each vector since its last event
    reg [1:0] since_event [0:NUM_VEC-1];
    reg [NUM_VEC-1:0] event_q, sent_q, cleared_q, pending_q, mask_next_q;
    reg [VW-1:0]      vec_next_q;
    integer i;
    always @(posedge clk) begin
        for (i = 0; i < NUM_VEC; i = i + 1) begin
            if (event_in[i]) since_event[i] <= 2'd0;
            else if (sent[i] && since_event[i] != 2'd3) since_event[i] <= since_event[i] + 2'd1;
            if (rst) since_event[i] <= 2'd0;
        end
        event_q   <= event_in;
        sent_q    <= sent;
        cleared_q <= clear_masked & mask;
        pending_q <= pending;
        vec_next_q  <= req_vec_next;
        mask_next_q <= mask_next;
    end

    // over all vectors at once (one assertion each: labels name them)
    always @(posedge clk) if (live) begin
        mk_masked_silent: assert((mask & sent) == 0 && !(req_valid && mask[req_vec]));
        mk_sets_pending: assert((event_q & ~pending) == 0);
        mk_keeps_pending: assert((pending_q & ~pending & ~(sent_q | cleared_q)) == 0);
        mk_unmask_sends: assert(!(|(pending & ~mask)) || req_valid);
        mk_one_message: assert(since_event[0] <= 2'd1 && since_event[1] <= 2'd1 && since_event[2] <= 2'd1);
    end
    always @(posedge clk) if (live && en_w && fmask_w) mk_fmask_all: assert(&mask);
    always @(posedge clk) if (live) mk_ahead: assert(mask == mask_next_q && (!req_valid || req_vec == vec_next_q));
endmodule

`resetall
