"""Transaction-level model of an NVMe-style device with many completion queues (pure Python).

Entries are 16 bytes in host memory, laid out as NVMe (references.md): DW0 command specific
(here: the device's post time in 4 ns cycles, for completion latency), DW1 reserved, DW2 = SQ
head [15:0] | SQ id [31:16], DW3 = command id [15:0] | status [31:16] with the Phase Tag in bit
16. The device writes P=1 on its first pass and inverts it on every wrap; it never writes into a
full queue (the completion waits, counted as a stall) and the host frees entries by writing the
queue's head doorbell.

Each queue has its own vector (message id = ``vector_base + q``). A vector sends when it is
armed and not masked:
- mask (PCIe 6.1.4): while masked, an event sets Pending; unmasking with Pending sends one;
- arm (an interrupt enable, as simple FPGA designs and NVMe INTMS have): while disarmed, events
  are forgotten unless ``arm_checks_pending`` (the Corundum fix: arming a queue that holds
  unconsumed entries fires at once). With it off, a driver that arms after its last check can
  miss a completion forever: the lost wakeup that NAPI's re-check closes.

MMIO map (32-bit): 0x1000 + 4q: head doorbell of queue q; ARM_SET/ARM_CLR (write a bitmask);
MASK (read/write bitmask); PBA (read-only pending bits); TAIL_BASE + 4q: tail (debug).

The model has no message registers: :class:`CqModelBus` hands a driver the messages its vectors
send, as :class:`hostmodel.pci.MsixPciBus` does for the RTL device. :class:`CompletionLog` reads
back from a driver's trace which completions it consumed, when and where.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional, Sequence

import numpy as np

from irqloop.hostmodel.kernel import TraceEvent
from irqloop.hostmodel.pci import DeviceResources, MessageInterrupt, RegisterSpace
from irqloop.hostmodel.seeds import stream
from irqloop.tb.board import CLOCK_PS, CQ_AREA

ENTRY_BYTES = 16

REG_ARM_SET = 0x800
REG_ARM_CLR = 0x804
REG_MASK = 0x808
REG_PBA = 0x80C
REG_DOORBELL_BASE = 0x1000
REG_TAIL_BASE = 0x2000


@dataclass
class CqState:
    base: int
    size: int
    tail: int = 0
    head: int = 0
    phase: int = 1
    backlog: list[int] = field(default_factory=list)    # command ids waiting for room
    stalls: int = 0

    def full(self) -> bool:
        return (self.tail + 1) % self.size == self.head

    def used(self) -> int:
        return (self.tail - self.head) % self.size


class CompletionQueueDeviceModel:
    def __init__(self, memory: np.ndarray, send_msi: Callable[[int], None], now_ps: Callable[[], int],
                 num_cq: int, queue_entries: int = 64, base: int = CQ_AREA, vector_base: int = 0x100,
                 arm_checks_pending: bool = False) -> None:
        if not 1 <= num_cq <= 32:
            raise ValueError(f"num_cq={num_cq}: 1 to 32 completion queues")
        if queue_entries < 2:
            raise ValueError(f"queue_entries={queue_entries}: a queue needs at least 2 entries")
        self.mem = memory
        self.send_msi = send_msi
        self.now_ps = now_ps
        self.vector_base = vector_base
        self.arm_checks_pending = arm_checks_pending
        self.cqs = [CqState(base + q * queue_entries * ENTRY_BYTES, queue_entries) for q in range(num_cq)]
        self.armed = (1 << num_cq) - 1
        self.mask = 0
        self.pending = 0
        self.posted: dict[tuple[int, int], int] = {}   # (queue, cid) -> post time
        self.msis_sent = 0
        self.events_forgotten = 0
        self.doorbell_errors = 0
        if base + num_cq * queue_entries * ENTRY_BYTES > len(memory):
            raise ValueError("completion queues do not fit the host memory")

    # ---- completions ----
    def post(self, q: int, cid: int) -> None:
        cq = self.cqs[q]
        if cq.full():
            cq.backlog.append(cid)
            cq.stalls += 1
            return
        self._write(q, cid)

    def _write(self, q: int, cid: int) -> None:
        cq = self.cqs[q]
        t = self.now_ps()
        words = np.array([(t // CLOCK_PS) & 0xFFFFFFFF, 0, (q << 16) | 0, (cq.phase << 16) | (cid & 0xFFFF)],
                         dtype=np.uint32)
        off = cq.base + cq.tail * ENTRY_BYTES
        self.mem[off:off + ENTRY_BYTES] = words.view(np.uint8)
        self.posted[(q, cid)] = t
        cq.tail += 1
        if cq.tail == cq.size:
            cq.tail = 0
            cq.phase ^= 1
        self._event(q)

    def _event(self, q: int) -> None:
        bit = 1 << q
        if not self.armed & bit:
            self.events_forgotten += 1
            return
        self.pending |= bit
        self._deliver()

    def _deliver(self) -> None:
        ready = self.pending & ~self.mask & self.armed
        for q in range(len(self.cqs)):
            if ready >> q & 1:
                self.pending &= ~(1 << q)
                self.msis_sent += 1
                self.send_msi(self.vector_base + q)

    # ---- MMIO ----
    def read(self, off: int) -> int:
        if off == REG_MASK:
            return self.mask
        if off == REG_PBA:
            return self.pending
        if REG_TAIL_BASE <= off < REG_TAIL_BASE + 4 * len(self.cqs):
            return self.cqs[(off - REG_TAIL_BASE) // 4].tail
        return 0

    def write(self, off: int, value: int) -> None:
        if REG_DOORBELL_BASE <= off < REG_DOORBELL_BASE + 4 * len(self.cqs):
            self._doorbell((off - REG_DOORBELL_BASE) // 4, value)
        elif off == REG_ARM_SET:
            newly = value & ~self.armed
            self.armed |= value
            if self.arm_checks_pending:
                for q in range(len(self.cqs)):
                    if newly >> q & 1 and self.cqs[q].used():
                        self.pending |= 1 << q
            self._deliver()
        elif off == REG_ARM_CLR:
            self.armed &= ~value
        elif off == REG_MASK:
            self.mask = value
            self._deliver()

    def _doorbell(self, q: int, head: int) -> None:
        cq = self.cqs[q]
        if not 0 <= head < cq.size or (head - cq.head) % cq.size > cq.used():
            self.doorbell_errors += 1          # head moved past the tail: refused
            return
        cq.head = head
        while cq.backlog and not cq.full():
            self._write(q, cq.backlog.pop(0))


class CqModelBus:
    """The bus driver's share of starting a driver on the model: queue q's vector sends message q
    (data ``vector_base + q``), delivered to ``cpu_of_queue[q]``; each message announces its own
    queue; nothing to program (:func:`hostmodel.pnp.start_device`)."""

    def __init__(self, device: CompletionQueueDeviceModel, msi_address: int = 0xFEE0_0000,
                 cpu_of_queue: Optional[Sequence[int]] = None) -> None:
        queues = range(len(device.cqs))
        cpus = cpu_of_queue if cpu_of_queue is not None else [0] * len(queues)
        self.messages = tuple(MessageInterrupt(q, msi_address, device.vector_base + q, (cpus[q],)) for q in queues)
        #: which queues each message announces; a test may share a vector by announcing several
        self.queues_of_message: dict[int, tuple[int, ...]] = {q: (q,) for q in queues}

    def assign_resources(self) -> DeviceResources:
        return DeviceResources(RegisterSpace(), self.messages, dict(self.queues_of_message),
                               tuple(m.message_id for m in self.messages))

    async def program_messages(self) -> None:
        """The model's vectors send fixed messages: nothing to write."""


@dataclass
class Completion:
    queue: int
    cid: int
    posted_ps: int
    consumed_ps: int
    cpu: int


def device_time_ps(dw0: int, now_ps: int, clock_ps: int = CLOCK_PS) -> int:
    """The post time the model writes in DW0 (a 32-bit cycle count), unwrapped against ``now_ps``."""
    cycles_now = now_ps // clock_ps
    c = (cycles_now & ~0xFFFFFFFF) | dw0
    if c > cycles_now:
        c -= 1 << 32
    return c * clock_ps


class CompletionLog:
    """The completions a driver consumed, from its ``cq_entry_consumed`` trace events (a
    ``Kernel.trace_consumers`` entry), with the post time the model wrote into each."""

    def __init__(self) -> None:
        self.completions: list[Completion] = []

    def consume(self, event: TraceEvent) -> None:
        if event.kind == "cq_entry_consumed":
            entry = event.info["entry"]
            self.completions.append(Completion(event.info["queue"], int(entry[3]) & 0xFFFF,
                                               device_time_ps(int(entry[0]), event.t_ps), event.t_ps,
                                               event.info["cpu"]))


@dataclass(frozen=True)
class Traffic:
    """Completions per queue: Poisson at ``rate_per_s`` each, in bursts of ``burst`` back to back."""
    queues: tuple[int, ...]
    rate_per_s: float
    burst: int = 1
    until_ps: int = 1_000_000_000


def schedule_traffic(sim: object, device: CompletionQueueDeviceModel, traffic: Traffic, seed: int) -> int:
    """Schedule every completion on an EventSim (``call_at``); returns how many."""
    rng = stream(seed, "cq_model_traffic")
    count = 0
    cids = {q: 0 for q in traffic.queues}
    for q in traffic.queues:
        t = 0
        while True:
            t += max(1, int(rng.expovariate(traffic.rate_per_s / traffic.burst) * 1e12))
            if t > traffic.until_ps:
                break
            for _ in range(traffic.burst):
                cid = cids[q]
                cids[q] += 1
                sim.call_at(t, (lambda q=q, cid=cid: device.post(q, cid)))  # type: ignore[attr-defined]
                count += 1
    return count


def unconsumed(device: CompletionQueueDeviceModel, consumed: set[tuple[int, int]]) -> list[tuple[int, int]]:
    return sorted(k for k in device.posted if k not in consumed) + \
        sorted((q, c) for q, cq in enumerate(device.cqs) for c in cq.backlog)
