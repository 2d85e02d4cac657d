"""A whole diagnosis through the UI on each bundled equipment, the readings from a simulated machine.

The hidden cause is known; the technician (the test) types what the
simulated machine shows for each proposed measurement, acknowledges every
safety dialog, confirms the root cause the engine reached, saves and checks
the report on disk.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, Static
from ui_pilot import acknowledge_dialog, answer, settle, sign_in

from diagnosis.kb.loader import load_kb
from diagnosis.ui.dialogs.procedure import ProcedureDialog
from diagnosis.ui.screens.conclusion import ConclusionScreen
from diagnosis.ui.screens.diagnosis import DiagnosisScreen
from diagnosis.ui.screens.problem import ProblemScreen
from diagnosis.ui.screens.report import ReportScreen

CASES = [
    ("cv-line-01", "cv-belt-slip", "cv-belt-stretched"),
    ("injection-press-01", "im-short-shot", "im-regrind-ratio-high"),
    ("pp-cell-01", "pp-dropped-part", "pp-cup-worn"),
]


@pytest.fixture(scope="module")
def bundled_kb():
    return load_kb()


def _typed(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    return str(raw)


@pytest.mark.parametrize(("equipment", "symptom", "hidden"), CASES)
async def test_bundled_equipment_diagnosis(
    make_app, bundled_kb, tmp_path: Path, equipment: str, symptom: str, hidden: str
) -> None:
    from diagnosis.session import SimulatedMachine

    eq = bundled_kb.equipment(equipment)
    machine = SimulatedMachine(eq, hidden)
    app = make_app(kb=bundled_kb)
    async with app.run_test(size=(100, 30)) as pilot:
        await sign_in(pilot, "Ada Martin", ("BR",))
        app.show_problem(equipment)
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ProblemScreen)
        screen.selected.add(symptom)
        await pilot.press("ctrl+s")
        await settle(pilot)
        diag = None
        for _ in range(40):
            if isinstance(app.screen, ProcedureDialog):
                await acknowledge_dialog(pilot)
                continue
            diag = app.screen
            assert isinstance(diag, DiagnosisScreen)
            if diag.current is None:
                break
            raw = machine.read(diag.current)
            if raw is None:
                await pilot.press("ctrl+n")
                await settle(pilot)
            else:
                await answer(pilot, _typed(raw))
            assert str(diag.query_one("#answer-error", Static).render()) == ""
        assert diag is not None and diag.current is None
        assert diag.view.ranking[0][0] == hidden
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, ConclusionScreen)
        causes = app.screen.query_one("#causes", OptionList)
        assert causes.get_option_at_index(causes.highlighted or 0).id == hidden
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReportScreen)
        md = app.screen.paths[0].read_text(encoding="utf-8")
        assert kb_name(bundled_kb, equipment, hidden) in md
        assert diag.session.closed


def kb_name(kb, equipment: str, cause: str) -> str:
    return kb.equipment(equipment).cause(cause).name.get("en")
