// The formal wrappers' reset (included inside a wrapper module with a `clk` and a `rst`):
// reset is held in the first cycle; `live` is true from the first cycle after reset has passed.
    reg started = 1'b0;
    reg rst_q = 1'b1;
    always @(posedge clk) begin
        started <= 1'b1;
        rst_q   <= rst;
    end
    always @* if (!started) assume(rst);
    wire live = started && !rst_q && !rst;
