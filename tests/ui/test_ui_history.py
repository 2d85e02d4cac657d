"""History at diagnosis time (issue 13, item 4): the last interventions on the equipment
screen, and on the diagnosis screen whether the leading cause was found here before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from textual.widgets import Input, Static
from ui_pilot import answer, begin, pick_equipment, screen_text, settle, sign_in

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


def _diag_history(app) -> str:
    box = app.screen.query_one("#diag-history", Static)
    return str(box.render()) if box.display else ""


async def test_diagnosis_screen_says_the_leading_cause_was_found_here_before(make_app) -> None:
    app = make_app()
    past(app.store)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "short", name="Ada Martin", habilitations=("BR",))
        assert isinstance(screen, DiagnosisScreen)
        assert screen.view is not None and screen.view.ranking[0][0] == "heater-burnt"
        day = (NOW - timedelta(days=12)).astimezone().strftime("%Y-%m-%d")
        line = f"Already found here 2 times, last on {day}: replaced band 3"
        assert _diag_history(app) == line
        assert line in screen_text(app)
        assert _on_screen(app, screen.query_one("#answer", Input))
        # The granules are wet: the ranking changes, and the line with it (the exercise
        # two days ago is no intervention).
        assert screen.current is not None and screen.current.id == "granule-aspect"
        await answer(pilot, "wet")
        assert screen.view.ranking[0][0] == "wet-material"
        day = (NOW - timedelta(days=30)).astimezone().strftime("%Y-%m-%d")
        assert _diag_history(app) == f"Already found here once, on {day}: dried the granules"
        # A bad answer: its error line and the answer field stay on the screen at 80×24.
        await answer(pilot, "abc")
        error = screen.query_one("#answer-error", Static)
        assert "abc" in str(error.render())
        assert _on_screen(app, error) and _on_screen(app, screen.query_one("#answer", Input))
        assert _on_screen(app, screen.query_one("#diag-history", Static))


async def test_diagnosis_screen_in_french_and_a_cause_never_found_here(make_app) -> None:
    app = make_app(lang="fr")
    record(app.store, 1, 30, "wet-material", "granulés étuvés")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "short", name="Ada Martin", habilitations=("BR",))
        assert isinstance(screen, DiagnosisScreen)
        assert screen.view is not None and screen.view.ranking[0][0] == "heater-burnt"
        assert _diag_history(app) == "Jamais trouvée ici auparavant (interventions passées : 1)"
        await answer(pilot, "2")  # wet
        assert screen.view.ranking[0][0] == "wet-material"
        day = (NOW - timedelta(days=30)).astimezone().strftime("%d/%m/%Y")
        assert _diag_history(app) == f"Déjà trouvée ici une fois, le {day} : granulés étuvés"


async def test_no_history_line_without_past_interventions(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "short", name="Ada Martin", habilitations=("BR",))
        assert isinstance(app.screen, DiagnosisScreen)
        assert _diag_history(app) == ""
        assert not app.screen.query_one("#diag-history", Static).display


def _on_screen(app, widget) -> bool:
    """Wholly inside the screen, above the footer."""
    from textual.widgets import Footer

    region = widget.region
    footer = app.screen.query_one(Footer).region
    return (
        region.height > 0
        and app.screen.region.contains_region(region)
        and region.y + region.height <= footer.y
    )
