// cq_vector_map: the interrupt mapping table applied to queue events. Queue q, when its IEN bit
// is set, signals on vector q_vec[q] (several queues may share a vector). Per vector it gives
// the queue events of this cycle, whether one of them carries an error status, head doorbells
// of its queues, and whether any of its queues still holds entries the host has not consumed.
`resetall
`default_nettype none

module cq_vector_map #(
    parameter integer NUM_CQ  = 4,
    parameter integer NUM_VEC = NUM_CQ + 2
) (
    input  wire [NUM_CQ-1:0]   q_event,     // an entry of queue q landed (at most one per cycle)
    input  wire                q_event_err, // that entry has a non-zero status
    input  wire [NUM_CQ-1:0]   q_db,        // accepted head doorbell of queue q
    input  wire [NUM_CQ-1:0]   q_empty,
    input  wire [NUM_CQ*6-1:0] q_vec,
    input  wire [NUM_CQ-1:0]   q_ien,

    output wire [NUM_VEC-1:0]  vec_event,
    output wire [NUM_VEC-1:0]  vec_event_err,
    output wire [NUM_VEC-1:0]  vec_db,
    output wire [NUM_VEC-1:0]  vec_busy
);
    // queue q selects one vector (one-hot; none when IEN is off or the vector is beyond the
    // table); each output ORs the selections of the queues with the event. A chain of NUM_VEC-bit
    // ORs, one per queue, costs the simulator a few word operations per queue instead of a
    // compare per queue and vector.
    wire [NUM_VEC-1:0] one = {{(NUM_VEC-1){1'b0}}, 1'b1};
    wire [NUM_VEC-1:0] acc_ev   [0:NUM_CQ];
    wire [NUM_VEC-1:0] acc_db   [0:NUM_CQ];
    wire [NUM_VEC-1:0] acc_busy [0:NUM_CQ];
    assign acc_ev[0]   = {NUM_VEC{1'b0}};
    assign acc_db[0]   = {NUM_VEC{1'b0}};
    assign acc_busy[0] = {NUM_VEC{1'b0}};
    genvar q;
    generate
        for (q = 0; q < NUM_CQ; q = q + 1) begin : g_q
            wire [NUM_VEC-1:0] sel = q_ien[q] ? one << q_vec[q*6 +: 6] : {NUM_VEC{1'b0}};
            assign acc_ev[q+1]   = acc_ev[q]   | (q_event[q] ? sel : {NUM_VEC{1'b0}});
            assign acc_db[q+1]   = acc_db[q]   | (q_db[q]    ? sel : {NUM_VEC{1'b0}});
            assign acc_busy[q+1] = acc_busy[q] | (q_empty[q] ? {NUM_VEC{1'b0}} : sel);
        end
    endgenerate
    assign vec_event     = acc_ev[NUM_CQ];
    assign vec_db        = acc_db[NUM_CQ];
    assign vec_busy      = acc_busy[NUM_CQ];
    assign vec_event_err = acc_ev[NUM_CQ] & {NUM_VEC{q_event_err}};

endmodule

`resetall
