"""Fault trees as diagnostic evidence: tree_factor likelihoods and cause paths."""

from __future__ import annotations

import pytest

from diagnosis.errors import InferenceError
from diagnosis.faulttree.analysis import analyze
from diagnosis.faulttree.evidence import cause_path, tree_factor
from diagnosis.faulttree.from_kb import from_kb
from diagnosis.i18n import Text
from diagnosis.kb.model import FaultTreeDef, FtEvent, Gate


def kb_tree(cause_b: str = "c2") -> FaultTreeDef:
    return FaultTreeDef(
        id="ft",
        top="top",
        gates=(
            Gate("top", "or", ("g1", "e3", "h")),
            Gate("g1", "and", ("e1", "e2"), name=Text.of("both")),
        ),
        events=(
            FtEvent("e1", probability=0.1, cause="c1"),
            FtEvent("e2", probability=0.2, cause=cause_b),
            FtEvent("e3", probability=0.3),
            FtEvent("h", house=True, state=False),
        ),
    )


def test_top_observed_true() -> None:
    f = tree_factor(kb_tree(), {"top": True})
    assert f.causes == ("c1", "c2")
    # index bit 0 = c1, bit 1 = c2; without both causes only e3 can fail the top.
    assert f.table == pytest.approx((0.3, 0.3, 0.3, 1.0))
    assert f.label == "ft: top = true"


def test_top_observed_false_and_intermediate_gate() -> None:
    assert tree_factor(kb_tree(), {"top": False}).table == pytest.approx((0.7, 0.7, 0.7, 0.0))
    assert tree_factor(kb_tree(), {"g1": True}).table == pytest.approx((0, 0, 0, 1))
    both = tree_factor(kb_tree(), {"top": True, "g1": False})
    assert both.table == pytest.approx((0.3, 0.3, 0.3, 0.0))


def test_events_linked_to_one_cause_move_together() -> None:
    f = tree_factor(kb_tree(cause_b="c1"), {"top": True})
    assert f.causes == ("c1",)
    assert f.table == pytest.approx((0.3, 1.0))


def test_posterior_with_event_priors_is_dif() -> None:
    """With priors equal to the event probabilities, P(cause | top) is the event's DIF."""
    f = tree_factor(kb_tree(), {"top": True})
    prior = {"c1": 0.1, "c2": 0.2}
    joint = []
    for i, like in enumerate(f.table):
        w = like
        for j, c in enumerate(f.causes):
            w *= prior[c] if (i >> j) & 1 else 1 - prior[c]
        joint.append(w)
    post_c1 = sum(w for i, w in enumerate(joint) if i & 1) / sum(joint)
    dif = analyze(from_kb(kb_tree())).importance_of("e1").dif
    assert post_c1 == pytest.approx(dif)


def test_unknown_node_is_refused() -> None:
    with pytest.raises(InferenceError, match="no gate or event 'nope'"):
        tree_factor(kb_tree(), {"nope": True})


def test_cause_path() -> None:
    assert cause_path(kb_tree(), "c2") == ["top", "g1", "e2"]
    assert cause_path(kb_tree(), "unlinked") == []
