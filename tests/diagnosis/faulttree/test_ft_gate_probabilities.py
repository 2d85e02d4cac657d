"""Every gate's probability (read-once gates by their formula, the rest by the BDD)
against the BDD of that gate alone, on random trees of every gate type."""

from __future__ import annotations

import random

import pytest

from diagnosis.faulttree.analysis import analyze
from diagnosis.faulttree.bdd import _read_once_probabilities, gate_probabilities
from diagnosis.faulttree.model import GATE_TYPES, BasicEvent, FaultTree, GateNode, HouseEvent


def _random_tree(seed: int, shared: bool) -> FaultTree:
    rng = random.Random(seed)
    events = [BasicEvent(f"e{i}", round(rng.uniform(0.01, 0.9), 3)) for i in range(40)]
    houses = (HouseEvent("on", True), HouseEvent("off", False))
    free = [e.id for e in events]
    rng.shuffle(free)
    gates: list[GateNode] = []

    def grow(gid: str, depth: int) -> None:
        kind = rng.choice(GATE_TYPES)
        n = 1 if kind == "not" else rng.randint(2, 4)
        inputs: list[str] = []
        for j in range(n):
            if depth < 3 and rng.random() < 0.5:
                child = f"{gid}.{j}"
                grow(child, depth + 1)
                inputs.append(child)
            elif rng.random() < 0.1:
                inputs.append(rng.choice(["on", "off"]))
            elif shared and rng.random() < 0.3:
                inputs.append(rng.choice([e.id for e in events[:5]]))
            else:
                inputs.append(free.pop() if free else events[-1].id)
        inputs = list(dict.fromkeys(inputs))
        k = rng.randint(1, len(inputs)) if kind == "atleast" else None
        if kind == "not":
            inputs = inputs[:1]
        gates.insert(0, GateNode(gid, kind, tuple(inputs), k=k))  # type: ignore[arg-type]

    grow("top", 0)
    used = {i for g in gates for i in g.inputs}
    return FaultTree(
        f"r{seed}", "top", tuple(gates), tuple(e for e in events if e.id in used), houses
    )


def _alone(tree: FaultTree, gid: str) -> float:
    """The gate as the top of its own tree, through the BDD of the analysis."""
    sub = FaultTree(tree.id, gid, tree.gates, tree.basic_events, tree.house_events)
    return analyze(sub, list_cut_sets=False).probability


@pytest.mark.parametrize("shared", [False, True])
@pytest.mark.parametrize("seed", range(12))
def test_every_gate_matches_its_own_bdd(seed: int, shared: bool) -> None:
    tree = _random_tree(seed, shared)
    probs = gate_probabilities(tree)
    for g in tree.gates:
        assert probs[g.id] == pytest.approx(_alone(tree, g.id), rel=1e-12, abs=1e-15)


def test_a_shared_event_keeps_every_gate_above_it_on_the_bdd() -> None:
    events = (BasicEvent("a", 0.5), BasicEvent("b", 0.5))
    tree = FaultTree(
        "t",
        "top",
        (
            GateNode("top", "and", ("g1", "g2")),
            GateNode("g1", "or", ("a", "b")),
            GateNode("g2", "or", ("a",)),
        ),
        events,
        (),
    )
    assert _read_once_probabilities(tree) == {}  # `a` feeds two gates: no formula
    assert gate_probabilities(tree)["top"] == pytest.approx(0.5)  # not 0.375
