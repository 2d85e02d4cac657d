"""Exact probability and its derivatives on a :class:`~diagnosis.faulttree.bdd.Bdd`.

The top-event probability is the Shannon expansion evaluated bottom-up, and
the Birnbaum importance of every event (dP/dp_i, exact because P is
multilinear in the p_i) comes from one top-down adjoint pass over the same
nodes: linear in the BDD size for all events together.
"""

from __future__ import annotations

from collections.abc import Sequence

from diagnosis.faulttree.bdd import Bdd

__all__ = ["birnbaum", "node_probabilities", "top_probability"]


def node_probabilities(bdd: Bdd, probs: Sequence[float]) -> list[float]:
    """P(function of the regular node i) for every node, children first."""
    var, high, low = bdd.var, bdd.high, bdd.low
    out = [1.0] * len(var)
    for i in range(1, len(var)):
        h, lo = high[i], low[i]
        ph = 1.0 - out[h >> 1] if h & 1 else out[h >> 1]
        pl = 1.0 - out[lo >> 1] if lo & 1 else out[lo >> 1]
        p = probs[var[i]]
        out[i] = p * ph + (1.0 - p) * pl
    return out


def top_probability(bdd: Bdd, probs: Sequence[float]) -> float:
    """Exact P(top) given ``probs[level]`` for each variable."""
    node_p = node_probabilities(bdd, probs)
    r = bdd.root
    return 1.0 - node_p[r >> 1] if r & 1 else node_p[r >> 1]


def birnbaum(bdd: Bdd, probs: Sequence[float]) -> list[float]:
    """dP(top)/dp for every variable level (Birnbaum's marginal importance)."""
    var, high, low = bdd.var, bdd.high, bdd.low
    node_p = node_probabilities(bdd, probs)
    adj = [0.0] * len(var)
    r = bdd.root
    adj[r >> 1] = -1.0 if r & 1 else 1.0
    out = [0.0] * len(bdd.variables)
    for i in range(len(var) - 1, 0, -1):
        a = adj[i]
        if a == 0.0:
            continue
        h, lo = high[i], low[i]
        ph = 1.0 - node_p[h >> 1] if h & 1 else node_p[h >> 1]
        pl = 1.0 - node_p[lo >> 1] if lo & 1 else node_p[lo >> 1]
        p = probs[var[i]]
        out[var[i]] += a * (ph - pl)
        adj[h >> 1] += -a * p if h & 1 else a * p
        adj[lo >> 1] += -a * (1.0 - p) if lo & 1 else a * (1.0 - p)
    return out
