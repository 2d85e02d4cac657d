"""The screen works at 80×24 (issue 10, items 11 and 15): the answer field and its error
always visible, long cards scrolling in their own box, F1 in every footer, help scrolling."""

from __future__ import annotations

from typing import Any

import pytest
from textual.containers import VerticalScroll
from textual.widgets import Footer, Input, Static
from ui_pilot import answer, open_problem, screen_text, settle

from diagnosis.kb.loader import load_kb
from diagnosis.ui.dialogs.help import HelpDialog
from diagnosis.ui.screens.diagnosis import DiagnosisScreen


@pytest.fixture(scope="module")
def bundled_kb() -> Any:
    return load_kb()


def _on_screen(app: Any, widget: Any) -> bool:
    """Wholly inside the screen, above the footer, and not scrolled out of its container."""
    region = widget.region
    screen = app.screen.region
    footer = app.screen.query_one(Footer).region
    return (
        region.height > 0
        and screen.contains_region(region)
        and region.y + region.height <= footer.y
        and widget.parent.region.contains_region(region)
    )


async def _conveyor(app: Any, pilot: Any) -> DiagnosisScreen:
    screen = await open_problem(pilot, "cv-line-01", "cv-vsd-trip")
    assert isinstance(screen, DiagnosisScreen)
    return screen


async def test_long_card_scrolls_in_its_box_and_the_error_stays_visible(make_app, bundled_kb):
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _conveyor(app, pilot)
        box = screen.query_one("#card-box", VerticalScroll)
        assert box.max_scroll_y > 0  # the drive fault-code card is taller than its box
        assert _on_screen(app, screen.query_one("#answer", Input))
        await answer(pilot, "abc")
        error = screen.query_one("#answer-error", Static)
        assert "abc" in str(error.render())
        assert _on_screen(app, error) and _on_screen(app, screen.query_one("#answer", Input))
        await pilot.press("pagedown")
        await pilot.pause()
        assert box.scroll_y > 0  # PageDown scrolls the card, the answer keeps the focus
        assert app.focused is screen.query_one("#answer", Input)
        await pilot.press("pageup")
        await pilot.pause()
        assert box.scroll_y == 0


async def test_f1_is_first_in_the_footer_and_the_help_scrolls(make_app, bundled_kb):
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _conveyor(app, pilot)
        keys = list(screen.active_bindings)
        assert keys[0] == "f1"
        await pilot.press("f1")
        await pilot.pause()
        help_dialog = app.screen
        assert isinstance(help_dialog, HelpDialog)
        assert next(iter(help_dialog.active_bindings)) == "f1"
        scroll = help_dialog.query_one("#help-scroll", VerticalScroll)
        assert scroll.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert scroll.scroll_y > 0
        await pilot.press("f1")  # F1 again closes the help
        await pilot.pause()
        assert app.screen is screen


async def test_fault_tree_at_80x24_never_cuts_a_number(make_app, bundled_kb):
    from textual.widgets import Tree

    from diagnosis.ui.screens.faulttree import FaultTreeScreen, _p

    assert (_p(1e-4), _p(1e-4, "fr"), _p(0.0348, "fr")) == ("1.00e-04", "1,00e-04", "0,0348")
    app = make_app(kb=bundled_kb, lang="fr", technician="Ana")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(FaultTreeScreen("cv-line-01"))
        await settle(pilot)
        screen = app.screen
        tree = screen.query_one("#ft-tree", Tree)
        # Both panes share the 24 rows: the tree shows several lines, the analysis too.
        assert tree.size.height >= 8 and screen.query_one("#ft-details").size.height >= 8

        def find(node: Any) -> Any:
            if node.data is not None and node.data[1] == "cv-ee-k10-ccf":
                return node
            return next((n for c in node.children if (n := find(c)) is not None), None)

        node = find(tree.root)
        assert node is not None
        tree.move_cursor(node)
        tree.scroll_to_node(node, animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert "p=1,00e-04 Module de sécurité K10" in text  # the whole number, before the name


async def test_report_preview_scrolls_from_the_keyboard(make_app) -> None:
    from ui_pilot import pick_equipment, start

    from diagnosis.ui.screens.report import ReportScreen

    app = make_app(technician="Ada Martin")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pick_equipment(pilot, "press")
        await start(pilot, "short")
        await answer(pilot, "dry")
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReportScreen)
        await pilot.pause(0.3)
        preview = screen.query_one("#report-preview", VerticalScroll)
        assert app.focused is preview and preview.max_scroll_y > 0
        await pilot.press("pagedown")
        await pilot.pause()
        assert preview.scroll_y > 0


def _footer_keys(app: Any) -> list[tuple[str, int, int]]:
    """(key, x, right) of every key the footer shows, left to right."""
    footer = app.screen.query_one(Footer)
    keys = [(k.key, k.region.x, k.region.right) for k in footer.query("FooterKey")]
    return sorted(keys, key=lambda k: k[1])


def _check_footer(app: Any, name: str, seen: dict[str, list[str]]) -> None:
    keys = _footer_keys(app)
    seen[name] = [k for k, _, _ in keys]
    assert keys and keys[0][0] == "f1" and keys[0][1] == 0, (name, keys)
    cut = [k for k, _, right in keys if right > app.size.width]
    assert cut == [], (name, cut)  # nothing cut at the right end
    line = screen_text(app)
    assert ("f1 Aide" in line) or ("f1 Help" in line), (name, line[-120:])


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_every_footer_at_80x24_starts_with_f1_and_is_not_cut(make_app, bundled_kb, lang):
    """Before: the diagnosis footer ran past column 80 (Quit and Theme cut off)."""
    from textual.widgets import OptionList, Select

    from diagnosis.ui.screens.conclusion import ConclusionScreen

    seen: dict[str, list[str]] = {}
    app = make_app(kb=bundled_kb, lang=lang)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        _check_footer(app, "technician", seen)
        app.technician, app.habilitations = "Ana", ("BR",)
        app.show_equipment()
        await settle(pilot)
        _check_footer(app, "equipment", seen)
        await pilot.press("f2")
        await settle(pilot)
        _check_footer(app, "fault-trees", seen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        _check_footer(app, "fmea", seen)
        await pilot.press("escape")
        await settle(pilot)
        screen = await _conveyor(app, pilot)
        _check_footer(app, "problem→diagnosis", seen)
        assert "ctrl+n" in seen["problem→diagnosis"] and "ctrl+f" in seen["problem→diagnosis"]
        await pilot.press("ctrl+o")
        await settle(pilot)
        _check_footer(app, "alternatives", seen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        concl = app.screen
        assert isinstance(concl, ConclusionScreen)
        _check_footer(app, "conclusion", seen)
        concl.query_one("#causes", OptionList).highlighted = 0
        await pilot.press("enter")
        await settle(pilot)
        concl.query_one("#activity", Select).value = "repair"
        await pilot.press("ctrl+s")
        await settle(pilot)
        _check_footer(app, "report", seen)
        assert screen is not None
