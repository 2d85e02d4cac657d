"""Concluding: the honest "_unknown" with what was ruled out, and a resumed concluded session."""

from __future__ import annotations

from textual.widgets import OptionList, Static
from ui_pilot import answer, begin, settle

from diagnosis.session.events import ConclusionReached
from diagnosis.ui.screens.conclusion import ConclusionScreen
from diagnosis.ui.screens.diagnosis import DiagnosisScreen
from diagnosis.ui.widgets.fields import FieldText


async def _concluding(pilot) -> DiagnosisScreen:
    screen = await begin(pilot, "short")
    assert isinstance(screen, DiagnosisScreen)
    await answer(pilot, "dry")  # granules fine: the material is (almost) ruled out
    await pilot.press("ctrl+f")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ConclusionScreen)
    return screen


async def test_unknown_cause_records_what_was_ruled_out(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        diag = await _concluding(pilot)
        screen = app.screen
        causes = screen.query_one("#causes", OptionList)
        ids = [causes.get_option_at_index(i).id for i in range(causes.option_count)]
        assert "_unknown" in ids and set(ids) >= {"heater-burnt", "setpoint-low"}
        causes.highlighted = ids.index("_unknown")
        await pilot.press("enter")
        await settle(pilot)
        conclusion = diag.session.conclusion
        assert isinstance(conclusion, ConclusionReached)
        assert conclusion.root_cause == "_unknown" and conclusion.confirmed
        assert "wet-material" in conclusion.ruled_out
        assert "Material not dried" in str(screen.query_one("#ruled-out", Static).render())
        assert screen.query_one("#remedy", FieldText).value == ""


async def test_resumed_concluded_session_opens_the_conclusion(make_app) -> None:
    first = make_app()
    async with first.run_test(size=(80, 24)) as pilot:
        diag = await _concluding(pilot)
        await pilot.press("enter")  # confirm the top cause
        await settle(pilot)
        session_id = diag.session.id
    second = make_app()
    async with second.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("enter")  # the unfinished session
        await settle(pilot)
        screen = second.screen
        assert isinstance(screen, ConclusionScreen)
        assert screen.session.id == session_id
        assert screen.root == "heater-burnt"
        assert screen.query_one("#why-0", FieldText).value == "Melt is too cold to fill the mould"
