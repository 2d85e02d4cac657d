"""Issue 10 in the UI: the hand-over card, and the colleague named before the lockout."""

from __future__ import annotations

from ui_pilot import answer, pick_equipment, screen_text, settle, sign_in, start

from diagnosis.ui.screens.diagnosis import DiagnosisScreen


async def test_hand_over_card_in_french(make_app) -> None:
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pick_equipment(pilot, "press")
        await start(pilot, "manque")
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        await pilot.press("ctrl+o")
        await settle(pilot)
        await pilot.press(*"temp", "enter")
        await settle(pilot)
        await answer(pilot, "205,5")
        assert screen.view is not None and screen.view.stop_reason == "handover"
        text = screen_text(app)
        assert "Passage de relais à un collègue habilité" in text
        assert "habilitation BR" in text and "diag.no_more" not in text
        assert not screen.session.closed  # left open for the colleague
