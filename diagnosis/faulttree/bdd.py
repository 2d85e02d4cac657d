"""Binary decision diagram of a fault tree: the exact Boolean function.

The only module that talks to the ``dd`` package (its CUDD bindings,
``dd.cudd``, shipped in the binary wheels). The tree is compiled gate by gate with CUDD (dynamic
reordering by sifting on), then copied once into :class:`Bdd`, a flat,
immutable array form that the analyses walk with plain loops:

* edges are integers ``2 * node + complement``; node 0 is the terminal
  *true*, so edge 0 is true and edge 1 is false;
* ``nodes`` are listed children first, so one forward loop computes any
  bottom-up quantity (probability) and one backward loop any top-down one
  (the derivatives behind Birnbaum importance).

Variables are ordered by a depth-first walk of the tree (inputs that are
used together end up close), which sifting then improves.
"""

from __future__ import annotations

import importlib
import sys
import types
from array import array
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from diagnosis.errors import InferenceError
from diagnosis.faulttree.model import FaultTree

__all__ = [
    "FALSE",
    "TRUE",
    "Bdd",
    "BddTooLarge",
    "compile_bdd",
    "gate_probabilities",
    "variable_order",
]

TRUE = 0
FALSE = 1
_CACHE_ENTRIES = 1 << 18
_SMALL_TREE = 1000
"""Trees with at most this many gates and events start CUDD with a smaller computed table."""


@dataclass(frozen=True)
class Bdd:
    """A reduced ordered BDD with complement edges, in flat form.

    Attributes:
        variables: basic-event ids; ``variables[v]`` is the event of level ``v``.
        var: ``var[i]`` is the level of node ``i`` (node 0, the terminal, has -1).
        high: the edge taken when the variable is true.
        low: the edge taken when the variable is false.
        root: the edge of the top event.

    ``var``, ``high`` and ``low`` are read-only views of machine-integer
    arrays (a third of the memory of tuples of Python ints on large BDDs).
    """

    variables: tuple[str, ...]
    var: Sequence[int]
    high: Sequence[int]
    low: Sequence[int]
    root: int

    @property
    def size(self) -> int:
        """Number of decision nodes."""
        return len(self.var) - 1


def _import_dd() -> Any:
    if "dd.cudd" in sys.modules:
        return sys.modules["dd.cudd"]
    # dd imports networkx (60 ms) only for its optional graph export, which is not
    # used here: hide it while dd loads, unless it is already loaded.
    hide = "networkx" not in sys.modules
    if hide:
        sys.modules["networkx"] = None  # type: ignore[assignment]
    # dd.cudd imports, for features not used here (expressions, copies to other BDD
    # managers, file dumps, minterm enumeration), its parser (ply, astutils), its
    # pure-Python BDD and copy modules: about 10 ms of a 0.1 s ``ft analyze``. Each is
    # replaced by a stand-in that imports the real module on first use.
    stand_ins: dict[str, types.ModuleType] = {
        name: _LazyModule(name) for name in _LAZY_DD if name not in sys.modules
    }
    if "logging" not in sys.modules:  # dd.cudd only takes its logger (see _LazyLogger)
        stand_ins["logging"] = _LazyLogging("logging")
    sys.modules.update(stand_ins)
    try:
        import dd.cudd as backend
    except ImportError as exc:  # pragma: no cover - depends on the wheel
        # The flat copy relies on CUDD's complement-edge pointers; the pure-Python
        # dd.autoref has another node encoding, so it is not a silent fallback.
        raise InferenceError(
            "fault-tree analysis needs the 'dd' package built with CUDD (dd.cudd); "
            "reinstall it from its binary wheel: pip install --force-reinstall dd"
        ) from exc
    finally:
        if hide and sys.modules.get("networkx", 0) is None:
            del sys.modules["networkx"]
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
    return backend


_LAZY_DD = (
    "dd._parser",
    "dd._copy",
    "dd.autoref",
    "dd.bdd",
    # standard modules dd.cudd and dd._utils import for pickled dumps, pretty-printing,
    # running graphviz and error messages, none used here (with their own imports:
    # about 6 ms, issue 16)
    "pickle",
    "pprint",
    "subprocess",
    "shlex",
    "textwrap",
)


class _LazyModule(types.ModuleType):
    """Stands in for a module while another one imports it; the real module is
    imported (and takes its place in ``sys.modules``) on first attribute use."""

    def __getattr__(self, name: str) -> Any:
        if sys.modules.get(self.__name__) is self:
            del sys.modules[self.__name__]
        return getattr(importlib.import_module(self.__name__), name)


class _LazyLogging(_LazyModule):
    """Stands in for :mod:`logging` while dd.cudd loads, when nothing has imported it:
    ``getLogger`` gives a :class:`_LazyLogger`; anything else imports logging."""

    def getLogger(self, name: str | None = None) -> _LazyLogger:
        return _LazyLogger(name)


class _LazyLogger:
    """dd.cudd's logger, without importing :mod:`logging` (with traceback, string and
    threading: about 5 ms of a small model's ``ft analyze``, issue 16) while no one
    else has. Until logging is imported nothing can have configured it: the root
    logger has its default level, WARNING, and no handler, so DEBUG and INFO records
    (dd.cudd logs one at INFO for each new manager) go nowhere and are dropped here.
    Any other call, and every call once logging is loaded, goes to the real logger."""

    def __init__(self, name: str | None) -> None:
        self._name = name

    def _real(self) -> Any:
        return importlib.import_module("logging").getLogger(self._name)

    def debug(self, *args: Any, **kwargs: Any) -> None:
        if "logging" in sys.modules:
            self._real().debug(*args, **kwargs)

    def info(self, *args: Any, **kwargs: Any) -> None:
        if "logging" in sys.modules:
            self._real().info(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real(), name)


class BddTooLarge(InferenceError):
    """The BDD outgrew the memory budget it was given (``compile_bdd(max_memory=...)``)."""


def variable_order(tree: FaultTree) -> list[str]:
    """Basic events in depth-first order from the top (the initial BDD order)."""
    return [n for n in tree.reachable() if tree.is_basic(n)]


def compile_bdd(
    tree: FaultTree,
    reorder: bool = False,
    observed: Mapping[str, bool] | None = None,
    max_memory: int | None = None,
) -> Bdd:
    """Compile ``tree`` into a :class:`Bdd` of its top event.

    Sifting is off by default: on cea9601 the depth-first order alone gives a
    1.2-million-node BDD in 7 s, sifting a 2.3-million-node one in 500 s.

    Args:
        tree: the fault tree (house events are constants).
        reorder: let CUDD sift variables while building.
        observed: when given, compile instead the conjunction of these
            gate (or event) states, e.g. ``{"g-top": True, "g-2": False}``.

    Raises:
        InferenceError: the BDD library failed (memory, for instance).
    """
    backend = _import_dd()
    try:
        manager = backend.BDD(initial_cache_size=_initial_cache(tree))
        order = variable_order(tree)
        manager.declare(*order)
        # A capped computed table: on cea9601 it halves CUDD's memory (630 -> 260 MB)
        # and does not slow the build down.
        manager.configure(reordering=reorder, max_cache_hard=_CACHE_ENTRIES)
        if max_memory is not None:
            manager.configure(max_memory=max_memory)
        if observed is None:
            top = _build(tree, manager, [tree.top])[tree.top]
        else:
            memo = _build(tree, manager, list(observed))
            top = manager.true
            for nid, state in observed.items():
                top = top & (memo[nid] if state else ~memo[nid])
        manager.configure(reordering=False)
        return _flatten(manager, top)
    except ValueError as exc:  # dd: "DdNode *node is NULL": CUDD refused to allocate
        if max_memory is None:
            raise InferenceError(f"fault tree '{tree.id}': BDD construction failed: {exc}") from exc
        text = f"fault tree '{tree.id}': the BDD needs more than {max_memory >> 20} MB"
    except (MemoryError, RuntimeError) as exc:
        raise InferenceError(f"fault tree '{tree.id}': BDD construction failed: {exc}") from exc
    # Raised outside the handler: no traceback keeps the failed manager's nodes alive.
    raise BddTooLarge(text)


def gate_probabilities(tree: FaultTree) -> dict[str, float]:
    """Exact probability of every gate of ``tree`` (for diagrams and reports).

    One CUDD manager holds every gate's function; their probabilities are
    computed with one memo over the shared nodes.
    """
    known = _read_once_probabilities(tree)
    rest = [g.id for g in tree.gates if g.id not in known]
    if not rest:
        return {g.id: known[g.id] for g in tree.gates}
    backend = _import_dd()
    m = backend.BDD(initial_cache_size=_initial_cache(tree))
    m.declare(*variable_order(tree))
    m.configure(reordering=False, max_cache_hard=_CACHE_ENTRIES)
    memo = _build(tree, m, rest)
    probs = tree.probabilities
    one = m.true
    node_p: dict[int, float] = {}

    def value(u: Any) -> float:
        if u == one:
            return 1.0
        if u == ~one:
            return 0.0
        got = node_p[int(u) & ~1]
        return 1.0 - got if u.negated else got

    def prob(root: Any) -> float:
        # Iterative post-order over the shared nodes (a BDD is as deep as its variables).
        stack = [root]
        while stack:
            u = stack[-1]
            key = int(u) & ~1
            if u == one or u == ~one or key in node_p:
                stack.pop()
                continue
            hi, lo = u.high, u.low
            todo = [c for c in (hi, lo) if c != one and c != ~one and int(c) & ~1 not in node_p]
            if todo:
                stack.extend(todo)
                continue
            stack.pop()
            p = probs[u.var]
            node_p[key] = p * value(hi) + (1.0 - p) * value(lo)
        return value(root)

    return {g.id: known[g.id] if g.id in known else prob(memo[g.id]) for g in tree.gates}


def _read_once_probabilities(tree: FaultTree) -> dict[str, float]:
    """The probability of every gate whose subtree is read-once, by its gate's formula.

    In such a subtree no gate or basic event is an input twice (of one gate or of
    two), so a gate's inputs are independent and its probability follows from
    theirs exactly (house events are constants). A deep chain then costs one pass,
    where per-gate BDD walks cost the square of its depth (each gate's BDD under the
    top's variable order is a new diagram: 15 s for a 3000-gate chain).
    """
    uses: dict[str, int] = {}
    for g in tree.gates:
        for i in g.inputs:
            uses[i] = uses.get(i, 0) + 1
    probs = tree.probabilities
    out: dict[str, float] = {}
    order: list[str] = []
    seen: set[str] = set()
    stack: list[tuple[str, bool]] = [(tree.top, False)]
    while stack:  # post-order over the gates, children first
        nid, expanded = stack.pop()
        if expanded:
            order.append(nid)
            continue
        if nid in seen or not tree.is_gate(nid):
            continue
        seen.add(nid)
        stack.append((nid, True))
        stack.extend((i, False) for i in tree.gate(nid).inputs)
    for nid in order:
        gate = tree.gate(nid)
        ps: list[float] = []
        for i in gate.inputs:
            if tree.is_house(i):
                ps.append(1.0 if tree.house_event(i).state else 0.0)
            elif uses[i] > 1:
                break
            elif tree.is_basic(i):
                ps.append(probs[i])
            elif i in out:
                ps.append(out[i])
            else:
                break
        else:
            out[nid] = _formula(gate.type, ps, gate.k or 0)
    return out


def _formula(kind: str, ps: list[float], k: int) -> float:
    """The probability of a gate over independent inputs of probabilities ``ps``."""
    if kind in ("and", "nand"):
        p = 1.0
        for q in ps:
            p *= q
        return p if kind == "and" else 1.0 - p
    if kind in ("or", "nor"):
        none = 1.0
        for q in ps:
            none *= 1.0 - q
        return 1.0 - none if kind == "or" else none
    if kind == "not":
        return 1.0 - ps[0]
    if kind == "xor":
        p = 0.0
        for q in ps:
            p = p * (1.0 - q) + (1.0 - p) * q
        return p
    # atleast: row[j] = P(at least j of the inputs seen so far), row[0] = 1.
    row = [1.0] + [0.0] * k
    for idx, q in enumerate(ps):
        for j in range(min(k, idx + 1), 0, -1):
            row[j] = q * row[j - 1] + (1.0 - q) * row[j]
    return row[k]


def _initial_cache(tree: FaultTree) -> int:
    """Entries of CUDD's computed table at start (it grows up to ``_CACHE_ENTRIES``
    when it pays). A process's first manager sets up in about 9 ms with CUDD's
    default, 2**18, and 5 ms with 2**15: a good part of a small tree's analysis
    (issue 16); cea9601 (387 gates and events, 1.2 million BDD nodes) builds as
    fast either way. The table only speeds operations up; the BDD is the same."""
    if len(tree.gates) + len(tree.basic_events) <= _SMALL_TREE:
        return 1 << 15
    return _CACHE_ENTRIES


def _build(tree: FaultTree, m: Any, targets: list[str]) -> dict[str, Any]:
    memo: dict[str, Any] = {}
    # Iterative post-order so deep trees do not hit the recursion limit.
    stack: list[tuple[str, bool]] = [(t, False) for t in targets]
    while stack:
        nid, expanded = stack.pop()
        if nid in memo:
            continue
        if tree.is_basic(nid):
            memo[nid] = m.var(nid)
            continue
        if tree.is_house(nid):
            memo[nid] = m.true if tree.house_event(nid).state else m.false
            continue
        gate = tree.gate(nid)
        if not expanded:
            stack.append((nid, True))
            stack.extend((i, False) for i in gate.inputs if i not in memo)
            continue
        args = [memo[i] for i in gate.inputs]
        memo[nid] = _GATES[gate.type](m, args, gate.k or 0)
    return memo


def _and(m: Any, args: list[Any], k: int) -> Any:
    out = m.true
    for a in args:
        out = out & a
    return out


def _or(m: Any, args: list[Any], k: int) -> Any:
    out = m.false
    for a in args:
        out = out | a
    return out


def _xor(m: Any, args: list[Any], k: int) -> Any:
    out = m.false
    for a in args:
        out = m.apply("xor", out, a)
    return out


def _atleast(m: Any, args: list[Any], k: int) -> Any:
    # row[j] = "at least j of the inputs seen so far"; row[0] is true.
    row = [m.true] + [m.false] * k
    for idx, a in enumerate(args):
        for j in range(min(k, idx + 1), 0, -1):
            row[j] = m.ite(a, row[j - 1], row[j])
    return row[k]


_GATES: dict[str, Callable[[Any, list[Any], int], Any]] = {
    "and": _and,
    "or": _or,
    "xor": _xor,
    "atleast": _atleast,
    "not": lambda m, a, k: ~a[0],
    "nand": lambda m, a, k: ~_and(m, a, k),
    "nor": lambda m, a, k: ~_or(m, a, k),
}


def _flatten(m: Any, root: Any) -> Bdd:
    """Copy the CUDD diagram into flat arrays, children before parents."""
    levels = {name: m.level_of_var(name) for name in m.vars}
    n_levels = len(levels)
    variables = [""] * n_levels
    for name, lvl in levels.items():
        variables[lvl] = name
    # CUDD pointers: the least significant bit is the complement flag, and
    # false is the complemented true node; children are those of the regular node.
    one = int(m.true)
    index: dict[int, int] = {one: 0}
    var = array("q", [-1])
    high = array("q", [0])
    low = array("q", [0])
    succ = m.succ
    stack: list[Any] = [root]
    while stack:
        u = stack[-1]
        key = int(u) & ~1
        if key in index:
            stack.pop()
            continue
        level, lo, hi = succ(u)
        ki, kl = int(hi), int(lo)
        if ki & ~1 not in index:
            stack.append(hi)
            continue
        if kl & ~1 not in index:
            stack.append(lo)
            continue
        stack.pop()
        index[key] = len(var)
        var.append(level)
        high.append(2 * index[ki & ~1] + (ki & 1))
        low.append(2 * index[kl & ~1] + (kl & 1))
    r = int(root)
    root_edge = 2 * index[r & ~1] + (r & 1)
    del index
    return Bdd(
        tuple(variables),
        memoryview(var).toreadonly(),
        memoryview(high).toreadonly(),
        memoryview(low).toreadonly(),
        root_edge,
    )
