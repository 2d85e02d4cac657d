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
from typing import Any

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

    def reachable(self) -> list[int]:
        """The decision nodes under the root, in increasing id (children first)."""
        high, low = self.high, self.low
        seen = bytearray(len(self.var))
        stack = [self.root]
        out: list[int] = []
        while stack:
            z = stack.pop()
            if z <= BASE or seen[z]:
                continue
            seen[z] = 1
            out.append(z)
            stack.append(high[z])
            stack.append(low[z])
        out.sort()
        return out

    def count(self) -> int:
        """Number of sets in the family: one pass over its nodes, nothing listed."""
        return sum(self.count_by_order())

    def count_by_order(self) -> list[int]:
        """Number of sets of order 0, 1, 2, … (one pass over the nodes, nothing listed).

        Each node's counts come from its children's: ``n[z][j] = n[high][j - 1]
        + n[low][j]``, children first (node ids grow from the terminals up).
        """
        if self.root <= BASE:
            return [self.root]  # [0] for the empty family, [1] for {∅}
        high, low = self.high, self.low
        counts: dict[int, list[int]] = {EMPTY: [], BASE: [1]}
        for z in self.reachable():
            h, lo = counts[high[z]], counts[low[z]]
            out = [0, *h] if len(h) >= len(lo) else [0, *h, *([0] * (len(lo) - len(h) - 1))]
            for j, n in enumerate(lo):
                out[j] += n
            counts[z] = out
        return counts[self.root]

    def weighted_sum(self, weights: Sequence[float]) -> float:
        """Sum over the sets of the product of their weights (``weights[level]``), in one pass.

        With probabilities as weights this is the rare-event sum over every set.
        """
        if self.root <= BASE:
            return float(self.root)
        high, low, var = self.high, self.low, self.var
        acc: dict[int, float] = {EMPTY: 0.0, BASE: 1.0}
        for z in self.reachable():
            acc[z] = weights[var[z]] * acc[high[z]] + acc[low[z]]
        return acc[self.root]

    def power_sums(self, weights: Sequence[float], terms: int) -> list[float]:
        """``[sum_s prod_{v in s} weights[v] ** m for m in 1..terms]``, in one pass."""
        if self.root <= BASE:
            return [float(self.root)] * terms
        high, low, var = self.high, self.low, self.var
        powers = [[w ** (m + 1) for m in range(terms)] for w in weights]
        acc: dict[int, list[float]] = {EMPTY: [0.0] * terms, BASE: [1.0] * terms}
        for z in self.reachable():
            h, lo, pw = acc[high[z]], acc[low[z]], powers[var[z]]
            acc[z] = [a * b + c for a, b, c in zip(pw, h, lo, strict=True)]
        return acc[self.root]

    def most_probable(
        self, weights: Sequence[float], cutoff: float = 0.0
    ) -> Iterator[tuple[tuple[int, ...], float]]:
        """Sets with their products, most probable first, best-first (A*) on the ZBDD.

        Each node's bound is the largest product below it (one pass), so a
        set is produced as soon as nothing left can beat it: the first
        sets come at once, without enumerating the family.
        """
        import heapq

        if self.root <= BASE:
            if self.root == BASE and cutoff <= 1.0:
                yield (), 1.0
            return
        high, low, var = self.high, self.low, self.var
        best: dict[int, float] = {EMPTY: 0.0, BASE: 1.0}
        for z in self.reachable():
            best[z] = max(weights[var[z]] * best[high[z]], best[low[z]])
        tick = 0  # insertion order breaks ties: no comparison of the tuples
        heap: list[tuple[float, int, int, tuple[int, ...], float]] = [
            (-best[self.root], tick, self.root, (), 1.0)
        ]
        while heap:
            _bound, _t, z, prefix, p = heapq.heappop(heap)
            if z == BASE:
                yield prefix, p
                continue
            hp = p * weights[var[z]]
            hb = hp * best[high[z]]
            if hb > 0.0 and hb >= cutoff:
                tick += 1
                heapq.heappush(heap, (-hb, tick, high[z], (*prefix, var[z]), hp))
            lb = p * best[low[z]]
            if lb > 0.0 and lb >= cutoff:
                tick += 1
                heapq.heappush(heap, (-lb, tick, low[z], prefix, p))

    def max_product(self, weights: Sequence[float]) -> float:
        """The largest product of weights over the sets (0 for the empty family)."""
        if self.root <= BASE:
            return float(self.root)
        high, low, var = self.high, self.low, self.var
        acc: dict[int, float] = {EMPTY: 0.0, BASE: 1.0}
        for z in self.reachable():
            acc[z] = max(weights[var[z]] * acc[high[z]], acc[low[z]])
        return acc[self.root]

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
    """The minimal cut sets of ``bdd`` of order <= ``max_order`` (all when None).

    Iterative (an explicit task stack, no Python recursion), so a BDD as deep
    as the tree has events (an OR of 100,000 inputs) converts at any depth.
    """
    fam = CutSetFamily()
    limit = len(bdd.variables) if max_order is None else min(max_order, len(bdd.variables))
    fam.root = _convert(fam, bdd, bdd.root, limit)
    return fam


# Task codes of the conversion machine (see _convert).
_CONV, _AFTER_LOW, _WITHOUT, _THEN_WITHOUT, _BUILD = range(5)


def _convert(fam: CutSetFamily, bdd: Bdd, root: int, limit: int) -> int:
    """Rauzy's conversion run on an explicit stack instead of recursion.

    The recursive definitions it evaluates::

        conv(e, k)    = BASE / EMPTY on the terminals true / false
                      = conv(low, k)                               if k == 0
                      = node(x, without(conv(high, k-1), L), L)    with L = conv(low, k)
        without(p, q) = p if q is EMPTY; EMPTY if q is BASE or p == q; BASE if p is BASE
                      = without(p, low(q))                          if var(q) < var(p)
                      = node(v, without(high(p), q), without(low(p), q))   if var(p) < var(q)
                      = node(v, without(without(high(p), high(q)), low(q)),
                                without(low(p), low(q)))            if var(p) == var(q)

    ``tasks`` holds tuples led by a task code, ``values`` the results in the
    order the tasks complete. A sub-call that is a terminal case or already
    memoised is answered on the spot instead of becoming a task (most are).
    """
    var, high, low = bdd.var, bdd.high, bdd.low
    zvar, zhigh, zlow = fam.var, fam.high, fam.low
    node = fam.node
    conv_memo: dict[tuple[int, int], int] = {}
    w_memo: dict[tuple[int, int], int] = {}
    conv_get, w_get = conv_memo.get, w_memo.get
    nvars = len(bdd.variables)
    values: list[int] = []
    tasks: list[tuple[Any, ...]] = [(_CONV, root, limit)]
    push, pop = tasks.append, tasks.pop
    vpush, vpop = values.append, values.pop

    def quick_w(p: int, q: int) -> int:
        if q == EMPTY or p == EMPTY:
            return p
        if q == BASE or p == q:
            return EMPTY
        if p == BASE:
            return BASE  # q is minimal and not {∅}: it holds no empty set
        got = w_get((p, q))
        return -1 if got is None else got

    def quick_c(e: int, k: int) -> int:
        if e == TRUE:
            return BASE
        if e == FALSE:
            return EMPTY
        # A limit above the number of variables below the node limits nothing:
        # clamping it keeps one memo entry per node on deep chains.
        got = conv_get((e, min(k, nvars - var[e >> 1])))
        return -1 if got is None else got

    while tasks:
        task = pop()
        code = task[0]
        if code == _WITHOUT:
            p, q = task[1], task[2]
            got = quick_w(p, q)
            if got >= 0:
                vpush(got)
                continue
            key = (p, q)
            vp = zvar[p]
            # Sets of q holding a variable above p's cannot be subsets of p's sets.
            while zvar[q] < vp:
                q = zlow[q]
                got = quick_w(p, q)
                if got >= 0:
                    break
            if got >= 0:
                w_memo[key] = got
                vpush(got)
                continue
            keys: tuple[tuple[int, int], ...] = (key, (p, q))
            if zvar[q] == vp:
                hq, lq = zhigh[q], zlow[q]
                lo = quick_w(zlow[p], lq)
                if lo < 0:
                    push((_BUILD, vp, w_memo, keys))
                    push((_THEN_WITHOUT, lq))
                    push((_WITHOUT, zhigh[p], hq))
                    push((_WITHOUT, zlow[p], lq))
                    continue
                w = quick_w(zhigh[p], hq)
                if w < 0:
                    vpush(lo)
                    push((_BUILD, vp, w_memo, keys))
                    push((_THEN_WITHOUT, lq))
                    push((_WITHOUT, zhigh[p], hq))
                    continue
                hi = quick_w(w, lq)
                if hi < 0:
                    vpush(lo)
                    push((_BUILD, vp, w_memo, keys))
                    push((_WITHOUT, w, lq))
                    continue
            else:  # var(p) < var(q)
                lo = quick_w(zlow[p], q)
                if lo < 0:
                    push((_BUILD, vp, w_memo, keys))
                    push((_WITHOUT, zhigh[p], q))
                    push((_WITHOUT, zlow[p], q))
                    continue
                hi = quick_w(zhigh[p], q)
                if hi < 0:
                    vpush(lo)
                    push((_BUILD, vp, w_memo, keys))
                    push((_WITHOUT, zhigh[p], q))
                    continue
            got = node(vp, hi, lo)
            for k2 in keys:
                w_memo[k2] = got
            vpush(got)
        elif code == _CONV:
            e, k = task[1], task[2]
            got = quick_c(e, k)
            if got >= 0:
                vpush(got)
                continue
            i, c = e >> 1, e & 1
            k = min(k, nvars - var[i])
            lo = quick_c(low[i] ^ c, k)
            if lo < 0:
                push((_AFTER_LOW, e, k))
                push((_CONV, low[i] ^ c, k))
                continue
            vpush(lo)
            push((_AFTER_LOW, e, k))
        elif code == _AFTER_LOW:
            # conv(low, k) is on top of the values.
            e, k = task[1], task[2]
            lo = values[-1]
            if k == 0:
                conv_memo[(e, k)] = lo
                continue
            i, c = e >> 1, e & 1
            keys = ((e, k),)
            raw = quick_c(high[i] ^ c, k - 1)
            if raw < 0:
                push((_BUILD, var[i], conv_memo, keys))
                push((_THEN_WITHOUT, lo))
                push((_CONV, high[i] ^ c, k - 1))
                continue
            hi = quick_w(raw, lo)
            if hi < 0:
                push((_BUILD, var[i], conv_memo, keys))
                push((_WITHOUT, raw, lo))
                continue
            vpop()
            got = node(var[i], hi, lo)
            conv_memo[(e, k)] = got
            vpush(got)
        elif code == _THEN_WITHOUT:
            # The first argument is the value just computed.
            push((_WITHOUT, vpop(), task[1]))
        else:  # _BUILD: high on top of low
            hi = vpop()
            lo = vpop()
            got = node(task[1], hi, lo)
            memo = task[2]
            for k2 in task[3]:
                memo[k2] = got
            vpush(got)
    return values[-1]
