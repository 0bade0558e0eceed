// irqloop device register map.
//
// This header is the single source of the register map: the RTL includes it and
// hostmodel/regs.py parses it (format: `localparam [11:0] REG_<NAME> = 12'h<addr>; // <ACCESS> <text>`
// and `localparam integer <FIELD> = <n>; // <text>`). Keep that format when editing.
//
// All registers are 32 bits wide on the AXI4-Lite CSR bus.

/* verilator lint_off UNUSEDPARAM */

localparam [11:0] REG_ID            = 12'h000; // RO  device id, reads 0x49524C50 ("IRLP")
localparam [11:0] REG_VERSION       = 12'h004; // RO  [15:0] version, [23:16] DMA bus width in bytes
localparam [11:0] REG_CTRL          = 12'h008; // RW  control: ENABLE, FLOWCTL (mode); 0->1 on ENABLE starts a new stream
localparam [11:0] REG_STATUS        = 12'h00C; // RO  status bits ST_*
localparam [11:0] REG_CHUNK_PERIOD  = 12'h010; // RW  source rate: one chunk every N clock cycles (N > 0)
localparam [11:0] REG_RING_BASE_LO  = 12'h014; // RW  host ring base address [31:0], aligned to the bus width
localparam [11:0] REG_RING_BASE_HI  = 12'h018; // RW  host ring base address [63:32]
localparam [11:0] REG_SLOT_COUNT    = 12'h01C; // RW  number of slots in the ring (1..65535)
localparam [11:0] REG_SLOT_SIZE     = 12'h020; // RW  slot size in bytes, a non-zero multiple of the bus width
localparam [11:0] REG_PROD_IDX      = 12'h024; // RO  free-running count of chunks completely written
localparam [11:0] REG_CONS_IDX      = 12'h028; // RW  free-running count of chunks the host has freed
localparam [11:0] REG_INT_CAUSE     = 12'h02C; // W1C interrupt cause bits CAUSE_*
localparam [11:0] REG_INT_ENABLE    = 12'h030; // RW  bit 0: data-ready vector, bit 1: error vector
localparam [11:0] REG_MSI_ADDR_LO   = 12'h034; // RW  MSI message address [31:0]; bits [1:0] read as 0 (PCIe)
localparam [11:0] REG_MSI_ADDR_HI   = 12'h038; // RW  MSI message address [63:32]
localparam [11:0] REG_MSI_DATA      = 12'h03C; // RW  MSI message data of vector 0; vector v sends data + v
localparam [11:0] REG_MSI_MASK      = 12'h040; // RW  per-vector mask bits
localparam [11:0] REG_MSI_PENDING   = 12'h044; // RO  per-vector pending bits
localparam [11:0] REG_CNT_CHUNKS    = 12'h048; // RO  chunks written
localparam [11:0] REG_CNT_OVERWRITE = 12'h04C; // RO  chunks written into a slot the host had not freed
localparam [11:0] REG_CNT_IRQS      = 12'h050; // RO  MSI messages sent
localparam [11:0] REG_CNT_STALL     = 12'h054; // RO  cycles a due chunk waited for a free slot (flow control)
localparam [11:0] REG_PATTERN_KEY   = 12'h058; // RW  key mixed into the payload pattern
localparam [11:0] REG_CHUNK_LIMIT   = 12'h05C; // RW  stop after this many chunks (0: unlimited)
localparam [11:0] REG_OVERRUN_SEQ   = 12'h060; // RO  sequence number of the first chunk that overwrote an unfreed slot
localparam [11:0] REG_OVERRUN_CYCLE = 12'h064; // RO  cycle (since enable) at which that chunk started

localparam [31:0] DEVICE_ID      = 32'h49524C50;
localparam [15:0] DEVICE_VERSION = 16'h0001;

localparam integer CTRL_ENABLE   = 0; // CTRL: run the stream
localparam integer CTRL_FLOWCTL  = 1; // CTRL: 1 = flow-controlled (stall when full), 0 = free-running (overwrite)

localparam integer ST_RUNNING    = 0; // STATUS: stream running
localparam integer ST_CFG_ERROR  = 1; // STATUS: last enable or consumer-index write was refused
localparam integer ST_OVERRUN    = 2; // STATUS: an unfreed slot was overwritten since enable (sticky)
localparam integer ST_STALLED    = 3; // STATUS: a due chunk is waiting for a free slot now
localparam integer ST_BUS_ERROR  = 4; // STATUS: a DMA write got an error response (sticky)
localparam integer ST_DONE       = 5; // STATUS: CHUNK_LIMIT chunks written

localparam integer CAUSE_DATA    = 0; // INT_CAUSE: chunk(s) ready (data vector)
localparam integer CAUSE_OVERRUN = 1; // INT_CAUSE: ring overrun (error vector)
localparam integer CAUSE_CFGERR  = 2; // INT_CAUSE: invalid setting refused (error vector)

localparam integer VEC_DATA      = 0; // MSI vector of data-ready
localparam integer VEC_ERROR     = 1; // MSI vector of overrun and configuration errors
/* verilator lint_on UNUSEDPARAM */
