// irqloop device register map. Generated from regs/irqloop.rdl by `make regs` (python -m irqloop.regs_gen); do not edit.
//
// REG_<name>: offset of a register. Arrays (one block per completion queue, per vector):
// <ARR>_BLOCK + index * <ARR>_STRIDE + <ARR>R_<name>. Single-bit fields keep the names the RTL
// has always used (ST_OVERRUN, CAUSE_DATA, VEC_CQ0...); <REG>_<FIELD>_LSB / _WIDTH give the rest.
// All registers are 32 bits wide on the AXI4-Lite CSR bus. Registers from 0x400 up (the arrays)
// take whole 32-bit writes only: byte strobes are ignored there.

/* verilator lint_off UNUSEDPARAM */

localparam [11:0] REG_ID                = 12'h000;   // RO  Device id, reads 0x49524C50 ("IRLP")
localparam [11:0] REG_VERSION           = 12'h004;   // RO  Version and DMA bus width; fields [15:0] VERSION, [23:16] BUS_BYTES
localparam [11:0] REG_CTRL              = 12'h008;   // RW  Control. A 0->1 of ENABLE starts a new stream. Byte 0 only; fields [0] ENABLE, [1] FLOWCTL
localparam [11:0] REG_STATUS            = 12'h00C;   // RO  Status; fields [0] RUNNING, [1] CFG_ERROR, [2] OVERRUN, [3] STALLED, [4] BUS_ERROR, [5] DONE
localparam [11:0] REG_CHUNK_PERIOD      = 12'h010;   // RW  Source rate: one chunk every N clock cycles (N > 0)
localparam [11:0] REG_RING_BASE_LO      = 12'h014;   // RW  Host ring base address [31:0], aligned to the bus width
localparam [11:0] REG_RING_BASE_HI      = 12'h018;   // RW  Host ring base address [63:32]
localparam [11:0] REG_SLOT_COUNT        = 12'h01C;   // RW  Number of slots in the ring (1..65535)
localparam [11:0] REG_SLOT_SIZE         = 12'h020;   // RW  Slot size in bytes, a non-zero multiple of the bus width
localparam [11:0] REG_PROD_IDX          = 12'h024;   // RO  Free-running count of chunks completely written
localparam [11:0] REG_CONS_IDX          = 12'h028;   // RW  Free-running count of chunks the host has freed. A write past PROD_IDX is refused (STATUS.CFG_ERROR); a new stream sets it to 0
localparam [11:0] REG_INT_CAUSE         = 12'h02C;   // W1C Interrupt cause; write 1 to clear. Byte 0 only; fields [0] DATA, [1] OVERRUN, [2] CFGERR, [3] DBERR
localparam [11:0] REG_INT_ENABLE        = 12'h030;   // RW  Interrupt enable of the stream's two vectors. Byte 0 only; fields [0] DATA, [1] ERROR
localparam [11:0] REG_MSI_ADDR_LO       = 12'h034;   // RW  MSI message address [31:0]; bits [1:0] read as 0 (PCIe); fields [31:2] ADDR
localparam [11:0] REG_MSI_ADDR_HI       = 12'h038;   // RW  MSI message address [63:32]
localparam [11:0] REG_MSI_DATA          = 12'h03C;   // RW  MSI message data of vector 0; vector v sends data + v
localparam [11:0] REG_MSI_MASK          = 12'h040;   // RW  Per-vector mask bits (vectors 0..31; the same bits as the MSI-X table's Vector Control Mask); fields [0] DATA, [1] ERROR, [31:2] CQ
localparam [11:0] REG_MSI_PENDING       = 12'h044;   // RO  Per-vector pending bits (vectors 0..31); fields [0] DATA, [1] ERROR, [31:2] CQ
localparam [11:0] REG_CNT_CHUNKS        = 12'h048;   // RO  Chunks written
localparam [11:0] REG_CNT_OVERWRITE     = 12'h04C;   // RO  Chunks written into a slot the host had not freed
localparam [11:0] REG_CNT_IRQS          = 12'h050;   // RO  MSI messages sent
localparam [11:0] REG_CNT_STALL         = 12'h054;   // RO  Cycles a due chunk waited for a free slot (flow control)
localparam [11:0] REG_PATTERN_KEY       = 12'h058;   // RW  Key mixed into the payload pattern
localparam [11:0] REG_CHUNK_LIMIT       = 12'h05C;   // RW  Stop after this many chunks (0: unlimited)
localparam [11:0] REG_OVERRUN_SEQ       = 12'h060;   // RO  Sequence number of the first chunk that overwrote an unfreed slot (all-ones: none since enable)
localparam [11:0] REG_OVERRUN_CYCLE     = 12'h064;   // RO  Cycle (since enable) at which that chunk started (all-ones: none)
localparam [11:0] REG_MSIX_CTRL         = 12'h068;   // RW  MSI-X Message Control; fields [0] ENABLE, [1] FUNC_MASK
localparam [11:0] REG_CAPS              = 12'h06C;   // RO  Capabilities of the build; fields [7:0] QUEUES, [15:8] VECTORS
localparam [11:0] REG_COAL_TICK         = 12'h070;   // RO  Clock cycles per 100 us unit of the aggregation time (COAL_TICK)
localparam [11:0] REG_DMA_CQ            = 12'h074;   // RW  Queue that receives one completion per chunk. The RTL keeps and reads back all 32 written bits; bits outside the fields are reserved (write 0); fields [4:0] QUEUE, [8] EN
localparam [11:0] REG_TG_CTRL           = 12'h078;   // RW  Traffic generator control. Byte 0 only; fields [0] RUN
localparam [11:0] REG_TG_LIMIT          = 12'h07C;   // RW  Completions per queue before the generator stops (0: unlimited)
localparam [11:0] REG_TG_ERR_EVERY      = 12'h080;   // RW  Every Nth generated completion of a queue has status 1 (0: never)
localparam [11:0] REG_CQ_FULL           = 12'h084;   // RO  Queues that are full now (bit per queue)
localparam [11:0] REG_CNT_CQ_STALL      = 12'h088;   // RO  Cycles a completion waited for room in a full queue
localparam [11:0] REG_CNT_CQ_ENTRY      = 12'h08C;   // RO  Completion entries written
localparam [11:0] REG_CNT_DB_ERROR      = 12'h090;   // RO  Head doorbells refused (head past tail or outside the queue)
localparam [11:0] REG_DB_ERROR_Q        = 12'h094;   // RO  The last refused head doorbell (a refused size is CFGERR); fields [4:0] QUEUE, [31] VALID
localparam [11:0] REG_CNT_COALESCED     = 12'h098;   // RO  Vector events merged by coalescing or rate limiting
localparam [11:0] REG_CNT_COAL_THR      = 12'h09C;   // RO  Aggregations that ended at the threshold (THR + 1 events)
localparam [11:0] REG_CNT_COAL_TIME     = 12'h0A0;   // RO  Aggregations that ended when the aggregation time ran out

// Completion queue q. Registers at CQ_BLOCK + index * CQ_STRIDE + CQR_<name> (32 elements at most)
localparam [11:0] CQ_BLOCK              = 12'h400;
localparam [11:0] CQ_STRIDE             = 12'h020;
localparam [7:0]  CQR_BASE_LO           = 8'h00;     // RW  Queue base address [31:0], 16-byte aligned (bits [3:0] read 0); fields [31:4] ADDR
localparam [7:0]  CQR_BASE_HI           = 8'h04;     // RW  Queue base address [63:32]
localparam [7:0]  CQR_SIZE              = 8'h08;     // RW  Entries (2..65535); a write (re)creates the queue: head = tail = 0, phase 1. A write outside 2..65535 is refused (INT_CAUSE.CFGERR); fields [15:0] ENTRIES
localparam [7:0]  CQR_HEAD              = 8'h0C;     // RW  Head doorbell; reads the head the device holds (a refused doorbell leaves it, a SIZE write sets it to 0); fields [15:0] HEAD
localparam [7:0]  CQR_TAIL              = 8'h10;     // RO  Tail: where the device writes the next entry; fields [15:0] TAIL
localparam [7:0]  CQR_IV                = 8'h14;     // RW  Interrupt vector mapping (the mapping table). A vector at or above the vector count is refused (the row keeps its value; INT_CAUSE.CFGERR); fields [5:0] VECTOR, [16] IEN
localparam [7:0]  CQR_TG_PERIOD         = 8'h18;     // RW  Traffic generator: a burst every N cycles (0: off), due N, 2N, 3N... cycles after the rise of TG_CTRL.RUN. One queue is visited a cycle (queue q at the cycles q + k NUM_CQ), and a burst lands at the first visit at or after its deadline: never early, at most NUM_CQ - 1 cycles late
localparam [7:0]  CQR_TG_BURST          = 8'h1C;     // RW  Traffic generator: completions per burst (the last one cut at TG_LIMIT); fields [15:0] COMPLETIONS

// MSI-X table entry of vector v. Registers at VT_BLOCK + index * VT_STRIDE + VTR_<name> (34 elements at most)
localparam [11:0] VT_BLOCK              = 12'h800;
localparam [11:0] VT_STRIDE             = 12'h010;
localparam [7:0]  VTR_ADDR_LO           = 8'h00;     // RW  Message Address [31:0]; bits [1:0] read as 0; fields [31:2] ADDR
localparam [7:0]  VTR_ADDR_HI           = 8'h04;     // RW  Message Upper Address
localparam [7:0]  VTR_DATA              = 8'h08;     // RW  Message Data
localparam [7:0]  VTR_CTRL              = 8'h0C;     // RW  Vector Control; fields [0] MASK

// Pending bits of vectors 32k..32k+31. Registers at PBA_BLOCK + index * PBA_STRIDE + PBAR_<name> (2 elements at most)
localparam [11:0] PBA_BLOCK             = 12'hC00;
localparam [11:0] PBA_STRIDE            = 12'h004;
localparam [7:0]  PBAR_BITS             = 8'h00;     // RO  Pending bits

// Interrupt moderation of vector v (NVMe Feature 08h/09h style). Registers at IV_BLOCK + index * IV_STRIDE + IVR_<name> (34 elements at most)
localparam [11:0] IV_BLOCK              = 12'hE00;
localparam [11:0] IV_STRIDE             = 12'h008;
localparam [7:0]  IVR_COAL              = 8'h00;     // RW  Interrupt coalescing. THR = 0 or TIME = 0: no aggregation; fields [7:0] THR, [15:8] TIME, [16] CD, [17] DB_RESTART
localparam [7:0]  IVR_RATE              = 8'h04;     // RW  Rate limit; fields [23:0] CYCLES

// constants of the device
localparam [31:0] DEVICE_ID = 32'h49524C50;
localparam [15:0] DEVICE_VERSION = 16'h0001;

// bit positions under the names the RTL uses
localparam integer CTRL_ENABLE = 0;
localparam integer CTRL_FLOWCTL = 1;
localparam integer ST_RUNNING = 0;
localparam integer ST_CFG_ERROR = 1;
localparam integer ST_OVERRUN = 2;
localparam integer ST_STALLED = 3;
localparam integer ST_BUS_ERROR = 4;
localparam integer ST_DONE = 5;
localparam integer CAUSE_DATA = 0;
localparam integer CAUSE_OVERRUN = 1;
localparam integer CAUSE_CFGERR = 2;
localparam integer CAUSE_DBERR = 3;
localparam integer VEC_DATA = 0;
localparam integer VEC_ERROR = 1;
localparam integer VEC_CQ0 = 2;
localparam integer MSIX_ENABLE = 0;
localparam integer MSIX_FUNC_MASK = 1;
localparam integer DMA_CQ_EN = 8;
localparam integer CQ_IEN = 16;
localparam integer COAL_CD = 16;
localparam integer COAL_DB_RESTART = 17;

// field positions and widths
localparam integer VERSION_VERSION_LSB = 0;
localparam integer VERSION_VERSION_WIDTH = 16;
localparam integer VERSION_BUS_BYTES_LSB = 16;
localparam integer VERSION_BUS_BYTES_WIDTH = 8;
localparam integer MSI_ADDR_LO_ADDR_LSB = 2;
localparam integer MSI_ADDR_LO_ADDR_WIDTH = 30;
localparam integer MSI_MASK_DATA_LSB = 0;
localparam integer MSI_MASK_ERROR_LSB = 1;
localparam integer MSI_MASK_CQ_LSB = 2;
localparam integer MSI_MASK_CQ_WIDTH = 30;
localparam integer MSI_PENDING_DATA_LSB = 0;
localparam integer MSI_PENDING_ERROR_LSB = 1;
localparam integer MSI_PENDING_CQ_LSB = 2;
localparam integer MSI_PENDING_CQ_WIDTH = 30;
localparam integer CAPS_QUEUES_LSB = 0;
localparam integer CAPS_QUEUES_WIDTH = 8;
localparam integer CAPS_VECTORS_LSB = 8;
localparam integer CAPS_VECTORS_WIDTH = 8;
localparam integer DMA_CQ_QUEUE_LSB = 0;
localparam integer DMA_CQ_QUEUE_WIDTH = 5;
localparam integer TG_CTRL_RUN_LSB = 0;
localparam integer DB_ERROR_Q_QUEUE_LSB = 0;
localparam integer DB_ERROR_Q_QUEUE_WIDTH = 5;
localparam integer DB_ERROR_Q_VALID_LSB = 31;
localparam integer CQR_BASE_LO_ADDR_LSB = 4;
localparam integer CQR_BASE_LO_ADDR_WIDTH = 28;
localparam integer CQR_SIZE_ENTRIES_LSB = 0;
localparam integer CQR_SIZE_ENTRIES_WIDTH = 16;
localparam integer CQR_HEAD_HEAD_LSB = 0;
localparam integer CQR_HEAD_HEAD_WIDTH = 16;
localparam integer CQR_TAIL_TAIL_LSB = 0;
localparam integer CQR_TAIL_TAIL_WIDTH = 16;
localparam integer CQR_IV_VECTOR_LSB = 0;
localparam integer CQR_IV_VECTOR_WIDTH = 6;
localparam integer CQR_TG_BURST_COMPLETIONS_LSB = 0;
localparam integer CQR_TG_BURST_COMPLETIONS_WIDTH = 16;
localparam integer VTR_ADDR_LO_ADDR_LSB = 2;
localparam integer VTR_ADDR_LO_ADDR_WIDTH = 30;
localparam integer VTR_CTRL_MASK_LSB = 0;
localparam integer IVR_COAL_THR_LSB = 0;
localparam integer IVR_COAL_THR_WIDTH = 8;
localparam integer IVR_COAL_TIME_LSB = 8;
localparam integer IVR_COAL_TIME_WIDTH = 8;
localparam integer IVR_RATE_CYCLES_LSB = 0;
localparam integer IVR_RATE_CYCLES_WIDTH = 24;
/* verilator lint_on UNUSEDPARAM */
