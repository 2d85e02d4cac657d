"""Safety dialogs taller than the screen (issue 10, item 1): every step seen before it is ticked.

The lockout of the bundled conveyor (nine long steps) does not fit at 80×24:
the steps scroll in their own box, the current step is always scrolled into
view, Space ticks only a step on the screen, Enter never ticks (it confirms
once every step is ticked), PageUp/PageDown scroll.
"""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Button, Static
from ui_pilot import screen_text

from diagnosis.kb.loader import load_kb
from diagnosis.ui.dialogs.procedure import ProcedureDialog


@pytest.fixture(scope="module")
def bundled_kb() -> Any:
    return load_kb()


async def _wait_debounce(pilot: Any, dialog: ProcedureDialog) -> None:
    button = dialog.query_one("#ack", Button)
    while button.has_class("-active"):
        await pilot.pause(0.05)


async def _recorded(pilot: Any) -> None:
    """Wait for the acknowledgement's record (a thread worker, off the UI thread)."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _on_screen(dialog: ProcedureDialog, widget: Any) -> bool:
    region = widget.region
    return region.height > 0 and dialog.region.contains_region(region)


async def test_long_lockout_at_80x24_every_step_is_on_screen_when_ticked(make_app, bundled_kb):
    procedure = bundled_kb.procedure("cv-lockout")
    assert len(procedure.steps) == 9
    ticked: list[tuple[int, bool]] = []
    confirmed: list[bool] = []
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = ProcedureDialog(
            procedure,
            "Consignation obligatoire",
            ack_step=lambda i: ticked.append((i, dialog.step_visible(i))),
            ack_all=lambda: confirmed.append(True),
        )
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.pause()
        # The dialog fits: its button is on the screen, inside the dialog's border.
        assert _on_screen(dialog, dialog.query_one("#ack", Button))
        inner = dialog.query_one(".dialog").content_region
        assert inner.contains_region(dialog.query_one("#ack", Button).region)
        assert not dialog.step_visible(8)  # the last steps are below the fold of the steps box
        # Enter never ticks a step.
        await pilot.press("enter")
        await pilot.pause()
        assert dialog.done == 0 and ticked == [] and app.screen is dialog
        assert "Espace" in str(dialog.query_one("#procedure-error", Static).render())
        for n in range(9):
            await _wait_debounce(pilot, dialog)
            assert dialog.step_visible(n)  # the current step is scrolled into view
            await pilot.press("space")
            await _recorded(pilot)
            assert dialog.done == n + 1
        assert ticked == [(i, True) for i in range(9)]
        await pilot.pause(0.3)
        # The confirm button is still on the screen, inside the dialog's border.
        inner = dialog.query_one(".dialog").content_region
        assert inner.contains_region(dialog.query_one("#ack", Button).region)
        # All ticked: Space does not confirm, Enter does.
        await _wait_debounce(pilot, dialog)
        await pilot.press("space")
        await pilot.pause()
        assert confirmed == [] and app.screen is dialog
        await pilot.press("enter")
        await _recorded(pilot)
        assert confirmed == [True] and app.screen is not dialog


async def test_a_step_scrolled_away_is_shown_again_not_ticked(make_app, bundled_kb):
    procedure = bundled_kb.procedure("cv-lockout")
    ticked: list[int] = []
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog = ProcedureDialog(
            procedure, "", ack_step=ticked.append, ack_all=lambda: None
        )
        app.push_screen(dialog)
        await pilot.pause()
        await pilot.pause()
        box = dialog.query_one("#steps")
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        assert box.scroll_offset.y > 0  # PageDown scrolls the steps
        assert not dialog.step_visible(0)
        await pilot.press("space")  # step 1 is off the screen: shown, not ticked
        await pilot.pause()
        assert ticked == [] and dialog.done == 0
        assert dialog.step_visible(0)
        assert "lisez-la" in str(dialog.query_one("#procedure-error", Static).render())
        await _wait_debounce(pilot, dialog)
        await pilot.press("space")
        await _recorded(pilot)
        assert ticked == [0]
        await pilot.press("pageup")
        await pilot.pause()


async def test_ticks_are_readable_without_colour(make_app, bundled_kb):
    procedure = bundled_kb.procedure("cv-lockout")
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.pause()
        dialog = ProcedureDialog(procedure, "", ack_step=lambda i: None, ack_all=lambda: None)
        app.push_screen(dialog)
        await pilot.pause()
        await _wait_debounce(pilot, dialog)
        await pilot.press("space")
        await _recorded(pilot)
        text = screen_text(app)
        assert "[x] 1." in text and "▶[ ] 2." in text and "[ ] 3." in text


def _watch_appends(store: Any) -> list[tuple[str, bool]]:
    """Record each event the store is asked to append: (type, on the UI thread?)."""
    import threading

    calls: list[tuple[str, bool]] = []
    append = store.append

    def recorded(session_id: str, event: Any) -> None:
        calls.append((event.type, threading.current_thread() is threading.main_thread()))
        append(session_id, event)

    store.append = recorded
    return calls


async def test_ticked_steps_are_recorded_in_order_off_the_ui_thread(make_app) -> None:
    from ui_pilot import acknowledge_dialog, begin

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await begin(pilot, "smoke")
        assert isinstance(dialog, ProcedureDialog) and dialog.procedure.id == "stop-and-alert"
        calls = _watch_appends(app.store)
        await acknowledge_dialog(pilot)
        session = app.screen.session
        stored = [
            (e.type, getattr(e, "step", None))
            for e in app.store.events(session.id)
            if e.type.startswith("alert_")
        ]
        assert stored == [
            ("alert_raised", None),
            ("alert_step_acknowledged", 0),
            ("alert_step_acknowledged", 1),
            ("alert_step_acknowledged", 2),
            ("alert_acknowledged", None),
        ]
        assert calls[:4] == [
            ("alert_step_acknowledged", False),
            ("alert_step_acknowledged", False),
            ("alert_step_acknowledged", False),
            ("alert_acknowledged", False),
        ]
        assert [c for c in calls if c[1]] == []  # nothing written on the UI thread


async def test_a_store_error_on_a_tick_is_a_message_the_step_stays_unticked(make_app) -> None:
    from ui_pilot import begin

    from diagnosis.errors import StoreError

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await begin(pilot, "smoke")
        assert isinstance(dialog, ProcedureDialog)
        store = app.store
        append = store.append

        def broken(session_id: str, event: Any) -> None:
            raise StoreError(code="store.db_error", url="sqlite:///plant.db", reason="disk I/O error")

        store.append = broken
        await _wait_debounce(pilot, dialog)
        await pilot.press("space")
        await _recorded(pilot)
        assert app.is_running and app.screen is dialog and dialog.done == 0
        error = str(dialog.query_one("#procedure-error", Static).render())
        assert error == "database sqlite:///plant.db: disk I/O error"
        session = dialog.app.screen_stack[-2].session
        assert session.acknowledged_steps("stop-and-alert") == frozenset()
        # The store is back: Space records the same step, nothing was lost or doubled.
        store.append = append
        await _wait_debounce(pilot, dialog)
        await pilot.press("space")
        await _recorded(pilot)
        assert dialog.done == 1
        assert str(dialog.query_one("#procedure-error", Static).render()) == ""
        steps = [e.step for e in store.events(session.id) if e.type == "alert_step_acknowledged"]
        assert steps == [0]
