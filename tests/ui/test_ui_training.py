"""Trainer mode in the TUI: picker, hypotheses, lockout, alert, hint, conclusion, score."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static
from ui_pilot import settle

from diagnosis.kb.loader import load_kb
from diagnosis.ui.screens.training import (
    ChooseDialog,
    TrainingPickerScreen,
    TrainingScoreScreen,
    TrainingScreen,
    WhyDialog,
)


def _static(app: Any, selector: str) -> str:
    """The text a Static shows (markup, a string or a Rich table), as plain text."""
    from rich.console import Console
    from rich.text import Text

    content = app.screen.query_one(selector, Static).content
    if isinstance(content, str):
        content = Text.from_markup(content)
    console = Console(width=200, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(content)
    return console.export_text()


async def _press(pilot: Any, *keys: str) -> None:
    """Press ``keys``, then wait for what they record (the trainee's records run in workers)."""
    await pilot.press(*keys)
    await pilot.app.workers.wait_for_complete()


async def _choose(pilot: Any, selector: str, option_id: str) -> None:
    listing = pilot.app.screen.query_one(selector, OptionList)
    listing.focus()
    index = next(i for i in range(listing.option_count) if listing.get_option_at_index(i).id == option_id)
    listing.highlighted = index
    await _press(pilot, "enter")
    await pilot.pause()


async def _start(pilot: Any, exercise: str, name: str = "Alice", exam: bool = False) -> None:
    app = pilot.app
    assert isinstance(app.screen, TrainingPickerScreen)
    app.screen.query_one("#trainee", Input).value = name
    if exam:
        await _press(pilot, "f2")
    await _choose(pilot, "#exercises", exercise)
    assert isinstance(app.screen, TrainingScreen)


async def _conclude(pilot: Any, cause: str, family: str, links: list[tuple[str, str]]) -> None:
    await _press(pilot, "c")
    await pilot.pause()
    assert isinstance(pilot.app.screen, ChooseDialog)
    await _choose(pilot, "#choices", cause)
    await _choose(pilot, "#choices", family)
    assert isinstance(pilot.app.screen, WhyDialog)
    for i, (text, evidence) in enumerate(links):
        pilot.app.screen.query_one(f"#why-{i}", Input).value = text
        pilot.app.screen.query_one(f"#ev-{i}", Input).value = evidence
    await _press(pilot, "ctrl+s")
    await pilot.pause()


@pytest.fixture
def bundled_app(make_app: Callable[..., Any]) -> Callable[..., Any]:
    def make(**kwargs: Any) -> Any:
        return make_app(kb=load_kb(None), training=True, **kwargs)

    return make


async def test_trainee_plays_an_easy_exercise_to_full_marks(bundled_app: Callable[..., Any]) -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _start(pilot, "pp-01-cup-worn")
        assert "%" in _static(app, "#causes")  # learning mode shows the ranking
        await _press(pilot, "h")
        await pilot.pause()
        await _choose(pilot, "#choices", "pp-cup-worn")
        await _choose(pilot, "#measurements", "pp-cup-condition")
        assert "worn" in _static(app, "#training-readings")
        await _conclude(pilot, "pp-cup-worn", "machine", [("the cup lip is worn", "pp-cup-condition")])
        assert isinstance(app.screen, TrainingScoreScreen)
        assert "Score: 70/70 — root cause correct" in _static(app, "#score")
        run = app.screen.run
        assert run.session.closed
        stored = app.store.events(run.session.id)
        assert stored[-1].type == "session_closed"
        await _press(pilot, "escape")
        assert isinstance(app.screen, TrainingPickerScreen)


async def test_lockout_alert_and_hint_in_the_tui(bundled_app: Callable[..., Any]) -> None:
    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _start(pilot, "cv-03-bearing-critical", name="Bob")
        screen = app.screen
        await _press(pilot, "h")
        await pilot.pause()
        await _choose(pilot, "#choices", "cv-motor-bearing-de-worn")
        await _choose(pilot, "#measurements", "cv-vib-motor-de")
        assert "Alert pending" in _static(app, "#status")
        await _press(pilot, "a")
        await pilot.pause()
        for _ in range(16):  # each step, then the whole procedure
            if app.screen is screen:
                break
            await _press(pilot, "space")  # Space ticks the shown step; Enter never ticks
            await settle(pilot)
            await _press(pilot, "enter")  # and confirms once every step is ticked
            await settle(pilot)
        assert app.screen is screen and not screen.session.pending_alerts
        await _press(pilot, "i")
        await pilot.pause()
        assert "Hint (costs points)" in _static(app, "#status")
        await _press(pilot, "l")
        await pilot.pause()
        await _choose(pilot, "#choices", "cv-lockout")
        for _ in range(16):
            if app.screen is screen:
                break
            await _press(pilot, "space")  # Space ticks the shown step; Enter never ticks
            await settle(pilot)
            await _press(pilot, "enter")  # and confirms once every step is ticked
            await settle(pilot)
        assert screen.run.lockouts == ["cv-lockout"]
        proc = app.screen.session.kb.procedures["cv-lockout"]
        acked = [e.step for e in screen.session.events if e.type == "alert_step_acknowledged" and e.procedure == "cv-lockout"]
        assert proc.release_step not in acked and len(acked) == len(proc.steps) - 1
        await _choose(pilot, "#measurements", "cv-env-motor-de")
        assert screen.run.lockouts == ["cv-lockout"]  # the reading raised an alert: release waits
        await _press(pilot, "a")
        await pilot.pause()
        for _ in range(16):
            if app.screen is screen:
                break
            await _press(pilot, "space")  # Space ticks the shown step; Enter never ticks
            await settle(pilot)
            await _press(pilot, "enter")  # and confirms once every step is ticked
            await settle(pilot)
        assert screen.run.lockouts == []  # released after the measurement (déconsignation)
        types = [e.type for e in screen.session.events]
        last_reading = max(i for i, t in enumerate(types) if t == "reading_recorded")
        assert "lockout_released" in types[last_reading:]
        await _conclude(pilot, "cv-motor-bearing-de-worn", "machine", [("vibration high", "cv-vib-motor-de")])
        text = _static(app, "#score")
        assert "Score: 95/100" in text  # the hint costs 5 points
        assert "hint" in _static(app, "#deductions")


async def test_exam_mode_hides_the_ranking_and_refuses_hints(bundled_app: Callable[..., Any]) -> None:
    app = bundled_app(lang="fr")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _start(pilot, "pp-02-valve-coil", exam=True)
        assert app.screen.run.mode == "exam"
        assert "%" not in _static(app, "#causes")
        await _press(pilot, "i")
        await pilot.pause()
        assert app.screen.run.session.notes[1:] == []  # no hint recorded
        assert "Mode examen" in _static(app, "#problem") or "mode examen" in _static(app, "#problem")


async def test_a_reading_without_the_habilitation_is_refused_in_the_tui(
    bundled_app: Callable[..., Any], tmp_path: Any
) -> None:
    import yaml

    from diagnosis.training import find_exercise

    source = find_exercise("cv-03-bearing-critical")
    data = yaml.safe_load(Path(source.path).read_text(encoding="utf-8"))
    data["trainee"] = {"habilitations": []}
    folder = tmp_path / "exercises"
    folder.mkdir()
    (folder / "ex.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    app = bundled_app(exercises=folder)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _start(pilot, "cv-03-bearing-critical", name="Eve")
        screen = app.screen
        await _choose(pilot, "#measurements", "cv-motor-current")  # BR, not held
        assert screen.session.readings == []
        assert screen.run.last_refusal.startswith("Motor current")
        assert "requires habilitation BR" in screen.run.last_refusal
        await _conclude(pilot, "cv-motor-bearing-de-worn", "machine", [])
        assert "habilitation-missing" in _static(app, "#deductions")


async def test_a_store_error_on_a_trainee_action_is_a_notification(bundled_app: Callable[..., Any]) -> None:
    import threading

    from diagnosis.errors import StoreError

    app = bundled_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await _start(pilot, "pp-01-cup-worn")
        screen = app.screen
        store = app.store
        append = store.append
        threads: list[bool] = []

        def broken(session_id: str, event: Any) -> None:
            threads.append(threading.current_thread() is threading.main_thread())
            raise StoreError(code="store.db_error", url="sqlite:///plant.db", reason="disk I/O error")

        store.append = broken
        await _choose(pilot, "#measurements", "pp-cup-condition")
        assert app.is_running and app.screen is screen
        assert screen.session.readings == []
        assert [n.message for n in app._notifications] == ["database sqlite:///plant.db: disk I/O error"]
        assert threads == [False]  # written in a worker, not on the UI thread
        store.append = append  # the store is back: the same choice records the reading
        await _choose(pilot, "#measurements", "pp-cup-condition")
        assert [r.measurement for r in screen.session.readings] == ["pp-cup-condition"]
        assert [e.type for e in store.events(screen.session.id)].count("reading_recorded") == 1
