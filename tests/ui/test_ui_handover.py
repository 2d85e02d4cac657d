"""The hand-over card (issue 10, item 3, UI side): when the engine stops for a habilitated
colleague (``stop_reason == "handover"``), the card says what to measure and with which
habilitation, and that the session stays open. The engine's rule is tested with the engine;
here a view carrying a hand-over is shown, as the engine's snapshot would give it."""

from __future__ import annotations

from types import SimpleNamespace

from ui_pilot import pick_equipment, screen_text, settle, start

from diagnosis.ui.screens.diagnosis import DiagnosisScreen, View, _handover


def test_handover_is_read_only_when_the_engine_stopped_for_one() -> None:
    due = SimpleNamespace(habilitation="BR")
    assert _handover(SimpleNamespace(stop_reason="handover", handover=lambda: due)) is due
    assert _handover(SimpleNamespace(stop_reason="confidence", handover=lambda: due)) is None
    assert _handover(SimpleNamespace(stop_reason="handover")) is None  # an engine without it


async def test_handover_card_in_french(make_app) -> None:
    app = make_app(lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pick_equipment(pilot, "press")
        await start(pilot, "short")
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        m = screen.session.equipment.measurement("heater-current")
        view = View(
            ranking=list(screen.view.ranking),
            excluded={},
            readings=[],
            proposal=None,
            stop_reason="handover",
            handover=SimpleNamespace(measurement=SimpleNamespace(measurement=m), habilitation="BR"),
        )
        screen._show(view, None, False)
        await pilot.pause()
        text = screen_text(app)
        assert "Passer le relais à un collègue habilité" in text
        assert "passage de relais à un collègue habilité" in text  # the status line
        assert "Courant collier zone 2 présent" in text and "l'habilitation BR" in text
        assert "diag." not in text  # no raw catalog key
