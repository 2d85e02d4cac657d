"""A whole guided diagnosis driven through the UI, from sign-in to the report."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, OptionList, Select, Static
from ui_pilot import acknowledge_dialog, answer, pick_equipment, settle, sign_in, start

from diagnosis.session.events import (
    CategorySet,
    ConclusionReached,
    RemedyRecorded,
    SessionClosed,
    ValidationRecorded,
)
from diagnosis.store import open_store
from diagnosis.ui.dialogs.procedure import ProcedureDialog
from diagnosis.ui.screens.conclusion import ConclusionScreen
from diagnosis.ui.screens.diagnosis import DiagnosisScreen
from diagnosis.ui.screens.equipment import EquipmentScreen
from diagnosis.ui.screens.problem import ProblemScreen
from diagnosis.ui.screens.report import ReportScreen
from diagnosis.ui.screens.technician import TechnicianScreen
from diagnosis.ui.widgets.fields import FieldText


async def test_complete_diagnosis_to_report(make_app, tmp_path: Path, db_url: str) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert isinstance(app.screen, TechnicianScreen)
        await sign_in(pilot, "Ada Martin", ("BR",))
        assert isinstance(app.screen, EquipmentScreen)
        await pick_equipment(pilot, "press")
        assert isinstance(app.screen, ProblemScreen)
        await start(pilot, "short")
        screen = app.screen
        assert isinstance(screen, DiagnosisScreen)
        assert screen.current is not None
        # Answer what the engine proposes: the granules are dry, the melt is cold (not critical),
        # the heater draws no current (after its lockout).
        answers = {"granule-aspect": "dry", "melt-temp": "205 °C", "heater-current": "no"}
        for _ in range(5):
            if isinstance(app.screen, ProcedureDialog):
                assert app.screen.procedure.kind == "lockout"
                await acknowledge_dialog(pilot)
            if screen.current is None:
                break
            await answer(pilot, answers[screen.current.id])
        assert screen.current is None
        assert screen.view is not None and screen.view.stop_reason == "confidence"
        assert screen.view.ranking[0][0] == "heater-burnt"
        readings = [r.measurement for r in screen.view.readings]
        assert sorted(readings) == ["granule-aspect", "heater-current", "melt-temp"]
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, ConclusionScreen)
        causes = app.screen.query_one("#causes", OptionList)
        assert causes.get_option_at_index(causes.highlighted or 0).id == "heater-burnt"
        await pilot.press("enter")
        await settle(pilot)
        why = app.screen.query_one("#why-0", FieldText).value
        assert why == "Melt is too cold to fill the mould"
        assert "Melt temperature at nozzle" in str(
            app.screen.query_one("#why-ev-0", Static).render()
        )
        assert app.screen.query_one("#remedy", FieldText).value.startswith("Replace heater band")
        assert app.screen.query_one("#labour", Input).value == "45"
        app.screen.query_one("#downtime", Input).value = "1 h"  # not minutes: refused
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Minutes must be numbers" in str(
            app.screen.query_one("#conclusion-error", Static).render()
        )
        app.screen.query_one("#downtime", Input).value = "62,5"
        app.screen.query_one("#activity", Select).value = "replace"
        app.screen.query_one("#validation", FieldText).value = "Heat-up test of zone 2"
        app.screen.query_one("#validation-result", FieldText).value = "230 °C reached in 12 min"
        app.screen.query_one("#validation-status", Select).value = "passed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        paths = app.screen.paths
        assert [p.suffix for p in paths] == [".md", ".html", ".pdf"]
        assert paths[2].read_bytes().startswith(b"%PDF-")
        assert all(p.parent == tmp_path / "reports" and p.stat().st_size > 0 for p in paths)
        assert "Heater band zone 2 burnt out" in paths[0].read_text(encoding="utf-8")
        session_id = screen.session.id
    store = open_store(db_url)  # the app closed its own on exit: read the log back
    events = store.events(session_id)
    store.close()
    conclusion = [e for e in events if isinstance(e, ConclusionReached)][-1]
    assert conclusion.root_cause == "heater-burnt" and conclusion.confirmed
    assert isinstance(events[-1], SessionClosed)
    remedy = [e for e in events if isinstance(e, RemedyRecorded)][-1]
    assert (remedy.activity, remedy.labour_min, remedy.downtime_min) == ("replace", 45.0, 62.5)
    assert remedy.lockout_done  # a reading of this session needed lockout
    validation = [e for e in events if isinstance(e, ValidationRecorded)][-1]
    assert validation.passed and validation.test == "Heat-up test of zone 2"
    assert validation.result == "230 °C reached in 12 min"
    assert [e for e in events if isinstance(e, CategorySet)][-1].category_5m == "machine"
