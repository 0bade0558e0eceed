// msi_vector_ctrl: per-vector mask and pending bits with the PCIe MSI/MSI-X rules
// (PCI Express Base Specification 6.1.4):
//   - an event sets the vector's pending bit; a pending, unmasked vector requests one message;
//   - events while the vector is pending collapse into that one message;
//   - while masked the vector sends nothing and keeps its pending bit; unmasking with the
//     pending bit set sends one message;
//   - if software services the events while the vector is masked (clear_masked), the pending
//     bit is cleared and no message is sent.
// The lowest-numbered requesting vector is offered first; `sent` acknowledges it. req_vec_next
// is the vector offered in the next cycle (from the next pending bits and mask_next), the address
// at which msix_table reads the message in advance.
`resetall
`default_nettype none

module msi_vector_ctrl #(
    parameter integer NUM_VEC = 2,
    parameter integer VEC_W   = (NUM_VEC > 1) ? $clog2(NUM_VEC) : 1
) (
    input  wire               clk,
    input  wire               rst,

    input  wire [NUM_VEC-1:0] event_in,      // one-cycle pulses
    input  wire [NUM_VEC-1:0] mask,
    input  wire [NUM_VEC-1:0] mask_next,     // mask in the next cycle
    input  wire [NUM_VEC-1:0] clear_masked,  // software serviced the vector's events
    output reg  [NUM_VEC-1:0] pending,

    output wire               req_valid,
    output reg  [VEC_W-1:0]   req_vec,
    output reg  [VEC_W-1:0]   req_vec_next,  // req_vec in the next cycle
    input  wire               req_ack,       // message for req_vec accepted this cycle
    output reg  [NUM_VEC-1:0] sent           // the vector whose message left this cycle
);

    wire [NUM_VEC-1:0] ready = pending & ~mask;
    assign req_valid = |ready;

    function automatic [VEC_W-1:0] lowest(input [NUM_VEC-1:0] bits);
        integer i;
        begin
            lowest = {VEC_W{1'b0}};
            for (i = NUM_VEC - 1; i >= 0; i = i - 1)
                if (bits[i]) lowest = i[VEC_W-1:0];
        end
    endfunction

    // an event in the same cycle as the message leaves is a new event: it stays pending
    wire [NUM_VEC-1:0] pending_next = rst ? {NUM_VEC{1'b0}} : (pending & ~sent & ~(clear_masked & mask)) | event_in;

    // (most cycles have nothing pending: the encoders are skipped then)
    wire [NUM_VEC-1:0] ready_next = pending_next & ~mask_next;
    always @* begin
        req_vec      = (ready == {NUM_VEC{1'b0}}) ? {VEC_W{1'b0}} : lowest(ready);
        req_vec_next = (ready_next == {NUM_VEC{1'b0}}) ? {VEC_W{1'b0}} : lowest(ready_next);
    end

    always @* begin
        sent = {NUM_VEC{1'b0}};
        if (req_ack) sent[req_vec] = 1'b1;
    end

    always @(posedge clk) pending <= pending_next;

endmodule

`resetall
