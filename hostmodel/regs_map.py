"""The irqloop register map as data. Generated from regs/irqloop.rdl by `make regs` (python -m irqloop.regs_gen); do not edit.

Read it through ``hostmodel.regs.REG`` (offsets, arrays, fields packed by name).
"""

from __future__ import annotations

from typing import Any

#: name -> offset, access (RO/RW/W1C), doc, fields (name -> lsb, width, access, reset, reset_step, volatile, doc)
REGISTERS: dict[str, dict[str, Any]] = {
    "ID": {
        "offset": 0x000, "access": "RO", "doc": "Device id, reads 0x49524C50 (\"IRLP\").",
        "fields": {
            "ID": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x49524c50, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "VERSION": {
        "offset": 0x004, "access": "RO", "doc": "Version and DMA bus width.",
        "fields": {
            "VERSION": {"lsb": 0, "width": 16, "access": "RO", "reset": 0x1, "reset_step": 0, "volatile": False,
                "doc": "Register map version."},
            "BUS_BYTES": {"lsb": 16, "width": 8, "access": "RO", "reset": 0x8, "reset_step": 0, "volatile": False,
                "doc": "DMA data bus width in bytes (DATA_W / 8; 8 in the default build)."},
        },
    },
    "CTRL": {
        "offset": 0x008, "access": "RW", "doc": "Control. A 0->1 of ENABLE starts a new stream. Byte 0 only.",
        "fields": {
            "ENABLE": {"lsb": 0, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Run the stream."},
            "FLOWCTL": {"lsb": 1, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "1: flow-controlled (stall when the ring is full); 0: free-running (overwrite)."},
        },
    },
    "STATUS": {
        "offset": 0x00c, "access": "RO", "doc": "Status.",
        "fields": {
            "RUNNING": {"lsb": 0, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Stream running."},
            "CFG_ERROR": {"lsb": 1, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "The last enable or consumer-index write was refused."},
            "OVERRUN": {"lsb": 2, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "An unfreed slot was overwritten since enable (sticky)."},
            "STALLED": {"lsb": 3, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "A due chunk is waiting for a free slot now."},
            "BUS_ERROR": {"lsb": 4, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "A DMA write got an error response (sticky)."},
            "DONE": {"lsb": 5, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "CHUNK_LIMIT chunks written."},
        },
    },
    "CHUNK_PERIOD": {
        "offset": 0x010, "access": "RW", "doc": "Source rate: one chunk every N clock cycles (N > 0).",
        "fields": {
            "CYCLES": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "RING_BASE_LO": {
        "offset": 0x014, "access": "RW", "doc": "Host ring base address [31:0], aligned to the bus width.",
        "fields": {
            "ADDR": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "RING_BASE_HI": {
        "offset": 0x018, "access": "RW", "doc": "Host ring base address [63:32].",
        "fields": {
            "ADDR": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "SLOT_COUNT": {
        "offset": 0x01c, "access": "RW", "doc": "Number of slots in the ring (1..65535).",
        "fields": {
            "SLOTS": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "SLOT_SIZE": {
        "offset": 0x020, "access": "RW", "doc": "Slot size in bytes, a non-zero multiple of the bus width.",
        "fields": {
            "BYTES": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "PROD_IDX": {
        "offset": 0x024, "access": "RO", "doc": "Free-running count of chunks completely written.",
        "fields": {
            "INDEX": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CONS_IDX": {
        "offset": 0x028, "access": "RW", "doc": "Free-running count of chunks the host has freed. A write past PROD_IDX is refused (STATUS.CFG_ERROR); a new stream sets it to 0.",
        "fields": {
            "INDEX": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": ""},
        },
    },
    "INT_CAUSE": {
        "offset": 0x02c, "access": "W1C", "doc": "Interrupt cause; write 1 to clear. Byte 0 only.",
        "fields": {
            "DATA": {"lsb": 0, "width": 1, "access": "W1C", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Chunk(s) ready (data vector)."},
            "OVERRUN": {"lsb": 1, "width": 1, "access": "W1C", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Ring overrun (error vector)."},
            "CFGERR": {"lsb": 2, "width": 1, "access": "W1C", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Invalid setting refused (error vector)."},
            "DBERR": {"lsb": 3, "width": 1, "access": "W1C", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Head doorbell refused (error vector; a refused queue size is CFGERR)."},
        },
    },
    "INT_ENABLE": {
        "offset": 0x030, "access": "RW", "doc": "Interrupt enable of the stream's two vectors. Byte 0 only.",
        "fields": {
            "DATA": {"lsb": 0, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Data-ready vector (MSI vector 0)."},
            "ERROR": {"lsb": 1, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Error vector: overrun and configuration errors (MSI vector 1)."},
        },
    },
    "MSI_ADDR_LO": {
        "offset": 0x034, "access": "RW", "doc": "MSI message address [31:0]; bits [1:0] read as 0 (PCIe).",
        "fields": {
            "ADDR": {"lsb": 2, "width": 30, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "MSI_ADDR_HI": {
        "offset": 0x038, "access": "RW", "doc": "MSI message address [63:32].",
        "fields": {
            "ADDR": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "MSI_DATA": {
        "offset": 0x03c, "access": "RW", "doc": "MSI message data of vector 0; vector v sends data + v.",
        "fields": {
            "DATA": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "MSI_MASK": {
        "offset": 0x040, "access": "RW", "doc": "Per-vector mask bits (vectors 0..31; the same bits as the MSI-X table's Vector Control Mask).",
        "fields": {
            "DATA": {"lsb": 0, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Mask of the data-ready vector."},
            "ERROR": {"lsb": 1, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Mask of the error vector."},
            "CQ": {"lsb": 2, "width": 30, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Masks of the completion-queue vectors; queue q's default vector is VEC_CQ0 + q."},
        },
    },
    "MSI_PENDING": {
        "offset": 0x044, "access": "RO", "doc": "Per-vector pending bits (vectors 0..31).",
        "fields": {
            "DATA": {"lsb": 0, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Data-ready vector pending."},
            "ERROR": {"lsb": 1, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Error vector pending."},
            "CQ": {"lsb": 2, "width": 30, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Completion-queue vectors pending."},
        },
    },
    "CNT_CHUNKS": {
        "offset": 0x048, "access": "RO", "doc": "Chunks written.",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CNT_OVERWRITE": {
        "offset": 0x04c, "access": "RO", "doc": "Chunks written into a slot the host had not freed.",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CNT_IRQS": {
        "offset": 0x050, "access": "RO", "doc": "MSI messages sent.",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CNT_STALL": {
        "offset": 0x054, "access": "RO", "doc": "Cycles a due chunk waited for a free slot (flow control).",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "PATTERN_KEY": {
        "offset": 0x058, "access": "RW", "doc": "Key mixed into the payload pattern.",
        "fields": {
            "KEY": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "CHUNK_LIMIT": {
        "offset": 0x05c, "access": "RW", "doc": "Stop after this many chunks (0: unlimited).",
        "fields": {
            "CHUNKS": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "OVERRUN_SEQ": {
        "offset": 0x060, "access": "RO", "doc": "Sequence number of the first chunk that overwrote an unfreed slot (all-ones: none since enable).",
        "fields": {
            "SEQ": {"lsb": 0, "width": 32, "access": "RO", "reset": 0xffffffff, "reset_step": 0, "volatile": True,
                "doc": ""},
        },
    },
    "OVERRUN_CYCLE": {
        "offset": 0x064, "access": "RO", "doc": "Cycle (since enable) at which that chunk started (all-ones: none).",
        "fields": {
            "CYCLE": {"lsb": 0, "width": 32, "access": "RO", "reset": 0xffffffff, "reset_step": 0, "volatile": True,
                "doc": ""},
        },
    },
    "MSIX_CTRL": {
        "offset": 0x068, "access": "RW", "doc": "MSI-X Message Control.",
        "fields": {
            "ENABLE": {"lsb": 0, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "1: per-vector table address/data; 0: MSI (MSI_ADDR, MSI_DATA + v)."},
            "FUNC_MASK": {"lsb": 1, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Function Mask (MSI-X only): every vector masked."},
        },
    },
    "CAPS": {
        "offset": 0x06c, "access": "RO", "doc": "Capabilities of the build.",
        "fields": {
            "QUEUES": {"lsb": 0, "width": 8, "access": "RO", "reset": 0x4, "reset_step": 0, "volatile": False,
                "doc": "Completion queues (NUM_CQ)."},
            "VECTORS": {"lsb": 8, "width": 8, "access": "RO", "reset": 0x6, "reset_step": 0, "volatile": False,
                "doc": "Vectors (NUM_CQ + 2)."},
        },
    },
    "COAL_TICK": {
        "offset": 0x070, "access": "RO", "doc": "Clock cycles per 100 us unit of the aggregation time (COAL_TICK).",
        "fields": {
            "CYCLES": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x61a8, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "DMA_CQ": {
        "offset": 0x074, "access": "RW", "doc": "Queue that receives one completion per chunk. The RTL keeps and reads back all 32 written bits; bits outside the fields are reserved (write 0).",
        "fields": {
            "QUEUE": {"lsb": 0, "width": 5, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Completion queue."},
            "EN": {"lsb": 8, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Post one completion per chunk."},
        },
    },
    "TG_CTRL": {
        "offset": 0x078, "access": "RW", "doc": "Traffic generator control. Byte 0 only.",
        "fields": {
            "RUN": {"lsb": 0, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": "Run; a 0->1 restarts the generator's counts."},
        },
    },
    "TG_LIMIT": {
        "offset": 0x07c, "access": "RW", "doc": "Completions per queue before the generator stops (0: unlimited).",
        "fields": {
            "COMPLETIONS": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "TG_ERR_EVERY": {
        "offset": 0x080, "access": "RW", "doc": "Every Nth generated completion of a queue has status 1 (0: never).",
        "fields": {
            "N": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                "doc": ""},
        },
    },
    "CQ_FULL": {
        "offset": 0x084, "access": "RO", "doc": "Queues that are full now (bit per queue).",
        "fields": {
            "QUEUES": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": ""},
        },
    },
    "CNT_CQ_STALL": {
        "offset": 0x088, "access": "RO", "doc": "Cycles a completion waited for room in a full queue.",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CNT_CQ_ENTRY": {
        "offset": 0x08c, "access": "RO", "doc": "Completion entries written.",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CNT_DB_ERROR": {
        "offset": 0x090, "access": "RO", "doc": "Head doorbells refused (head past tail or outside the queue).",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "DB_ERROR_Q": {
        "offset": 0x094, "access": "RO", "doc": "The last refused head doorbell (a refused size is CFGERR).",
        "fields": {
            "QUEUE": {"lsb": 0, "width": 5, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Its queue."},
            "VALID": {"lsb": 31, "width": 1, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "A doorbell was refused."},
        },
    },
    "CNT_COALESCED": {
        "offset": 0x098, "access": "RO", "doc": "Vector events merged by coalescing or rate limiting.",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CNT_COAL_THR": {
        "offset": 0x09c, "access": "RO", "doc": "Aggregations that ended at the threshold (THR + 1 events).",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
    "CNT_COAL_TIME": {
        "offset": 0x0a0, "access": "RO", "doc": "Aggregations that ended when the aggregation time ran out.",
        "fields": {
            "COUNT": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                "doc": "Free-running count; wraps at 2^32."},
        },
    },
}

#: array -> block, stride, count (elements at most), doc, registers (as REGISTERS, offset within an element)
ARRAYS: dict[str, dict[str, Any]] = {
    "CQ": {"block": 0x400, "stride": 0x20, "count": 32, "doc": "Completion queue q.", "registers": {
        "BASE_LO": {
            "offset": 0x000, "access": "RW", "doc": "Queue base address [31:0], 16-byte aligned (bits [3:0] read 0).",
            "fields": {
                "ADDR": {"lsb": 4, "width": 28, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": ""},
            },
        },
        "BASE_HI": {
            "offset": 0x004, "access": "RW", "doc": "Queue base address [63:32].",
            "fields": {
                "ADDR": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": ""},
            },
        },
        "SIZE": {
            "offset": 0x008, "access": "RW", "doc": "Entries (2..65535); a write (re)creates the queue: head = tail = 0, phase 1. A write outside 2..65535 is refused (INT_CAUSE.CFGERR).",
            "fields": {
                "ENTRIES": {"lsb": 0, "width": 16, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": ""},
            },
        },
        "HEAD": {
            "offset": 0x00c, "access": "RW", "doc": "Head doorbell; reads the head the device holds (a refused doorbell leaves it, a SIZE write sets it to 0).",
            "fields": {
                "HEAD": {"lsb": 0, "width": 16, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": True,
                    "doc": ""},
            },
        },
        "TAIL": {
            "offset": 0x010, "access": "RO", "doc": "Tail: where the device writes the next entry.",
            "fields": {
                "TAIL": {"lsb": 0, "width": 16, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                    "doc": ""},
            },
        },
        "IV": {
            "offset": 0x014, "access": "RW", "doc": "Interrupt vector mapping (the mapping table). A vector at or above the vector count is refused (the row keeps its value; INT_CAUSE.CFGERR).",
            "fields": {
                "VECTOR": {"lsb": 0, "width": 6, "access": "RW", "reset": 0x2, "reset_step": 1, "volatile": False,
                    "doc": "Interrupt vector; queue q resets to VEC_CQ0 + q."},
                "IEN": {"lsb": 16, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Interrupts enabled."},
            },
        },
        "TG_PERIOD": {
            "offset": 0x018, "access": "RW", "doc": "Traffic generator: a burst every N cycles (0: off), due N, 2N, 3N... cycles after the rise of TG_CTRL.RUN. One queue is visited a cycle (queue q at the cycles q + k NUM_CQ), and a burst lands at the first visit at or after its deadline: never early, at most NUM_CQ - 1 cycles late.",
            "fields": {
                "CYCLES": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Cycles between bursts, read at each visit: a change applies from the next deadline, and a period set after 0 gives a burst at the queue's next visit. When the last deadline plus N has already passed (N below NUM_CQ), the next deadline is N after the burst."},
            },
        },
        "TG_BURST": {
            "offset": 0x01c, "access": "RW", "doc": "Traffic generator: completions per burst (the last one cut at TG_LIMIT).",
            "fields": {
                "COMPLETIONS": {"lsb": 0, "width": 16, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Completions; read when a burst lands."},
            },
        },
    }},
    "VT": {"block": 0x800, "stride": 0x10, "count": 34, "doc": "MSI-X table entry of vector v.", "registers": {
        "ADDR_LO": {
            "offset": 0x000, "access": "RW", "doc": "Message Address [31:0]; bits [1:0] read as 0.",
            "fields": {
                "ADDR": {"lsb": 2, "width": 30, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": ""},
            },
        },
        "ADDR_HI": {
            "offset": 0x004, "access": "RW", "doc": "Message Upper Address.",
            "fields": {
                "ADDR": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": ""},
            },
        },
        "DATA": {
            "offset": 0x008, "access": "RW", "doc": "Message Data.",
            "fields": {
                "DATA": {"lsb": 0, "width": 32, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": ""},
            },
        },
        "CTRL": {
            "offset": 0x00c, "access": "RW", "doc": "Vector Control.",
            "fields": {
                "MASK": {"lsb": 0, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Mask (the same bit as MSI_MASK)."},
            },
        },
    }},
    "PBA": {"block": 0xc00, "stride": 0x4, "count": 2, "doc": "Pending bits of vectors 32k..32k+31.", "registers": {
        "BITS": {
            "offset": 0x000, "access": "RO", "doc": "Pending bits.",
            "fields": {
                "PENDING": {"lsb": 0, "width": 32, "access": "RO", "reset": 0x0, "reset_step": 0, "volatile": True,
                    "doc": ""},
            },
        },
    }},
    "IV": {"block": 0xe00, "stride": 0x8, "count": 34, "doc": "Interrupt moderation of vector v (NVMe Feature 08h/09h style).", "registers": {
        "COAL": {
            "offset": 0x000, "access": "RW", "doc": "Interrupt coalescing. THR = 0 or TIME = 0: no aggregation.",
            "fields": {
                "THR": {"lsb": 0, "width": 8, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Aggregation threshold, zero-based (THR + 1 events per message)."},
                "TIME": {"lsb": 8, "width": 8, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Aggregation time in 100 us units, counted in steps of COAL_STEP cycles from the step after the first event: it ends up to one step early, never late."},
                "CD": {"lsb": 16, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Coalescing Disable (NVMe Feature 09h)."},
                "DB_RESTART": {"lsb": 17, "width": 1, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "A head doorbell of a mapped queue restarts the aggregation time."},
            },
        },
        "RATE": {
            "offset": 0x004, "access": "RW", "doc": "Rate limit.",
            "fields": {
                "CYCLES": {"lsb": 0, "width": 24, "access": "RW", "reset": 0x0, "reset_step": 0, "volatile": False,
                    "doc": "Minimum cycles between this vector's messages (0: no limit), counted in steps of 2^RATE_SHIFT cycles: the interval ends on the first step at least this many cycles after the message was sent, less than a step late."},
            },
        },
    }},
}

#: bit positions under the names the RTL uses (ST_OVERRUN, CAUSE_DATA, VEC_CQ0, ...)
BIT_NAMES: dict[str, int] = {
    "CTRL_ENABLE": 0,
    "CTRL_FLOWCTL": 1,
    "ST_RUNNING": 0,
    "ST_CFG_ERROR": 1,
    "ST_OVERRUN": 2,
    "ST_STALLED": 3,
    "ST_BUS_ERROR": 4,
    "ST_DONE": 5,
    "CAUSE_DATA": 0,
    "CAUSE_OVERRUN": 1,
    "CAUSE_CFGERR": 2,
    "CAUSE_DBERR": 3,
    "VEC_DATA": 0,
    "VEC_ERROR": 1,
    "VEC_CQ0": 2,
    "MSIX_ENABLE": 0,
    "MSIX_FUNC_MASK": 1,
    "DMA_CQ_EN": 8,
    "CQ_IEN": 16,
    "COAL_CD": 16,
    "COAL_DB_RESTART": 17,
}

#: named constants of the device (reset values of read-only fields)
CONSTANTS: dict[str, int] = {
    "DEVICE_ID": 0x49524c50,
    "DEVICE_VERSION": 0x1,
}
