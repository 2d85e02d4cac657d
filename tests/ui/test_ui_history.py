"""History at diagnosis time (issue 13, item 4): the last interventions on the equipment
screen, and on the diagnosis screen whether the leading cause was found here before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Input, Static
from ui_pilot import answer, pick_equipment, screen_text, settle, sign_in, start

from diagnosis.session.events import (
    ConclusionReached,
    RemedyRecorded,
    SessionClosed,
    SessionStarted,
)
from diagnosis.store.base import EXERCISE_PREFIX
from diagnosis.ui.history import date_text
from diagnosis.ui.screens.diagnosis import DiagnosisScreen
from diagnosis.ui.screens.equipment import EquipmentScreen

NOW = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)


def record(store, k: int, days_ago: int, cause: str, remedy: str, *, work_order=None) -> None:
    """A closed intervention on ui-press-01, ``days_ago`` days ago: ``cause`` fixed by ``remedy``."""
    sid = f"00000000-0000-0000-0000-{k:012d}"
    at = NOW - timedelta(days=days_ago)
    events = [
        SessionStarted(at=at, session_id=sid, equipment="ui-press-01", symptoms=("short-shot",),
                       technician="Ada Martin", work_order=work_order),
        ConclusionReached(at=at + timedelta(minutes=10), root_cause=cause, probability=0.95,
                          confirmed=True),
        RemedyRecorded(at=at + timedelta(minutes=50), remedy=remedy, labour_min=40.0,
                       downtime_min=60.0),
        SessionClosed(at=at + timedelta(minutes=60), status="done"),
    ]
    for event in events:
        store.append(sid, event)


def past(store) -> None:
    record(store, 1, 70, "heater-burnt", "replaced band 1")
    record(store, 2, 30, "wet-material", "dried the granules")
    record(store, 3, 12, "heater-burnt", "replaced band 3")
    # A trainee's exercise, more recent: not a real intervention, never shown.
    record(store, 4, 2, "wet-material", "exercise remedy", work_order=EXERCISE_PREFIX + "x")


def _history(app) -> str:
    return str(app.screen.query_one("#equipment-history", Static).render())


async def test_equipment_screen_shows_the_last_interventions(make_app) -> None:
    app = make_app()
    past(app.store)
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        assert isinstance(app.screen, EquipmentScreen)
        await settle(pilot)
        day = (NOW - timedelta(days=12)).astimezone().strftime("%Y-%m-%d")
        line = f"Last: {day} Heater band zone 2 burnt out (60 min down)"
        assert _history(app).startswith(
            line + " · " + date_text(NOW - timedelta(days=30), "en") + " Material not dried"
        ), _history(app)
        assert "Recurrent within 90 days: Heater band zone 2 burnt out ×2" in _history(app)
        assert "exercise" not in _history(app)
        text = screen_text(app)
        assert line in text  # on the screen at 80×24, the long line cut by an ellipsis
        assert "Recurrent within 90 days: Heater band zone 2 burnt out ×2" in text
        assert "…" in text
        # Filtering to nothing leaves no stale history.
        await pilot.press(*"zzz")
        await pilot.pause()
        assert _history(app) == ""


async def test_equipment_screen_in_french_and_without_history(make_app) -> None:
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await settle(pilot)
        assert "Aucune intervention enregistrée sur cet équipement." in screen_text(app)
        record(app.store, 1, 12, "heater-burnt", "collier remplacé")
        await pick_equipment(pilot, "")  # to the problem screen and back: read again
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, EquipmentScreen)
        day = (NOW - timedelta(days=12)).astimezone().strftime("%d/%m/%Y")
        assert f"Dernières : {day} Collier chauffant zone 2 grillé (60 min d'arrêt)" in screen_text(app)
