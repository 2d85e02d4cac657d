"""Exact top-event probability and Birnbaum importance by conditioning on shared events.

For trees whose gates each feed one parent (only basic events are shared: a
tree with repeated leaves), where one BDD over all events can explode (issue
16's ``sparse`` generated trees: each gate shares leaves with gates up to
~15 places away on its level, and a depth-first BDD must remember every
pending shared event at once). Here every gate ``g`` gets a table: its
probability conditioned on the states of its *open* shared events, those
that occur both below ``g`` and elsewhere. Given them, the inputs of ``g`` are
independent, so the table of ``g`` is its gate function of its inputs'
tables, and the events that occur nowhere else ("closed" at ``g``) are summed
out with weights ``1 - p`` and ``p``. The top has no open event: its table is
P(top). Each gate is written as a tensor network and contracted by
``numpy.einsum`` (greedy pairwise order, so a closed event is summed out as
soon as one factor holds it): an or-gate is ``1 - prod(1 - f_i)``, an
and-gate ``prod f_i``, an atleast-gate a chain of counter matrices. On
sparse-100000 (1992 shared events) the widest gate multiplies tables over 34
shared events and the widest table has 24: about 30 s.

Birnbaum importance (``dP/dp_e`` for every event) comes from one reverse pass
(adjoints of the tables): a gate function is multilinear in each input, so
its derivative in input ``i`` is ``G(f_i = 1) - G(f_i = 0)``; a shared event's
derivative comes from where it is summed out.

Exact (no truncation): results agree with the BDD's to rounding (tests:
``tests/diagnosis/faulttree/test_ft_sparse_exact.py``). numpy is imported
here only, when this path is taken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from diagnosis.faulttree.model import FaultTree

__all__ = ["Plan", "conditioned_analysis", "plan"]

MAX_LETTERS = 52
"""numpy's ``einsum`` names at most 52 indices: a gate's shared events plus,
for atleast and xor gates, its counter's states (one per input, plus one)."""

MAX_OPEN = 27
"""At most this many open events in a gate's table (2^27 entries, 1 GiB)."""

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
        widest_table: the largest ``open``.
        letters: the most ``einsum`` indices one gate needs.
    """

    order: tuple[str, ...]
    inputs: dict[str, tuple[_Input, ...]]
    union: dict[str, tuple[int, ...]]
    open: dict[str, tuple[int, ...]]
    axes: tuple[str, ...]
    width: int
    widest_table: int
    letters: int

    @property
    def feasible(self) -> bool:
        """Whether every gate fits :data:`MAX_LETTERS` and :data:`MAX_OPEN`."""
        return self.letters <= MAX_LETTERS and self.widest_table <= MAX_OPEN


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
    width = widest = letters = 0
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
        widest = max(widest, len(still))
        counter = len(ins) + 1 if tree.gate(gid).type in ("atleast", "xor") else 0
        letters = max(letters, len(count) + counter if count else 0)
    return Plan(tuple(order), inputs, union, open_, tuple(axes), width, widest, letters)


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
        raise ValueError(f"conditioning needs {p.letters} indices, {p.widest_table} open events")
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


def _operands(
    kind: str, k: int, fs: Sequence[Any], letters: Sequence[Sequence[int]], first: int, np: Any
) -> tuple[list[tuple[Any, list[int]]], list[Any], float, Any]:
    """The gate as a tensor network over its inputs' tables.

    Returns the operands (array, letters), the derivative of each operand in its
    input's probability (an array over the same extra letters, or a float), the
    sign and offset of the output (gate = offset + sign * contraction).
    ``and``/``or``-like gates multiply ``f`` or ``1 - f``; ``atleast`` and
    ``xor`` run a counter: letters ``first``, ``first + 1``, ... are its states
    after each input (saturating at ``k``; modulo 2 for xor).
    """
    if kind in ("or", "nor", "and", "nand", "not"):
        negate = kind in ("or", "nor")
        ops = [((1.0 - f) if negate else f, list(ls)) for f, ls in zip(fs, letters, strict=True)]
        signs: list[Any] = [-1.0 if negate else 1.0] * len(fs)
        if kind in ("or", "nand", "not"):
            return ops, signs, -1.0, 1.0
        return ops, signs, 1.0, 0.0
    size = 2 if kind == "xor" else k + 1
    step = np.zeros((size, size))
    for c in range(size):
        step[c, (c + 1) % 2 if kind == "xor" else min(c + 1, k)] = 1.0
    stay = np.eye(size)
    ops = [(np.eye(size)[0], [first])]
    d: list[Any] = []
    for i, (f, ls) in enumerate(zip(fs, letters, strict=True)):
        fa = np.asarray(f)[..., None, None]
        ops.append(((1.0 - fa) * stay + fa * step, [*ls, first + i, first + i + 1]))
        d.append(step - stay)
    ops.append((np.eye(size)[1 if kind == "xor" else k], [first + len(fs)]))
    return ops, d, 1.0, 0.0


def _contract(ops: Sequence[tuple[Any, list[int]]], out: list[int], np: Any) -> Any:
    args: list[Any] = []
    for a, ls in ops:
        args += [a, ls]
    return np.einsum(*args, out, optimize="greedy")


def _network(
    tree: FaultTree,
    p: Plan,
    gid: str,
    tables: dict[str, Any],
    axis_p: list[float],
    probs: dict[str, float],
    np: Any,
) -> tuple[list[tuple[Any, list[int]]], list[Any], float, float, dict[int, int], set[int]]:
    """The gate's operands with the closed events' weights, and its letters."""
    gate = tree.gate(gid)
    kind, k = gate.type, gate.k or 1
    letter = {a: n for n, a in enumerate(p.union[gid])}
    fs: list[Any] = []
    letters: list[list[int]] = []
    for t, r in p.inputs[gid]:
        if t == "event":
            fs.append(probs[r])
            letters.append([])
        elif t == "const":
            fs.append(r)
            letters.append([])
        elif t == "shared":
            fs.append(np.array([0.0, 1.0]))
            letters.append([letter[r]])
        else:
            fs.append(tables[r])
            letters.append([letter[a] for a in p.open[r]])
    ops, d, sign, offset = _operands(kind, k, fs, letters, len(letter), np)
    closed = set(p.union[gid]) - set(p.open[gid])
    for a in sorted(closed):  # the weights come last, in this order
        ops.append((np.array([1.0 - axis_p[a], axis_p[a]]), [letter[a]]))
    return ops, d, sign, offset, letter, closed


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
    ops, _d, sign, offset, letter, _closed = _network(tree, p, gid, tables, axis_p, probs, np)
    value = offset + sign * _contract(ops, [letter[a] for a in p.open[gid]], np)
    return value if p.open[gid] else float(value)


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
    ops, d, sign, _offset, letter, closed = _network(tree, p, gid, tables, axis_p, probs, np)
    n_ops = len(ops) - len(closed)  # the weights come last
    chain = n_ops != len(ins)  # a counter: operand i + 1 is input i
    adj_op = (np.asarray(adj) * sign, [letter[a] for a in p.open[gid]])
    for n, (t, r) in enumerate(ins):
        if t in ("const", "shared"):
            continue
        i = n + 1 if chain else n
        ls = ops[i][1]
        extra = ls[len(ls) - 2 :] if chain else []
        others = [o for j, o in enumerate(ops) if j != i]
        keep = [] if t == "event" else [letter[a] for a in p.open[r]]
        if chain:
            others.append((d[n], extra))
        dd = _contract([adj_op, *others], keep, np)
        if not chain:
            dd = dd * d[n]
        if t == "event":
            marginal[r] += float(dd)
        elif not p.open[r]:
            adjoint[r] = adjoint.get(r, 0.0) + float(dd)
        elif r in adjoint:
            adjoint[r] = adjoint[r] + dd
        else:
            adjoint[r] = dd
    for j, a in enumerate(sorted(closed)):  # dP/dp_a: the weight [1 - p, p] -> [-1, 1]
        w = [*ops[: n_ops + j], *ops[n_ops + j + 1 :], (np.array([-1.0, 1.0]), [letter[a]])]
        marginal[p.axes[a]] += float(_contract([adj_op, *w], [], np))
    for t, r in ins:
        if t == "gate":
            tables.pop(r, None)
