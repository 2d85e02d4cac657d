"""An alert raised by a KB rule is named by its conditions in the report, never by
the rule's id (issue 10, item 16: "règle cv-r-insulation-critical" was printed)."""

from __future__ import annotations

from diagnosis.kb import load_kb
from diagnosis.report import build_report, render
from diagnosis.rules.describe import describe_rule
from diagnosis.session import Session


def test_a_rule_alert_reads_as_its_conditions_in_french_and_english() -> None:
    kb = load_kb()
    eq = kb.equipment("cv-line-01")
    session = Session.start(
        kb, eq.id, ["cv-vsd-trip"], technician="Léa", habilitations=["BR"], lang="fr"
    )
    while session.pending_alerts:
        proc = session.pending_alerts[0].procedure
        for step in session.steps_to_acknowledge(proc):
            session.acknowledge_step(proc, step)
        session.acknowledge(proc)
    if session.prepare("cv-insulation-resistance") is not None:
        proc = session.pending_alerts[0].procedure
        for step in session.steps_to_acknowledge(proc):
            session.acknowledge_step(proc, step)
        session.acknowledge(proc)
    session.answer("cv-insulation-resistance", "0,5")
    rules = {a.trigger for a in session.pending_alerts if a.reason == "rule"}
    assert "cv-r-insulation-critical" in rules
    for lang, words in (
        ("fr", "Résistance d'isolement du bobinage moteur par rapport à la terre < 1 MΩ"),
        ("en", "Motor winding insulation resistance to earth < 1 MΩ"),
    ):
        assert describe_rule(eq, "cv-r-insulation-critical", lang) == words
        text = render(build_report(kb, session.events, lang=lang), "md")
        assert isinstance(text, str)
        assert words.replace("<", "\\<") in text  # Markdown escapes "<"
        assert "cv-r-insulation-critical" not in text
