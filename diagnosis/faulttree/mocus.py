"""MOCUS-style minimal cut sets by set expansion with subsumption (the baseline).

The textbook method: expand each gate into products of literals, bottom-up
over the shared gates (each gate expanded once), drop products longer than
the order limit as they appear, and remove non-minimal products after each
gate. Negations are pushed down to the events (negation normal form);
products holding an event and its negation are impossible and dropped, and
the negative literals are removed at the end (SCRAM's convention for
non-coherent trees). Exact but exponential: kept for cross-checking the
ZBDD results on small trees and as the benchmark baseline.
"""

from __future__ import annotations

from itertools import combinations

from diagnosis.faulttree.model import FaultTree

__all__ = ["mocus_cut_sets"]

# A product: (positive events, negative events).
_Product = tuple[frozenset[str], frozenset[str]]


def _minimise(products: set[_Product]) -> list[_Product]:
    """The products no other product is a subset of, shortest first.

    A kept product is a subset of a candidate exactly when all of its literals
    are among the candidate's: an index from each literal to the kept products
    holding it counts those hits, so a candidate costs the lengths of its
    literals' lists rather than a pass over everything kept (a 3000-gate OR
    chain went from minutes to well under a second).
    """
    ordered = sorted(products, key=lambda pr: len(pr[0]) + len(pr[1]))
    kept: list[_Product] = []
    holding: dict[tuple[str, bool], list[int]] = {}
    for pos, neg in ordered:
        if kept and not kept[0][0] and not kept[0][1]:
            break  # the empty product is kept first and subsumes everything
        literals = [(e, True) for e in pos] + [(e, False) for e in neg]
        hits: dict[int, int] = {}
        subsumed = False
        for lit in literals:
            for i in holding.get(lit, ()):
                hits[i] = hits.get(i, 0) + 1
                if hits[i] == len(kept[i][0]) + len(kept[i][1]):
                    subsumed = True
                    break
            if subsumed:
                break
        if subsumed:
            continue
        for lit in literals:
            holding.setdefault(lit, []).append(len(kept))
        kept.append((pos, neg))
    return kept


def _and(families: list[list[_Product]], k: int) -> list[_Product]:
    acc: set[_Product] = {(frozenset(), frozenset())}
    for fam in families:
        nxt: set[_Product] = set()
        for p1, n1 in acc:
            for p2, n2 in fam:
                pos, neg = p1 | p2, n1 | n2
                if len(pos) <= k and not pos & neg:
                    nxt.add((pos, neg))
        acc = set(_minimise(nxt))
    return list(acc)


def _or(families: list[list[_Product]]) -> list[_Product]:
    return _minimise({pr for fam in families for pr in fam})


def mocus_cut_sets(tree: FaultTree, max_order: int) -> list[frozenset[str]]:
    """Minimal cut sets of ``tree`` with at most ``max_order`` events."""
    memo: dict[tuple[str, bool], list[_Product]] = {}
    true: list[_Product] = [(frozenset(), frozenset())]
    false: list[_Product] = []

    def deps(nid: str, positive: bool) -> list[tuple[str, bool]]:
        """The (node, polarity) expansions that node ``nid`` needs first."""
        if not tree.is_gate(nid):
            return []
        g = tree.gate(nid)
        if g.type == "xor":
            return [(i, pol) for i in g.inputs for pol in (True, False)]
        flip = g.type in ("nand", "nor", "not")
        return [(i, positive != flip) for i in g.inputs]

    def expand(top: str, positive: bool) -> list[_Product]:
        # Iterative post-order over (node, polarity): deep trees need no recursion.
        stack: list[tuple[str, bool, bool]] = [(top, positive, False)]
        while stack:
            nid, pol, ready = stack.pop()
            key = (nid, pol)
            if key in memo:
                continue
            if not ready:
                stack.append((nid, pol, True))
                stack.extend((i, ip, False) for i, ip in deps(nid, pol) if (i, ip) not in memo)
                continue
            out: list[_Product]
            if tree.is_basic(nid):
                lit = frozenset([nid])
                out = [(lit, frozenset())] if pol else [(frozenset(), lit)]
            elif tree.is_house(nid):
                out = true if tree.house_event(nid).state == pol else false
            else:
                out = _gate(nid, pol)
            memo[key] = out
        return memo[(top, positive)]

    def _gate(nid: str, positive: bool) -> list[_Product]:
        g = tree.gate(nid)
        t: str = g.type
        if t in ("nand", "nor", "not"):
            positive = not positive
            t = {"nand": "and", "nor": "or", "not": "and"}[t]
        ins = g.inputs
        if t == "and":
            fams = [memo[(i, positive)] for i in ins]
            return _and(fams, max_order) if positive else _or(fams)
        if t == "or":
            fams = [memo[(i, positive)] for i in ins]
            return _or(fams) if positive else _and(fams, max_order)
        if t == "atleast":
            need = g.k or 1
            if not positive:  # fewer than k true = at least n-k+1 false
                need = len(ins) - need + 1
            terms = [
                _and([memo[(i, positive)] for i in combo], max_order)
                for combo in combinations(ins, need)
            ]
            return _or(terms)
        # xor, n-ary: parity; built pairwise as (a and not b) or (not a and b).
        acc_pos, acc_neg = memo[(ins[0], True)], memo[(ins[0], False)]
        for i in ins[1:]:
            b_pos, b_neg = memo[(i, True)], memo[(i, False)]
            new_pos = _or([_and([acc_pos, b_neg], max_order), _and([acc_neg, b_pos], max_order)])
            new_neg = _or([_and([acc_pos, b_pos], max_order), _and([acc_neg, b_neg], max_order)])
            acc_pos, acc_neg = new_pos, new_neg
        return acc_pos if positive else acc_neg

    products = expand(tree.top, True)
    positives = {pos for pos, _neg in products}
    ordered = sorted(positives, key=len)
    kept: list[frozenset[str]] = []
    for s in ordered:
        if not any(k <= s for k in kept):
            kept.append(s)
    return kept
