"""Ctrl+G on the diagnosis screen: observe a fault-tree gate, see the ranking move, clear it."""

from __future__ import annotations

from dataclasses import replace

from textual.widgets import OptionList, Static
from ui_pilot import begin, screen_text, settle

from diagnosis.ui.dialogs.tree_observe import TreeObserveDialog, tree_nodes
from diagnosis.ui.screens.diagnosis import DiagnosisScreen

TREE = "ui-ft-no-heat"


async def _diagnosis(pilot) -> DiagnosisScreen:
    screen = await begin(pilot, "short")
    assert isinstance(screen, DiagnosisScreen)
    return screen


async def _open(pilot) -> TreeObserveDialog:
    await pilot.press("ctrl+g")
    await settle(pilot)
    dialog = pilot.app.screen
    assert isinstance(dialog, TreeObserveDialog)
    return dialog


async def _highlight(pilot, dialog: TreeObserveDialog, node_id: str) -> None:
    """Move down the node list with the arrow keys until ``node_id`` is highlighted."""
    for _ in range(len(dialog.nodes) + 2):
        current = dialog._highlighted()
        if current is not None and current.node == node_id:
            return
        await pilot.press("down")
    raise AssertionError(f"{node_id} not reached")


def _detail(dialog: TreeObserveDialog) -> str:
    return str(dialog.query_one("#tree-node-detail", Static).render())


def _top(screen: DiagnosisScreen) -> dict[str, float]:
    return dict(screen.session.ranking())


def test_nodes_are_listed_depth_first_from_the_top(ui_kb) -> None:
    (tree,) = ui_kb.trees_for("ui-press-01")
    nodes = tree_nodes(tree, "fr")
    assert [(n.node, n.depth, n.kind, n.causes) for n in nodes] == [
        ("g-top", 0, "or", ("heater-burnt", "setpoint-low")),
        ("g-heat", 1, "and", ("heater-burnt",)),
        ("ev-heater", 2, "event", ("heater-burnt",)),
        ("ev-backup", 2, "event", ()),
        ("ev-setpoint", 1, "event", ("setpoint-low",)),
    ]


async def test_observe_a_gate_then_clear_it(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _diagnosis(pilot)
        before = _top(screen)
        assert screen.session.tree_observations == {}

        dialog = await _open(pilot)
        text = screen_text(app)
        assert "Fault tree: what have you observed?" in text
        assert "No melt at temperature (ui-ft-no-heat)" in text
        assert "Both heaters lost (AND gate)" in text
        assert "not observed" in text
        # Enter on the gate, then "it happened" from the state list.
        await _highlight(pilot, dialog, "ev-backup")
        await pilot.pause()
        assert _detail(dialog) == (
            "no linked cause: does not move the ranking by itself\n"
            "Backup heater failed · basic event · ev-backup"
        )
        await pilot.press("up", "up")
        await pilot.pause()
        assert _detail(dialog) == (
            "linked to 1 cause(s) of the ranking\nBoth heaters lost · AND gate · g-heat"
        )
        await pilot.press("enter")
        assert dialog.focused is dialog.query_one("#tree-state", OptionList)
        await pilot.press("enter")
        await settle(pilot)

        assert app.screen is screen
        assert screen.session.tree_observations == {TREE: {"g-heat": True}}
        after = _top(screen)
        # Both heaters lost: the burnt heater (linked to ev-heater) becomes certain
        # among the tree's causes; the setpoint cause loses ground.
        assert after["heater-burnt"] > before["heater-burnt"] + 0.1
        assert after["setpoint-low"] < before["setpoint-low"]
        status = str(screen.query_one("#status", Static).render())
        assert "fault tree: 1 observed" in status

        # The dialog shows the observation; "c" clears it.
        dialog = await _open(pilot)
        assert "observed" in screen_text(app)
        await _highlight(pilot, dialog, "g-heat")
        await pilot.press("c")
        await settle(pilot)
        assert screen.session.tree_observations.get(TREE, {}) == {}
        assert _top(screen) == before
        assert "fault tree" not in str(screen.query_one("#status", Static).render())


async def test_checked_absent_with_a_key_and_cancel(make_app) -> None:
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await begin(pilot, "manque")
        assert isinstance(screen, DiagnosisScreen)
        before = _top(screen)

        dialog = await _open(pilot)
        text = screen_text(app)
        assert "Arbre de défaillance : qu'avez-vous constaté ?" in text
        assert "Matière pas à température" in text
        assert "non observé" in text
        assert "key." not in text
        # French keys in the footer (o for oui, e for effacer); y and c work too.
        assert "o Constaté" in text and "n Vérifié absent" in text and "e Effacer" in text
        assert "y Constaté" not in text
        await pilot.press("escape")  # cancel: nothing recorded
        await settle(pilot)
        assert app.screen is screen
        assert screen.session.tree_observations == {}

        dialog = await _open(pilot)
        await _highlight(pilot, dialog, "ev-setpoint")
        await pilot.press("n")  # checked: the setpoint is right
        await settle(pilot)
        assert screen.session.tree_observations == {TREE: {"ev-setpoint": False}}
        assert _top(screen)["setpoint-low"] < before["setpoint-low"]

        dialog = await _open(pilot)
        assert "vérifié absent" in screen_text(app)
        await _highlight(pilot, dialog, "g-top")
        await pilot.press("o")  # oui: the top event happened
        await settle(pilot)
        assert screen.session.tree_observations == {TREE: {"ev-setpoint": False, "g-top": True}}

        dialog = await _open(pilot)
        await _highlight(pilot, dialog, "g-top")
        await pilot.press("e")  # effacer
        await settle(pilot)
        assert screen.session.tree_observations == {TREE: {"ev-setpoint": False}}


async def test_an_engine_refusal_shows_as_the_error_line(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _diagnosis(pilot)
        dialog = await _open(pilot)
        # A node the KB does not know (a tree edited under a running session).
        dialog.nodes[0] = replace(dialog.nodes[0], node="g-gone")
        await pilot.press("y")
        await settle(pilot)
        error = str(screen.query_one("#answer-error", Static).render())
        assert "g-gone" in error
        assert screen.session.tree_observations == {}


async def test_equipment_without_fault_tree_shows_a_message(make_app, ui_kb) -> None:
    app = make_app(kb=replace(ui_kb, fault_trees=()))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _diagnosis(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        assert app.screen is screen
        messages = [n.message for n in app._notifications]
        assert messages == ["No fault tree in the knowledge base for this equipment."]
