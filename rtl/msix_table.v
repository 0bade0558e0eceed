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
    output reg  [31:0]          reg_rdata,

    input  wire [63:0]          msi_addr,       // MSI capability address and data
    input  wire [31:0]          msi_data,
    input  wire [NUM_VEC-1:0]   pending,

    output wire [NUM_VEC-1:0]   mask,           // effective mask of each vector
    input  wire [VW-1:0]        sel_vec,        // the vector being sent
    output wire [ADDR_W-1:0]    msg_addr,
    output wire [31:0]          msg_data,
    output wire                 msix_enable
);

`include "irqloop_regs.vh"

    localparam integer VT_END  = 32'(VT_BLOCK) + NUM_VEC * 32'(VT_STRIDE);
    localparam integer PBA_DW  = (NUM_VEC + 31) / 32;
    localparam integer PBA_END = 32'(PBA_BLOCK) + PBA_DW * 32'(PBA_STRIDE);

    reg [63:0]        addr [0:NUM_VEC-1];
    reg [31:0]        data [0:NUM_VEC-1];
    reg [NUM_VEC-1:0] vmask;
    reg               en, fmask;

    assign msix_enable = en;
    assign mask        = vmask | {NUM_VEC{en & fmask}};
    assign msg_addr    = en ? addr[sel_vec][ADDR_W-1:0] : msi_addr[ADDR_W-1:0];
    assign msg_data    = en ? data[sel_vec] : msi_data + {{(32-VW){1'b0}}, sel_vec};

    wire        w_vt = reg_we && reg_waddr >= VT_BLOCK && {20'd0, reg_waddr} < VT_END;
    wire [11:0] w_off = reg_waddr - VT_BLOCK;
    wire [VW-1:0] w_v = w_off[4 +: VW];

    integer i;
    always @(posedge clk) begin
        if (w_vt) begin
            case ({4'd0, w_off[3:2], 2'b00})
                VTR_ADDR_LO: addr[w_v][31:0]  <= {reg_wdata[31:2], 2'b00};
                VTR_ADDR_HI: addr[w_v][63:32] <= reg_wdata;
                VTR_DATA:    data[w_v]        <= reg_wdata;
                default:     vmask[w_v]       <= reg_wdata[0];     // VTR_CTRL
            endcase
        end
        if (reg_we && reg_waddr == REG_MSI_MASK) begin
            for (i = 0; i < NUM_VEC && i < 32; i = i + 1) vmask[i] <= reg_wdata[i];
        end
        if (reg_we && reg_waddr == REG_MSIX_CTRL) begin
            en    <= reg_wdata[MSIX_ENABLE];
            fmask <= reg_wdata[MSIX_FUNC_MASK];
        end
        if (rst) begin
            for (i = 0; i < NUM_VEC; i = i + 1) begin
                addr[i] <= 64'd0;
                data[i] <= 32'd0;
            end
            vmask <= {NUM_VEC{1'b0}};   // MSI mode after reset: MSI Mask Bits reset to 0
            en    <= 1'b0;
            fmask <= 1'b0;
        end
    end

    // pending and mask words of 32 vectors
    wire [PBA_DW*32-1:0] pend_words = {{(PBA_DW*32-NUM_VEC){1'b0}}, pending};
    wire [PBA_DW*32-1:0] mask_words = {{(PBA_DW*32-NUM_VEC){1'b0}}, vmask};

    wire [11:0]   r_vt_off = reg_raddr - VT_BLOCK;
    wire [VW-1:0] r_v = r_vt_off[4 +: VW];
    wire [11:0]   r_pba_off = reg_raddr - PBA_BLOCK;
    always @* begin
        reg_rdata = 32'd0;
        if (reg_raddr >= VT_BLOCK && {20'd0, reg_raddr} < VT_END) begin
            case ({4'd0, r_vt_off[3:2], 2'b00})
                VTR_ADDR_LO: reg_rdata = addr[r_v][31:0];
                VTR_ADDR_HI: reg_rdata = addr[r_v][63:32];
                VTR_DATA:    reg_rdata = data[r_v];
                default:     reg_rdata = {31'd0, vmask[r_v]};
            endcase
        end else if (reg_raddr >= PBA_BLOCK && {20'd0, reg_raddr} < PBA_END) begin
            reg_rdata = pend_words[r_pba_off[11:2]*32 +: 32];
        end else if (reg_raddr == REG_MSI_MASK) begin
            reg_rdata = mask_words[31:0];
        end else if (reg_raddr == REG_MSI_PENDING) begin
            reg_rdata = pend_words[31:0];
        end else if (reg_raddr == REG_MSIX_CTRL) begin
            reg_rdata = {30'd0, fmask, en};
        end
    end

    wire unused_ok = &{1'b0, w_off, r_vt_off, r_pba_off, mask_words};

endmodule

`resetall
