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
   by *variable elimination* over the causes on a bucket tree (min-degree
   order; factors are the positive findings and the cause factors), with
   Shafer-Shenoy messages up and down the tree so that all marginals cost
   two passes (a coupled set wider than :data:`MAX_WIDTH` is a clear
   InferenceError, never a memory blow-up).
5. A positive finding shared by more than :data:`WIDE_PARENTS` causes (a
   "machine stopped" symptom linked to dozens of causes) would need a table
   of 2^parents entries. Those findings go to Quickscore (Heckerman 1989):
   P(on) = 1 - q0 prod_i q_i^x_i is expanded by inclusion-exclusion over the
   wide positive findings, 2^w signed terms in which "off" factorises into
   the causes' weights; each term runs steps 3-4 on the other findings.
   Cost is linear in causes, exponential only in w (at most
   :data:`MAX_WIDE`). The signed sum is checked for cancellation (the
   reason it is not used for every finding: with 10 positive findings it
   loses up to 1e-7); when it cancels more than 1e-4 of its largest term,
   only the findings too wide for a table are expanded, and if that still
   cancels, a clear InferenceError.

The links are stored sparse (``DiagnosticModel.parents``), so memory and
time grow with the number of links, not causes x channels.

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

__all__ = ["ENUMERATE_MAX", "MAX_WIDE", "MAX_WIDTH", "WIDE_PARENTS", "Findings", "exact_marginals"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]
BoolArray = npt.NDArray[np.bool_]

ENUMERATE_MAX = 14
"""Components up to this many causes are enumerated; larger ones are eliminated."""
MAX_WIDTH = 22
"""Largest set of coupled causes variable elimination accepts (2**22 table entries)."""
WIDE_PARENTS = 12
"""A positive finding with more parents than this goes to inclusion-exclusion (Quickscore)."""
MAX_WIDE = 12
"""Most such wide positive findings at once (2**12 signed terms)."""


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
    neg_log = model.hypothesis_sums(neg)  # per hypothesis
    const_neg = float(model.log1m_leak[neg].sum())
    branches: list[tuple[float, FloatArray]] = []
    for u in (0, 1):
        if u and findings.clamped[unknown]:
            continue
        prior_u = model.priors[unknown] if u else 1.0 - model.priors[unknown]
        log_u = math.log(prior_u) + (float(neg_log[unknown]) if u else 0.0)
        lq0 = model.log1m_leak[pos] + (model.unknown_logq[pos] if u else 0.0)
        log_z, marg = _conditioned(model, findings, pos, lq0, neg_log[:n])
        branches.append((const_neg + log_u + log_z, np.append(marg, float(u))))
    logs = np.array([b[0] for b in branches])
    log_pe = _logsumexp(logs)
    if not math.isfinite(log_pe):
        raise InferenceError("the evidence is impossible under the model")
    weights = np.exp(logs - log_pe)
    marginals = sum((w * m for w, (_, m) in zip(weights, branches, strict=True)), np.zeros(n + 1))
    return np.asarray(marginals, dtype=float), log_pe


class _PrecisionLost(Exception):
    """Inclusion-exclusion cancelled too much; retry with fewer wide findings."""


def _conditioned(
    model: DiagnosticModel, findings: Findings, pos: IntArray, lq0: FloatArray, neg_log: FloatArray
) -> tuple[float, FloatArray]:
    """log P(evidence | U) (without the negative constant) and P(c | evidence, U).

    Findings with more than :data:`WIDE_PARENTS` parents go to inclusion-exclusion;
    if its signed sum cancels too much, only those too wide for any table
    (more than :data:`MAX_WIDTH` parents) do.
    """
    try:
        return _conditioned_with(model, findings, pos, lq0, neg_log, WIDE_PARENTS)
    except _PrecisionLost:
        if WIDE_PARENTS >= MAX_WIDTH:
            raise InferenceError(
                "exact inference lost precision on findings shared by many causes; "
                "report fewer symptoms at once"
            ) from None
    try:
        return _conditioned_with(model, findings, pos, lq0, neg_log, MAX_WIDTH)
    except _PrecisionLost:
        raise InferenceError(
            "exact inference lost precision on findings shared by many causes; "
            "report fewer symptoms at once"
        ) from None


def _conditioned_with(
    model: DiagnosticModel,
    findings: Findings,
    pos: IntArray,
    lq0: FloatArray,
    neg_log: FloatArray,
    wide_parents: int,
) -> tuple[float, FloatArray]:
    n = len(model.causes)
    clamped = findings.clamped[:n]
    with np.errstate(divide="ignore"):
        log_a = np.log(model.priors[:n]) + neg_log
        log_b = np.log1p(-model.priors[:n])
    log_a[clamped] = -np.inf
    log_s = np.logaddexp(log_a, log_b)
    la, lb = log_a - log_s, log_b - log_s  # normalised, a + b = 1
    log_z = float(log_s.sum())
    active = ~clamped
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
    pos_logq: list[FloatArray] = []
    for f in pos:
        heads, values = model.parents(int(f))
        keep = heads < n
        heads, values = heads[keep], values[keep]
        keep = active[heads]
        pos_parents.append(heads[keep])
        pos_logq.append(values[keep])
    # Findings shared by many causes go to inclusion-exclusion (Quickscore):
    # a table over their parents would have 2**parents entries.
    wide = [j for j, members in enumerate(pos_parents) if len(members) > wide_parents]
    if len(wide) > MAX_WIDE:
        raise InferenceError(
            f"too many reported findings shared by more than {wide_parents} causes "
            f"({len(wide)}, at most {MAX_WIDE}) for exact inference"
        )
    narrow = [j for j in range(len(pos_parents)) if j not in set(wide)]
    for j in narrow:
        join(pos_parents[j])
    factor_members: list[tuple[IntArray, FloatArray]] = []
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
        factor_members.append((kept, sub))
    components: dict[int, list[int]] = {}
    involved: set[int] = set()
    for j in narrow:
        involved.update(int(i) for i in pos_parents[j])
    for kept, _ in factor_members:
        involved.update(int(i) for i in kept)
    for i in sorted(involved):
        components.setdefault(find(i), []).append(i)
    comp_pos: dict[int, list[int]] = {root: [] for root in components}
    for j in narrow:
        members = pos_parents[j]
        if len(members) == 0:
            log_z += float(_log1m_exp(np.array([lq0[j]]))[0])
        else:
            comp_pos[find(int(members[0]))].append(j)
    comp_factors: dict[int, list[tuple[IntArray, FloatArray]]] = {r: [] for r in components}
    for kept, sub in factor_members:
        comp_factors[find(int(kept[0]))].append((kept, sub))
    blocks = []
    for root, members_list in components.items():
        members = np.array(members_list, dtype=np.intp)
        local_pos = np.array(pos[comp_pos[root]], dtype=np.intp)
        qlog = model.dense_logq(members, local_pos)  # (k, m)
        blocks.append((members, qlog, lq0[comp_pos[root]], comp_factors[root]))

    def summed(sla: FloatArray, slb: FloatArray) -> tuple[float, FloatArray]:
        """log-sum over the coupled components and all marginals, for weights sla, slb."""
        total = 0.0
        marg = np.exp(sla)
        for members, qlog, local_lq0, factors in blocks:
            if len(members) <= ENUMERATE_MAX:
                lz, mm = _enumerate(members, sla, slb, qlog, local_lq0, factors)
            else:
                lz, mm = _variable_elimination(members, sla, slb, qlog, local_lq0, factors)
            total += lz
            marg[members] = mm
        return total, marg

    if not wide:
        lz, marg = summed(la, lb)
        log_z += lz
        if not math.isfinite(log_z):
            return -math.inf, np.zeros(n)
        return log_z, marg
    # Quickscore over the wide findings: P(on) = 1 - q0 prod_i q_i^x_i, expanded
    # into 2**len(wide) signed terms; in each, "off" factorises into the causes' weights.
    terms: list[tuple[int, float, FloatArray]] = []
    for code in range(2 ** len(wide)):
        chosen = [wide[b] for b in range(len(wide)) if (code >> b) & 1]
        shift = np.zeros(n)
        constant = 0.0
        for j in chosen:
            np.add.at(shift, pos_parents[j], pos_logq[j])
            constant += float(lq0[j])
        moved = np.flatnonzero(shift)
        sla, slb = la.copy(), lb.copy()
        extra = 0.0
        if len(moved):
            shifted = la[moved] + shift[moved]
            norm = np.logaddexp(shifted, lb[moved])
            sla[moved] = shifted - norm
            slb[moved] = lb[moved] - norm
            extra = float(norm.sum())
        lz, marg = summed(sla, slb)
        terms.append((-1 if len(chosen) % 2 else 1, constant + extra + lz, marg))
    logs = np.array([t[1] for t in terms])
    top = float(logs.max())
    if not math.isfinite(top):
        return -math.inf, np.zeros(n)
    weights = np.array([sign for sign, _, _ in terms]) * np.exp(logs - top)
    total = float(weights.sum())
    # relative size of the signed sum against its largest term: below ~1e-4 the
    # cancellation would eat the precision promised (1e-9)
    if total <= 1e-4 * float(np.abs(weights).max()):
        raise _PrecisionLost
    marg = np.clip(sum(w * m for w, (_, _, m) in zip(weights, terms, strict=True)) / total, 0, 1)
    log_z += top + math.log(total)
    if not math.isfinite(log_z):
        return -math.inf, np.zeros(n)
    return log_z, np.asarray(marg, dtype=float)


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


Table = tuple[tuple[int, ...], FloatArray]
"""A factor over binary variables: sorted scope, one axis per variable in that order."""


def _sorted_table(scope: tuple[int, ...], table: FloatArray) -> Table:
    order = sorted(range(len(scope)), key=lambda j: scope[j])
    return tuple(scope[j] for j in order), np.transpose(table, order)


def _multiply(tables: list[Table], scope: tuple[int, ...]) -> FloatArray:
    """The product of ``tables`` (scopes within ``scope``) as a full table over ``scope``."""
    out: FloatArray = np.ones((2,) * len(scope))
    for sc, table in tables:
        members = set(sc)
        out = out * table.reshape([2 if x in members else 1 for x in scope])
    return out


def _sum_to(table: FloatArray, scope: tuple[int, ...], keep: tuple[int, ...]) -> FloatArray:
    kept = set(keep)
    axes = tuple(j for j, x in enumerate(scope) if x not in kept)
    return np.asarray(table.sum(axis=axes) if axes else table, dtype=float)


def _bucket_tree(tables: list[Table], n: int) -> tuple[float, FloatArray]:
    """log Z and every variable's P(x = 1), by Shafer-Shenoy propagation on a bucket tree.

    The tree comes from a min-degree elimination order: cluster i holds the
    variable eliminated i-th, the factors first eliminated with it and the
    messages of earlier clusters; one upward and one downward pass give all
    marginals at the cost of two eliminations.
    """
    adjacency: dict[int, set[int]] = {v: set() for v in range(n)}
    for sc, _ in tables:
        for v in sc:
            adjacency[v] |= set(sc) - {v}
    order: list[int] = []
    while adjacency:
        v = min(adjacency, key=lambda u: (len(adjacency[u]), u))
        order.append(v)
        around = adjacency.pop(v)
        for u in around:
            adjacency[u] |= around - {u}
            adjacency[u].discard(v)
    rank = {v: i for i, v in enumerate(order)}
    assigned: list[list[Table]] = [[] for _ in order]
    for sc, table in tables:
        assigned[min(rank[v] for v in sc)].append((sc, table))
    scopes: list[tuple[int, ...]] = []
    local: list[FloatArray] = []
    up: list[Table] = []
    parent = [-1] * n
    children: list[list[int]] = [[] for _ in order]
    log_z = 0.0
    for i, v in enumerate(order):
        parts = assigned[i] + [up[c] for c in children[i]]
        scope = tuple(sorted({x for sc, _ in parts for x in sc} | {v}))
        if len(scope) > MAX_WIDTH:
            raise InferenceError(
                f"evidence too entangled for exact inference ({len(scope)} coupled causes)"
            )
        scopes.append(scope)
        local.append(_multiply(assigned[i], scope))
        product = _multiply([(scope, local[i]), *(up[c] for c in children[i])], scope)
        message = product.sum(axis=scope.index(v))
        top = float(message.max())
        if top <= 0:
            return -math.inf, np.zeros(n)
        log_z += math.log(top)
        separator = tuple(x for x in scope if x != v)
        up.append((separator, message / top))
        if separator:
            parent[i] = min(rank[x] for x in separator)
            children[parent[i]].append(i)
    down: dict[int, Table] = {}
    marg = np.zeros(n)
    for i in reversed(range(n)):
        scope = scopes[i]
        base: list[Table] = [(scope, local[i])]
        if parent[i] >= 0:
            base.append(down[i])
        belief = _multiply(base + [up[c] for c in children[i]], scope)
        mass = _sum_to(belief, scope, (order[i],))
        marg[order[i]] = mass[1] / mass.sum()
        for c in children[i]:
            others = [up[d] for d in children[i] if d != c]
            message = _sum_to(_multiply(base + others, scope), scope, up[c][0])
            top = float(message.max())
            down[c] = (up[c][0], message / top if top > 0 else message)
    return log_z, marg


def _variable_elimination(
    members: IntArray,
    la: FloatArray,
    lb: FloatArray,
    qlog: FloatArray,
    lq0: FloatArray,
    factors: list[tuple[IntArray, FloatArray]],
) -> tuple[float, FloatArray]:
    """Exact sums by elimination on a bucket tree (components too large to enumerate)."""
    position = {int(c): j for j, c in enumerate(members)}
    tables: list[Table] = [((j,), np.exp(np.array([lb[c], la[c]]))) for j, c in enumerate(members)]
    for f in range(qlog.shape[1]):
        scope = tuple(int(j) for j in np.flatnonzero(qlog[:, f] < 0))
        x = _bits(len(scope)).astype(float)
        on = -np.expm1(lq0[f] + x @ qlog[list(scope), f])
        tables.append((scope, on.reshape((2,) * len(scope), order="F")))
    for idx, table in factors:
        scope = tuple(position[int(i)] for i in idx)
        tables.append(_sorted_table(scope, table.reshape((2,) * len(scope), order="F")))
    return _bucket_tree(tables, len(members))
