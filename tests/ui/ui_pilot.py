"""Pilot helpers shared by the UI tests: sign in, pick, start, answer, wait for workers."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until the engine workers are done and the screen stack has stopped changing.

    A worker's result can push a dialog whose callback starts another worker:
    loop until two rounds see the same stack and no worker running.
    """
    app = pilot.app
    previous: tuple[int, ...] = ()
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        state = tuple(id(s) for s in app.screen_stack)
        busy = any(not w.is_finished for w in app.workers)
        if state == previous and not busy:
            return
        previous = state
    raise AssertionError("the app never settled")


async def sign_in(
    pilot: Pilot[Any], name: str = "Ada Martin", habilitations: tuple[str, ...] = ()
) -> None:
    from textual.widgets import Input, SelectionList

    screen = pilot.app.screen
    screen.query_one("#name", Input).value = name
    listing = screen.query_one("#habilitations", SelectionList)
    listing.deselect_all()
    for code in habilitations:
        listing.select(code)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def pick_equipment(pilot: Pilot[Any], text: str) -> None:
    await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


async def start(pilot: Pilot[Any], *symptoms: str) -> None:
    """Tick ``symptoms`` (by searching each) and start the diagnosis."""
    from textual.widgets import Input

    for symptom in symptoms:
        search = pilot.app.screen.query_one("#symptom-search", Input)
        search.focus()
        search.value = ""
        await pilot.press(*symptom)
        await pilot.press("enter", "space")
    await pilot.press("ctrl+s")
    await settle(pilot)


async def begin(
    pilot: Pilot[Any],
    *symptoms: str,
    equipment: str = "press",
    name: str = "Ada Martin",
    habilitations: tuple[str, ...] = (),
) -> Any:
    """Sign in, pick ``equipment``, start on ``symptoms``: the screen then on top."""
    await sign_in(pilot, name, habilitations)
    await pick_equipment(pilot, equipment)
    await start(pilot, *symptoms)
    return pilot.app.screen


async def open_problem(pilot: Pilot[Any], equipment: str, *symptoms: str) -> Any:
    """Straight to ``equipment``'s problem screen, tick ``symptoms``, start: the screen on top."""
    app = pilot.app
    await settle(pilot)
    app.show_problem(equipment)  # type: ignore[attr-defined]
    await settle(pilot)
    for symptom in symptoms:
        app.screen.selected.add(symptom)  # type: ignore[attr-defined]
    await pilot.press("ctrl+s")
    await settle(pilot)
    return app.screen


async def measure_other(pilot: Pilot[Any], text: str) -> None:
    """Choose measurement ``text`` through "measure something else" (Ctrl+O)."""
    await pilot.press("ctrl+o")
    await settle(pilot)
    await pilot.press(*text, "enter")
    await settle(pilot)


async def answer(pilot: Pilot[Any], text: str) -> None:
    from textual.widgets import Input

    box = pilot.app.screen.query_one("#answer", Input)
    box.focus()
    box.value = ""
    if text:
        await pilot.press(*text)
    await pilot.press("enter")
    await settle(pilot)


async def acknowledge_dialog(pilot: Pilot[Any]) -> None:
    """Tick every step of the procedure dialog on top (Space), then confirm it (Enter).

    The button ignores presses during its short "active" effect (a held key
    must not acknowledge several steps): wait for it to end before each press.
    """
    from textual.widgets import Button

    from diagnosis.ui.dialogs.procedure import ProcedureDialog

    app = pilot.app
    dialog = app.screen
    assert isinstance(dialog, ProcedureDialog)
    while dialog.done < dialog.total:  # the steps left (a resumed or a release dialog)
        before = dialog.done
        for _attempt in range(50):
            button = dialog.query_one("#ack", Button)
            while button.has_class("-active"):
                await pilot.pause(0.05)
            await pilot.press("space")  # Space ticks the step on the screen
            await app.workers.wait_for_complete()  # recorded in a worker (ui/writes.py)
            await pilot.pause()
            if dialog.done != before:
                break
        assert dialog.done > before
    await pilot.press("enter")  # Enter confirms, once every step is ticked
    await app.workers.wait_for_complete()
    await pilot.pause()
    assert app.screen is not dialog
    await settle(pilot)


def screen_text(app: Any) -> str:
    """The visible text of the screen (from the SVG screenshot), spaces normalised."""
    import html
    import re

    svg = app.export_screenshot()
    chunks = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", c)) for c in chunks)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))
