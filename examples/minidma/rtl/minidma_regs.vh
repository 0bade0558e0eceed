// minidma register map, generated from minidma.rdl by irqloop device regs; do not edit.

/* verilator lint_off UNUSEDPARAM */

localparam [11:0] REG_ID                = 12'h000;   // RO  Card id, reads 0x4D444D41 ("MDMA")
localparam [11:0] REG_CTRL              = 12'h004;   // RW  Control. A 0->1 of ENABLE starts a new stream from chunk 0; fields [0] ENABLE
localparam [11:0] REG_STATUS            = 12'h008;   // RO  Status; fields [0] RUNNING, [1] DONE, [2] OVERRUN
localparam [11:0] REG_IRQ_STATUS        = 12'h00C;   // W1C Interrupt status: write 1 to clear. Its message is sent when a bit of IRQ_STATUS & IRQ_ENABLE becomes set while none was; fields [0] CHUNK, [1] OVERRUN
localparam [11:0] REG_IRQ_ENABLE        = 12'h010;   // RW  Interrupt enable; fields [0] CHUNK, [1] OVERRUN
localparam [11:0] REG_RING_LO           = 12'h014;   // RW  Ring base in host memory, low half (4 KiB aligned)
localparam [11:0] REG_RING_HI           = 12'h018;   // RW  Ring base in host memory, high half
localparam [11:0] REG_SLOTS             = 12'h01C;   // RW  Slots in the ring (1..256); fields [8:0] SLOTS
localparam [11:0] REG_CHUNK_BYTES       = 12'h020;   // RW  Bytes per chunk and slot: a multiple of 128, up to 4096; fields [12:0] BYTES
localparam [11:0] REG_PERIOD            = 12'h024;   // RW  Source rate: one chunk every N clock cycles
localparam [11:0] REG_COUNT             = 12'h028;   // RW  Chunks to write (0: until disabled)
localparam [11:0] REG_WR_IDX            = 12'h02C;   // RO  Chunks written since enable (the producer index)
localparam [11:0] REG_RD_IDX            = 12'h030;   // RW  Chunks the driver has freed (the consumer index)
localparam [11:0] REG_LOST              = 12'h034;   // RO  Chunks written over a slot the driver had not freed, since enable
localparam [11:0] REG_MSI_ADDR_LO       = 12'h038;   // RW  MSI address, low half (programmed by the bus driver)
localparam [11:0] REG_MSI_ADDR_HI       = 12'h03C;   // RW  MSI address, high half
localparam [11:0] REG_MSI_DATA          = 12'h040;   // RW  MSI data

// constants of the device
localparam [31:0] DEVICE_ID = 32'h4D444D41;

// bit positions under the names the RTL uses

// field positions and widths
localparam integer CTRL_ENABLE_LSB = 0;
localparam integer STATUS_RUNNING_LSB = 0;
localparam integer STATUS_DONE_LSB = 1;
localparam integer STATUS_OVERRUN_LSB = 2;
localparam integer IRQ_STATUS_CHUNK_LSB = 0;
localparam integer IRQ_STATUS_OVERRUN_LSB = 1;
localparam integer IRQ_ENABLE_CHUNK_LSB = 0;
localparam integer IRQ_ENABLE_OVERRUN_LSB = 1;
localparam integer SLOTS_SLOTS_LSB = 0;
localparam integer SLOTS_SLOTS_WIDTH = 9;
localparam integer CHUNK_BYTES_BYTES_LSB = 0;
localparam integer CHUNK_BYTES_BYTES_WIDTH = 13;
/* verilator lint_on UNUSEDPARAM */
