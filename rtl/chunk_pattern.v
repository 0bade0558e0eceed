// chunk_pattern: the payload of one DMA beat of a chunk.
//
// The chunk is a sequence of little-endian 32-bit words. Word 0 is the chunk's sequence
// number; word j > 0 is {seq[15:0], j[15:0]} ^ key. A reader can therefore tell which chunk
// a slot holds and whether any word of it belongs to another chunk (torn or overwritten).
`resetall
`default_nettype none

module chunk_pattern #(
    parameter integer DATA_W = 64
) (
    input  wire [31:0]       seq,
    input  wire [31:0]       key,
    input  wire [15:0]       word_index,   // index of the beat's first 32-bit word
    output reg  [DATA_W-1:0] data
);
    localparam integer LANES = DATA_W / 32;

    integer l;
    reg [15:0] j;
    always @* begin
        for (l = 0; l < LANES; l = l + 1) begin
            j = word_index + l[15:0];
            data[32*l +: 32] = (j == 16'd0) ? seq : ({seq[15:0], j} ^ key);
        end
    end

endmodule

`resetall
