"""Fields that keep what is typed, ticks readable without colour, the conclusion form
(issue 10, items 12, 13 and 14)."""

from __future__ import annotations

from typing import Any

from textual.containers import VerticalScroll
from textual.widgets import Input, OptionList, Select, SelectionList
from ui_pilot import answer, pick_equipment, screen_text, settle, start

from diagnosis.session.events import SessionClosed, ValidationRecorded
from diagnosis.ui.screens.conclusion import ConclusionScreen
from diagnosis.ui.screens.diagnosis import DiagnosisScreen
from diagnosis.ui.screens.equipment import EquipmentScreen
from diagnosis.ui.screens.problem import ProblemScreen
from diagnosis.ui.widgets.fields import FieldText


async def test_enter_in_the_habilitation_list_signs_in_without_unticking(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#name", Input).value = "Ada Martin"
        listing = screen.query_one("#habilitations", SelectionList)
        listing.focus()
        listing.highlighted = 5  # BR
        await pilot.press("space")
        await pilot.pause()
        assert listing.selected == ["BR"]
        text = screen_text(app)
        assert "[x] BR" in text and "[ ] B0" in text  # the state is in the text, not colour
        await pilot.press("enter")  # the README says "press Enter": it signs in
        await settle(pilot)
        assert app.habilitations == ("BR",)
        assert isinstance(app.screen, EquipmentScreen)


async def test_typing_into_a_prefilled_field_keeps_it_and_ctrl_z_restores(make_app) -> None:
    app = make_app(lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pick_equipment(pilot, "press")
        screen = app.screen
        assert isinstance(screen, ProblemScreen)
        who = screen.query_one("#q-who", Input)
        assert who.value == "Ana"
        who.focus()
        await pilot.pause()
        await pilot.press(*" (équipe B)")
        assert who.value == "Ana (équipe B)"  # not wiped by a select-all
        await pilot.press("ctrl+u")  # delete to the start of the line
        assert who.value == ""
        await pilot.press("ctrl+z")
        assert who.value == "Ana (équipe B)"
        # Absent symptoms: a mark and a label, not a colour.
        search = screen.query_one("#symptom-search", Input)
        search.focus()
        await pilot.press(*"short", "enter", "x")
        await pilot.pause()
        text = screen_text(app)
        assert "[-]" in text and "(non constaté)" in text


async def _conclusion(app: Any, pilot: Any) -> ConclusionScreen:
    await settle(pilot)
    await pick_equipment(pilot, "press")
    await start(pilot, "short")
    assert isinstance(app.screen, DiagnosisScreen)
    await answer(pilot, "dry")
    await pilot.press("ctrl+f")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ConclusionScreen)
    screen.query_one("#causes", OptionList).highlighted = 0
    await pilot.press("enter")
    await settle(pilot)
    return screen


async def test_conclusion_fields_multiline_tab_scrolls_and_validation_pending(make_app) -> None:
    app = make_app(technician="Ada Martin")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _conclusion(app, pilot)
        why = screen.query_one("#why-0", FieldText)
        assert app.focused is why and why.value == "Melt is too cold to fill the mould"
        await pilot.press(*" at nozzle")
        assert why.value == "Melt is too cold to fill the mould at nozzle"
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert why.value == "Melt is too cold to fill the mould"
        remedy = screen.query_one("#remedy", FieldText)
        remedy.value = "Replace the heater band of zone 2 (ref CH-230-400), " * 3
        await pilot.pause()
        assert remedy.size.height == 3  # a long remedy wraps and shows whole (up to 5 lines)
        # Tab through the whole form: the focused field is always scrolled into view.
        body = screen.query_one("#conclusion-body", VerticalScroll)
        seen = set()
        for _ in range(25):
            await pilot.press("tab")
            await pilot.pause(0.6)  # longer than any scroll animation
            focused = app.focused
            if focused is None or focused.id in seen:
                break
            seen.add(focused.id)
            if focused is body or body not in focused.ancestors:
                continue
            assert body.region.contains_region(focused.region), focused.id
        assert {"remedy", "validation", "validation-status"} <= seen
        # Saving without a test result is allowed only as "validation pending", said in words.
        status = screen.query_one("#validation-status", Select)
        assert status.value == "pending"
        session = screen.session
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not any(isinstance(e, ValidationRecorded) for e in session.events)
        assert isinstance(session.events[-1], SessionClosed)


async def test_down_from_the_search_ticks_with_space_at_80x24(make_app) -> None:
    """At 80x24 the problem screen scrolls: Down in the search must still go to the
    checklist (not scroll the page), and Space then ticks the highlighted symptom.
    Found in tmux: Down scrolled the page and Space did nothing."""
    from ui_pilot import sign_in

    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pick_equipment(pilot, "ui-press")
        screen = app.screen
        assert isinstance(screen, ProblemScreen)
        await pilot.press("down")
        await settle(pilot)
        listing = screen.query_one("#symptoms", SelectionList)
        assert app.focused is listing
        await pilot.press("down", "space")
        await settle(pilot)
        assert len(listing.selected) == 1
        assert listing.selected[0] == listing.get_option_at_index(1).value
        await pilot.press("up", "up")  # back to the top of the list: still the list
        assert app.focused is listing
