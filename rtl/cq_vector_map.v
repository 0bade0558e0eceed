// cq_vector_map: the interrupt mapping table applied to queue events. Queue q, when its IEN bit
// is set, signals on vector q_vec[q] (several queues may share a vector).
// cq_engine reports at most one landed entry and one accepted head doorbell per cycle, each with
// its queue; this block names their vectors (vec_ev / vec_db: the queue's IEN is set and its
// vector is in the table). For the "serviced" rule it also tells whether a vector still has a
// queue holding entries the host has not consumed (busy): for the doorbell's vector and for two
// fixed vectors (the data and error vectors). The busy outputs are a pass over every queue, so
// they are computed only in cycles with `look` set and read 0 otherwise.
`resetall
`default_nettype none

module cq_vector_map #(
    parameter integer NUM_CQ  = 4,
    parameter integer NUM_VEC = NUM_CQ + 2,
    parameter integer FIXED0  = 0,            // the fixed vectors of fixed_busy
    parameter integer FIXED1  = 1,
    parameter integer QW      = (NUM_CQ > 1) ? $clog2(NUM_CQ) : 1,
    parameter integer VW      = (NUM_VEC > 1) ? $clog2(NUM_VEC) : 1
) (
    input  wire                ev,          // an entry of queue ev_q landed
    input  wire [QW-1:0]       ev_q,
    input  wire                db,          // a head doorbell of queue db_q was accepted
    input  wire [QW-1:0]       db_q,
    input  wire                look,        // compute the busy outputs in this cycle
    input  wire [NUM_CQ-1:0]   q_empty,
    input  wire [NUM_CQ*6-1:0] q_vec,
    input  wire [NUM_CQ-1:0]   q_ien,

    output wire                vec_ev,      // the entry signals on ev_vec
    output wire [VW-1:0]       ev_vec,
    output wire                vec_db,      // the doorbell's queue signals on db_vec
    output wire [VW-1:0]       db_vec,
    output reg                 db_busy,     // (look) a queue on db_vec holds entries
    output reg  [1:0]          fixed_busy   // (look) a queue on FIXED0 / FIXED1 holds entries
);
    wire [5:0] ev_sel = q_vec[ev_q * 6 +: 6];
    wire [5:0] db_sel = q_vec[db_q * 6 +: 6];
    assign vec_ev = ev && q_ien[ev_q] && {26'd0, ev_sel} < NUM_VEC;
    assign ev_vec = ev_sel[VW-1:0];
    assign vec_db = db && q_ien[db_q] && {26'd0, db_sel} < NUM_VEC;
    assign db_vec = db_sel[VW-1:0];

    integer q;
    reg [5:0] qv;
    always @* begin
        db_busy    = 1'b0;
        fixed_busy = 2'b00;
        qv         = 6'd0;
        q          = 0;
        if (look) begin
            for (q = 0; q < NUM_CQ; q = q + 1) begin
                qv = q_vec[q*6 +: 6];
                if (q_ien[q] && !q_empty[q]) begin
                    if (vec_db && qv == db_sel)  db_busy       = 1'b1;
                    if (qv == 6'(FIXED0))        fixed_busy[0] = 1'b1;
                    if (qv == 6'(FIXED1))        fixed_busy[1] = 1'b1;
                end
            end
        end
    end

endmodule

`resetall
