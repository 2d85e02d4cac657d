"""A report in the other language than the session's shows the KB's translation."""

from __future__ import annotations

from diagnosis.kb import load_kb
from diagnosis.report import build_report
from diagnosis.session import Session, SimulatedMachine, run_session
from diagnosis.session.runner import finish_scripted


def test_french_report_of_an_english_session_translates_unedited_kb_texts() -> None:
    kb = load_kb()
    eq = kb.equipment("injection-press-01")
    cause = eq.cause("im-dryer-desiccant-saturated")
    session = Session.start(kb, eq.id, ["im-splay"], technician="Ana", lang="en")
    run_session(session, SimulatedMachine(eq, cause.id))
    session.record_remedy(cause.remedy.get("en"), labour_min=30)
    session.record_validation("Checked with my own gauge", passed=True)
    finish_scripted(session)

    report = build_report(kb, list(session.events), lang="fr")

    assert [w.text for w in report.why] == [t.get("fr") for t in cause.why]
    assert report.remedy is not None and report.remedy.text == cause.remedy.get("fr")
    # What the technician wrote is kept as written.
    assert report.validation is not None and report.validation.test == "Checked with my own gauge"
    for line in report.readings:
        m = eq.measurement(line.measurement)
        assert line.instrument == m.instrument.get("fr")
