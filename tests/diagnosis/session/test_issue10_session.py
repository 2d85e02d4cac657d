"""Issue 10, engine half: safety order, hand-over, one alert, undo, differences, 5-Why.

Each test fails on the engine before issue 10 (see the docstrings)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from session_kb import make_equipment, t

from diagnosis.cli.run_json import run_json
from diagnosis.errors import SessionError
from diagnosis.i18n import Text
from diagnosis.kb.model import (
    Action,
    Condition,
    EquipmentKB,
    KnowledgeBase,
    Measurement,
    Requires,
    Rule,
    Thresholds,
    WhyEvidence,
)
from diagnosis.report import build_report, render
from diagnosis.rules import interpret
from diagnosis.rules.units import convert
from diagnosis.session import Session, SimulatedMachine, run_session
from diagnosis.session.events import AlertRaised, LockoutReleased, ReadingRecorded
from diagnosis.session.handover import HANDOVER_MIN_GAIN, HANDOVER_RATIO, handover_due
from diagnosis.session.types import StepProposal


def _kb(**changes: Any) -> KnowledgeBase:
    """The session test press, with a BR + lockout pressure, a release step and more rules."""
    eq = make_equipment()
    measurements = []
    for m in eq.measurements:
        if m.id == "hyd-pressure":
            m = dataclasses.replace(
                m,
                requires=Requires(lockout=True, habilitation="BR", procedure="lockout-press"),
                thresholds=Thresholds(60.0, 120.0, 160.0, None),
                on_critical="stop-and-alert",
            )
        measurements.append(m)
    measurements.append(
        Measurement(
            "zone-dev",
            t("Zone deviation actual - setpoint", "Écart zone réel - consigne"),
            "numeric",
            unit="°C",
            nominal=0,
            thresholds=Thresholds(-30, -8, 8, 25),
            cost_min=2,
            on_critical="stop-and-alert",
            quantity="difference",
            equipment="test-press",
        )
    )
    procedures = []
    for p in eq.procedures:
        if p.id == "lockout-press":
            p = dataclasses.replace(
                p,
                steps=(
                    *p.steps,
                    Text.of({"en": "Release (déconsignation)", "fr": "Déconsignation"}),
                ),
            )
        procedures.append(p)
    rules = (
        *eq.rules,
        Rule(
            "melt-too-hot",
            (Condition(measurement="melt-temp", above=265.0),),
            Action(alert="stop-and-alert", note=t("Melt too hot", "Matière trop chaude")),
            equipment="test-press",
        ),
    )
    eq = dataclasses.replace(
        eq, measurements=tuple(measurements), procedures=tuple(procedures), rules=rules, **changes
    )
    return KnowledgeBase((eq,))


KB = _kb()


# Healthy granules and melt: the pump (hydraulic pressure, under lockout) or the heater
# current (BR) would decide; Ana holds no habilitation.
SEQUENCE = [("granule-aspect", "dry"), ("melt-temp", "230"), ("zone-dev", "0"), ("oil-level", "true")]


def _start(**kw: Any) -> Session:
    return Session.start(KB, "test-press", ["short-shot"], **kw)


def _ack(session: Session) -> None:
    while session.pending_alerts:
        pid = session.pending_alerts[0].procedure
        for i in session.steps_to_acknowledge(pid):
            session.acknowledge_step(pid, i)
        session.acknowledge(pid)


# --- item 2: habilitation before lockout, never silently around it ------------------------


def test_habilitation_is_checked_before_the_lockout() -> None:
    """Before: prepare() raised the 5-step lockout for a technician without BR."""
    s = _start()
    with pytest.raises(SessionError, match="BR"):
        s.prepare("hyd-pressure")
    assert not s.pending_alerts
    assert not any(isinstance(e, AlertRaised) for e in s.events)


def test_a_reading_outside_the_habilitation_needs_a_named_colleague() -> None:
    """Before: the reading was accepted and nothing recorded who took it."""
    s = _start(technician="Ana")
    with pytest.raises(SessionError, match="colleague"):
        s.answer("hyd-pressure", "140")
    with pytest.raises(SessionError, match="B1"):
        s.answer("hyd-pressure", "140", taken_by=("Léo", "B1"))
    assert not s.readings  # nothing recorded by the refusals
    assert not any(isinstance(e, ReadingRecorded) for e in s.events)
    # the technician may still say it is not available
    s.not_available("hyd-pressure")
    s.undo()
    alert = s.prepare("hyd-pressure", taken_by=("Marc Petit", "BR"))
    assert alert is not None and alert.reason == "lockout"
    _ack(s)
    r = s.answer("hyd-pressure", "140", taken_by=("Marc Petit", "BR"))
    assert (r.taken_by, r.taken_by_habilitation) == ("Marc Petit", "BR")
    step = run_json(s)["steps"][-1]
    assert step["taken_by"] == {"name": "Marc Petit", "habilitation": "BR"}
    for fmt in ("md", "html"):
        text = render(build_report(KB, list(s.events), lang="en"), fmt)
        assert isinstance(text, str)
        assert "Marc Petit" in text and "habilitation BR" in text
    data = render(build_report(KB, list(s.events), lang="fr"), "json")
    assert '"taken_by": "Marc Petit"' in str(data)


def test_the_release_step_comes_after_the_measurement() -> None:
    """Before: all 5 steps, release included, were acknowledged before measuring."""
    s = _start(habilitations=["BR"])
    s.prepare("hyd-pressure")
    assert s.steps_to_acknowledge("lockout-press") == (0, 1, 2, 3)
    with pytest.raises(SessionError, match="after the measurement"):
        s.acknowledge_step("lockout-press", 4)
    _ack(s)
    assert s.applied_lockouts == ["lockout-press"]
    s.answer("hyd-pressure", "140")
    s.release_lockout("lockout-press")
    kinds = [type(e).__name__ for e in s.events]
    assert kinds.index("ReadingRecorded") < kinds.index("LockoutReleased")
    assert not s.applied_lockouts
    replayed = Session.replay(KB, list(s.events))
    assert replayed.applied_lockouts == []
    # the report ticks the release only once it is done
    lines = build_report(KB, list(s.events), lang="en").alerts
    (lock,) = [a for a in lines if a.procedure == "lockout-press"]
    assert lock.steps_acknowledged == 5
    before = [e for e in s.events if not isinstance(e, LockoutReleased)]
    (lock,) = [
        a for a in build_report(KB, before, lang="en").alerts if a.procedure == "lockout-press"
    ]
    assert lock.steps_acknowledged == 4


def test_scripted_run_uses_the_colleague_and_releases_after() -> None:
    s = _start(technician="Ana")
    s.join_colleague("Marc Petit", ["BR"])
    run_session(s, SimulatedMachine(KB.equipment("test-press"), "pump-worn"))
    pressure = [r for r in s.readings if r.measurement == "hyd-pressure"]
    assert pressure and pressure[0].taken_by == "Marc Petit"
    types = [e.type for e in s.events]
    assert types.index("reading_recorded") < types.index("lockout_released")
    at = next(
        i
        for i, e in enumerate(s.events)
        if isinstance(e, ReadingRecorded) and e.measurement == "hyd-pressure"
    )
    assert types.index("lockout_released") > at


# --- item 3: hand over instead of wandering -------------------------------------------------


def test_hand_over_when_the_decisive_measurement_needs_a_habilitation() -> None:
    """Before: heater-current (BR) came last, after every near-useless check."""
    s = _start(technician="Ana")
    for mid, value in SEQUENCE[:-1]:
        s.answer(mid, value)
        assert s.stop_reason is None  # something worth it that Ana may take is left
    s.answer(*SEQUENCE[-1])
    assert s.stop_reason == "handover"
    due = s.handover()
    assert due.measurement.measurement.id == "heater-current" and due.habilitation == "BR"
    assert due.measurement.gain >= HANDOVER_MIN_GAIN
    assert due.best_allowed is None or due.ratio < HANDOVER_RATIO
    data = run_json(s)
    assert data["stop_reason"] == "handover" and data["status"] == "open"
    h = data["handover"]
    assert (h["measurement"], h["habilitation"], h["threshold"]) == ("heater-current", "BR", 0.25)
    assert h["ranking"][0]["cause"] == "pump-worn"
    assert "excluded" in h and "not_available" in h
    event = s.hand_over()
    assert event is not None and event.measurement == "heater-current"
    # a colleague with BR resumes it: the diagnosis goes on with that measurement
    s.resume(technician="Marc Petit", habilitations=["BR"])
    assert s.technician == "Marc Petit" and s.stop_reason is None
    p = s.proposal()
    assert p is not None and p.measurement.id == "heater-current" and p.habilitation_ok
    replayed = Session.replay(KB, list(s.events))
    assert (replayed.technician, replayed.habilitations) == ("Marc Petit", ("BR",))


def test_no_hand_over_when_the_technician_holds_it_or_a_colleague_is_here() -> None:
    for kw, colleague in (({"habilitations": ["BR"]}, None), ({}, ("Marc", ["BR"]))):
        s = _start(**kw)
        if colleague:
            s.join_colleague(*colleague)
        for mid, value in SEQUENCE:
            s.answer(mid, value)
        assert s.stop_reason is None


def _card(mid: str, gain: float, cost: float, ok: bool) -> StepProposal:
    m = Measurement(mid, t(mid), "boolean", cost_min=cost)
    return StepProposal(m, gain, cost, gain / cost, False, None, None if ok else "BR", (), ok)


def test_hand_over_rule_and_threshold() -> None:
    """The ratio of information per minute decides, and a tiny gain never hands over."""
    out = _card("live", 0.8, 2.0, False)  # 0.4 bit/min, needs BR
    assert handover_due([_card("a", 0.2, 2.0, True), out], {}, min_gain=1e-3) is None  # 0.25
    due = handover_due([_card("a", 0.19, 2.0, True), out], {}, min_gain=1e-3)  # 0.2375
    assert due is not None and due.measurement.measurement.id == "live"
    assert due.ratio == pytest.approx(0.095 / 0.4)
    assert handover_due([_card("a", 0.19, 2.0, True), out], {"Marc": ("BR",)}, min_gain=1e-3) is None
    small = _card("live", 0.09, 1.0, False)  # below HANDOVER_MIN_GAIN
    assert handover_due([small], {}, min_gain=1e-3) is None


# --- item 4: one alert, one acknowledgement --------------------------------------------------


def test_a_rule_and_a_critical_reading_of_one_reading_are_one_alert() -> None:
    """Before: two AlertRaised, the report kept one entry 'Not acknowledged'."""
    s = _start(habilitations=["BR"])
    s.answer("melt-temp", "280")  # critical (> 270) and the melt-too-hot rule (> 265)
    raised = [e for e in s.events if isinstance(e, AlertRaised)]
    assert len(raised) == 1 and len(s.pending_alerts) == 1
    assert {raised[0].trigger, *(k for k, _ in raised[0].also)} == {"melt-temp", "melt-too-hot"}
    _ack(s)
    lines = [a for a in build_report(KB, list(s.events), lang="en").alerts]
    assert len(lines) == 1 and lines[0].acknowledged_at is not None
    md = render(build_report(KB, list(s.events), lang="en"), "md")
    assert "Not acknowledged" not in md
    fr = str(render(build_report(KB, list(s.events), lang="fr"), "md"))
    assert "mesure critique sur Température matière en buse" in fr or (
        "règle de sécurité : Température matière en buse > 265 °C" in fr
    )
    assert "melt-too-hot" not in fr  # the rule by its conditions, never its id
    assert ": critical." not in fr and ": rule." not in fr


def test_an_acknowledged_procedure_is_raised_again_by_a_new_reading_and_says_so() -> None:
    s = _start(habilitations=["BR"])
    s.answer("melt-temp", "280")
    _ack(s)
    s.answer("oil-level", "true")  # nothing new: no alert
    assert not s.pending_alerts
    s.answer("zone-dev", "40")  # a new critical reading of the same procedure
    (again,) = s.pending_alerts
    assert again.procedure == "stop-and-alert" and again.acknowledged_at
    _ack(s)
    (_, second) = build_report(KB, list(s.events), lang="en").alerts
    assert second.previously_acknowledged is not None
    md = render(build_report(KB, list(s.events), lang="en"), "md")
    assert "Raised again by a new reading" in md
    from diagnosis.cli.run import render_text

    assert "acknowledged 0 min ago" in render_text(s, s.equipment, "en", saved=False)


# --- item 5: temperature differences ----------------------------------------------------------


def test_a_temperature_difference_converts_without_offset() -> None:
    """Before: 72 °F of deviation became 22.2 °C and the critical alert was missed."""
    assert convert(72, "°F", "°C", difference=True) == pytest.approx(40.0)
    assert convert(72, "°F", "°C") == pytest.approx(22.2222, abs=1e-3)
    assert convert(40, "K", "°C", difference=True) == pytest.approx(40.0)
    m = KB.equipment("test-press").measurement("zone-dev")
    it = interpret(m, "72 °F")
    assert (it.value, it.state, it.critical, it.typed_unit) == (
        pytest.approx(40.0),
        "high",
        True,
        "°F",
    )
    s = _start()
    s.answer("zone-dev", "72 °F")
    assert s.pending_alerts  # the critical alert is raised
    _ack(s)
    assert run_json(s)["steps"][-1]["typed"] == "72 °F"
    md = render(build_report(KB, list(s.events), lang="en"), "md")
    assert "40 °C (typed: 72 °F)" in md
    fr = render(build_report(KB, list(s.events), lang="fr"), "md")
    assert "40 °C (saisi : 72 °F)" in fr


# --- item 7: undo undoes everything ------------------------------------------------------------


def test_undo_takes_away_the_notes_and_suggestions_of_the_reading() -> None:
    """Before: the note 'Look for leaks' stayed on screen and in the report's remarks."""
    s = _start(habilitations=["BR"])
    s.prepare("hyd-pressure")
    _ack(s)
    s.answer("hyd-pressure", "90")
    assert s.notes == ["Look for leaks"] and s.suggestions == ["oil-level"]
    s.undo()
    assert s.notes == [] and s.suggestions == []
    assert Session.replay(KB, list(s.events)).notes == []
    assert build_report(KB, list(s.events), lang="en").notes == ()
    s.answer("hyd-pressure", "95")  # measured again: the note comes back, once
    assert s.notes == ["Look for leaks"]


def test_a_measurement_answered_not_available_can_be_taken_later() -> None:
    """Before: alternatives() left it out for good."""
    s = _start(habilitations=["BR"])
    s.not_available("melt-temp")
    ids = [p.measurement.id for p in s.alternatives()]
    assert ids[-1] == "melt-temp"
    s.answer("melt-temp", "200")
    assert [r.measurement for r in s.readings] == ["melt-temp"] and s.readings[0].available


# --- item 8: 5-Why links tied to their KB evidence -------------------------------------------


def _why_kb(evidence: tuple[WhyEvidence | None, ...], why: tuple[Text, ...]) -> KnowledgeBase:
    eq: EquipmentKB = KB.equipment("test-press")
    causes = tuple(
        dataclasses.replace(c, why=why, why_evidence=evidence) if c.id == "heater-burnt" else c
        for c in eq.causes
    )
    return KnowledgeBase((dataclasses.replace(eq, causes=causes),))


def test_why_links_are_tied_by_the_kb_not_by_words() -> None:
    """Before: a link sharing a word with a measurement's name was 'verified' by it."""
    why = (
        t("Melt {value} colder than needed"),
        t("Heater current missing at the last check"),  # shares words, names no evidence
        t("Band burnt out"),
    )
    kb = _why_kb((WhyEvidence(measurement="melt-temp", state="low"), None, None), why)
    s = Session.start(kb, "test-press", ["short-shot"], habilitations=["BR"])
    s.answer("melt-temp", "200")
    s.answer("heater-current", "false")
    s.conclude("heater-burnt")
    links = s.suggested_why()
    assert [link.evidence for link in links] == ["melt-temp", None, None]
    assert links[0].text == "Melt 200 °C colder than needed"


def test_a_link_is_verified_only_by_its_own_evidence() -> None:
    why = (t("Melt {value} above setpoint"), t("Short shots reported"), t("x"))
    ev = (WhyEvidence(measurement="melt-temp", state="high"), WhyEvidence(symptom="short-shot"), None)
    s = Session.start(_why_kb(ev, why), "test-press", ["short-shot"], habilitations=["BR"])
    s.answer("melt-temp", "230")  # normal: the template's figure was not observed
    s.conclude("heater-burnt")
    links = s.suggested_why()
    assert links[0].evidence is None and links[0].text == "Melt 230 °C above setpoint"
    assert links[1].evidence == "short-shot"
    # the report shows the symptom's name, never a raw key
    s.set_why(links)
    md = render(build_report(s.kb, list(s.events), lang="en"), "md")
    assert "report_doc." not in md and "Short shot" in md


def test_report_never_prints_a_raw_state_key() -> None:
    """Before: a choice state in a 5-Why evidence printed report_doc.state.<choice>."""
    s = _start(habilitations=["BR"])
    s.answer("granule-aspect", "wet")
    s.conclude("wet-granules")
    from diagnosis.session.events import WhyLink

    s.set_why([WhyLink("Granules wet", "granule-aspect")])
    for lang in ("en", "fr"):
        for fmt in ("md", "html"):
            text = render(build_report(KB, list(s.events), lang=lang), fmt)
            assert "report_doc." not in str(text)


# --- item 14: validation pending ----------------------------------------------------------------


def test_a_conclusion_without_validation_is_pending() -> None:
    s = run_session(_start(habilitations=["BR"]), SimulatedMachine(KB.equipment("test-press"), "wet-granules"))
    assert not s.validation_pending
    s.conclude()
    assert s.validation_pending and run_json(s)["validation_pending"] is True
    s.record_validation("10 good parts", True)
    assert not s.validation_pending


def test_reports_show_validation_pending() -> None:
    s = _start(habilitations=["BR"])
    s.answer("granule-aspect", "wet")
    s.conclude("wet-granules")
    r = build_report(KB, list(s.events), lang="fr")
    assert r.validation_pending
    md = render(r, "md")
    assert "validation en attente" in str(md) and "Validation en attente :" in str(md)
    html = render(build_report(KB, list(s.events), lang="en"), "html")
    assert "Validation pending: no test result" in str(html)
    assert '"validation_pending": true' in str(render(r, "json"))
    s.record_validation("10 good parts", True)
    assert not build_report(KB, list(s.events), lang="en").validation_pending


def _acknowledge_pending(session: Session) -> None:
    while session.pending_alerts:
        proc = session.pending_alerts[0].procedure
        for step in session.steps_to_acknowledge(proc):
            session.acknowledge_step(proc, step)
        session.acknowledge(proc)


@pytest.mark.parametrize(("value", "held"), [("0,5", True), ("500", False)])
def test_a_critical_reading_holds_the_lockout_in_place(value: str, held: bool) -> None:
    """Insulation under 1 MΩ: "leave the lockout in place" (the KB's own note). The
    release step (déconsignation, with its trial run) is not offered until the repair;
    a normal reading lets it be released after the measurement."""
    from diagnosis.kb import load_kb

    kb = load_kb()
    session = Session.start(kb, "cv-line-01", ["cv-vsd-trip"], habilitations=["BR"])
    _acknowledge_pending(session)
    assert session.prepare("cv-insulation-resistance") is not None
    _acknowledge_pending(session)
    assert session.applied_lockouts == ["cv-lockout"]
    assert session.lockouts_to_release == []  # still measuring under it
    session.answer("cv-insulation-resistance", value)
    _acknowledge_pending(session)
    if held:
        assert session._lockouts_held == ["cv-lockout"]
        assert session.lockouts_to_release == []
    else:
        assert session._lockouts_held == []
        assert session.lockouts_to_release == ["cv-lockout"]
        session.release_lockout("cv-lockout")
        assert session.applied_lockouts == []
