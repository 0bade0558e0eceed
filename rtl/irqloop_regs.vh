// irqloop device register map.
//
// This header is the single source of the register map: the RTL includes it and
// hostmodel/regs.py parses it (format: `localparam [11:0] REG_<NAME> = 12'h<addr>; // <ACCESS> <text>`
// and `localparam integer <FIELD> = <n>; // <text>`). Keep that format when editing.
//
// Arrays of registers (one block per completion queue, per vector) are written as
// `localparam [11:0] <ARR>_BLOCK = 12'h<addr>;`, `localparam [11:0] <ARR>_STRIDE = 12'h<n>;` and
// `localparam [7:0] <ARR>R_<NAME> = 8'h<offset>; // <ACCESS> <text>`.
//
// All registers are 32 bits wide on the AXI4-Lite CSR bus. Registers from 0x400 up (the arrays)
// take whole 32-bit writes only: byte strobes are ignored there.

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
localparam [11:0] REG_MSIX_CTRL     = 12'h068; // RW  MSI-X Message Control: MSIX_ENABLE, FUNC_MASK
localparam [11:0] REG_CAPS          = 12'h06C; // RO  [7:0] completion queues, [15:8] vectors
localparam [11:0] REG_COAL_TICK     = 12'h070; // RO  clock cycles per 100 us unit of the aggregation time
localparam [11:0] REG_DMA_CQ        = 12'h074; // RW  [4:0] queue that receives one completion per chunk, bit 8 enable
localparam [11:0] REG_TG_CTRL       = 12'h078; // RW  traffic generator: bit 0 run (0->1 restarts its counts)
localparam [11:0] REG_TG_LIMIT      = 12'h07C; // RW  completions per queue before the generator stops (0: unlimited)
localparam [11:0] REG_TG_ERR_EVERY  = 12'h080; // RW  every Nth generated completion of a queue has status 1 (0: never)
localparam [11:0] REG_CQ_FULL       = 12'h084; // RO  queues that are full now (bit per queue)
localparam [11:0] REG_CNT_CQ_STALL  = 12'h088; // RO  cycles a completion waited for room in a full queue
localparam [11:0] REG_CNT_CQ_ENTRY  = 12'h08C; // RO  completion entries written
localparam [11:0] REG_CNT_DB_ERROR  = 12'h090; // RO  head doorbells refused (head past tail or outside the queue)
localparam [11:0] REG_DB_ERROR_Q    = 12'h094; // RO  [4:0] queue of the last refused head doorbell, bit 31 valid (a refused size is CFGERR)
localparam [11:0] REG_CNT_COALESCED = 12'h098; // RO  vector events merged by coalescing or rate limiting
localparam [11:0] REG_CNT_COAL_THR  = 12'h09C; // RO  aggregations that ended at the threshold (THR + 1 events)
localparam [11:0] REG_CNT_COAL_TIME = 12'h0A0; // RO  aggregations that ended when the aggregation time ran out

// completion queue q: registers at CQ_BLOCK + q * CQ_STRIDE + CQR_<name>
localparam [11:0] CQ_BLOCK          = 12'h400;
localparam [11:0] CQ_STRIDE         = 12'h020;
localparam [7:0]  CQR_BASE_LO       = 8'h00; // RW  queue base address [31:0], 16-byte aligned (bits [3:0] read 0)
localparam [7:0]  CQR_BASE_HI       = 8'h04; // RW  queue base address [63:32]
localparam [7:0]  CQR_SIZE          = 8'h08; // RW  entries (2..65535); a write (re)creates the queue: head = tail = 0, phase 1
localparam [7:0]  CQR_HEAD          = 8'h0C; // RW  head doorbell; reads the head the device holds
localparam [7:0]  CQR_TAIL          = 8'h10; // RO  tail: where the device writes the next entry
localparam [7:0]  CQR_IV            = 8'h14; // RW  [5:0] interrupt vector (mapping table), bit 16 IEN (interrupts enabled)
localparam [7:0]  CQR_TG_PERIOD     = 8'h18; // RW  traffic generator: a burst every N cycles (0: off)
localparam [7:0]  CQR_TG_BURST      = 8'h1C; // RW  traffic generator: completions per burst [15:0]

// MSI-X table entry of vector v: VT_BLOCK + v * VT_STRIDE + VTR_<name>
localparam [11:0] VT_BLOCK          = 12'h800;
localparam [11:0] VT_STRIDE         = 12'h010;
localparam [7:0]  VTR_ADDR_LO       = 8'h00; // RW  Message Address [31:0]; bits [1:0] read as 0
localparam [7:0]  VTR_ADDR_HI       = 8'h04; // RW  Message Upper Address
localparam [7:0]  VTR_DATA          = 8'h08; // RW  Message Data
localparam [7:0]  VTR_CTRL          = 8'h0C; // RW  Vector Control: bit 0 Mask (same bit as MSI_MASK)

// Pending Bit Array: PBA_BLOCK + 4 * k holds the pending bits of vectors 32k..32k+31
localparam [11:0] PBA_BLOCK         = 12'hC00;
localparam [11:0] PBA_STRIDE        = 12'h004;
localparam [7:0]  PBAR_BITS         = 8'h00; // RO  pending bits

// interrupt moderation of vector v: IV_BLOCK + v * IV_STRIDE + IVR_<name>
localparam [11:0] IV_BLOCK          = 12'hE00;
localparam [11:0] IV_STRIDE         = 12'h008;
localparam [7:0]  IVR_COAL          = 8'h00; // RW  [7:0] THR (zero-based), [15:8] TIME (100 us units), bit 16 CD, bit 17 DB_RESTART
localparam [7:0]  IVR_RATE          = 8'h04; // RW  [23:0] minimum cycles between this vector's messages (0: no limit)

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
localparam integer CAUSE_DBERR   = 3; // INT_CAUSE: head doorbell refused (error vector; a refused queue size is CFGERR)

localparam integer MSIX_ENABLE   = 0; // MSIX_CTRL: 1 = per-vector table address/data, 0 = MSI (MSI_ADDR, MSI_DATA + v)
localparam integer MSIX_FUNC_MASK = 1; // MSIX_CTRL: Function Mask (MSI-X only): every vector masked
localparam integer DMA_CQ_EN     = 8; // DMA_CQ: post one completion per chunk
localparam integer CQ_IEN        = 16; // CQR_IV: interrupts enabled
localparam integer COAL_CD       = 16; // IVR_COAL: Coalescing Disable (NVMe Feature 09h)
localparam integer COAL_DB_RESTART = 17; // IVR_COAL: a head doorbell of a mapped queue restarts the aggregation time
localparam integer VEC_CQ0       = 2; // default vector of completion queue q is VEC_CQ0 + q

localparam integer VEC_DATA      = 0; // MSI vector of data-ready
localparam integer VEC_ERROR     = 1; // MSI vector of overrun and configuration errors
/* verilator lint_on UNUSEDPARAM */
