"""The ``sparse`` generated trees (bench/gen_faulttree.py) are analysed exactly.

Issue 16: the sparse shape ties distant subtrees through shared events. The
analysis must stay exact on it: the probability against brute force (small
trees) and against an independent exact method (conditioning on the shared
events, the rest being read-once), the minimal cut sets against brute force
and MOCUS.
"""

from __future__ import annotations

import itertools
import math
import sys
from pathlib import Path

import pytest

from diagnosis.faulttree.analysis import analyze
from diagnosis.faulttree.mocus import mocus_cut_sets
from diagnosis.faulttree.model import FaultTree
from diagnosis.faulttree.opsa_mef_reader import read_mef

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _generated(events: int, seed: int, tmp_path: Path) -> FaultTree:
    sys.path.insert(0, str(BENCH))
    try:
        import gen_faulttree
    finally:
        sys.path.remove(str(BENCH))
    path = tmp_path / f"sparse-{events}-{seed}.xml"
    path.write_text(gen_faulttree.generate(events, "sparse", seed), encoding="utf-8")
    return read_mef([path])


def _value(t: FaultTree, nid: str, values: dict[str, bool]) -> bool:
    if t.is_basic(nid):
        return values[nid]
    if t.is_house(nid):
        return t.house_event(nid).state
    g = t.gate(nid)
    xs = [_value(t, i, values) for i in g.inputs]
    if g.type in ("and", "nand"):
        return all(xs) == (g.type == "and")
    if g.type in ("or", "nor"):
        return any(xs) == (g.type == "or")
    if g.type == "not":
        return not xs[0]
    if g.type == "xor":
        return sum(xs) % 2 == 1
    assert g.type == "atleast"
    return sum(xs) >= (g.k or 1)


def _read_once_p(t: FaultTree, nid: str, p: dict[str, float]) -> float:
    """P(node) when no event occurs twice below it (independent inputs)."""
    if t.is_basic(nid):
        return p[nid]
    g = t.gate(nid)
    ps = [_read_once_p(t, i, p) for i in g.inputs]
    if g.type == "and":
        return math.prod(ps)
    if g.type == "or":
        return 1.0 - math.prod(1.0 - x for x in ps)
    dist = [1.0]  # dist[j] = P(exactly j inputs true so far)
    for x in ps:
        dist = [
            (dist[j] if j < len(dist) else 0.0) * (1 - x) + (dist[j - 1] * x if j else 0.0)
            for j in range(len(dist) + 1)
        ]
    return math.fsum(dist[g.k or 1 :])


def _conditioned_p(t: FaultTree) -> float:
    """Exact P(top): sum over the states of the shared events, the rest read-once."""
    users: dict[str, int] = {}
    for g in t.gates:
        for i in g.inputs:
            users[i] = users.get(i, 0) + 1
    assert all(users[g.id] == 1 for g in t.gates if g.id != t.top)  # only events are shared
    shared = [e.id for e in t.basic_events if users.get(e.id, 0) > 1]
    base = t.probabilities
    total = []
    for bits in itertools.product((False, True), repeat=len(shared)):
        p = dict(base)
        weight = 1.0
        for e, on in zip(shared, bits, strict=True):
            weight *= base[e] if on else 1.0 - base[e]
            p[e] = 1.0 if on else 0.0
        total.append(weight * _read_once_p(t, t.top, p))
    return math.fsum(total)


def _shared(t: FaultTree) -> int:
    return sum(1 for e in t.basic_events if sum(e.id in g.inputs for g in t.gates) > 1)


@pytest.mark.parametrize("seed", [1, 3, 5, 6, 8])  # seeds whose 14-event tree shares events
def test_small_sparse_trees_match_brute_force(seed: int, tmp_path: Path) -> None:
    t = _generated(14, seed, tmp_path)
    names = [e.id for e in t.basic_events]
    assert 13 <= len(names) <= 14 and _shared(t) >= 1
    probs = t.probabilities
    p_top = []
    true_sets: list[frozenset[str]] = []
    for bits in itertools.product((False, True), repeat=len(names)):
        values = dict(zip(names, bits, strict=True))
        if _value(t, t.top, values):
            p_top.append(math.prod(probs[n] if values[n] else 1 - probs[n] for n in names))
            true_sets.append(frozenset(n for n in names if values[n]))
    minimal = {s for s in true_sets if not any(o < s for o in true_sets)}
    a = analyze(t)
    assert a.probability == pytest.approx(math.fsum(p_top), rel=1e-12, abs=1e-300)
    assert {frozenset(c.events) for c in a.cut_sets} == minimal
    assert set(mocus_cut_sets(t, 20)) == minimal
    assert a.cut_set_count == len(minimal)


@pytest.mark.parametrize(("seed", "count"), [(1, 647), (6, 35), (7, 1920)])
def test_sparse_200_exact_probability(seed: int, count: int, tmp_path: Path) -> None:
    t = _generated(200, seed, tmp_path)
    assert 1 <= _shared(t) <= 12  # the ties that make the shape hard, few enough to condition on
    a = analyze(t, max_order=6, list_cut_sets=False)
    assert a.probability == pytest.approx(_conditioned_p(t), rel=1e-12)
    assert a.cut_set_count == count
    if seed == 1:  # MOCUS takes tens of seconds on the other two
        listed = {frozenset(c.events) for c in a.iter_cut_sets("any")}
        assert listed == set(mocus_cut_sets(t, 6))
        assert len(listed) == count


# -- conditioning on the shared events (diagnosis/faulttree/decomposition.py) ---------


def _brute(t: FaultTree) -> tuple[float, dict[str, float]]:
    """P(top) and dP/dp_e for every event, by enumerating every state."""
    names = [e.id for e in t.basic_events]
    probs = t.probabilities
    total: list[float] = []
    on: dict[str, list[float]] = {n: [] for n in names}
    off: dict[str, list[float]] = {n: [] for n in names}
    for bits in itertools.product((False, True), repeat=len(names)):
        values = dict(zip(names, bits, strict=True))
        if not _value(t, t.top, values):
            continue
        w = math.prod(probs[n] if values[n] else 1 - probs[n] for n in names)
        total.append(w)
        for n in names:  # P(top | n) - P(top | not n), from the same states
            rest = w / (probs[n] if values[n] else 1 - probs[n])
            (on if values[n] else off)[n].append(rest)
    return math.fsum(total), {n: math.fsum(on[n]) - math.fsum(off[n]) for n in names}


def _conditioned(t: FaultTree) -> tuple[float, dict[str, float]]:
    from diagnosis.faulttree.decomposition import conditioned_analysis, plan

    p = plan(t)
    assert p is not None and p.feasible
    r = conditioned_analysis(t, p)
    return r.probability, r.birnbaum


@pytest.mark.parametrize("seed", [1, 3, 5, 6, 8])
def test_conditioning_matches_brute_force_on_small_sparse_trees(seed: int, tmp_path: Path) -> None:
    t = _generated(14, seed, tmp_path)
    p_top, marginal = _brute(t)
    got, got_marginal = _conditioned(t)
    assert got == pytest.approx(p_top, rel=1e-12)
    assert got_marginal.keys() == marginal.keys()
    for e, b in marginal.items():
        assert got_marginal[e] == pytest.approx(b, rel=1e-9, abs=1e-15), e


def _tree(gates: list[tuple[str, str, tuple[str, ...], int | None]], n: int) -> FaultTree:
    from diagnosis.faulttree.model import BasicEvent, GateNode, HouseEvent

    basics = tuple(
        BasicEvent(f"e{i}", round(0.05 + 0.9 * ((i * 7) % 11) / 11, 4)) for i in range(n)
    )
    return FaultTree(
        "t",
        gates[0][0],
        tuple(GateNode(g, kind, ins, k) for g, kind, ins, k in gates),  # type: ignore[arg-type]
        basics,
        (HouseEvent("h1", True), HouseEvent("h0", False)),
    )


@pytest.mark.parametrize(
    "gates",
    [
        # every gate type, with events shared across subtrees and inside one gate
        [
            ("top", "or", ("a", "b", "c"), None),
            ("a", "atleast", ("e0", "e1", "e2", "d"), 2),
            ("b", "nand", ("e1", "e3", "h1"), None),
            ("c", "xor", ("e2", "e4", "f"), None),
            ("d", "nor", ("e0", "e5", "e6"), None),
            ("f", "not", ("e6",), None),
        ],
        [
            ("top", "and", ("a", "b", "e7"), None),
            ("a", "or", ("e0", "e1", "c", "h0"), None),
            ("b", "atleast", ("e1", "e2", "e3", "e4", "d"), 3),
            ("c", "and", ("e2", "e5"), None),
            ("d", "or", ("e0", "e5", "e6"), None),
        ],
        [("top", "xor", ("e0", "e1", "e2", "a"), None), ("a", "xor", ("e0", "e3"), None)],
    ],
)
def test_conditioning_matches_brute_force_on_every_gate_type(
    gates: list[tuple[str, str, tuple[str, ...], int | None]],
) -> None:
    t = _tree(gates, 8)
    p_top, marginal = _brute(t)
    got, got_marginal = _conditioned(t)
    assert got == pytest.approx(p_top, rel=1e-12)
    for e, b in marginal.items():
        assert got_marginal[e] == pytest.approx(b, rel=1e-9, abs=1e-15), e


@pytest.mark.parametrize(("events", "seed"), [(200, 1), (200, 6), (200, 7), (1000, 1)])
def test_conditioning_matches_the_bdd(events: int, seed: int, tmp_path: Path) -> None:
    t = _generated(events, seed, tmp_path)
    a = analyze(t, max_order=6, list_cut_sets=False)
    assert a.method == "bdd" and a.cut_sets_computed
    got, marginal = _conditioned(t)
    assert got == pytest.approx(a.probability, rel=1e-12)
    # Both round: compare the derivatives to P's precision (tiny ones are rounding noise).
    for i in a.importance:
        assert marginal[i.event] == pytest.approx(i.birnbaum, abs=1e-12), i.event


def test_over_its_bdd_budget_a_tree_is_conditioned_without_cut_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diagnosis.errors import InferenceError
    from diagnosis.faulttree import analysis

    t = _generated(1000, 1, tmp_path)
    full = analyze(t, max_order=6, list_cut_sets=False)
    monkeypatch.setattr(analysis, "BDD_MEMORY_BUDGET", 1 << 20)  # below CUDD's own start
    a = analyze(t, max_order=6, list_cut_sets=False)
    assert (a.method, a.cut_sets_computed, a.bdd_nodes, a.width) == ("conditioning", False, 0, 17)
    assert a.probability == pytest.approx(full.probability, rel=1e-12)
    assert [i.event for i in a.importance] == [i.event for i in full.importance]
    for i, j in zip(a.importance, full.importance, strict=True):
        assert i.birnbaum == pytest.approx(j.birnbaum, abs=1e-12)
        assert i.fussell_vesely == pytest.approx(j.fussell_vesely, rel=1e-9, abs=1e-12)
    assert (a.cut_set_count, a.by_order(), a.cut_sets) == (0, [0], ())
    assert math.isnan(a.rare_event) and math.isnan(a.mcub)
    for call in (lambda: list(a.iter_cut_sets()), lambda: a.top_cut_sets(3)):
        with pytest.raises(InferenceError, match="minimal cut sets were not computed"):
            call()


def test_the_budget_applies_only_where_only_events_are_shared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from diagnosis.faulttree import analysis

    monkeypatch.setattr(analysis, "BDD_MEMORY_BUDGET", 1 << 20)
    shared_gate = _tree(
        [
            ("top", "or", ("a", "b"), None),
            ("a", "and", ("c", "e0"), None),
            ("b", "and", ("c", "e1"), None),
            ("c", "or", ("e2", "e3"), None),
        ],
        4,
    )
    a = analyze(shared_gate)
    assert (a.method, a.cut_sets_computed, a.cut_set_count) == ("bdd", True, 4)


def test_ft_analyze_says_what_it_could_not_compute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from diagnosis.errors import InferenceError
    from diagnosis.faulttree import analysis
    from diagnosis.faulttree.command import run_analyze

    t = _generated(200, 1, tmp_path)
    monkeypatch.setattr(analysis, "BDD_MEMORY_BUDGET", 1 << 20)
    opts = {"max_order": 6, "cutoff": 0.0, "all_cut_sets": False, "method": "bdd", "output": None}
    run_analyze(lambda: t, fmt="text", lang="fr", **opts)  # type: ignore[arg-type]
    text = capsys.readouterr().out
    assert "Probabilité du sommet (exacte, conditionnement sur les événements partagés)" in text
    assert "non calculées" in text and "Coupes les plus probables" not in text
    run_analyze(lambda: t, fmt="json", lang="en", **opts)  # type: ignore[arg-type]
    doc = json.loads(capsys.readouterr().out)
    assert doc["cut_sets"] is None and doc["cut_set_count"] is None and doc["mcub"] is None
    assert doc["probability"] == pytest.approx(analyze(t).probability, rel=1e-12)
    assert "not computed" in doc["cut_sets_not_computed"]
    with pytest.raises(InferenceError) as err:
        run_analyze(lambda: t, fmt="lines", lang="fr", **opts)  # type: ignore[arg-type]
    assert err.value.message("fr").startswith(
        f"arbre de défaillance '{t.id}' : les coupes minimales n'ont pas été calculées"
    )


def test_over_its_bdd_budget_mocus_still_gives_the_cut_sets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diagnosis.faulttree import analysis

    t = _generated(200, 1, tmp_path)
    full = analyze(t, max_order=6)
    monkeypatch.setattr(analysis, "BDD_MEMORY_BUDGET", 1 << 20)
    a = analyze(t, max_order=6, method="mocus")
    assert (a.method, a.cut_sets_computed, a.cut_set_count) == ("conditioning+mocus", True, 647)
    assert a.cut_sets == full.cut_sets and a.by_order() == full.by_order()
    assert a.probability == pytest.approx(full.probability, rel=1e-12)
    assert a.rare_event == pytest.approx(full.rare_event, rel=1e-12)
    assert a.mcub == pytest.approx(full.mcub, rel=1e-12)


def test_too_wide_for_both_methods_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diagnosis.errors import InferenceError
    from diagnosis.faulttree import analysis, decomposition

    t = _generated(1000, 1, tmp_path)
    monkeypatch.setattr(analysis, "BDD_MEMORY_BUDGET", 1 << 20)
    monkeypatch.setattr(decomposition, "MAX_OPEN", 10)  # sparse-1000's widest table has 15
    with pytest.raises(InferenceError) as err:
        analyze(t)
    assert err.value.message("en") == (
        f"fault tree '{t.id}': too large to analyse exactly: its BDD needs more than 1 MB, "
        "and conditioning on its shared events would need tables over 15 of them (at most 10)"
    )
