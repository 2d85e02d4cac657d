"""Engineer views reached from the equipment picker: fault trees (f / F2) and FMEA (m / F3)."""

from __future__ import annotations

from textual.widgets import Input
from ui_pilot import screen_text, settle, sign_in

from diagnosis.ui.screens.equipment import EquipmentScreen
from diagnosis.ui.screens.faulttree import FaultTreeScreen


async def test_fault_tree_browser_shows_exact_probability_cut_sets_and_importance(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await sign_in(pilot)
        assert isinstance(app.screen, EquipmentScreen)
        await pilot.press("f2")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FaultTreeScreen)
        analysis = screen.analyses["ui-ft-no-heat"]
        # P(top) = 1 - (1 - 0.03)(1 - 0.05 * 0.1) = 0.03485, exactly.
        assert abs(analysis.probability - 0.03485) < 1e-12
        assert [c.events for c in analysis.cut_sets] == [
            ("ev-setpoint",),
            ("ev-backup", "ev-heater"),
        ]
        text = screen_text(app)
        assert "0.0348" in text and "ev-backup, ev-heater" in text and "Birnbaum" in text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, EquipmentScreen)


async def test_typing_f_in_the_filter_filters(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await sign_in(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, EquipmentScreen)
        assert app.screen.query_one("#filter", Input).value == "f"
        await pilot.press("backspace", "down", "f")  # from the list, f opens the fault trees
        await settle(pilot)
        assert isinstance(app.screen, FaultTreeScreen)


async def test_fmea_table_sorted_by_priority(make_app) -> None:
    from textual.widgets import DataTable

    from diagnosis.ui.screens.fmea import FmeaScreen

    app = make_app()
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in(pilot)
        await pilot.press("f3")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, FmeaScreen)
        # Both lines are AP "L"; then RPN decides: 6x5x6 = 180 before 7x3x4 = 84.
        assert [(r.line.id, r.ap, r.rpn) for r in screen.rows] == [
            ("fmea-wet", "L", 180),
            ("fmea-heater", "L", 84),
        ]
        table = screen.query_one("#fmea-table", DataTable)
        assert table.row_count == 2
        assert "Monthly heater current check" not in screen_text(app)  # row 0 is fmea-wet
        await pilot.press("down")
        await pilot.pause()
        assert "Monthly heater current check" in screen_text(app)
