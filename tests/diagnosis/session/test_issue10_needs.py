"""Issue 10, what was left: choices without labels never shown as raw ids (item 6/16),
and the hand-over for a tool or a part the technician lacks (item 3)."""

from __future__ import annotations

import pytest
from session_kb import make_equipment

from diagnosis.cli.run import render_text
from diagnosis.errors import SessionError
from diagnosis.i18n import readable_id
from diagnosis.kb.model import KnowledgeBase
from diagnosis.report import build_report, render
from diagnosis.session import Session

KB = KnowledgeBase((make_equipment(),))  # granule-aspect: dry / wet / contaminated, no labels


# --- choices without choice_labels ------------------------------------------------------------


def test_a_choice_without_label_has_a_readable_name() -> None:
    m = KB.equipment("test-press").measurement("granule-aspect")
    assert m.choice_labels == ()
    assert m.choice_label("wet", "en") == "Wet"
    assert readable_id("scf3-earth-fault", "fr") == "Scf3 earth fault"
    assert readable_id("milky", "fr") == "Laiteux" and readable_id("milky", "en") == "Milky"
    assert readable_id("worn_smooth", "en") == "Worn smooth"
    assert readable_id("none", "fr") == "Aucun"


@pytest.mark.parametrize("typed", ["wet", "WET", "2", "We"])
def test_the_id_the_number_and_the_shown_name_are_accepted(typed: str) -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"], lang="fr")
    assert s.answer("granule-aspect", typed).value == "wet"


def test_a_bad_choice_lists_names_not_ids() -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"], lang="fr")
    with pytest.raises(SessionError) as err:
        s.answer("granule-aspect", "zzz")
    assert "1 Dry" in str(err.value) and "3 Contaminated" in str(err.value)


def test_report_and_run_text_name_the_choice() -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"], lang="fr")
    s.answer("granule-aspect", "contaminated")
    for fmt in ("md", "html"):
        text = str(render(build_report(KB, list(s.events), lang="fr"), fmt))
        assert "Contaminated" in text
        assert "| contaminated |" not in text and ">contaminated<" not in text
    out = render_text(s, KB.equipment("test-press"), "fr", saved=False)
    assert "Contaminated" in out and " contaminated" not in out
