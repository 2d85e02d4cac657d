"""Pilot helpers shared by the UI tests: sign in, pick, start, answer, wait for workers."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker (engine calls run in threads) is done and the screen updated."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


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
    """Acknowledge every step of the procedure dialog on top, then the procedure."""
    from ui.dialogs.procedure import ProcedureDialog

    dialog = pilot.app.screen
    assert isinstance(dialog, ProcedureDialog)
    for _ in range(len(dialog.procedure.steps) + 1):
        await pilot.press("enter")
        await pilot.pause(0.3)  # the button ignores presses during its 0.2 s active effect
    await settle(pilot)


def screen_text(app: Any) -> str:
    """The visible text of the screen (from the SVG screenshot), spaces normalised."""
    import html
    import re

    svg = app.export_screenshot()
    chunks = re.findall(r"<text[^>]*>(.*?)</text>", svg, flags=re.S)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", c)) for c in chunks)
    return re.sub(r"\s+", " ", text.replace("\xa0", " "))
