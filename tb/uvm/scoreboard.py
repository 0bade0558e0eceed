"""Device-side scoreboard: a reference model of what the device must write and send, compared
with what the monitors saw.

Rules (rtl/cq_engine.v, rtl/cpl_traffic_gen.v, rtl/ring_producer.v, rtl/chunk_pattern.v, and
NVMe's completion-queue rules in ../shared/references.md):
- a queue's entries land at its tail in order; the phase tag is 1 on the first pass and inverts
  on every wrap; a SIZE write re-creates the queue (tail 0, phase 1);
- the device never writes into a full queue: the slot after the tail must not be the head the
  host had written by then (the host's doorbells are ahead of what the device has seen, so this
  can only under-report);
- generator entries carry DW0 = the queue's completion number, command id = DW0[15:0], SQ id 1,
  SQ head = queue, status 1 exactly on every TG_ERR_EVERY-th generated completion (device-wide);
  per-chunk entries (DMA_CQ) carry DW0 = chunk sequence, SQ id 0;
- stream chunk n lands in slot n mod SLOT_COUNT with the chunk_pattern words of n and the key;
- every message address/data is one the driver programmed for some vector (MSI-X table, or MSI
  address and data + vector).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Optional

from pyuvm import uvm_component, uvm_subscriber

from irqloop.hostmodel.regs import REG
from irqloop.tb.models.cq_scoreboard import generator_fields
from irqloop.tb.models.pattern import first_mismatch
from irqloop.tb.uvm.items import ChunkItem, CqEntryItem, CsrAccess, MsiItem
from irqloop.tb.uvm.monitors import message_table
from irqloop.tb.uvm.regmodel import IrqloopRegBlock

MAX_ERRORS = 20
#: scalar registers that decide the messages' address and data
MESSAGE_REGS = {REG.MSIX_CTRL, REG.MSI_ADDR_LO, REG.MSI_ADDR_HI, REG.MSI_DATA}
#: the offsets every CSR write is compared with, looked up once
_TG_CTRL, _CTRL = REG.TG_CTRL, REG.CTRL


class _Where:
    """Where an entry landed, as an error message begins; formatted only when one is written."""
    __slots__ = ("e",)

    def __init__(self, e: CqEntryItem) -> None:
        self.e = e

    def __str__(self) -> str:
        e = self.e
        return f"queue {e.queue} slot {e.slot} at {e.t_ps / 1e6:.3f} us"


@dataclass
class QueueModel:
    size: int = 0
    tail: int = 0
    phase: int = 1
    tg_next: int = 0
    doorbells: list[tuple[int, int]] = field(default_factory=list)   #: (host time, head written)
    written: int = 0
    wraps: int = 0


class DeviceScoreboard(uvm_component):
    def build_phase(self) -> None:
        self.regs: Optional[IrqloopRegBlock] = None
        self.csr_export = uvm_subscriber.uvm_AnalysisImp("csr_export", self, self.write_csr)
        self.cq_export = uvm_subscriber.uvm_AnalysisImp("cq_export", self, self.write_cq)
        self.chunk_export = uvm_subscriber.uvm_AnalysisImp("chunk_export", self, self.write_chunk)
        self.msi_export = uvm_subscriber.uvm_AnalysisImp("msi_export", self, self.write_msi)
        self.errors: list[str] = []
        self.error_count = 0
        self.entries_total: dict[int, int] = {}
        self.wraps_max: dict[int, int] = {}
        self.reset_model()
        self.msis = 0
        self.msi_by_vector: dict[int, int] = {}
        self.chunks_checked = 0
        self.chunks_overtaken = 0     #: slot rewritten by a later lap before the monitor looked
        self._messages: Optional[dict[tuple[int, int], int]] = None

    def reset_model(self) -> None:
        """The device after reset (the totals of the queues so far are kept for the summary)."""
        for q, m in getattr(self, "queues", {}).items():
            self.entries_total[q] = self.entries_total.get(q, 0) + m.written
            self.wraps_max[q] = max(self.wraps_max.get(q, 0), m.wraps)
        self.queues: dict[int, QueueModel] = {}
        self.tg_run = False
        self.err_count = 0
        self.dma_seq = 0
        self.chunk_seq = 0
        self.stream_on = False

    def _error(self, text: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(text)
            self.logger.error(text)

    # ---- configuration, from the monitored CSR bus ----
    def write_csr(self, item: CsrAccess) -> None:
        if not item.write:
            return
        a, d = item.addr, item.data
        element = self.regs.elements.get(a) if self.regs is not None else None
        if a in MESSAGE_REGS or (element is not None and element[0] == "VT"):
            self._messages = None             # the message table may have changed
        if a == _TG_CTRL:
            run = bool(d & 1)
            if run and not self.tg_run:           # 0 -> 1 restarts the generator's counts
                for qm in self.queues.values():
                    qm.tg_next = 0
                self.err_count = 0
            self.tg_run = run
        elif a == _CTRL:
            on = bool(d >> REG.bit("CTRL_ENABLE") & 1)
            if on and not self.stream_on:
                self.dma_seq = 0
                self.chunk_seq = 0
            self.stream_on = on
        elif element is not None and element[0] == "CQ":
            _, q, name = element
            if name == "SIZE":
                old = self.queues.get(q)
                self.queues[q] = QueueModel(size=d & 0xFFFF, tg_next=old.tg_next if old else 0)
            elif name == "HEAD" and q in self.queues:
                self.queues[q].doorbells.append((item.t_ps, d & 0xFFFF))

    # ---- completion entries ----
    def write_cq(self, e: CqEntryItem) -> None:
        qm = self.queues.get(e.queue)
        where = _Where(e)               # formatted only when an error names it
        if qm is None or qm.size < 2:
            self._error(f"{where}: entry written into a queue that was never created")
            return
        if e.slot != qm.tail:
            self._error(f"{where}: entry written at slot {e.slot}, the tail is {qm.tail}")
        if e.phase != qm.phase:
            self._error(f"{where}: phase tag {e.phase}, expected {qm.phase} (wrap {qm.wraps})")
        i = bisect.bisect_right(qm.doorbells, (e.t_ps, 1 << 20)) - 1
        head = qm.doorbells[i][1] if i >= 0 else 0
        if (qm.tail + 1) % qm.size == head:
            self._error(f"{where}: written while the queue was full (head {head}, tail {qm.tail})")
        if e.sqid == 1:
            want = qm.tg_next
            every = int(self.regs.reg("TG_ERR_EVERY").get_mirrored_value()) if self.regs else 0
            status = 1 if every and self.err_count + 1 == every else 0
            self.err_count = 0 if status else self.err_count + 1
            qm.tg_next += 1
            rule = generator_fields(e.queue, want)
            for name, got, exp in (("DW0", e.dw0, rule["dw0"]), ("command id", e.cid, rule["cid"]),
                                   ("SQ head", e.sqhead, rule["sqhead"]), ("status", e.status, status)):
                if got != exp:
                    self._error(f"{where}: generator completion #{want}: {name} {got:#x}, expected {exp:#x}")
                    break
        elif e.sqid == 0:
            if (e.dw0, e.cid, e.sqhead, e.status) != (self.dma_seq, self.dma_seq & 0xFFFF, 0, 0):
                self._error(f"{where}: chunk completion: DW0 {e.dw0:#x} cid {e.cid:#x}, expected chunk {self.dma_seq}")
            self.dma_seq += 1
        else:
            self._error(f"{where}: SQ id {e.sqid} is neither the generator's (1) nor the DMA's (0)")
        qm.written += 1
        qm.tail = (qm.tail + 1) % qm.size
        if qm.tail == 0:
            qm.phase ^= 1
            qm.wraps += 1
        del qm.doorbells[:max(0, i)]        # entries come in time order: older doorbells are done with

    # ---- stream chunks ----
    def write_chunk(self, c: ChunkItem) -> None:
        assert self.regs is not None
        slots = int(self.regs.reg("SLOT_COUNT").get_mirrored_value()) or 1
        key = int(self.regs.reg("PATTERN_KEY").get_mirrored_value())
        n = self.chunk_seq
        self.chunk_seq += 1
        where = f"ring slot {c.slot} at {c.t_ps / 1e6:.3f} us"
        if c.slot != n % slots:
            self._error(f"{where}: chunk {n} belongs in slot {n % slots}")
            return
        bad = first_mismatch(c.words, n, key)
        if bad < 0:
            self.chunks_checked += 1
        elif int(c.words[0]) > n and (int(c.words[0]) - n) % slots == 0 and first_mismatch(c.words, int(c.words[0]), key) < 0:
            self.chunks_overtaken += 1      # a later lap's chunk is already there: intact, not checkable
        else:
            self._error(f"{where}: chunk {n} word {bad} is {int(c.words[bad]):#010x}, the pattern says otherwise")

    # ---- messages ----
    def write_msi(self, m: MsiItem) -> None:
        assert self.regs is not None
        self.msis += 1
        if self._messages is None:
            self._messages = message_table(self.regs)
        v = self._messages.get((m.addr, m.data))
        if v is None:
            self._error(f"message {m.data:#x} to {m.addr:#x} at {m.t_ps / 1e6:.3f} us matches no programmed vector")
            return
        self.msi_by_vector[v] = self.msi_by_vector.get(v, 0) + 1

    def summary(self) -> dict[str, Any]:
        self.reset_model()                  # fold the last run's queues into the totals
        return {"errors": self.errors, "error_count": self.error_count, "messages": self.msis,
                "messages_by_vector": {str(k): v for k, v in sorted(self.msi_by_vector.items())},
                "entries_by_queue": {str(q): n for q, n in sorted(self.entries_total.items()) if n},
                "wraps_by_queue": {str(q): n for q, n in sorted(self.wraps_max.items()) if n},
                "chunks_checked": self.chunks_checked, "chunks_overtaken": self.chunks_overtaken}
