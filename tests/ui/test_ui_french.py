"""Every screen in French, without English words or raw ids where a label exists
(issue 10, item 16).

The whole flow is walked on the bundled conveyor, in French, at 80×24 and
100×40: each screen and dialog is captured (the visible text, the footer
included) and checked against words known to have leaked from English and
against the KB ids of what the screen names (symptoms, measurements, causes,
choices), which must show as their French labels.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from textual.widgets import OptionList, Select
from ui_pilot import acknowledge_dialog, answer, open_problem, screen_text, settle

from diagnosis.kb.loader import load_kb
from diagnosis.ui.dialogs.procedure import ProcedureDialog
from diagnosis.ui.screens.conclusion import ConclusionScreen
from diagnosis.ui.screens.diagnosis import DiagnosisScreen

# English that leaked into the French UI (issue 10) and Textual's own key labels.
ENGLISH = [
    "Dismiss",
    "lockout",
    "rule",
    "critical",
    "repair",
    "replace",
    "methode",
    "main_oeuvre",
    "Toggle",
    "Select",
    "Press",
    "Cancel",
    "Help",
    "Quit",
    "Theme",
    "Back",
    "Step",
    "yes",
    "none",
]


@pytest.fixture(scope="module")
def bundled_kb() -> Any:
    return load_kb()


def _raw_ids(kb: Any) -> set[str]:
    """Ids that a technician's screen must show by their names."""
    eq = kb.equipment("cv-line-01")
    ids = {s.id for s in eq.symptoms} | {m.id for m in eq.measurements}
    ids |= {c.id for c in eq.causes} | {r.id for r in eq.rules}
    for m in eq.measurements:
        ids |= {c for c, _ in m.choice_labels}
    return ids


def _leaks(text: str, raw_ids: set[str]) -> list[str]:
    words = set(re.findall(r"[A-Za-z_][\w-]*", text))
    found = [w for w in ENGLISH if w in words]
    found += sorted(i for i in raw_ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text))
    return found


async def _walk(app: Any, pilot: Any, seen: dict[str, str]) -> None:
    def grab(name: str) -> None:
        seen[name] = screen_text(app)

    await settle(pilot)
    grab("equipment")
    await pilot.press("f1")
    await pilot.pause()
    grab("help")
    await pilot.press("escape")
    app.show_problem("cv-line-01")
    await settle(pilot)
    screen = app.screen
    screen.selected.add("cv-vsd-trip")
    screen.absent.add("cv-burning-smell")
    screen._refill()
    await pilot.pause()
    grab("problem")
    await pilot.press("ctrl+s")
    await settle(pilot)
    diag = app.screen
    assert isinstance(diag, DiagnosisScreen)
    grab("diagnosis")
    await answer(pilot, "zzz")
    grab("diagnosis-error")
    await answer(pilot, "5")  # SCF3 earth fault
    grab("diagnosis-after-choice")
    await pilot.press("ctrl+o")
    await settle(pilot)
    grab("alternatives")
    await pilot.press(*"isolement", "enter")
    await settle(pilot)
    if isinstance(app.screen, ProcedureDialog):
        grab("lockout")
        await acknowledge_dialog(pilot)
    grab("diagnosis-lockout-done")
    await pilot.press("ctrl+g")
    await settle(pilot)
    grab("tree-observe")
    await pilot.press("escape")
    await settle(pilot)
    await pilot.press("ctrl+f")
    await settle(pilot)
    concl = app.screen
    assert isinstance(concl, ConclusionScreen)
    concl.query_one("#causes", OptionList).highlighted = 0
    await pilot.press("enter")
    await settle(pilot)
    concl.query_one("#activity", Select).value = "repair"
    await pilot.pause()
    grab("conclusion")
    activity = concl.query_one("#activity", Select)
    activity.focus()
    await pilot.pause()
    await pilot.press("enter")  # the list open: its footer key is Textual's own
    await pilot.pause()
    grab("select-open")
    await pilot.press("escape")
    await pilot.pause()
    body = concl.query_one("#conclusion-body")
    body.scroll_end(animate=False)
    await pilot.pause()
    grab("conclusion-end")
    await pilot.press("ctrl+s")
    await settle(pilot)
    grab("report")


@pytest.mark.parametrize("size", [(80, 24), (100, 40)])
async def test_every_screen_in_french_has_no_english_word_or_raw_id(
    make_app, bundled_kb, size: tuple[int, int]
) -> None:
    seen: dict[str, str] = {}
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana", habilitations=("BR",))
    async with app.run_test(size=size) as pilot:
        await _walk(app, pilot, seen)
    raw_ids = _raw_ids(bundled_kb)
    leaks = {name: found for name, text in seen.items() if (found := _leaks(text, raw_ids))}
    assert leaks == {}, "\n".join(f"{n}: {f}\n  {seen[n]}" for n, f in leaks.items())


async def test_resume_dialog_and_engineer_views_in_french(make_app, bundled_kb) -> None:
    from diagnosis.ui.dialogs.resume import ResumeDialog

    first = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with first.run_test(size=(100, 30)) as pilot:
        await open_problem(pilot, "cv-line-01", "cv-vsd-trip")
        await pilot.press("escape")  # pause: the session stays unfinished
        await settle(pilot)
    seen: dict[str, str] = {}
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, ResumeDialog)
        seen["resume"] = screen_text(app)
        assert "Arrêt de ligne sur défaut variateur" in seen["resume"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        seen["fault-trees"] = screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        seen["fmea"] = screen_text(app)
    leaks = {"resume": _leaks(seen["resume"], _raw_ids(bundled_kb))}
    # The engineer views name KB ids on purpose (cut sets, FMEA lines): words only there.
    leaks |= {n: _leaks(seen[n], set()) for n in ("fault-trees", "fmea")}
    assert {n: f for n, f in leaks.items() if f} == {}, seen


def _without_choice_labels(kb: Any) -> Any:
    """The bundled KB with every ``choice_labels`` of the conveyor taken away."""
    import dataclasses

    eq = kb.equipment("cv-line-01")
    bare = tuple(dataclasses.replace(m, choice_labels=()) for m in eq.measurements)
    others = tuple(e for e in kb.equipments if e.id != "cv-line-01")
    return dataclasses.replace(
        kb, equipments=(dataclasses.replace(eq, measurements=bare), *others)
    )


async def test_choices_without_labels_never_show_their_raw_id(make_app, bundled_kb) -> None:
    """A KB without ``choice_labels``: the numbered list, the error and the readings
    name each choice in words (``Aucun``, ``Scf3 earth fault``), never its kebab id;
    the id, the number and the shown name are still accepted (issue 10)."""
    kb = _without_choice_labels(bundled_kb)
    eq = kb.equipment("cv-line-01")
    kebab = {c for m in eq.measurements for c in m.choices if "-" in c or c in ("none", "milky")}
    seen: dict[str, str] = {}
    app = make_app(kb=kb, lang="fr", technician="Ana", habilitations=("BR",))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.show_problem("cv-line-01")
        await settle(pilot)
        app.screen.selected.add("cv-vsd-trip")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DiagnosisScreen)
        seen["card"] = screen_text(app)
        assert "Scf3 earth fault" in seen["card"] and "Aucun" in seen["card"]
        await answer(pilot, "zzz")
        seen["error"] = screen_text(app)
        await answer(pilot, "scf3 earth")  # the shown name, by prefix
        seen["after"] = screen_text(app)
        session = app.session
        assert session is not None
        assert [r.value for r in session.readings] == ["scf3-earth-fault"]
    leaks = {n: _leaks(text, kebab) for n, text in seen.items()}
    assert {n: f for n, f in leaks.items() if f} == {}, seen
