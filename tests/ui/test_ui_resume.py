"""Nothing is lost: a session interrupted is offered for resume at the next start."""

from __future__ import annotations

from textual.widgets import Input, OptionList, SelectionList
from ui_pilot import answer, begin, settle

from diagnosis.ui.dialogs.resume import ResumeDialog
from diagnosis.ui.screens.diagnosis import DiagnosisScreen
from diagnosis.ui.screens.equipment import EquipmentScreen


async def test_resume_after_restart(make_app) -> None:
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "short", name="Léa Robert", habilitations=("BR", "B2V"))
        screen = first.screen
        assert isinstance(screen, DiagnosisScreen)
        proposed = screen.current.id
        value = {"granule-aspect": "dry", "melt-temp": "205", "heater-current": "no"}[proposed]
        if screen.current.requires.lockout:
            from ui_pilot import acknowledge_dialog

            await acknowledge_dialog(pilot)
        await answer(pilot, value)
        session_id = screen.session.id
        assert len(screen.session.readings) == 1
    # The app is gone (as if the laptop had been closed); start again on the same store.
    second = make_app()
    async with second.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert second.screen.query_one("#name", Input).value == "Léa Robert"
        held = second.screen.query_one("#habilitations", SelectionList).selected
        assert sorted(held) == ["B2V", "BR"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = second.screen
        assert isinstance(dialog, ResumeDialog)
        listing = dialog.query_one("#resume-list", OptionList)
        assert listing.get_option_at_index(0).id == session_id
        await pilot.press("enter")
        await settle(pilot)
        resumed = second.screen
        assert isinstance(resumed, DiagnosisScreen)
        assert resumed.session.id == session_id
        assert [r.measurement for r in resumed.session.readings] == [proposed]
        assert [r.measurement for r in resumed.view.readings] == [proposed]
        assert isinstance(second.screen_stack[-2], EquipmentScreen)  # Esc goes to the picker


async def test_new_diagnosis_instead_of_resume(make_app) -> None:
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        await begin(pilot, "short")
    second = make_app()
    async with second.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(second.screen, ResumeDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(second.screen, EquipmentScreen)
