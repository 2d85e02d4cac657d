"""Issue 10 in the UI: the hand-over card, and the colleague named before the lockout."""

from __future__ import annotations

from ui_pilot import answer, begin, measure_other, screen_text

from diagnosis.ui.screens.diagnosis import DiagnosisScreen


async def test_hand_over_card_in_french(make_app) -> None:
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "manque")
        assert isinstance(screen, DiagnosisScreen)
        await measure_other(pilot, "temp")
        await answer(pilot, "205,5")
        assert screen.view is not None and screen.view.stop_reason == "handover"
        text = screen_text(app)
        assert "Passage de relais à un collègue habilité" in text
        assert "habilitation BR" in text and "diag.no_more" not in text
        assert not screen.session.closed  # left open for the colleague


def test_release_dialog_after_the_measurement() -> None:
    """The lockout dialog before the measurement omits the déconsignation; after the
    reading a one-step release dialog records it (LockoutReleased)."""
    from diagnosis.kb import load_kb
    from diagnosis.session import Session
    from diagnosis.ui.safety_hooks import before_work, release_dialog

    kb = load_kb()
    s = Session.start(kb, "cv-line-01", ["cv-vsd-trip"], habilitations=["BR"])
    s.prepare("cv-insulation-resistance")
    proc = kb.procedures["cv-lockout"]
    shown = before_work(s, proc)
    assert len(shown.steps) == len(proc.steps) - 1
    assert "Déconsignation" not in " ".join(t.get("fr") for t in shown.steps)
    for i in s.steps_to_acknowledge("cv-lockout"):
        s.acknowledge_step("cv-lockout", i)
    s.acknowledge("cv-lockout")
    assert release_dialog(s, "fr") is None  # not measured yet: no release
    s.answer("cv-insulation-resistance", "500")
    dialog = release_dialog(s, "fr")
    assert dialog is not None and len(dialog.procedure.steps) == 1
    assert "Déconsignation" in dialog.procedure.steps[0].get("fr")
    dialog._ack_all()
    assert s.applied_lockouts == [] and s.events[-1].type == "lockout_released"
