// msix_table: the device's interrupt message table (PCIe 6.1.4 MSI / MSI-X).
//
// One entry per vector: Message Address (bits [1:0] read as 0), Upper Address, Message Data
// and Vector Control (bit 0: Mask). The Pending Bit Array and the MSI Pending register read the
// pending bits of msi_vector_ctrl. MSIX_CTRL holds MSI-X Enable and the Function Mask.
//   - MSI-X enabled: vector v is sent to its own table entry's address with its own data; the
//     Function Mask masks every vector (pending bits still set, as for a vector mask).
//   - MSI (MSI-X disabled): every vector goes to MSI_ADDR with data MSI_DATA + v (multiple
//     message MSI); MSI_MASK is the MSI Mask Bits register. It is the same bit as each entry's
//     Mask, so a driver sees one mask per vector in both modes. (MSI allows 32 vectors; this
//     device keeps numbering vectors above 31 the same way and masks them through the table.)
// The entries' address and data live in a RAM (block RAM), one 96-bit word per vector, read
// synchronously: the message port at sel_vec_next, the vector msi_vector_ctrl will request in
// the next cycle (so msg_addr/msg_data belong to that cycle's sel_vec), and the register port at
// reg_raddr when reg_re is high. The array is not reset: a valid bit per vector, cleared by
// reset, makes an entry read as zero until its first write, which writes the whole word. Mask
// bits stay in flip-flops (every vector's mask is needed in every cycle); mask_next is their
// value in the next cycle.
`resetall
`default_nettype none

module msix_table #(
    parameter integer NUM_VEC = 6,
    parameter integer ADDR_W  = 64,
    parameter integer VW      = (NUM_VEC > 1) ? $clog2(NUM_VEC) : 1
) (
    input  wire                 clk,
    input  wire                 rst,

    input  wire                 reg_we,
    input  wire [11:0]          reg_waddr,
    input  wire [31:0]          reg_wdata,
    input  wire [11:0]          reg_raddr,
    input  wire                 reg_re,         // reg_raddr is read at this edge
    output reg  [31:0]          reg_rdata,      // the register read at the last reg_re

    input  wire [63:0]          msi_addr,       // MSI capability address and data
    input  wire [31:0]          msi_data,
    input  wire [NUM_VEC-1:0]   pending,

    output wire [NUM_VEC-1:0]   mask,           // effective mask of each vector
    output reg  [NUM_VEC-1:0]   mask_next,      // mask in the next cycle
    input  wire [VW-1:0]        sel_vec_next,   // the vector to be sent in the next cycle
    output wire [ADDR_W-1:0]    msg_addr,       // the message of the vector sel_vec_next named
    output wire [31:0]          msg_data,
    output wire                 msix_enable
);

`include "irqloop_regs.vh"

    localparam integer VT_END  = 32'(VT_BLOCK) + NUM_VEC * 32'(VT_STRIDE);
    localparam integer PBA_DW  = (NUM_VEC + 31) / 32;
    localparam integer PBA_END = 32'(PBA_BLOCK) + PBA_DW * 32'(PBA_STRIDE);

    // {data, address[63:32], address[31:0]} of each vector
    reg [95:0]        entry [0:NUM_VEC-1];
    reg [NUM_VEC-1:0] valid;
    reg [NUM_VEC-1:0] vmask;
    reg               en, fmask;

    wire        w_vt = reg_we && reg_waddr >= VT_BLOCK && {20'd0, reg_waddr} < VT_END;
    wire [11:0] w_off = reg_waddr - VT_BLOCK;
    wire [VW-1:0] w_v = w_off[4 +: VW];
    wire [1:0]  w_field = w_off[3:2];          // VTR_ADDR_LO, VTR_ADDR_HI, VTR_DATA, VTR_CTRL
    wire [31:0] w_word = (w_field == 2'd0) ? {reg_wdata[31:2], 2'b00} : reg_wdata;

    // the RAM's write port: one 32-bit lane; an entry's first write fills the others with zeros
    always @(posedge clk) begin
        if (w_vt && w_field != 2'd3) begin
            if (!valid[w_v])
                entry[w_v] <= {64'd0, w_word} << (32 * w_field);
            else if (w_field == 2'd0) entry[w_v][31:0]  <= w_word;
            else if (w_field == 2'd1) entry[w_v][63:32] <= w_word;
            else                      entry[w_v][95:64] <= w_word;
        end
    end

    // mask bits in the next cycle, as the register writes below leave them
    integer i;
    reg [NUM_VEC-1:0] vmask_next;
    reg               en_next, fmask_next;
    always @* begin
        vmask_next = vmask;
        if (w_vt && w_field == 2'd3) vmask_next[w_v] = reg_wdata[0];
        for (i = 0; i < NUM_VEC && i < 32; i = i + 1)
            if (reg_we && reg_waddr == REG_MSI_MASK) vmask_next[i] = reg_wdata[i];
        en_next    = en;
        fmask_next = fmask;
        if (reg_we && reg_waddr == REG_MSIX_CTRL) begin
            en_next    = reg_wdata[MSIX_ENABLE];
            fmask_next = reg_wdata[MSIX_FUNC_MASK];
        end
        if (rst) begin
            vmask_next = {NUM_VEC{1'b0}};   // MSI mode after reset: MSI Mask Bits reset to 0
            en_next    = 1'b0;
            fmask_next = 1'b0;
        end
        mask_next = vmask_next | {NUM_VEC{en_next & fmask_next}};
    end

    always @(posedge clk) begin
        if (w_vt && !valid[w_v] && w_field != 2'd3) valid[w_v] <= 1'b1;
        vmask <= vmask_next;
        en    <= en_next;
        fmask <= fmask_next;
        if (rst) valid <= {NUM_VEC{1'b0}};
    end

    assign msix_enable = en;
    assign mask        = vmask | {NUM_VEC{en & fmask}};

    // the message port: the RAM's output register, read at the vector of the next cycle; a write
    // to that vector at the same edge is passed around the RAM (the entry as the edge leaves it)
    reg [VW-1:0] sel_vec;
    reg [95:0]   m_word;
    reg          m_set;
    reg          m_byp;          // the edge wrote a lane of the entry read
    reg [1:0]    m_byp_field;
    reg [31:0]   m_byp_word;
    always @(posedge clk) begin
        sel_vec     <= sel_vec_next;
        m_word      <= entry[sel_vec_next];
        m_set       <= valid[sel_vec_next];
        m_byp       <= w_vt && w_field != 2'd3 && w_v == sel_vec_next;
        m_byp_field <= w_field;
        m_byp_word  <= w_word;
    end
    reg [95:0] sel_entry;
    always @* begin
        sel_entry = m_set ? m_word : 96'd0;
        if (m_byp) sel_entry[32 * m_byp_field +: 32] = m_byp_word;
    end
    assign msg_addr = en ? sel_entry[ADDR_W-1:0] : msi_addr[ADDR_W-1:0];
    assign msg_data = en ? sel_entry[95:64] : msi_data + {{(32-VW){1'b0}}, sel_vec};

    // the register port: the entry word and which of its fields, latched at reg_re
    wire [11:0]   r_vt_off = reg_raddr - VT_BLOCK;
    wire [VW-1:0] r_v = r_vt_off[4 +: VW];
    wire [11:0]   r_pba_off = reg_raddr - PBA_BLOCK;
    wire [PBA_DW*32-1:0] pend_words = {{(PBA_DW*32-NUM_VEC){1'b0}}, pending};
    wire [PBA_DW*32-1:0] mask_words = {{(PBA_DW*32-NUM_VEC){1'b0}}, vmask};
    reg  [95:0] r_entry;
    reg         r_entry_valid;
    reg  [1:0]  r_field;
    reg         r_is_entry;     // the read was ADDR_LO, ADDR_HI or DATA of an entry
    reg  [31:0] r_other;        // any other register of this block (zero outside it)
    always @(posedge clk) begin
        if (reg_re) begin
            r_entry       <= entry[r_v];
            r_entry_valid <= valid[r_v];
            r_field       <= r_vt_off[3:2];
            r_is_entry    <= 1'b0;
            r_other       <= 32'd0;
            if (reg_raddr >= VT_BLOCK && {20'd0, reg_raddr} < VT_END) begin
                if (r_vt_off[3:2] == 2'd3) r_other <= {31'd0, vmask[r_v]};
                else                       r_is_entry <= 1'b1;
            end else if (reg_raddr >= PBA_BLOCK && {20'd0, reg_raddr} < PBA_END) begin
                r_other <= pend_words[r_pba_off[11:2]*32 +: 32];
            end else if (reg_raddr == REG_MSI_MASK) begin
                r_other <= mask_words[31:0];
            end else if (reg_raddr == REG_MSI_PENDING) begin
                r_other <= pend_words[31:0];
            end else if (reg_raddr == REG_MSIX_CTRL) begin
                r_other <= {30'd0, fmask, en};
            end
        end
        if (rst) begin
            r_is_entry <= 1'b0;
            r_other    <= 32'd0;
        end
    end
    always @* begin
        reg_rdata = r_other;
        if (r_is_entry)
            reg_rdata = !r_entry_valid ? 32'd0 : r_entry[32 * r_field +: 32];
    end

    wire unused_ok = &{1'b0, w_off, r_vt_off, r_pba_off, mask_words};

endmodule

`resetall
