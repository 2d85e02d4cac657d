"""Fault-tree observations as evidence in a session (the classic FT -> BN mapping)."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnosis.cli import main
from diagnosis.errors import SessionError
from diagnosis.kb import KnowledgeBase, load_kb
from diagnosis.session import Session

KB_YAML = """\
format: 1
equipment: {id: eq, name: Eq}
symptoms:
  - {id: s, name: S, category: quality}
measurements:
  - {id: m, name: M, kind: boolean}
causes:
  - id: c1
    name: C1
    category_5m: machine
    prior: 0.1
    effects: [{symptom: s, p: 0.5}, {measurement: m, state: "false", p: 0.9}]
"""
TREE_YAML = """\
format: 1
fault_tree:
  id: ft
  equipment: eq
  top: top
  gates:
    - {id: top, type: or, inputs: [e1, e2]}
  events:
    - {id: e1, probability: 0.3, cause: c1}
    - {id: e2, probability: 0.2}
"""


@pytest.fixture
def kb(tmp_path: Path) -> KnowledgeBase:
    (tmp_path / "knowledge_base").mkdir()
    (tmp_path / "fault_trees").mkdir()
    (tmp_path / "knowledge_base" / "eq.yaml").write_text(KB_YAML)
    (tmp_path / "fault_trees" / "ft.yaml").write_text(TREE_YAML)
    return load_kb(tmp_path / "knowledge_base")


def _posterior_c1(top: bool | None) -> float:
    """By hand: c1 (0.1) and _unknown (0.02, link 0.3 to s), s observed, leak 0.01.

    The linked event e1 is true iff c1 is present; e2 (0.2) is summed out:
    P(top | c1) = 1, P(top | not c1) = 0.2.
    """
    joint = {True: 0.0, False: 0.0}
    for c1, pc in ((True, 0.1), (False, 0.9)):
        for u, pu in ((True, 0.02), (False, 0.98)):
            p_s = 1 - 0.99 * (0.5 if c1 else 1.0) * (0.7 if u else 1.0)
            p_top = 1.0 if c1 else 0.2
            like = 1.0 if top is None else (p_top if top else 1 - p_top)
            joint[c1] += pc * pu * p_s * like
    return joint[True] / (joint[True] + joint[False])


def test_observing_the_top_event_updates_the_linked_cause(kb: KnowledgeBase) -> None:
    session = Session.start(kb, "eq", ["s"])
    assert dict(session.ranking())["c1"] == pytest.approx(_posterior_c1(None), abs=1e-12)
    session.observe_tree("ft", "top", True)
    assert dict(session.ranking())["c1"] == pytest.approx(_posterior_c1(True), abs=1e-12)
    session.observe_tree("ft", "top", False)
    assert dict(session.ranking())["c1"] == pytest.approx(_posterior_c1(False), abs=1e-12)
    assert session.tree_observations == {"ft": {"top": False}}
    session.observe_tree("ft", "top", None)  # withdrawn
    assert dict(session.ranking())["c1"] == pytest.approx(_posterior_c1(None), abs=1e-12)
    assert session.tree_observations == {}


def test_replay_rebuilds_tree_observations(kb: KnowledgeBase) -> None:
    session = Session.start(kb, "eq", ["s"])
    session.observe_tree("ft", "top", True)
    replayed = Session.replay(kb, session.events)
    assert replayed.tree_observations == {"ft": {"top": True}}
    assert replayed.ranking() == session.ranking()


def test_bad_observations_are_refused(kb: KnowledgeBase) -> None:
    session = Session.start(kb, "eq", ["s"])
    before = len(session.events)
    with pytest.raises(SessionError, match="no gate or event 'nope'"):
        session.observe_tree("ft", "nope", True)
    with pytest.raises(SessionError, match="unknown fault tree 'other'"):
        session.observe_tree("other", "top", True)
    assert len(session.events) == before


def test_run_observe_option(
    tmp_path: Path, kb: KnowledgeBase, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    answers = tmp_path / "answers.yaml"
    answers.write_text("m: true\n")
    base = ["run", "--no-save", "--kb", kb.root, "-e", "eq", "-s", "s", "--answers", str(answers)]
    assert main([*base, "--observe", "ft:top=true", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["tree_observations"] == [{"tree": "ft", "node": "top", "state": True}]
    assert main([*base, "--observe", "ft:top"]) == 2
    assert main([*base, "--observe", "ft:nope=true"]) == 2


def test_report_lists_tree_observations(kb: KnowledgeBase) -> None:
    from diagnosis.report import build_report, render

    session = Session.start(kb, "eq", ["s"], lang="fr")
    session.observe_tree("ft", "top", True)
    report = build_report(kb, list(session.events), lang="fr")
    assert [(o.tree, o.node, o.state) for o in report.tree_observations] == [("ft", "top", True)]
    markdown = str(render(report, "md"))
    assert "Observations sur les arbres de défaillance prises en compte" in markdown
    assert "ft / top : constaté (vrai)" in markdown
    assert "constaté (vrai)" in str(render(report, "html"))
