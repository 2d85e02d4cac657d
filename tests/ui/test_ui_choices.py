"""Choices by number, prefix or label in the UI language; Ctrl+O takes the highlighted line
(issue 10, item 6)."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static
from ui_pilot import answer, open_problem, screen_text, settle

from diagnosis.kb.loader import load_kb
from diagnosis.ui.dialogs.alternatives import AlternativesDialog
from diagnosis.ui.screens.diagnosis import DiagnosisScreen


@pytest.fixture(scope="module")
def bundled_kb() -> Any:
    return load_kb()


async def _conveyor(app: Any, pilot: Any) -> DiagnosisScreen:
    screen = await open_problem(pilot, "cv-line-01", "cv-vsd-trip")
    assert isinstance(screen, DiagnosisScreen)
    return screen


def _error(screen: DiagnosisScreen) -> str:
    return str(screen.query_one("#answer-error", Static).render())


async def test_french_choices_are_numbered_labels_and_taken_by_number_or_name(
    make_app, bundled_kb
) -> None:
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(100, 40)) as pilot:
        screen = await _conveyor(app, pilot)
        assert screen.current is not None and screen.current.id == "cv-vsd-fault-code"
        text = screen_text(app)
        assert "1 aucun défaut · 2 OCF surintensité" in text
        assert "5 SCF3 défaut à la terre" in text
        assert "scf3-earth-fault" not in text  # no English id where a label exists
        await answer(pilot, "o")  # OCF, OBF, OLF, OPF, OHF: ambiguous, refused
        assert "peut désigner" in _error(screen) and screen.session.readings == []
        await answer(pilot, "5")
        assert [(r.measurement, r.state) for r in screen.session.readings] == [
            ("cv-vsd-fault-code", "scf3-earth-fault")
        ]
        assert "SCF3 défaut à la terre" in screen_text(app)
        await pilot.press("ctrl+z")
        await settle(pilot)
        await answer(pilot, "scf3 DÉFAUT")  # a prefix of the French label
        assert [r.state for r in screen.session.readings] == ["scf3-earth-fault"]


async def test_enter_in_the_alternatives_takes_the_highlighted_line(make_app, bundled_kb) -> None:
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _conveyor(app, pilot)
        await answer(pilot, "zzz")  # refused: the text and its error stay until...
        assert "zzz" in _error(screen)
        await pilot.press("ctrl+o")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AlternativesDialog)
        listing = dialog.query_one("#alt-list", OptionList)
        await pilot.press(*"moteur")  # typing filters, the focus stays in the filter
        await pilot.pause()
        await pilot.press("down", "down")
        await pilot.pause()
        assert listing.highlighted == 2
        wanted = listing.get_option_at_index(2).id
        first = listing.get_option_at_index(0).id
        assert wanted != first
        await pilot.press("enter")
        await settle(pilot)
        assert screen.chosen and screen.current.id == wanted
        # ...another measurement is chosen: a fresh field, no stale error.
        assert screen.query_one("#answer", Input).value == "" and _error(screen) == ""
