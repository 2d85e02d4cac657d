"""Hand-computed small trees for every gate type, and random trees against brute force."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from diagnosis.errors import InferenceError, KnowledgeBaseError
from diagnosis.faulttree.analysis import analyze
from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent

PA, PB, PC = 0.1, 0.2, 0.3


def tree(*gates: GateNode, houses: tuple[HouseEvent, ...] = ()) -> FaultTree:
    events = (BasicEvent("a", PA), BasicEvent("b", PB), BasicEvent("c", PC))
    return FaultTree("t", gates[0].id, gates, events, houses)


def sets(t: FaultTree, **kw: object) -> list[tuple[str, ...]]:
    return [c.events for c in analyze(t, **kw).cut_sets]  # type: ignore[arg-type]


def test_and() -> None:
    t = tree(GateNode("top", "and", ("a", "b", "c")))
    r = analyze(t)
    assert r.probability == pytest.approx(PA * PB * PC)
    assert sets(t) == [("a", "b", "c")]
    imp = r.importance_of("a")
    assert imp.birnbaum == pytest.approx(PB * PC)
    assert imp.raw == pytest.approx(1 / PA)
    assert imp.rrw == math.inf
    assert imp.fussell_vesely == pytest.approx(1.0)
    assert imp.dif == pytest.approx(1.0)


def test_or() -> None:
    t = tree(GateNode("top", "or", ("a", "b", "c")))
    r = analyze(t)
    p = 1 - (1 - PA) * (1 - PB) * (1 - PC)
    assert r.probability == pytest.approx(p)
    assert sets(t) == [("a",), ("b",), ("c",)]
    assert r.rare_event == pytest.approx(PA + PB + PC)
    assert r.mcub == pytest.approx(p)  # independent single events: MCUB is exact
    imp = r.importance_of("a")
    assert imp.birnbaum == pytest.approx((1 - PB) * (1 - PC))
    assert imp.rrw == pytest.approx(p / (1 - (1 - PB) * (1 - PC)))
    assert imp.fussell_vesely == pytest.approx((p - (1 - (1 - PB) * (1 - PC))) / p)
    assert imp.dif == pytest.approx(PA / p)


def test_atleast_two_of_three() -> None:
    t = tree(GateNode("top", "atleast", ("a", "b", "c"), k=2))
    p = PA * PB + PA * PC + PB * PC - 2 * PA * PB * PC
    assert analyze(t).probability == pytest.approx(p)
    assert sets(t) == [("a", "b"), ("a", "c"), ("b", "c")]


def test_not() -> None:
    t = tree(GateNode("top", "and", ("a", "n")), GateNode("n", "not", ("b",)))
    r = analyze(t)
    assert r.probability == pytest.approx(PA * (1 - PB))
    # SCRAM's convention: the negated literal is dropped from the cut set.
    assert sets(t) == [("a",)]
    assert r.importance_of("b").birnbaum == pytest.approx(-PA)


def test_xor() -> None:
    t = tree(GateNode("top", "xor", ("a", "b")))
    assert analyze(t).probability == pytest.approx(PA * (1 - PB) + PB * (1 - PA))
    assert sets(t) == [("a",), ("b",)]


def test_three_input_xor_is_odd_parity() -> None:
    t = tree(GateNode("top", "xor", ("a", "b", "c")))
    p = sum(
        math.prod(p if bit else 1 - p for p, bit in zip((PA, PB, PC), bits, strict=True))
        for bits in itertools.product((0, 1), repeat=3)
        if sum(bits) % 2 == 1
    )
    assert analyze(t).probability == pytest.approx(p)


def test_nand() -> None:
    t = tree(GateNode("top", "nand", ("a", "b")))
    assert analyze(t).probability == pytest.approx(1 - PA * PB)
    assert sets(t) == [()]  # true with every event false


def test_nor() -> None:
    t = tree(GateNode("top", "nor", ("a", "b")))
    assert analyze(t).probability == pytest.approx((1 - PA) * (1 - PB))
    assert sets(t) == [()]


def test_house_events_switch_branches() -> None:
    gates = (GateNode("top", "or", ("g", "c")), GateNode("g", "and", ("a", "h")))
    on = tree(*gates, houses=(HouseEvent("h", True),))
    off = tree(*gates, houses=(HouseEvent("h", False),))
    assert analyze(on).probability == pytest.approx(1 - (1 - PA) * (1 - PC))
    assert sets(on) == [("a",), ("c",)]
    assert analyze(off).probability == pytest.approx(PC)
    assert sets(off) == [("c",)]


def test_shared_subtree_counted_once() -> None:
    t = tree(
        GateNode("top", "and", ("g1", "g2")),
        GateNode("g1", "or", ("a", "b")),
        GateNode("g2", "or", ("a", "c")),
    )
    assert analyze(t).probability == pytest.approx(PA + (1 - PA) * PB * PC)
    assert sets(t) == [("a",), ("b", "c")]


def test_max_order_and_cutoff() -> None:
    t = tree(GateNode("top", "or", ("a", "g")), GateNode("g", "and", ("b", "c")))
    assert sets(t, max_order=1) == [("a",)]
    assert sets(t, cutoff=0.07) == [("a",)]
    assert sets(t, cutoff=0.06) == [("a",), ("b", "c")]
    assert analyze(t, max_order=1).probability == pytest.approx(PA + (1 - PA) * PB * PC)


@pytest.mark.parametrize(
    ("gates", "message"),
    [
        ((GateNode("top", "and", ("a", "zz")),), "input 'zz' is not defined"),
        ((GateNode("top", "not", ("a", "b")),), "exactly one input"),
        ((GateNode("top", "atleast", ("a", "b"), k=3),), "atleast needs k in 1..2"),
        (
            (GateNode("top", "or", ("g",)), GateNode("g", "and", ("top", "a"))),
            "cycle: top -> g -> top",
        ),
    ],
)
def test_invalid_trees_are_refused(gates: tuple[GateNode, ...], message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        tree(*gates)


# -- random trees against brute force -------------------------------------------------

EVENTS = ("a", "b", "c", "d", "e")
OPS = ("and", "or", "atleast", "not", "xor", "nand", "nor")


@st.composite
def random_tree(draw: st.DrawFn) -> FaultTree:
    probs = [draw(st.floats(0.05, 0.95)) for _ in EVENTS]
    n_gates = draw(st.integers(1, 5))
    gates: list[GateNode] = []
    for idx in range(n_gates - 1, -1, -1):
        below = [f"g{j}" for j in range(idx + 1, n_gates)]
        op = draw(st.sampled_from(OPS))
        pool = list(EVENTS) + below
        size = 1 if op == "not" else draw(st.integers(2, 4))
        inputs = tuple(draw(st.permutations(pool))[:size])
        k = draw(st.integers(1, len(inputs))) if op == "atleast" else None
        gates.append(GateNode(f"g{idx}", op, inputs, k))  # type: ignore[arg-type]
    used = {i for g in gates for i in g.inputs}
    events = tuple(BasicEvent(e, p) for e, p in zip(EVENTS, probs, strict=True) if e in used)
    gates.reverse()
    return FaultTree("r", "g0", tuple(gates), events)


def _eval(t: FaultTree, nid: str, values: dict[str, bool]) -> bool:
    if t.is_basic(nid):
        return values[nid]
    g = t.gate(nid)
    xs = [_eval(t, i, values) for i in g.inputs]
    return {
        "and": all(xs),
        "or": any(xs),
        "atleast": sum(xs) >= (g.k or 1),
        "not": not xs[0],
        "xor": sum(xs) % 2 == 1,
        "nand": not all(xs),
        "nor": not any(xs),
    }[g.type]


@settings(max_examples=60, deadline=None)
@given(random_tree())
def test_random_trees_match_brute_force(t: FaultTree) -> None:
    names = [e.id for e in t.basic_events]
    probs = t.probabilities
    p_top = 0.0
    true_sets: list[frozenset[str]] = []
    for bits in itertools.product((False, True), repeat=len(names)):
        values = dict(zip(names, bits, strict=True))
        if _eval(t, t.top, values):
            p_top += math.prod(probs[n] if values[n] else 1 - probs[n] for n in names)
            true_sets.append(frozenset(n for n in names if values[n]))
    # Minimal cut sets of the monotone closure: minimal S with f(S true, rest false).
    closure = [s for s in true_sets]
    minimal = sorted(
        (tuple(sorted(s)) for s in closure if not any(o < s for o in closure)),
        key=lambda s: (len(s), s),
    )
    r = analyze(t)
    assert r.probability == pytest.approx(p_top, abs=1e-12)
    assert [c.events for c in r.cut_sets] == minimal
    assert [c.events for c in analyze(t, method="mocus").cut_sets] == minimal
    for imp in r.importance:
        e = imp.event
        p1 = sum(
            math.prod(probs[n] if v[n] else 1 - probs[n] for n in names if n != e)
            for v in (
                dict(zip(names, bits, strict=True))
                for bits in itertools.product((False, True), repeat=len(names))
            )
            if v[e] and _eval(t, t.top, v)
        )
        p0 = sum(
            math.prod(probs[n] if v[n] else 1 - probs[n] for n in names if n != e)
            for v in (
                dict(zip(names, bits, strict=True))
                for bits in itertools.product((False, True), repeat=len(names))
            )
            if not v[e] and _eval(t, t.top, v)
        )
        assert imp.birnbaum == pytest.approx(p1 - p0, abs=1e-12)


def test_too_many_cut_sets_to_list() -> None:
    t = tree(GateNode("top", "or", ("a", "b", "c")))
    with pytest.raises(InferenceError, match=r"3 minimal cut sets of order <= 20 \(more than 2"):
        analyze(t, max_listed=2)
    with pytest.raises(InferenceError, match="more than 1 cannot be listed"):
        analyze(t, max_listed=1, cutoff=0.01)
    assert len(analyze(t, max_listed=2, cutoff=0.15).cut_sets) == 2


# -- the cut-off: >= on the product, after minimisation ------------------------------


def _cutoff_tree() -> FaultTree:
    # Probabilities that are exact in binary, so the products are exact too.
    events = (
        BasicEvent("a", 0.5),
        BasicEvent("b", 0.25),
        BasicEvent("c", 0.125),
        BasicEvent("d", 0.0625),
    )
    gates = (
        GateNode("top", "or", ("ab", "c", "ad", "abd")),
        GateNode("ab", "and", ("a", "b")),
        GateNode("ad", "and", ("a", "d")),
        GateNode("abd", "and", ("a", "b", "d")),  # not minimal: contains a.b
    )
    return FaultTree("cut", "top", gates, events)


@pytest.mark.parametrize("method", ["bdd", "mocus"])
def test_cutoff_keeps_cut_sets_at_exactly_the_cutoff(method: str) -> None:
    t = _cutoff_tree()
    every = analyze(t, method=method)  # type: ignore[arg-type]
    assert [(c.events, c.probability) for c in every.cut_sets] == [
        (("c",), 0.125),
        (("a", "b"), 0.125),
        (("a", "d"), 0.03125),
    ]
    at = analyze(t, cutoff=0.125, method=method)  # type: ignore[arg-type]
    assert [c.events for c in at.cut_sets] == [("c",), ("a", "b")]  # >=: both kept
    above = analyze(t, cutoff=math.nextafter(0.125, 1.0), method=method)  # type: ignore[arg-type]
    assert above.cut_sets == () and above.cut_set_count == 0
    # After minimisation: dropping a.b (0.125) does not bring back a.b.d (0.0078125),
    # and the exact probability ignores the cut-off.
    mid = analyze(t, cutoff=0.03125, method=method)  # type: ignore[arg-type]
    assert [c.events for c in mid.cut_sets] == [("c",), ("a", "b"), ("a", "d")]
    low = analyze(t, cutoff=0.0078125, method=method)  # type: ignore[arg-type]
    assert [c.events for c in low.cut_sets] == [c.events for c in every.cut_sets]
    assert above.probability == every.probability
    assert at.rare_event == 0.25 and at.by_order() == [0, 1, 1]


def test_cutoff_streamed_matches_listed() -> None:
    t = _cutoff_tree()
    streamed = analyze(t, cutoff=0.125, list_cut_sets=False)
    assert streamed.cut_set_count == 2 and streamed.rare_event == 0.25
    assert [c.events for c in streamed.iter_cut_sets()] == [("c",), ("a", "b")]
