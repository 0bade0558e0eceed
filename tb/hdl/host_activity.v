// host_activity: the host model's activity as signals (simulation only).
//
// Nothing drives these in the HDL: tb/sim/probe.py writes them at the host model's events (ISR and
// DPC start and end, DPC queueing, cyclic buffer and consumer changes, scoreboard errors) while
// waves are on, so GTKWave shows the driver on the same timeline as the RTL. The *_name signals
// hold the state as ASCII text (GTKWave: Data Format > ASCII). The first four CPUs are shown.
`timescale 1ns / 1ps
`default_nettype none

module host_activity ();
    // per CPU: state 0 IDLE, 1 ISR, 2 DPC, 3 DISPATCH (draining its DPC queue, between routines),
    // 4 DIRQL (DPC-level code holds an interrupt spin lock); who: the ISR's message id or the
    // DPC's number (tb/sim/probe.py assigns them in order of first use); irql; DPC queue depth
    reg [2:0]  cpu0_state = 3'd0, cpu1_state = 3'd0, cpu2_state = 3'd0, cpu3_state = 3'd0;
    reg [63:0] cpu0_name = "IDLE", cpu1_name = "IDLE", cpu2_name = "IDLE", cpu3_name = "IDLE";
    reg [31:0] cpu0_who = 0, cpu1_who = 0, cpu2_who = 0, cpu3_who = 0;
    reg [2:0]  cpu0_irql = 3'd0, cpu1_irql = 3'd0, cpu2_irql = 3'd0, cpu3_irql = 3'd0;
    reg [7:0]  cpu0_dpcq = 8'd0, cpu1_dpcq = 8'd0, cpu2_dpcq = 8'd0, cpu3_dpcq = 8'd0;
    // spin locks the CPU holds: bit n is the n-th lock acquired in the run (interrupt locks first)
    reg [31:0] cpu0_locks = 0, cpu1_locks = 0, cpu2_locks = 0, cpu3_locks = 0;

    reg [31:0] dpc_queued = 32'd0;      // bit n: DPC number n is in a DPC queue
    reg [31:0] cyclic_fill = 32'd0;     // chunks in the driver's cyclic buffer
    reg [31:0] consumer_pos = 32'd0;    // chunks the application has taken
    reg [31:0] sb_errors = 32'd0;       // scoreboard divergences so far (steps at each one)
    reg [31:0] driver_cons = 32'd0;     // the driver's consumer index (next chunk it expects)
endmodule
