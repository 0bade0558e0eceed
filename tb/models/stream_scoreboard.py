"""End-to-end check of every chunk, from the device's source to the consumer.

The device's source is deterministic: chunk ``seq`` has the payload of
:func:`tb.models.pattern.chunk_words`. The scoreboard checks each chunk when the DPC copies it
out of the device ring and again when the consumer takes it out of the cyclic buffer. At the
end, every sequence number the device produced must have reached the consumer exactly once,
in order, intact.

It observes the host model through the kernel's trace (``consume``, a ``Kernel.trace_consumers``
entry): the driver logs ``chunk_copied`` and ``ring_overrun_found``, the consumer
``chunk_consumed``; neither knows the scoreboard exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional

import numpy as np

from irqloop.hostmodel.kernel import TraceEvent
from irqloop.tb.models.pattern import chunk_words


@dataclass
class Divergence:
    where: str               #: "dpc_copy" or "consumer"
    t_ps: int
    cycle: int
    seq_expected: int
    slot: int
    word: int                #: first differing 32-bit word
    expected: int
    observed: int
    seq_observed: int        #: word 0 of what was found
    kind: str                #: "overwritten" (a later chunk), "torn" (mixed), "corrupt"
    words_differing: int = 0
    #: the later chunk of the same slot whose words were found from ``word`` on (the device
    #: refilled the slot); None if the differing words are no chunk of that slot
    seq_refill: Optional[int] = None

    def describe(self) -> str:
        refill = f"; {self.words_differing} words from seq {self.seq_refill}" if self.seq_refill is not None else ""
        return (f"{self.where}: seq {self.seq_expected} in slot {self.slot} at {self.t_ps / 1e6:.3f} us "
                f"(cycle {self.cycle}): word {self.word} expected {self.expected:#010x} observed "
                f"{self.observed:#010x}; slot held seq {self.seq_observed} ({self.kind}{refill})")


@dataclass
class ScoreboardResult:
    produced: int
    delivered: int
    lost: list[int]
    duplicates: list[int]
    out_of_order: list[int]
    first_divergence: Optional[Divergence]
    divergences: int
    corrupted_copies: list[int]      #: chunks the DPC copied with content other than their own
    copy_divergences: list[dict[str, Any]]   #: each such copy: seq, slot, when, what the slot held

    @property
    def clean(self) -> bool:
        return not self.lost and not self.duplicates and not self.out_of_order and self.divergences == 0

    def as_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["first_divergence"] = self.first_divergence.__dict__ if self.first_divergence else None
        d["copy_divergences"] = [dict(x) for x in self.copy_divergences]
        d["clean"] = self.clean
        return d


@dataclass
class StreamScoreboard:
    slot_words: int
    key: int
    slot_count: int
    clock_period_ps: int
    divergences: list[Divergence] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)
    copied_ok: set[int] = field(default_factory=set)
    skipped: list[tuple[int, int]] = field(default_factory=list)   # (seq, t_ps) the driver gave up
    consumed_at_ps: dict[int, int] = field(default_factory=dict)   # seq -> when the consumer took it
    observers: list[Callable[[], None]] = field(default_factory=list)   # called at each divergence

    def _check(self, where: str, seq: int, data: np.ndarray, t_ps: int) -> bool:
        exp = chunk_words(seq, self.slot_words, self.key)
        bad = np.flatnonzero(data != exp)
        if not len(bad):
            return True
        w = int(bad[0])
        seq_obs = int(data[0])
        refill = self._refilling_seq(seq, w, int(data[w]))
        if seq_obs != seq and (seq_obs - seq) % self.slot_count == 0 and \
                not len(np.flatnonzero(data != chunk_words(seq_obs, self.slot_words, self.key))):
            kind = "overwritten"
        elif len(bad) < len(data):
            kind = "torn"
        else:
            kind = "corrupt"
        self.divergences.append(Divergence(where, t_ps, t_ps // self.clock_period_ps, seq,
                                           seq % self.slot_count, w, int(exp[w]), int(data[w]),
                                           seq_obs, kind, len(bad), refill))
        for observer in self.observers:
            observer()
        return False

    def _refilling_seq(self, seq: int, word: int, observed: int) -> Optional[int]:
        """The later chunk of ``seq``'s slot (seq + k * slot_count) that word ``word`` belongs to,
        decoded from the pattern (word 0 is the sequence number, word j > 0 carries its low 16 bits)."""
        if word == 0:
            candidate = observed
        else:
            low16 = ((observed ^ self.key) >> 16) & 0xFFFF
            candidate = seq + ((low16 - seq) & 0xFFFF)
        if candidate <= seq or (candidate - seq) % self.slot_count:
            return None
        if int(chunk_words(candidate, self.slot_words, self.key)[word]) != observed:
            return None
        return candidate

    def consume(self, event: TraceEvent) -> None:
        """One trace event of the run, as it is logged; events of other kinds are not for us."""
        info = event.info
        if event.kind == "chunk_copied":
            self.dpc_copied(info["seq"], info["data"], event.t_ps)
        elif event.kind == "ring_overrun_found":
            for seq in range(info["cons"], info["cons"] + info["lost"]):
                self.driver_skipped(seq, event.t_ps)
        elif event.kind == "chunk_consumed":
            self.consumed(info["seq"], info["data"], event.t_ps)

    def dpc_copied(self, seq: int, data: np.ndarray, t_ps: int) -> bool:
        ok = self._check("dpc_copy", seq, data, t_ps)
        if ok:
            self.copied_ok.add(seq)
        return ok

    def driver_skipped(self, seq: int, t_ps: int) -> None:
        self.skipped.append((seq, t_ps))

    def consumed(self, seq: int, data: np.ndarray, t_ps: int) -> None:
        if self._check("consumer", seq, data, t_ps):
            self.delivered.append(seq)
            self.consumed_at_ps.setdefault(seq, t_ps)

    def result(self, produced: int) -> ScoreboardResult:
        seen: set[int] = set()
        dups: list[int] = []
        ooo: list[int] = []
        last = -1
        for s in self.delivered:
            if s in seen:
                dups.append(s)
            seen.add(s)
            if s <= last:
                ooo.append(s)
            last = max(last, s)
        lost = [s for s in range(produced) if s not in seen]
        first = min(self.divergences, key=lambda d: (d.t_ps, d.seq_expected)) if self.divergences else None
        at_copy = sorted((d for d in self.divergences if d.where == "dpc_copy"), key=lambda d: (d.t_ps, d.seq_expected))
        corrupted = sorted({d.seq_expected for d in at_copy})
        detail = [{"seq": d.seq_expected, "slot": d.slot, "t_ps": d.t_ps, "kind": d.kind, "word": d.word,
                   "words_differing": d.words_differing, "seq_refill": d.seq_refill} for d in at_copy]
        return ScoreboardResult(produced, len(seen), lost, dups, ooo, first, len(self.divergences), corrupted, detail)
