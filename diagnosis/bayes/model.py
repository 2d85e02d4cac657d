"""One equipment of the knowledge base, compiled into a diagnostic model.

Semantics (the distribution every inference path of ``diagnosis.bayes``
computes, pgmpy's network and the fast exact path alike):

* **Causes.** Every KB cause is a binary hypothesis, present with its
  ``prior``, independently of the others.
* **``_unknown``** (:data:`UNKNOWN`) is one more independent binary
  hypothesis, "a cause that is not in the knowledge base", with prior
  :data:`UNKNOWN_PRIOR` (0.02). It has a noisy-OR link to every symptom
  (:data:`UNKNOWN_SYMPTOM_LINK`, 0.3: an unknown fault may well be what
  produced the reported problem). On measurements it *moves the leaks*
  instead of adding to them: with ``_unknown`` present, an abnormal state
  that some cause names keeps :data:`UNKNOWN_NAMED_SHARE` (0.1) of its leak
  and the measurement's states that no cause names take the rest, so that
  P(normal) is exactly what it is without ``_unknown``, whatever causes are
  present. So a normal reading never weighs on ``_unknown`` (it is as likely
  under ``_unknown`` as under every cause that does not explain that
  measurement), a reading of a state no cause names raises it (that state's
  leak grows, e.g. x1.45 for gearbox oil ``milky``, x1.9 for a numeric reading
  whose other abnormal state is named), one that a cause names lowers it, and
  a measurement whose abnormal states are all named (or all unnamed) says
  nothing about it. Every cause that does not predict a reading is hit by it
  at least as hard, so after a few readings that contradict the known causes
  ``_unknown`` leads (issue 14: before, each normal reading divided
  ``_unknown`` by about 2). Encoded as a per-channel link ``p`` of
  ``_unknown`` with 1 - leak' = (1 - leak)(1 - p), negative where the leak
  shrinks; the exact path only uses log(1 - p). The model stays closed-world
  for readings a known cause predicts: a missing cause whose readings look
  like a known cause's is taken for that cause (the session's verification
  asks for the leader's strongest predicted readings before concluding).
* **Symptoms** are noisy-OR: P(symptom absent | causes) =
  (1 - leak) x prod over present causes of (1 - p). ``leak`` is the symptom's
  (default 0.01). A symptom reported absent is evidence too (its "absent"
  state), not mere silence; an unreported symptom says nothing.
* **Measurements** are noisy-MAX with one *channel* per abnormal state. A
  channel is a noisy-OR of the causes whose effects name that state, plus a
  leak :data:`STATE_LEAK` (0.01) and the ``_unknown`` link. The observed state
  is the first abnormal state, in precedence order, whose channel fires, and
  the normal state when none fires. Precedence is the order of
  :attr:`Measurement.states` without the normal state: numeric ``low`` before
  ``high``, choice in the order of ``choices``; a boolean has one abnormal
  state. So "low" and "high" are mutually exclusive outcomes of one reading,
  and reading ``high`` also says the ``low`` channel did not fire. An effect
  on a measurement's normal state adds nothing (normal is the absence of
  every abnormal channel); two effects of one cause on one channel combine
  as 1 - (1 - p1)(1 - p2).
* **Exclusions** (``Evidence.excluded``, from rules) condition the cause
  absent: its posterior is 0 and it is left out of the answers.
* **Cause factors** (``Evidence.factors``, e.g. fault-tree observations) are
  likelihoods over a few causes, multiplied into the joint.

Posteriors are marginals P(cause present | evidence). Every leak is positive,
so any evidence has P(evidence) > 0; the only way to make evidence impossible
is a cause factor that is zero wherever the other evidence is possible, which
raises :class:`~diagnosis.errors.InferenceError`.

The *explanation distribution* (what the planner measures information about)
is P(h | evidence, at most one hypothesis present) over h in {each
non-excluded cause, ``_unknown``, ``_none``}: which single cause explains the
reported problem. It is exact, and cheap because under a single hypothesis
the findings are independent.
"""

from __future__ import annotations

import itertools
import math
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from diagnosis.bayes.evidence import UNKNOWN, Evidence, Posteriors
from diagnosis.errors import InferenceError
from diagnosis.kb.model import EquipmentKB, KnowledgeBase

if TYPE_CHECKING:
    from diagnosis.bayes.exact import Findings

__all__ = [
    "NONE",
    "STATE_LEAK",
    "UNKNOWN_NAMED_SHARE",
    "UNKNOWN_PRIOR",
    "UNKNOWN_SYMPTOM_LINK",
    "Channel",
    "DiagnosticModel",
    "compile_equipment",
    "unknown_leaks",
]

FloatArray = npt.NDArray[np.float64]

UNKNOWN_PRIOR = 0.02
"""Prior of the ``_unknown`` hypothesis."""
UNKNOWN_NAMED_SHARE = 0.1
"""Share of its leak an abnormal state some cause names keeps under ``_unknown``
(the rest goes to the measurement's unnamed states; P(normal) is unchanged)."""
UNKNOWN_SYMPTOM_LINK = 0.3
"""Noisy-OR link of ``_unknown`` to every symptom."""
STATE_LEAK = 0.01
"""Leak of an abnormal measurement state (measurements have no ``leak`` field)."""
NONE = "_none"
"""Explanation "no hypothesis present" (only leaks), in :meth:`explanation_distribution`."""

_P_MAX = 1.0 - 1e-12  # keeps log(1 - p) finite
MAX_SOFT_COMBINATIONS = 729
"""Most combinations of doubted readings' true states summed exactly (3 states ** 6)."""
_CACHE_SIZE = 256


@dataclass(frozen=True)
class Channel:
    """One noisy-OR: a symptom, or one abnormal state of a measurement.

    Attributes:
        node: its node name in the network (``symptom.<id>`` or
            ``measurement.<id>.<state>``).
        target: the symptom or measurement id.
        state: the abnormal state (``None`` for a symptom).
        leak: P(channel fires | no hypothesis present).
        links: (hypothesis index, p) pairs; index ``len(causes)`` is ``_unknown``,
            whose p is negative where it shrinks the leak (1 - leak' = (1 - leak)(1 - p)).
    """

    node: str
    target: str
    state: str | None
    leak: float
    links: tuple[tuple[int, float], ...]


class DiagnosticModel:
    """The compiled model of one equipment; see the module docstring.

    Build it with :func:`compile_equipment` (cached) or
    :meth:`from_equipment`. Instances are immutable after construction
    (apart from an internal answer cache) and safe to share.

    Attributes:
        equipment_id: the equipment.
        causes: KB cause ids, in file order (``_unknown`` excluded).
        hypotheses: ``causes + ("_unknown",)``; index ``i`` of the arrays.
        priors: prior of each hypothesis.
        channels: every channel, symptoms first then measurement states.
        measurements: measurement ids, in file order.
        symptoms: symptom ids, in file order.
    """

    def __init__(self, equipment: EquipmentKB) -> None:
        self.equipment_id: str = equipment.id
        self.causes: tuple[str, ...] = tuple(c.id for c in equipment.causes)
        self.hypotheses: tuple[str, ...] = (*self.causes, UNKNOWN)
        self.cause_index: dict[str, int] = {c: i for i, c in enumerate(self.hypotheses)}
        self.priors: FloatArray = np.array(
            [c.prior for c in equipment.causes] + [UNKNOWN_PRIOR], dtype=float
        )
        self.symptoms: tuple[str, ...] = tuple(s.id for s in equipment.symptoms)
        self.measurements: tuple[str, ...] = tuple(m.id for m in equipment.measurements)
        self.states: dict[str, tuple[str, ...]] = {m.id: m.states for m in equipment.measurements}
        self.normal: dict[str, str] = {m.id: m.normal_state for m in equipment.measurements}
        self.channels: tuple[Channel, ...] = _build_channels(equipment, self.cause_index)
        self.symptom_channel: dict[str, int] = {}
        # measurement id -> ((abnormal state, channel index), ...) in precedence order
        self.state_channels: dict[str, tuple[tuple[str, int], ...]] = {}
        grouped: dict[str, list[tuple[str, int]]] = {}
        for f, ch in enumerate(self.channels):
            if ch.state is None:
                self.symptom_channel[ch.target] = f
            else:
                grouped.setdefault(ch.target, []).append((ch.state, f))
        self.state_channels = {m: tuple(grouped.get(m, ())) for m in self.measurements}
        n_h, n_f = len(self.hypotheses), len(self.channels)
        self.n_rows: int = n_h + 1  # hypotheses then ``_none``
        # Links stored sparse, channel by channel (a dense hypotheses x channels
        # matrix is gigabytes at 5000 causes): channel f's links are
        # link_h[link_ptr[f]:link_ptr[f + 1]] with log(1 - p) in link_logq.
        ptr = [0]
        heads: list[int] = []
        values: list[float] = []
        for ch in self.channels:
            for i, p in ch.links:
                heads.append(i)
                values.append(math.log1p(-min(p, _P_MAX)))  # p < 0 (a shrunk leak) gives > 0
            ptr.append(len(heads))
        self.link_ptr: npt.NDArray[np.intp] = np.array(ptr, dtype=np.intp)
        self.link_h: npt.NDArray[np.intp] = np.array(heads, dtype=np.intp)
        self.link_logq: FloatArray = np.array(values, dtype=float)
        self.log1m_leak: FloatArray = np.log1p(-np.array([ch.leak for ch in self.channels]))
        unknown = n_h - 1
        self.unknown_logq: FloatArray = np.zeros(n_f)  # log(1 - p) of _unknown's link per channel
        for f in range(n_f):
            lo, hi = self.link_ptr[f], self.link_ptr[f + 1]
            hit = self.link_h[lo:hi] == unknown
            if hit.any():
                self.unknown_logq[f] = float(self.link_logq[lo:hi][hit][0])
        self._state_table()
        self._cache: dict[tuple[object, ...], Posteriors] = {}
        self._lock = threading.Lock()  # the TUI queries from worker threads

    @classmethod
    def from_equipment(cls, equipment: EquipmentKB) -> DiagnosticModel:
        """Compile one equipment without the per-KB cache (tests, benchmarks)."""
        return cls(equipment)

    # -- sparse links ----------------------------------------------------------------

    def parents(self, f: int) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Hypothesis indices linked to channel ``f`` and their log(1 - p), by index."""
        lo, hi = int(self.link_ptr[f]), int(self.link_ptr[f + 1])
        return self.link_h[lo:hi], self.link_logq[lo:hi]

    def hypothesis_sums(self, channels: npt.NDArray[np.intp] | list[int]) -> FloatArray:
        """Per hypothesis, the sum of its log(1 - p) over ``channels`` (0 where unlinked)."""
        if len(channels) == 0:
            return np.zeros(len(self.hypotheses))
        parts = [self.parents(int(f)) for f in channels]
        heads = np.concatenate([h for h, _ in parts])
        values = np.concatenate([v for _, v in parts])
        return np.asarray(
            np.bincount(heads, weights=values, minlength=len(self.hypotheses)), dtype=float
        )

    def dense_logq(
        self, members: npt.NDArray[np.intp], channels: npt.NDArray[np.intp]
    ) -> FloatArray:
        """The (members x channels) block of log(1 - p) (0 where unlinked)."""
        out = np.zeros((len(members), len(channels)))
        where = np.full(len(self.hypotheses), -1, dtype=np.intp)
        where[members] = np.arange(len(members))
        for j, f in enumerate(channels):
            heads, values = self.parents(int(f))
            rows = where[heads]
            keep = rows >= 0
            out[rows[keep], j] = values[keep]
        return out

    def single_log_off(self, h: int, f: int) -> float:
        """log P(channel ``f`` off | only hypothesis ``h`` present); ``h = n`` is ``_none``."""
        heads, values = self.parents(f)
        hit = heads == h
        return float(self.log1m_leak[f]) + (float(values[hit][0]) if hit.any() else 0.0)

    # -- single-hypothesis tables, for explanations and the planner ----------------

    def _state_table(self) -> None:
        """P(measurement state | only h present) for every h, state; and its entropy.

        Stored as the ``_none`` row (what every hypothesis unlinked to a
        measurement reads) plus sparse rows for the linked hypotheses: exact
        values (for look-ups) and differences from the ``_none`` row (for the
        planner's products).
        """
        self.state_offsets: dict[str, int] = {}
        offset = 0
        for m in self.measurements:
            self.state_offsets[m] = offset
            offset += len(self.states[m])
        n_states = offset
        none_row = self.n_rows - 1
        self.state_base: FloatArray = np.zeros(n_states)
        self.entropy_base: FloatArray = np.zeros(len(self.measurements))
        cols: list[npt.NDArray[np.intp]] = []
        rows: list[npt.NDArray[np.intp]] = []
        vals: list[FloatArray] = []
        e_rows: list[npt.NDArray[np.intp]] = []
        e_cols: list[npt.NDArray[np.intp]] = []
        e_delta: list[FloatArray] = []
        for j, m in enumerate(self.measurements):
            linked = sorted(
                {int(h) for _, f in self.state_channels[m] for h in self.parents(f)[0]}
            )
            who = np.array([*linked, none_row], dtype=np.intp)
            table = self._rows_state_probabilities(m, who)
            with np.errstate(divide="ignore", invalid="ignore"):
                ent = -np.where(table > 0, table * np.log2(table), 0.0).sum(axis=1)
            base, base_ent = table[-1], float(ent[-1])
            o = self.state_offsets[m]
            self.state_base[o : o + table.shape[1]] = base
            self.entropy_base[j] = base_ent
            k = len(linked)
            if k:
                rows.append(np.repeat(who[:k], table.shape[1]))
                cols.append(np.tile(np.arange(o, o + table.shape[1], dtype=np.intp), k))
                vals.append(table[:k].ravel())
                e_rows.append(who[:k])
                e_cols.append(np.full(k, j, dtype=np.intp))
                e_delta.append(ent[:k] - base_ent)
        empty_i = np.zeros(0, dtype=np.intp)
        r = np.concatenate(rows) if rows else empty_i
        c = np.concatenate(cols) if cols else empty_i
        v = np.concatenate(vals) if vals else np.zeros(0)
        order = np.lexsort((r, c))  # by column, then row
        self.state_rows: npt.NDArray[np.intp] = r[order]
        self.state_cols: npt.NDArray[np.intp] = c[order]
        self.state_vals: FloatArray = v[order]
        self.state_delta: FloatArray = self.state_vals - self.state_base[self.state_cols]
        self.state_ptr: npt.NDArray[np.intp] = np.searchsorted(
            self.state_cols, np.arange(n_states + 1)
        ).astype(np.intp)
        self.entropy_rows: npt.NDArray[np.intp] = np.concatenate(e_rows) if e_rows else empty_i
        self.entropy_cols: npt.NDArray[np.intp] = np.concatenate(e_cols) if e_cols else empty_i
        self.entropy_delta: FloatArray = np.concatenate(e_delta) if e_delta else np.zeros(0)
        self.state_segments: npt.NDArray[np.intp] = np.array(
            [self.state_offsets[m] for m in self.measurements], dtype=np.intp
        )

    def single_state(self, row: int, column: int) -> float:
        """P(state ``column`` | only hypothesis ``row`` present) (``row = n`` is ``_none``)."""
        lo, hi = int(self.state_ptr[column]), int(self.state_ptr[column + 1])
        at = lo + int(np.searchsorted(self.state_rows[lo:hi], row))
        if at < hi and int(self.state_rows[at]) == row:
            return float(self.state_vals[at])
        return float(self.state_base[column])

    def column_rows(self, column: int) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Hypotheses whose P(state ``column`` | alone) differs from ``_none``'s, and those P."""
        lo, hi = int(self.state_ptr[column]), int(self.state_ptr[column + 1])
        return self.state_rows[lo:hi], self.state_vals[lo:hi]

    def predictive_single(self, weights: FloatArray) -> tuple[FloatArray, FloatArray]:
        """For weights over rows: sum_h w_h P(state | h) per state, and sum_h w_h H(M | h)."""
        total = float(weights.sum())
        predictive = total * self.state_base + np.bincount(
            self.state_cols,
            weights=weights[self.state_rows] * self.state_delta,
            minlength=len(self.state_base),
        )
        entropy = total * self.entropy_base + np.bincount(
            self.entropy_cols,
            weights=weights[self.entropy_rows] * self.entropy_delta,
            minlength=len(self.entropy_base),
        )
        return predictive, entropy

    def _rows_state_probabilities(
        self, measurement: str, who: npt.NDArray[np.intp]
    ) -> FloatArray:
        """Rows ``who`` (hypothesis indices, ``n`` for ``_none``) of the state table."""
        states = self.states[measurement]
        table = np.zeros((len(who), len(states)))
        where = np.full(self.n_rows, -1, dtype=np.intp)
        where[who] = np.arange(len(who))
        log_none_before = np.zeros(len(who))  # log P(all higher-precedence channels off)
        for state, f in self.state_channels[measurement]:
            lq = np.full(len(who), float(self.log1m_leak[f]))
            heads, values = self.parents(f)
            rows = where[heads]
            keep = rows >= 0
            lq[rows[keep]] += values[keep]
            table[:, states.index(state)] = np.exp(log_none_before) * -np.expm1(lq)
            log_none_before = log_none_before + lq
        table[:, states.index(self.normal[measurement])] = np.exp(log_none_before)
        return table

    def single_state_probabilities(self, measurement: str) -> FloatArray:
        """Matrix [h, state] of P(state | only h present), states in ``self.states`` order.

        Rows are the hypotheses then ``_none``.
        """
        return self._rows_state_probabilities(measurement, np.arange(self.n_rows, dtype=np.intp))

    # -- evidence -------------------------------------------------------------------

    def findings(self, evidence: Evidence) -> Findings:
        """Translate evidence into channel findings; raises InferenceError on bad ids."""
        from diagnosis.bayes.exact import Findings

        positive: list[int] = []
        negative: list[int] = []
        for sid, present in evidence.symptoms.items():
            if sid not in self.symptom_channel:
                raise InferenceError(f"equipment {self.equipment_id!r} has no symptom {sid!r}")
            (positive if present else negative).append(self.symptom_channel[sid])
        for mid, state in evidence.states.items():
            if mid not in self.states:
                raise InferenceError(f"equipment {self.equipment_id!r} has no measurement {mid!r}")
            if state not in self.states[mid]:
                raise InferenceError(
                    f"measurement {mid!r} has no state {state!r} "
                    f"(states: {', '.join(self.states[mid])})"
                )
            for s, f in self.state_channels[mid]:
                if s == state:
                    positive.append(f)
                    break
                negative.append(f)
        clamped = np.zeros(len(self.hypotheses), dtype=bool)
        for cid in evidence.excluded:
            if cid not in self.cause_index:
                raise InferenceError(
                    f"equipment {self.equipment_id!r} has no cause {cid!r} to exclude"
                )
            clamped[self.cause_index[cid]] = True
        factors: list[tuple[npt.NDArray[np.intp], FloatArray]] = []
        for factor in evidence.factors:
            idx = []
            for cid in factor.causes:
                if cid not in self.cause_index or cid == UNKNOWN:
                    raise InferenceError(
                        f"factor {factor.label!r}: equipment {self.equipment_id!r} "
                        f"has no cause {cid!r}"
                    )
                idx.append(self.cause_index[cid])
            table = np.asarray(factor.table, dtype=float)
            if (table < 0).any() or not np.isfinite(table).all():
                raise InferenceError(f"factor {factor.label!r}: likelihoods must be >= 0")
            factors.append((np.array(idx, dtype=np.intp), table))
        return Findings(tuple(positive), tuple(negative), clamped, tuple(factors))

    # -- answers --------------------------------------------------------------------

    def posteriors(self, evidence: Evidence) -> Posteriors:
        """Exact P(cause present | evidence) for every non-excluded cause and ``_unknown``.

        Raises:
            InferenceError: unknown ids, impossible evidence, or evidence too
                entangled for exact inference (see ``diagnosis.bayes.exact``).
        """
        key = evidence.key()
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        findings = self.findings(evidence)
        marginals, log_pe = self._soft_marginals(evidence)
        probabilities = {
            h: float(marginals[i]) for i, h in enumerate(self.hypotheses) if not findings.clamped[i]
        }
        result = Posteriors(probabilities, evidence_probability=math.exp(log_pe))
        with self._lock:
            if len(self._cache) >= _CACHE_SIZE:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = result
        return result

    def _soft_marginals(self, evidence: Evidence) -> tuple[FloatArray, float]:
        """Exact marginals and log P(evidence), soft readings summed over their states.

        Each doubted reading's likelihood P(read | true state) weighs the hard
        evidence of each combination of true states (an exact mixture).
        """
        from diagnosis.bayes.exact import exact_marginals

        if not evidence.soft:
            return exact_marginals(self, self.findings(evidence))
        options: list[list[tuple[str, str, float]]] = []
        for mid, likelihood in sorted(evidence.soft.items()):
            if mid not in self.states:
                raise InferenceError(f"equipment {self.equipment_id!r} has no measurement {mid!r}")
            if mid in evidence.states:
                raise InferenceError(f"measurement {mid!r} is both read and doubted")
            choices = [(mid, s, float(v)) for s, v in likelihood.items() if v > 0]
            for _, s, v in choices:
                if s not in self.states[mid] or not math.isfinite(v):
                    raise InferenceError(f"measurement {mid!r}: bad soft state {s!r}")
            if not choices:
                raise InferenceError(f"measurement {mid!r}: every likelihood is 0")
            options.append(choices)
        if math.prod(len(o) for o in options) > MAX_SOFT_COMBINATIONS:
            raise InferenceError(
                f"too many doubted readings at once ({len(options)}) for exact inference"
            )
        hard = Evidence(evidence.symptoms, evidence.states, evidence.excluded, evidence.factors)
        logs: list[float] = []
        parts: list[FloatArray] = []
        for combo in itertools.product(*options):
            e = hard
            log_l = 0.0
            for mid, s, v in combo:
                e = e.with_state(mid, s)
                log_l += math.log(v)
            marg, log_p = exact_marginals(self, self.findings(e))
            logs.append(log_l + log_p)
            parts.append(marg)
        values = np.array(logs)
        top = float(values.max())
        if not math.isfinite(top):
            raise InferenceError("the evidence is impossible under the model")
        w = np.exp(values - top)
        total = float(w.sum())
        marginals = np.asarray(sum(wi * m for wi, m in zip(w, parts, strict=True)) / total)
        return marginals, top + math.log(total)

    def predictive(self, evidence: Evidence, measurement_id: str) -> dict[str, float]:
        """P(the reading of ``measurement_id`` is in each state | evidence), exact.

        An already answered measurement returns its observed state with 1.
        """
        if measurement_id not in self.states:
            raise InferenceError(
                f"equipment {self.equipment_id!r} has no measurement {measurement_id!r}"
            )
        states = self.states[measurement_id]
        if measurement_id in evidence.states:
            seen = evidence.states[measurement_id]
            return {s: 1.0 if s == seen else 0.0 for s in states}
        joint = []
        for s in states:
            _, log_p = self._soft_marginals(evidence.with_state(measurement_id, s))
            joint.append(log_p)
        values = np.exp(np.array(joint) - max(joint))
        values /= values.sum()
        return {s: float(v) for s, v in zip(states, values, strict=True)}

    def explanation_weights(self, evidence: Evidence) -> FloatArray:
        """The explanation distribution as an array over hypotheses then ``_none``."""
        findings = self.findings(evidence)
        rows = self.n_rows
        pos = list(findings.positive)
        neg = list(findings.negative)
        with np.errstate(divide="ignore"):
            log_w = np.full(rows, float(self.log1m_leak[neg].sum()))
            log_w[:-1] += self.hypothesis_sums(neg)
            base_on = np.log(-np.expm1(self.log1m_leak[pos]))  # _none's log P(on)
            log_w += float(base_on.sum())
            for j, f in enumerate(pos):
                heads, values = self.parents(f)
                on = np.log(-np.expm1(values + self.log1m_leak[f]))
                np.add.at(log_w, heads, on - base_on[j])
            prior_odds = np.log(self.priors) - np.log1p(-self.priors)
            log_w[:-1] += prior_odds
            log_w[:-1][findings.clamped] = -np.inf
            for idx, table in findings.factors:
                single = np.full(rows, table[0])
                for bit, i in enumerate(idx):
                    single[i] = table[1 << bit]
                log_w += np.log(single)
            for mid, likelihood in evidence.soft.items():
                states = self.states[mid]
                table = self._rows_state_probabilities(mid, np.arange(rows, dtype=np.intp))
                weights = np.array([float(likelihood.get(s, 0.0)) for s in states])
                log_w += np.log(table @ weights)
        top = log_w.max()
        if not np.isfinite(top):
            # No single hypothesis is possible (a factor demands several causes):
            # fall back on the normalised marginals.
            marg = self.posteriors(evidence)
            weights = np.array([marg.probabilities.get(h, 0.0) for h in self.hypotheses] + [0.0])
            total = weights.sum()
            if total <= 0:
                raise InferenceError("the evidence is impossible under the model")
            return np.asarray(weights / total, dtype=float)
        w = np.exp(log_w - top)
        return np.asarray(w / w.sum(), dtype=float)

    def explanation_distribution(self, evidence: Evidence) -> dict[str, float]:
        """P(h | evidence, at most one hypothesis present), h = causes, ``_unknown``, ``_none``.

        Excluded causes are left out. The values sum to 1.
        """
        w = self.explanation_weights(evidence)
        excluded = {self.cause_index[c] for c in evidence.excluded}
        names = (*self.hypotheses, NONE)
        return {h: float(w[i]) for i, h in enumerate(names) if i not in excluded}


def _build_channels(equipment: EquipmentKB, index: dict[str, int]) -> tuple[Channel, ...]:
    """Every channel with its links, checking each effect's target."""
    unknown = index[UNKNOWN]
    links: dict[tuple[str, str | None], dict[int, float]] = {}
    order: list[tuple[str, str | None]] = []
    symptoms = {s.id: s for s in equipment.symptoms}
    measurements = {m.id: m for m in equipment.measurements}
    for s in equipment.symptoms:
        order.append((s.id, None))
    for m in equipment.measurements:
        order.extend((m.id, st) for st in m.states if st != m.normal_state)
    for slot in order:
        links[slot] = {}
    for cause in equipment.causes:
        for e in cause.effects:
            if e.symptom is not None:
                if e.symptom not in symptoms:
                    raise InferenceError(f"cause {cause.id!r}: unknown symptom {e.symptom!r}")
                key: tuple[str, str | None] = (e.symptom, None)
            else:
                mid = str(e.measurement)
                if mid not in measurements:
                    raise InferenceError(f"cause {cause.id!r}: unknown measurement {mid!r}")
                if e.state not in measurements[mid].states:
                    raise InferenceError(
                        f"cause {cause.id!r}: measurement {mid!r} has no state {e.state!r}"
                    )
                if e.state == measurements[mid].normal_state:
                    continue
                key = (mid, e.state)
            if not 0.0 < e.p <= 1.0:
                raise InferenceError(f"cause {cause.id!r}: p={e.p} is not in (0, 1]")
            i = index[cause.id]
            previous = links[key].get(i, 0.0)
            links[key][i] = 1.0 - (1.0 - previous) * (1.0 - e.p)
    moved: dict[tuple[str, str | None], float] = {}
    for m in equipment.measurements:
        slots = [(m.id, st) for st in m.states if st != m.normal_state]
        leaks = unknown_leaks([STATE_LEAK] * len(slots), [bool(links[k]) for k in slots])
        moved.update(zip(slots, leaks, strict=True))
    channels = []
    for name, state in order:
        named = dict(links[(name, state)])
        if state is None:
            node, leak = f"symptom.{name}", symptoms[name].leak
            named[unknown] = UNKNOWN_SYMPTOM_LINK
        else:
            node, leak = f"measurement.{name}.{state}", STATE_LEAK
            # 1 - leak' = (1 - leak)(1 - p): p < 0 where _unknown shrinks the leak
            named[unknown] = 1.0 - (1.0 - moved[(name, state)]) / (1.0 - leak)
        channels.append(Channel(node, name, state, leak, tuple(sorted(named.items()))))
    return tuple(channels)


def unknown_leaks(leaks: list[float], named: list[bool]) -> list[float]:
    """The leaks of one measurement's abnormal channels with ``_unknown`` present.

    A named channel keeps :data:`UNKNOWN_NAMED_SHARE` of its leak; the unnamed
    ones share the rest so that the product of (1 - leak), P(normal), is
    unchanged (each unnamed channel's 1 - leak is multiplied by the same
    factor). When every channel is named, or none is, the leaks stay as they are.
    """
    if all(named) or not any(named):
        return list(leaks)
    kept = [UNKNOWN_NAMED_SHARE * x if n else x for x, n in zip(leaks, named, strict=True)]
    # log of prod (1 - leak) / prod (1 - kept) over the named channels (< 0)
    freed = sum(
        math.log1p(-x) - math.log1p(-k) for x, k, n in zip(leaks, kept, named, strict=True) if n
    )
    share = freed / sum(1 for n in named if not n)
    return [k if n else -math.expm1(math.log1p(-k) + share) for k, n in zip(kept, named, strict=True)]


_MODELS: dict[tuple[int, str], tuple[weakref.ref[KnowledgeBase], DiagnosticModel]] = {}


def compile_equipment(kb: KnowledgeBase, equipment_id: str) -> DiagnosticModel:
    """The diagnostic model of one equipment, compiled once per (kb, equipment).

    Raises:
        InferenceError: unknown equipment, or an effect the model cannot encode.
    """
    key = (id(kb), equipment_id)
    hit = _MODELS.get(key)
    if hit is not None and hit[0]() is kb:
        return hit[1]
    try:
        equipment = kb.equipment(equipment_id)
    except KeyError:
        raise InferenceError(f"no equipment {equipment_id!r} in the knowledge base") from None
    model = DiagnosticModel(equipment)

    def forget(_ref: weakref.ref[KnowledgeBase]) -> None:
        _MODELS.pop(key, None)

    _MODELS[key] = (weakref.ref(kb, forget), model)
    return model
