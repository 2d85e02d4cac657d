"""The fast exact inference path: noisy-OR / noisy-MAX posteriors in numpy.

Findings are channel observations (see ``diagnosis.bayes.model``): a channel
*off* (a symptom reported absent, a state of lower precedence than the one
read, the abnormal states of a normal reading) or *on* (a symptom present,
the state read). The algorithm is exact and needs no pgmpy:

1. Condition on ``_unknown`` (absent, then present) and mix the two answers:
   ``_unknown`` links to every channel, so leaving it free would couple all
   findings.
2. Negative findings factorise: each multiplies a cause's "present" weight
   by (1 - p) and the constant by (1 - leak) (Heckerman's Quickscore
   observation).
3. Positive findings and cause factors couple the causes they name. Causes
   are split into connected components; a cause in none is independent and
   its posterior is its reweighted prior.
4. Each component is summed exactly: by *enumeration* of its 2^k cause
   assignments up to :data:`ENUMERATE_MAX` causes (vectorised), beyond that
   by *variable elimination* over the causes (min-degree order; factors are
   the positive findings, each over its 1-4 parents, and the cause factors),
   one elimination per cause. Both sum positive terms only: Quickscore's
   inclusion-exclusion over positive findings was tried and rejected, its
   signed sums lose up to 1e-7 to cancellation with 10 positive findings.

All sums are in log space. pgmpy's variable elimination over the network of
``diagnosis.bayes.network`` computes the same numbers (tests compare to 1e-9).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from diagnosis.errors import InferenceError

if TYPE_CHECKING:
    from diagnosis.bayes.model import DiagnosticModel

__all__ = ["ENUMERATE_MAX", "MAX_WIDTH", "Findings", "exact_marginals"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

ENUMERATE_MAX = 14
"""Components up to this many causes are enumerated; larger ones are eliminated."""
MAX_WIDTH = 24
"""Largest set of coupled causes variable elimination accepts (2**24 table entries)."""


@dataclass(frozen=True)
class Findings:
    """Evidence translated to channels (indices into ``model.channels``).

    Attributes:
        positive: channels observed on.
        negative: channels observed off.
        clamped: per hypothesis, True when excluded (conditioned absent).
        factors: (hypothesis indices, 2**k likelihoods) per cause factor.
    """

    positive: tuple[int, ...]
    negative: tuple[int, ...]
    clamped: BoolArray
    factors: tuple[tuple[IntArray, FloatArray], ...]


@cache
def _bits(k: int) -> BoolArray:
    """Every assignment of k binary variables, row r = binary digits of r (LSB first)."""
    rows = np.arange(2**k, dtype=np.int64)[:, None]
    return ((rows >> np.arange(k)) & 1).astype(bool)


def _log1m_exp(x: FloatArray) -> FloatArray:
    """log(1 - exp(x)) for x <= 0, accurate near 0; -inf at 0."""
    with np.errstate(divide="ignore"):
        return np.asarray(np.log(-np.expm1(x)), dtype=float)


def _logsumexp(x: FloatArray) -> float:
    top = float(np.max(x))
    if not math.isfinite(top):
        return top
    return top + math.log(float(np.exp(x - top).sum()))


def exact_marginals(model: DiagnosticModel, findings: Findings) -> tuple[FloatArray, float]:
    """Exact P(h present | evidence) for every hypothesis, and log P(evidence).

    Returns:
        (marginals over ``model.hypotheses`` (0 for clamped ones), log P(evidence)).

    Raises:
        InferenceError: the evidence is impossible, or a component is too large
            for both exact methods.
    """
    n = len(model.causes)
    unknown = n
    pos = np.array(findings.positive, dtype=np.intp)
    neg = np.array(findings.negative, dtype=np.intp)
    neg_log = model.logq[:, neg].sum(axis=1)  # per hypothesis
    const_neg = float(model.log1m_leak[neg].sum())
    branches: list[tuple[float, FloatArray]] = []
    for u in (0, 1):
        if u and findings.clamped[unknown]:
            continue
        prior_u = model.priors[unknown] if u else 1.0 - model.priors[unknown]
        log_u = math.log(prior_u) + (float(neg_log[unknown]) if u else 0.0)
        lq0 = model.log1m_leak[pos] + (model.logq[unknown, pos] if u else 0.0)
        log_z, marg = _conditioned(model, findings, pos, lq0, neg_log[:n])
        branches.append((const_neg + log_u + log_z, np.append(marg, float(u))))
    logs = np.array([b[0] for b in branches])
    log_pe = _logsumexp(logs)
    if not math.isfinite(log_pe):
        raise InferenceError("the evidence is impossible under the model")
    weights = np.exp(logs - log_pe)
    marginals = sum((w * m for w, (_, m) in zip(weights, branches, strict=True)), np.zeros(n + 1))
    return np.asarray(marginals, dtype=float), log_pe


def _conditioned(
    model: DiagnosticModel, findings: Findings, pos: IntArray, lq0: FloatArray, neg_log: FloatArray
) -> tuple[float, FloatArray]:
    """log P(evidence | U) (without the negative constant) and P(c | evidence, U)."""
    n = len(model.causes)
    clamped = findings.clamped[:n]
    with np.errstate(divide="ignore"):
        log_a = np.log(model.priors[:n]) + neg_log
        log_b = np.log1p(-model.priors[:n])
    log_a[clamped] = -np.inf
    log_s = np.logaddexp(log_a, log_b)
    la, lb = log_a - log_s, log_b - log_s  # normalised, a + b = 1
    log_z = float(log_s.sum())
    marg = np.exp(la)
    active = ~clamped
    logq = model.logq[:n]
    # union-find over causes linked by positive findings and factors
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(members: IntArray) -> None:
        if len(members) > 1:
            root = find(int(members[0]))
            for j in members[1:]:
                parent[find(int(j))] = root

    pos_parents: list[IntArray] = []
    for f in pos:
        members = np.flatnonzero((logq[:, f] < 0) & active)
        pos_parents.append(members)
        join(members)
    factor_members: list[tuple[IntArray, IntArray, FloatArray]] = []
    for idx, table in findings.factors:
        keep = np.array([not clamped[i] for i in idx], dtype=bool)
        # restrict the table to the clamped causes being absent
        rows = np.arange(len(table))
        mask = np.ones(len(table), dtype=bool)
        for bit, k in enumerate(keep):
            if not k:
                mask &= ((rows >> bit) & 1) == 0
        sub = table[mask]  # bits of kept causes, in order, LSB first
        kept = idx[keep]
        if len(kept) == 0:
            with np.errstate(divide="ignore"):
                log_z += math.log(float(sub[0])) if sub[0] > 0 else -math.inf
            continue
        join(kept)
        factor_members.append((kept, np.arange(len(kept)), sub))
    components: dict[int, list[int]] = {}
    involved: set[int] = set()
    for members in pos_parents:
        involved.update(int(i) for i in members)
    for kept, _, _ in factor_members:
        involved.update(int(i) for i in kept)
    for i in sorted(involved):
        components.setdefault(find(i), []).append(i)
    comp_pos: dict[int, list[int]] = {root: [] for root in components}
    for j, members in enumerate(pos_parents):
        if len(members) == 0:
            log_z += float(_log1m_exp(np.array([lq0[j]]))[0])
        else:
            comp_pos[find(int(members[0]))].append(j)
    comp_factors: dict[int, list[tuple[IntArray, FloatArray]]] = {r: [] for r in components}
    for kept, _, sub in factor_members:
        comp_factors[find(int(kept[0]))].append((kept, sub))
    for root, members_list in components.items():
        members = np.array(members_list, dtype=np.intp)
        local_pos = np.array(pos[comp_pos[root]], dtype=np.intp)
        local_lq0 = lq0[comp_pos[root]]
        factors = comp_factors[root]
        qlog = logq[np.ix_(members, local_pos)]  # (k, m)
        if len(members) <= ENUMERATE_MAX:
            lz, mm = _enumerate(members, la, lb, qlog, local_lq0, factors)
        else:
            lz, mm = _variable_elimination(members, la, lb, qlog, local_lq0, factors)
        log_z += lz
        marg[members] = mm
    if not math.isfinite(log_z):
        return -math.inf, np.zeros(n)
    return log_z, marg


def _factor_log(
    assign: BoolArray, members: IntArray, factors: list[tuple[IntArray, FloatArray]]
) -> FloatArray:
    """Sum of log factor values for each row of ``assign`` (columns = members)."""
    out = np.zeros(assign.shape[0])
    column = {int(c): j for j, c in enumerate(members)}
    for idx, table in factors:
        code = np.zeros(assign.shape[0], dtype=np.int64)
        for bit, i in enumerate(idx):
            code |= assign[:, column[int(i)]].astype(np.int64) << bit
        with np.errstate(divide="ignore"):
            out += np.log(table[code])
    return out


def _enumerate(
    members: IntArray,
    la: FloatArray,
    lb: FloatArray,
    qlog: FloatArray,
    lq0: FloatArray,
    factors: list[tuple[IntArray, FloatArray]],
) -> tuple[float, FloatArray]:
    x = _bits(len(members))
    log_w = np.where(x, la[members][None, :], lb[members][None, :]).sum(axis=1)
    if qlog.shape[1]:
        log_w += _log1m_exp(lq0[None, :] + x.astype(float) @ qlog).sum(axis=1)
    if factors:
        log_w += _factor_log(x, members, factors)
    log_z = _logsumexp(log_w)
    if not math.isfinite(log_z):
        return -math.inf, np.zeros(len(members))
    p = np.exp(log_w - log_z)
    return log_z, np.asarray(p @ x, dtype=float)


def _eliminate(
    factors: list[tuple[tuple[int, ...], FloatArray]], keep: int
) -> tuple[float, FloatArray]:
    """Sum out every variable but ``keep`` (min-degree order); (log scale, table of keep)."""
    pending = list(factors)
    log_scale = 0.0
    variables = sorted({v for scope, _ in pending for v in scope} - {keep})
    while variables:
        current = pending
        v = min(variables, key=lambda u: len({x for sc, _ in current if u in sc for x in sc}))
        variables.remove(v)
        touching = [f for f in pending if v in f[0]]
        pending = [f for f in pending if v not in f[0]]
        scope = sorted({x for sc, _ in touching for x in sc})
        if len(scope) > MAX_WIDTH:
            raise InferenceError(
                f"evidence too entangled for exact inference ({len(scope)} coupled causes)"
            )
        product: FloatArray = np.ones((1,) * len(scope))
        for sc, table in touching:
            order = sorted(range(len(sc)), key=lambda j: scope.index(sc[j]))
            shape = [2 if x in sc else 1 for x in scope]
            product = product * np.transpose(table, order).reshape(shape)
        summed = product.sum(axis=scope.index(v))
        top = float(summed.max())
        if top <= 0:
            return -math.inf, np.zeros(2)
        log_scale += math.log(top)
        pending.append((tuple(x for x in scope if x != v), summed / top))
    result: FloatArray = np.ones(2)
    for sc, table in pending:
        result = result * (table if sc else float(table))
    return log_scale, result


def _variable_elimination(
    members: IntArray,
    la: FloatArray,
    lb: FloatArray,
    qlog: FloatArray,
    lq0: FloatArray,
    factors: list[tuple[IntArray, FloatArray]],
) -> tuple[float, FloatArray]:
    """Exact sums by variable elimination, one run per cause (large components)."""
    position = {int(c): j for j, c in enumerate(members)}
    tables: list[tuple[tuple[int, ...], FloatArray]] = [
        ((j,), np.exp(np.array([lb[c], la[c]]))) for j, c in enumerate(members)
    ]
    for f in range(qlog.shape[1]):
        scope = tuple(int(j) for j in np.flatnonzero(qlog[:, f] < 0))
        x = _bits(len(scope)).astype(float)
        on = -np.expm1(lq0[f] + x @ qlog[list(scope), f])
        tables.append((scope, on.reshape((2,) * len(scope), order="F")))
    for idx, table in factors:
        scope = tuple(position[int(i)] for i in idx)
        tables.append((scope, table.reshape((2,) * len(scope), order="F")))
    marg = np.zeros(len(members))
    log_z = -math.inf
    for j in range(len(members)):
        log_scale, result = _eliminate(tables, j)
        total = float(result.sum())
        if total <= 0 or not math.isfinite(log_scale):
            return -math.inf, marg
        marg[j] = result[1] / total
        log_z = log_scale + math.log(total)
    return log_z, marg
