"""Fault-tree analysis: minimal cut sets, exact probability, approximations, importance.

Algorithm, chosen by measurement (``bench/bench_faulttree.py``, table in
``bench/results_faulttree.md``): the tree is compiled to a BDD with CUDD
(``dd.cudd``), the exact top-event probability and every Birnbaum factor come
from two linear passes over it, and the minimal cut sets from Rauzy's BDD→ZBDD
conversion with the order limit applied during the conversion. On the
reference models the BDD path analyses every model exactly, the largest
(cea9601, a 1.2-million-node BDD) in about 10 s, while the plain MOCUS
baseline (set expansion with subsumption) needs seconds on baobab1 and gives
up (time or memory) on cea9601; MOCUS is kept as ``method="mocus"`` for
cross-checking cut sets and as the benchmark baseline.

Conventions (those of SCRAM, so results compare with published numbers):
the probability is exact on the whole function, whatever ``max_order`` and
``cutoff`` remove from the listed cut sets; the rare-event and MCUB
approximations use the listed cut sets; on non-coherent trees the cut sets
are those of the monotone closure (negated literals dropped).

Importance factors, per basic event ``e`` with probability ``p``:
``birnbaum`` = P(top | e) − P(top | ¬e); ``fussell_vesely`` = (P(top) −
P(top | ¬e)) / P(top) (exact, the "top-event reduction" form; the classic
cut-set sum is its rare-event approximation); ``dif`` = P(e | top) =
p·P(top | e)/P(top) (what SCRAM labels "Fussell-Vesely"); ``raw`` =
P(top | e)/P(top); ``rrw`` = P(top)/P(top | ¬e).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from diagnosis.errors import InferenceError, UsageError
from diagnosis.faulttree.bdd import Bdd, compile_bdd
from diagnosis.faulttree.model import FaultTree
from diagnosis.faulttree.probability import birnbaum, top_probability
from diagnosis.faulttree.zbdd import minimal_cut_sets

__all__ = ["DEFAULT_MAX_ORDER", "Analysis", "CutSet", "Importance", "analyze"]

DEFAULT_MAX_ORDER = 20
"""Cut sets larger than this are not listed unless asked (SCRAM's default limit)."""

MAX_LISTED = 1_000_000
"""More cut sets than this cannot be listed usefully (cea9601 has 130 million of
order <= 20): :func:`analyze` refuses and asks for a lower order or a cut-off."""

Method = Literal["bdd", "mocus"]


@dataclass(frozen=True)
class CutSet:
    """A minimal cut set: sorted basic-event ids and the product of their probabilities."""

    events: tuple[str, ...]
    probability: float

    @property
    def order(self) -> int:
        return len(self.events)


@dataclass(frozen=True)
class Importance:
    """Importance factors of one basic event (see the module docstring)."""

    event: str
    probability: float
    birnbaum: float
    fussell_vesely: float
    dif: float
    raw: float
    rrw: float


@dataclass(frozen=True)
class Analysis:
    """Results of :func:`analyze`; the reporter formats, never computes.

    Attributes:
        tree: fault-tree id.
        top: the top gate id.
        probability: exact P(top) from the BDD.
        rare_event: min(1, sum of listed cut-set probabilities).
        mcub: 1 − prod(1 − P(cut set)) over the listed cut sets.
        cut_sets: listed minimal cut sets, sorted by order then names.
        max_order: the order limit applied.
        cutoff: the probability cut-off applied.
        importance: one entry per basic event, in the tree's order.
        bdd_nodes: size of the BDD (for the curious and the benchmark).
        method: how the cut sets were computed.
    """

    tree: str
    top: str
    probability: float
    rare_event: float
    mcub: float
    cut_sets: tuple[CutSet, ...]
    max_order: int
    cutoff: float
    importance: tuple[Importance, ...]
    bdd_nodes: int
    method: str = "bdd"

    def by_order(self) -> list[int]:
        """Counts of listed cut sets of order 0, 1, 2, …"""
        top = max((c.order for c in self.cut_sets), default=0)
        counts = [0] * (top + 1)
        for c in self.cut_sets:
            counts[c.order] += 1
        return counts

    def importance_of(self, event: str) -> Importance:
        return next(i for i in self.importance if i.event == event)


def analyze(
    tree: FaultTree,
    *,
    max_order: int | None = DEFAULT_MAX_ORDER,
    cutoff: float = 0.0,
    method: Method = "bdd",
    bdd: Bdd | None = None,
    max_listed: int = MAX_LISTED,
) -> Analysis:
    """Analyse ``tree``: cut sets, exact probability, approximations and importance.

    Args:
        tree: the fault tree.
        max_order: list cut sets of at most this many events (None: no limit).
        cutoff: list only cut sets whose probability is at least this.
        method: ``"bdd"`` (default) or ``"mocus"`` for the cut sets; the
            probability and importance always come from the BDD.
        bdd: the tree's BDD when already compiled (to analyse one tree
            under several limits without compiling it again).
        max_listed: refuse to list more cut sets than this.

    Raises:
        UsageError: a negative limit or a cut-off outside [0, 1].
        InferenceError: more than ``max_listed`` cut sets pass the limits.
    """
    if max_order is not None and max_order < 0:
        raise UsageError(f"--max-order must be >= 0, got {max_order}")
    if not 0.0 <= cutoff <= 1.0:
        raise UsageError(f"--cutoff must be in [0, 1], got {cutoff}")
    if bdd is None:
        bdd = compile_bdd(tree)
    probs_by_id = tree.probabilities
    probs = [probs_by_id[v] for v in bdd.variables]
    p_top = top_probability(bdd, probs)
    limit = len(bdd.variables) if max_order is None else max_order
    if method == "mocus":
        from diagnosis.faulttree.mocus import mocus_cut_sets

        raw_sets = [tuple(sorted(s)) for s in mocus_cut_sets(tree, limit)]
        cut_sets = [CutSet(s, math.prod(probs_by_id[e] for e in s)) for s in raw_sets]
        cut_sets = [c for c in cut_sets if c.probability >= cutoff]
    else:
        family = minimal_cut_sets(bdd, limit)
        if cutoff == 0.0 and (total := family.count()) > max_listed:
            raise _too_many(tree, total, limit, max_listed)
        names = bdd.variables
        cut_sets = []
        for levels in family.sets(probs, cutoff):
            if len(cut_sets) == max_listed:
                raise _too_many(tree, family.count(), limit, max_listed)
            events = tuple(sorted(names[v] for v in levels))
            cut_sets.append(CutSet(events, math.prod(probs[v] for v in levels)))
    cut_sets.sort(key=lambda c: (len(c.events), c.events))
    rare = min(1.0, math.fsum(c.probability for c in cut_sets))
    mcub = 1.0 - math.prod(1.0 - c.probability for c in cut_sets)
    return Analysis(
        tree=tree.id,
        top=tree.top,
        probability=p_top,
        rare_event=rare,
        mcub=mcub,
        cut_sets=tuple(cut_sets),
        max_order=limit,
        cutoff=cutoff,
        importance=_importance(tree, bdd.variables, probs, birnbaum(bdd, probs), p_top),
        bdd_nodes=bdd.size,
        method=method,
    )


def _too_many(tree: FaultTree, total: int, limit: int, max_listed: int) -> InferenceError:
    return InferenceError(
        f"fault tree '{tree.id}': {total} minimal cut sets of order <= {limit} "
        f"(more than {max_listed} cannot be listed): lower --max-order or set --cutoff"
    )


def _ratio(a: float, b: float) -> float:
    if b == 0.0:
        return math.inf if a > 0.0 else math.nan
    return a / b


def _importance(
    tree: FaultTree,
    variables: tuple[str, ...],
    probs: list[float],
    marginal: list[float],
    p_top: float,
) -> tuple[Importance, ...]:
    level = {v: i for i, v in enumerate(variables)}
    out: list[Importance] = []
    for e in tree.basic_events:
        p = e.probability
        b = marginal[level[e.id]] if e.id in level else 0.0
        p_true = p_top + (1.0 - p) * b  # P(top | e)
        p_false = p_top - p * b  # P(top | not e)
        out.append(
            Importance(
                event=e.id,
                probability=p,
                birnbaum=b,
                fussell_vesely=_ratio(p_top - p_false, p_top),
                dif=_ratio(p * p_true, p_top),
                raw=_ratio(p_true, p_top),
                rrw=_ratio(p_top, p_false),
            )
        )
    return tuple(out)
