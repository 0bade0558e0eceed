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

    output reg  [NUM_VEC-1:0]  vec_event,
    output reg  [NUM_VEC-1:0]  vec_event_err,
    output reg  [NUM_VEC-1:0]  vec_db,
    output reg  [NUM_VEC-1:0]  vec_busy
);
    integer v, q;
    reg ev, db, busy;
    always @* begin
        for (v = 0; v < NUM_VEC; v = v + 1) begin
            ev = 1'b0;
            db = 1'b0;
            busy = 1'b0;
            for (q = 0; q < NUM_CQ; q = q + 1) begin
                if (q_ien[q] && q_vec[q*6 +: 6] == v[5:0]) begin
                    ev   = ev | q_event[q];
                    db   = db | q_db[q];
                    busy = busy | ~q_empty[q];
                end
            end
            vec_event[v]     = ev;
            vec_db[v]        = db;
            vec_busy[v]      = busy;
            vec_event_err[v] = ev & q_event_err;
        end
    end

endmodule

`resetall
