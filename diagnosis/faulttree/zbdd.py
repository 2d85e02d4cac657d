"""Minimal cut sets as a zero-suppressed BDD (ZBDD), computed from the BDD.

Rauzy's ``minsol`` algorithm: for a BDD node ``ite(x, F1, F0)``::

    MCS(F) = x . without(MCS(F1), MCS(F0))  ∪  MCS(F0)

where ``without(P, Q)`` keeps the sets of ``P`` that contain no set of ``Q``.
On a non-coherent function this gives the minimal cut sets of its monotone
closure, i.e. SCRAM's convention (a negated literal counts as true unless its
positive literal is in the same product), so cut sets hold positive literals
only. The order limit ``k`` is applied during the conversion (a branch with
``x`` gets ``k - 1``), so truncated families never grow past the limit.

The family is stored as a ZBDD (node 0 = the empty family, node 1 = the
family holding only the empty set) and enumerated lazily, best-first pruning
on the probability cut-off (a product only shrinks as events are added).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from diagnosis.faulttree.bdd import FALSE, TRUE, Bdd

__all__ = ["BASE", "EMPTY", "CutSetFamily", "minimal_cut_sets"]

EMPTY = 0
BASE = 1


@dataclass
class CutSetFamily:
    """A family of cut sets over the BDD's variable levels (mutable while built).

    Attributes:
        root: the ZBDD node of the family.
        var: level of each node (terminals: a huge sentinel).
        high: sub-family of the sets containing the node's variable (variable removed).
        low: sub-family of the sets without it.
    """

    root: int = EMPTY
    var: list[int] = field(default_factory=lambda: [sys.maxsize, sys.maxsize])
    high: list[int] = field(default_factory=lambda: [0, 0])
    low: list[int] = field(default_factory=lambda: [0, 0])
    _unique: dict[tuple[int, int, int], int] = field(default_factory=dict)

    def node(self, v: int, hi: int, lo: int) -> int:
        """The reduced node ``v . hi ∪ lo`` (zero-suppressed: ``hi`` empty gives ``lo``)."""
        if hi == EMPTY:
            return lo
        key = (v, hi, lo)
        found = self._unique.get(key)
        if found is not None:
            return found
        self.var.append(v)
        self.high.append(hi)
        self.low.append(lo)
        nid = len(self.var) - 1
        self._unique[key] = nid
        return nid

    def count(self) -> int:
        """Number of sets in the family."""
        memo: dict[int, int] = {EMPTY: 0, BASE: 1}

        def walk(z: int) -> int:
            got = memo.get(z)
            if got is None:
                got = walk(self.high[z]) + walk(self.low[z])
                memo[z] = got
            return got

        return walk(self.root)

    def sets(self, probs: Sequence[float], cutoff: float = 0.0) -> Iterator[tuple[int, ...]]:
        """Every set (as sorted levels) whose product of probabilities is >= ``cutoff``."""
        high, low, var = self.high, self.low, self.var
        stack: list[tuple[int, tuple[int, ...], float]] = [(self.root, (), 1.0)]
        while stack:
            z, prefix, p = stack.pop()
            while z > BASE:
                hp = p * probs[var[z]]
                if hp >= cutoff:
                    stack.append((high[z], (*prefix, var[z]), hp))
                z = low[z]
            if z == BASE and p >= cutoff:
                yield prefix


def minimal_cut_sets(bdd: Bdd, max_order: int | None = None) -> CutSetFamily:
    """The minimal cut sets of ``bdd`` of order <= ``max_order`` (all when None)."""
    fam = CutSetFamily()
    limit = len(bdd.variables) if max_order is None else min(max_order, len(bdd.variables))
    var, high, low = bdd.var, bdd.high, bdd.low
    conv_memo: dict[tuple[int, int], int] = {}
    without_memo: dict[tuple[int, int], int] = {}
    zvar, zhigh, zlow = fam.var, fam.high, fam.low

    def without(p: int, q: int) -> int:
        if q == EMPTY or p == EMPTY:
            return p
        if q == BASE or p == q:
            return EMPTY
        if p == BASE:
            return BASE  # q does not hold the empty set (minimal, not BASE)
        key = (p, q)
        got = without_memo.get(key)
        if got is not None:
            return got
        vp, vq = zvar[p], zvar[q]
        if vp < vq:
            got = fam.node(vp, without(zhigh[p], q), without(zlow[p], q))
        elif vq < vp:
            got = without(p, zlow[q])
        else:
            got = fam.node(
                vp, without(without(zhigh[p], zhigh[q]), zlow[q]), without(zlow[p], zlow[q])
            )
        without_memo[key] = got
        return got

    def conv(e: int, k: int) -> int:
        if e == TRUE:
            return BASE
        if e == FALSE:
            return EMPTY
        key = (e, k)
        got = conv_memo.get(key)
        if got is not None:
            return got
        i, c = e >> 1, e & 1
        lo = conv(low[i] ^ c, k)
        if k == 0:
            got = lo
        else:
            hi = without(conv(high[i] ^ c, k - 1), lo)
            got = fam.node(var[i], hi, lo)
        conv_memo[key] = got
        return got

    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20 * len(bdd.variables) + 1000))
    try:
        fam.root = conv(bdd.root, limit)
    finally:
        sys.setrecursionlimit(old)
    return fam
