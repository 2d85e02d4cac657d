"""Exact top-event probability and Birnbaum importance by conditioning on shared events.

For trees whose gates each feed one parent (only basic events are shared: a
tree with repeated leaves), where one BDD over all events can explode (issue
16's ``sparse`` generated trees: each gate shares leaves with gates up to
~15 places away on its level, and a depth-first BDD must remember every
pending shared event at once). Here every gate ``g`` gets a table: its
probability conditioned on the states of its *open* shared events, those
that occur both below ``g`` and elsewhere. Given them, the inputs of ``g`` are
independent, so the table of ``g`` is its gate function applied entry by
entry to its inputs' tables (broadcast over the union ``U`` of their open
events), then the events of ``U`` that occur nowhere else ("closed" at ``g``)
are summed out with weights ``1 - p`` and ``p``. The top has no open event:
its table is P(top). Cost: about ``2^|U|`` per gate (``|U|`` is 34 at most
on sparse-100000); tables wider than :data:`CHUNK_AXES` are computed in slices
(one per state of their first events) so memory follows the widest *open* set.

Birnbaum importance (``dP/dp_e`` for every event) comes from one reverse pass
(adjoints of the tables): a gate function is multilinear in each input, so
its derivative in input ``i`` is ``G(f_i = 1) - G(f_i = 0)``; a shared event's
derivative comes from where it is summed out.

Exact (no truncation): results agree with the BDD's to rounding (tests:
``tests/diagnosis/faulttree/test_ft_sparse_exact.py``). numpy is imported
here only, when this path is taken.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from diagnosis.faulttree.model import FaultTree

__all__ = ["Plan", "conditioned_analysis", "plan"]

CHUNK_AXES = 20
"""Tables over more events than this are computed in slices of 2^20 entries."""

MAX_UNION = 26
"""At most this many shared events in one gate's product (2^6 slices of 2^20
entries, a few seconds): wider plans are out of reach (:attr:`Plan.feasible`).
sparse-100000 needs 34 (four gates near the top over 27); computed slice by
slice that would be hours."""

_GATES = frozenset({"and", "or", "atleast", "not", "nand", "nor", "xor"})

# An input: ("gate", gate id) | ("shared", axis) | ("event", event id) | ("const", value).
_Input = tuple[str, Any]


@dataclass(frozen=True)
class Plan:
    """How a tree is conditioned: gates children first, each with its tables' events.

    Attributes:
        order: gate ids, children before parents (the top last).
        inputs: per gate, its inputs (see ``_Input``).
        union: per gate, the sorted axes of its product (its inputs' open events).
        open: per gate, the sorted axes of its table.
        axes: the shared events, ``axes[a]`` the event of axis ``a``.
        width: the largest ``union``.
    """

    order: tuple[str, ...]
    inputs: dict[str, tuple[_Input, ...]]
    union: dict[str, tuple[int, ...]]
    open: dict[str, tuple[int, ...]]
    axes: tuple[str, ...]
    width: int

    @property
    def feasible(self) -> bool:
        """Whether every gate's product stays within :data:`MAX_UNION` events."""
        return self.width <= MAX_UNION


def plan(tree: FaultTree) -> Plan | None:
    """The conditioning plan of ``tree``, or None when it does not apply.

    It applies when no gate feeds two parents (nor the top any) and every
    gate is a Boolean gate of independent inputs (and, or, atleast, not,
    nand, nor, xor); :attr:`Plan.feasible` says whether it is affordable.
    """
    if not tree.is_gate(tree.top):
        return None
    uses: dict[str, int] = {}
    for g in tree.gates:
        if g.type not in _GATES:
            return None
        for i in g.inputs:
            uses[i] = uses.get(i, 0) + 1
    order: list[str] = []
    stack: list[tuple[str, bool]] = [(tree.top, False)]
    while stack:  # iterative post-order (deep trees)
        nid, done = stack.pop()
        if done:
            order.append(nid)
            continue
        stack.append((nid, True))
        for i in reversed(tree.gate(nid).inputs):
            if tree.is_gate(i):
                if uses[i] > 1 or i == tree.top:
                    return None
                stack.append((i, False))
    total: dict[str, int] = {}  # occurrences of each event under the top
    for gid in order:
        for i in tree.gate(gid).inputs:
            if tree.is_basic(i):
                total[i] = total.get(i, 0) + 1
    axis_of: dict[str, int] = {}
    axes: list[str] = []
    for gid in order:
        for i in tree.gate(gid).inputs:
            if total.get(i, 0) > 1 and i not in axis_of:
                axis_of[i] = len(axes)
                axes.append(i)
    seen: dict[str, dict[int, int]] = {}  # per gate: occurrences below it of its open axes
    inputs: dict[str, tuple[_Input, ...]] = {}
    union: dict[str, tuple[int, ...]] = {}
    open_: dict[str, tuple[int, ...]] = {}
    width = 0
    for gid in order:
        count: dict[int, int] = {}
        ins: list[_Input] = []
        for i in tree.gate(gid).inputs:
            if tree.is_gate(i):
                ins.append(("gate", i))
                for a, n in seen.pop(i).items():
                    count[a] = count.get(a, 0) + n
            elif i in axis_of:
                a = axis_of[i]
                ins.append(("shared", a))
                count[a] = count.get(a, 0) + 1
            elif tree.is_basic(i):
                ins.append(("event", i))
            else:
                ins.append(("const", 1.0 if tree.house_event(i).state else 0.0))
        still = {a: n for a, n in count.items() if n < total[axes[a]]}
        seen[gid] = still
        inputs[gid] = tuple(ins)
        union[gid] = tuple(sorted(count))
        open_[gid] = tuple(sorted(still))
        width = max(width, len(count))
    return Plan(tuple(order), inputs, union, open_, tuple(axes), width)


@dataclass(frozen=True)
class ConditionedResult:
    """P(top) and dP(top)/dp_e for every basic event reached (0 for the others)."""

    probability: float
    birnbaum: dict[str, float]
    width: int


def conditioned_analysis(tree: FaultTree, p: Plan) -> ConditionedResult:
    """Exact P(top) and every Birnbaum factor of ``tree`` following ``p``.

    Raises:
        ValueError: the plan is not :attr:`Plan.feasible`.
    """
    import numpy as np

    if not p.feasible:
        raise ValueError(f"conditioning over {p.width} shared events (at most {MAX_UNION})")
    probs = tree.probabilities
    axis_p = [probs[e] for e in p.axes]
    tables: dict[str, Any] = {}  # gate -> float or ndarray over p.open[gate]
    for gid in p.order:
        tables[gid] = _forward(tree, p, gid, tables, axis_p, probs, np)
    top = tables[p.order[-1]]
    p_top = float(top)
    marginal: dict[str, float] = {e.id: 0.0 for e in tree.basic_events}
    adjoint: dict[str, Any] = {p.order[-1]: 1.0}
    for gid in reversed(p.order):
        _backward(tree, p, gid, tables, adjoint, axis_p, probs, marginal, np)
    return ConditionedResult(p_top, marginal, p.width)


def _gate_value(kind: str, k: int, fs: Sequence[Any]) -> Any:
    """The gate's probability from its independent inputs' (entry by entry)."""
    if kind in ("or", "nor"):
        q: Any = 1.0
        for f in fs:
            q = q * (1.0 - f)
        return 1.0 - q if kind == "or" else q
    if kind in ("and", "nand"):
        r: Any = 1.0
        for f in fs:
            r = r * f
        return r if kind == "and" else 1.0 - r
    if kind == "not":
        return 1.0 - fs[0]
    if kind == "xor":
        s: Any = 1.0
        for f in fs:
            s = s * (1.0 - 2.0 * f)
        return 0.5 - 0.5 * s
    # atleast: dist[j] = P(exactly j of the inputs so far), j < k; P(>= k) = 1 - sum.
    dist: list[Any] = [1.0] + [0.0] * (k - 1)
    for f in fs:
        for j in range(k - 1, 0, -1):
            dist[j] = dist[j] * (1.0 - f) + dist[j - 1] * f
        dist[0] = dist[0] * (1.0 - f)
    below: Any = 0.0
    for d in dist:
        below = below + d
    return 1.0 - below


def _gate_derivative(kind: str, k: int, fs: Sequence[Any], n: int) -> Any:
    """d(gate)/d(input n) = G(f_n = 1) - G(f_n = 0), as a product (no cancellation)."""
    others = [f for i, f in enumerate(fs) if i != n]
    out: Any = 1.0
    if kind in ("or", "nor"):
        for f in others:
            out = out * (1.0 - f)
        return out if kind == "or" else -out
    if kind in ("and", "nand"):
        for f in others:
            out = out * f
        return out if kind == "and" else -out
    if kind == "not":
        return -1.0
    if kind == "xor":
        for f in others:
            out = out * (1.0 - 2.0 * f)
        return out
    # atleast k: P(exactly k - 1 of the others are true).
    dist: list[Any] = [1.0] + [0.0] * (k - 1)
    for f in others:
        for j in range(k - 1, 0, -1):
            dist[j] = dist[j] * (1.0 - f) + dist[j - 1] * f
        dist[0] = dist[0] * (1.0 - f)
    return dist[k - 1]


def _slices(p: Plan, gid: str) -> tuple[tuple[int, ...], tuple[int, ...], list[tuple[int, ...]]]:
    """The product's outer axes (iterated), inner axes (one slice) and the outer states."""
    u = p.union[gid]
    n_outer = max(0, len(u) - CHUNK_AXES)
    outer, inner = u[:n_outer], u[n_outer:]
    return outer, inner, list(itertools.product((0, 1), repeat=n_outer))


def _input_slice(
    inp: _Input,
    tables: dict[str, Any],
    p: Plan,
    outer: tuple[int, ...],
    inner: tuple[int, ...],
    state: tuple[int, ...],
    probs: dict[str, float],
    np: Any,
) -> Any:
    """One input's table for the outer ``state``, shaped to broadcast over ``inner``."""
    kind, ref = inp
    if kind == "event":
        return probs[ref]
    if kind == "const":
        return ref
    if kind == "shared":
        if ref in outer:
            return float(state[outer.index(ref)])
        shape = [2 if a == ref else 1 for a in inner]
        return np.array([0.0, 1.0]).reshape(shape)
    table = tables[ref]
    scope = p.open[ref]
    if not scope:
        return table
    index = tuple(state[outer.index(a)] for a in scope if a in outer)
    part = table[index] if index else table
    return part.reshape([2 if a in scope else 1 for a in inner])


def _weights(
    inner: tuple[int, ...], closed: set[int], axis_p: list[float], np: Any
) -> list[tuple[int, Any]]:
    """(position, weight vector shaped for broadcast) of each closed inner axis."""
    out = []
    for pos, a in enumerate(inner):
        if a in closed:
            shape = [1] * len(inner)
            shape[pos] = 2
            out.append((pos, np.array([1.0 - axis_p[a], axis_p[a]]).reshape(shape)))
    return out


def _outer_weight(
    outer: tuple[int, ...], state: tuple[int, ...], closed: set[int], axis_p: list[float]
) -> float:
    w = 1.0
    for a, s in zip(outer, state, strict=True):
        if a in closed:
            w *= axis_p[a] if s else 1.0 - axis_p[a]
    return w


def _forward(
    tree: FaultTree,
    p: Plan,
    gid: str,
    tables: dict[str, Any],
    axis_p: list[float],
    probs: dict[str, float],
    np: Any,
) -> Any:
    gate = tree.gate(gid)
    kind, k = gate.type, gate.k or 1
    ins = p.inputs[gid]
    if not p.union[gid]:  # the common case: plain floats
        fs = [probs[r] if t == "event" else r if t == "const" else tables[r] for t, r in ins]
        return _gate_value(kind, k, fs)
    keep = p.open[gid]
    closed = set(p.union[gid]) - set(keep)
    outer, inner, states = _slices(p, gid)
    weights = _weights(inner, closed, axis_p, np)
    kept_inner = tuple(a for a in inner if a not in closed)
    out = np.zeros([2] * len(keep)) if keep else None
    total = 0.0
    for state in states:
        fs = [_input_slice(i, tables, p, outer, inner, state, probs, np) for i in ins]
        v = np.broadcast_to(_gate_value(kind, k, fs), [2] * len(inner))
        for _pos, w in weights:
            v = v * w
        axes = tuple(pos for pos, a in enumerate(inner) if a in closed)
        v = v.sum(axis=axes) if axes else v
        v = v * _outer_weight(outer, state, closed, axis_p)
        if out is None:
            total += float(v)
            continue
        index = tuple(s for a, s in zip(outer, state, strict=True) if a not in closed)
        out[index] += v.reshape([2] * len(kept_inner))
    return out if out is not None else total


def _backward(
    tree: FaultTree,
    p: Plan,
    gid: str,
    tables: dict[str, Any],
    adjoint: dict[str, Any],
    axis_p: list[float],
    probs: dict[str, float],
    marginal: dict[str, float],
    np: Any,
) -> None:
    gate = tree.gate(gid)
    kind, k = gate.type, gate.k or 1
    ins = p.inputs[gid]
    adj = adjoint.pop(gid, 0.0)
    if not p.union[gid]:  # plain floats
        fs = [probs[r] if t == "event" else r if t == "const" else tables[r] for t, r in ins]
        for n, (t, r) in enumerate(ins):
            if t in ("event", "gate"):
                dg = _gate_derivative(kind, k, fs, n)
                if t == "event":
                    marginal[r] += adj * dg
                else:
                    adjoint[r] = adjoint.get(r, 0.0) + adj * dg
                    tables.pop(r)
        return
    keep = p.open[gid]
    closed = set(p.union[gid]) - set(keep)
    outer, inner, states = _slices(p, gid)
    weights = _weights(inner, closed, axis_p, np)
    shape = [2] * len(inner)
    for state in states:
        fs = [_input_slice(i, tables, p, outer, inner, state, probs, np) for i in ins]
        # The adjoint of the product's entries: the table's, times the closed weights.
        if keep:
            index = tuple(s for a, s in zip(outer, state, strict=True) if a in keep)
            a_part = adj[index] if index else adj
            a_part = np.asarray(a_part).reshape([2 if a in keep else 1 for a in inner])
        else:
            a_part = adj
        w_outer = _outer_weight(outer, state, closed, axis_p)
        base = a_part * w_outer
        for _pos, w in weights:
            base = base * w
        for n, (t, r) in enumerate(ins):
            if t in ("const", "shared"):
                continue
            d = base * _gate_derivative(kind, k, fs, n)
            if t == "event":
                marginal[r] += float(np.sum(d))
                continue
            scope = p.open[r]
            if not scope:
                adjoint[r] = adjoint.get(r, 0.0) + float(np.sum(d))
                continue
            d = np.broadcast_to(d, shape)
            axes = tuple(pos for pos, a in enumerate(inner) if a not in scope)
            d = d.sum(axis=axes) if axes else d
            d = d.reshape([2] * sum(1 for a in scope if a in inner))
            if r not in adjoint:
                adjoint[r] = np.zeros([2] * len(scope))
            index = tuple(state[outer.index(a)] for a in scope if a in outer)
            adjoint[r][index] += d
        if closed:
            g = a_part * np.broadcast_to(_gate_value(kind, k, fs), shape)
            _closed_marginals(g, inner, outer, state, closed, weights, axis_p, p, marginal)
    for t, r in ins:
        if t == "gate":
            tables.pop(r, None)


def _closed_marginals(
    g: Any,
    inner: tuple[int, ...],
    outer: tuple[int, ...],
    state: tuple[int, ...],
    closed: set[int],
    weights: list[tuple[int, Any]],
    axis_p: list[float],
    p: Plan,
    marginal: dict[str, float],
) -> None:
    """dP/dp_a for each axis ``a`` summed out at this gate (its weights ``1-p, p``)."""
    import numpy as np

    for a in closed:
        v = g
        w_outer = 1.0
        for b, s in zip(outer, state, strict=True):
            if b in closed:
                if b == a:
                    w_outer *= 1.0 if s else -1.0
                else:
                    w_outer *= axis_p[b] if s else 1.0 - axis_p[b]
        for pos, w in weights:
            if inner[pos] == a:
                dshape = [1] * len(inner)
                dshape[pos] = 2
                v = v * np.array([-1.0, 1.0]).reshape(dshape)
            else:
                v = v * w
        marginal[p.axes[a]] += float(np.sum(v)) * w_outer

