"""Observe a fault-tree gate or event: it happened, it was checked absent, or clear it.

The technician often knows more than a reading: "both heaters are dead",
"the setpoint was checked and is right". A fault tree of the equipment names
those intermediate events; observing one gives the engine evidence over the
causes linked to the tree's basic events, so the ranking moves.

The dialog lists every gate and basic event of the equipment's trees, in
tree order (indented under their parent gate, each tree under its name),
with the current observation. Keyboard first: arrows to pick a node, then
``y``/``o`` (it happened), ``n`` (checked, it did not) or ``c``/``e``/Delete
(clear); or Enter, then the state from a short list. The dialog returns a
:class:`TreeChoice`; the diagnosis screen makes the call in its engine worker.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from diagnosis.kb.model import FaultTreeDef
from diagnosis.ui.screens.base import BaseDialog
from diagnosis.ui.text import esc, kb_text

__all__ = ["TreeChoice", "TreeObserveDialog", "tree_nodes"]

_MAX_INDENT = 6  # deeper levels are not indented further (80 columns)


@dataclass(frozen=True)
class TreeChoice:
    """What the technician chose: ``state`` True (happened), False (checked absent), None (clear)."""

    tree: str
    node: str
    state: bool | None


@dataclass(frozen=True)
class TreeNode:
    """One line of the listing: a gate or event of a tree, at its depth under the top."""

    tree: str
    node: str
    name: str
    kind: str  # the gate type ("or", "and", "atleast"…) or "event"
    depth: int
    causes: tuple[str, ...] = ()  # KB causes linked to the events under this node
    k: int | None = None  # atleast gates: k out of ``inputs``
    inputs: int = 0


def tree_nodes(tree: FaultTreeDef, lang: str) -> list[TreeNode]:
    """The tree's gates and events, depth first from the top, each once.

    A node shared by several gates is listed under the first one only; a node
    the top does not reach (a KB under construction) is listed at the end.
    """
    gates = {g.id: g for g in tree.gates}
    events = {e.id: e for e in tree.events}
    seen: set[str] = set()
    out: list[TreeNode] = []

    def linked(node_id: str, path: frozenset[str] = frozenset()) -> set[str]:
        if node_id in path:  # a cycle (refused by kb check): stop there
            return set()
        event = events.get(node_id)
        if event is not None:
            return {event.cause} if event.cause else set()
        gate = gates.get(node_id)
        found: set[str] = set()
        for child in gate.inputs if gate is not None else ():
            found |= linked(child, path | {node_id})
        return found

    def visit(node_id: str, depth: int) -> None:
        if node_id in seen:
            return
        seen.add(node_id)
        gate = gates.get(node_id)
        if gate is not None:
            name = kb_text(gate.name, lang) or gate.id
            causes = tuple(sorted(linked(gate.id)))
            out.append(
                TreeNode(tree.id, gate.id, name, gate.type, depth, causes, gate.k, len(gate.inputs))
            )
            for child in gate.inputs:
                visit(child, depth + 1)
            return
        event = events.get(node_id)
        if event is not None:
            name = kb_text(event.name, lang) or event.id
            causes = (event.cause,) if event.cause else ()
            out.append(TreeNode(tree.id, event.id, name, "event", depth, causes))

    visit(tree.top, 0)
    for node_id in [*gates, *events]:
        visit(node_id, 0)
    return out


class TreeObserveDialog(BaseDialog[TreeChoice | None]):
    """Pick a node of ``trees`` and set its observation; None = cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("y", "set_state('true')", "key.tree_true"),
        Binding("o", "set_state('true')", "key.tree_true"),
        Binding("n", "set_state('false')", "key.tree_false"),
        Binding("c", "set_state('clear')", "key.tree_clear"),
        Binding("e", "set_state('clear')", "key.tree_clear"),
        Binding("delete,backspace", "set_state('clear')", "key.tree_clear", show=False),
    ]

    def __init__(
        self,
        trees: Sequence[FaultTreeDef],
        observations: Mapping[str, Mapping[str, bool]],
    ) -> None:
        super().__init__()
        self.trees = list(trees)
        self.observations = {t: dict(obs) for t, obs in observations.items()}
        self.nodes: list[TreeNode] = []
        self._show_keys_of_language()

    def _show_keys_of_language(self) -> None:
        """Show ``o``/``e`` in French and ``y``/``c`` in English; both work in both."""
        french = self.lang == "fr"
        hidden = {"y", "c"} if french else {"o", "e"}
        table = self._bindings.key_to_bindings
        for key in ("y", "o", "c", "e"):
            table[key] = [replace(b, show=key not in hidden) for b in table.get(key, [])]

    # -- layout ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="tree-dialog"):
            yield Static(self.t("tree_obs.title"), classes="dialog-title")
            yield OptionList(id="tree-nodes")
            yield Static("", id="tree-node-detail", classes="hint")
            yield OptionList(
                Option(self.t("tree_obs.set_true"), id="true"),
                Option(self.t("tree_obs.set_false"), id="false"),
                Option(self.t("tree_obs.set_clear"), id="clear"),
                id="tree-state",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        listing = self.query_one("#tree-nodes", OptionList)
        self._fill(listing)
        first = next(
            (i for i in range(listing.option_count) if not listing.get_option_at_index(i).disabled),
            None,
        )
        listing.highlighted = first
        listing.focus()
        self._show_detail()

    def _state_text(self, state: bool | None) -> str:
        labels = {
            True: self.t("tree_obs.observed"),
            False: self.t("tree_obs.absent"),
            None: self.t("tree_obs.not_observed"),
        }
        width = max(len(v) for v in labels.values())
        text = esc(labels[state].ljust(width))
        if state is True:
            return f"[b $success]{text}[/]"
        if state is False:
            return f"[b $warning]{text}[/]"
        return f"[dim]{text}[/dim]"

    def _kind_text(self, node: TreeNode) -> str:
        if node.kind == "event":
            return self.t("tree_obs.event")
        if node.kind == "atleast" and node.k:
            return self.t("tree_obs.atleast", k=node.k, n=node.inputs)
        return self.t("tree_obs.gate", type=node.kind.upper())

    def _label(self, node: TreeNode) -> str:
        state = self.observations.get(node.tree, {}).get(node.node)
        indent = "  " * min(node.depth, _MAX_INDENT)
        return (
            f"{self._state_text(state)} {indent}{esc(node.name)} "
            f"[dim]({self._kind_text(node)})[/dim]"
        )

    def _fill(self, listing: OptionList) -> None:
        listing.clear_options()
        self.nodes = []
        for tree in self.trees:
            title = kb_text(tree.name, self.lang) or tree.id
            listing.add_option(
                Option(f"[b]▸ {esc(title)}[/b] [dim]({esc(tree.id)})[/dim]", disabled=True)
            )
            for node in tree_nodes(tree, self.lang):
                listing.add_option(Option(self._label(node), id=str(len(self.nodes))))
                self.nodes.append(node)

    # -- helpers ---------------------------------------------------------------
    def _highlighted(self) -> TreeNode | None:
        listing = self.query_one("#tree-nodes", OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        option = listing.get_option_at_index(listing.highlighted)
        if option.disabled or option.id is None:
            return None
        return self.nodes[int(option.id)]

    def _show_detail(self) -> None:
        node = self._highlighted()
        detail = self.query_one("#tree-node-detail", Static)
        if node is None:
            detail.update("")
            return
        if node.causes:
            effect = self.t("tree_obs.causes", n=len(node.causes))
        else:
            effect = "[dim]" + self.t("tree_obs.no_cause") + "[/dim]"
        described = self.t(
            "tree_obs.detail", name=esc(node.name), kind=self._kind_text(node), node=esc(node.node)
        )
        detail.update(f"{effect}\n{described}")

    @on(OptionList.OptionHighlighted, "#tree-nodes")
    def _moved(self) -> None:
        self._show_detail()

    @on(OptionList.OptionSelected, "#tree-nodes")
    def _node_chosen(self) -> None:
        if self._highlighted() is None:
            return
        states = self.query_one("#tree-state", OptionList)
        states.highlighted = 0
        states.focus()

    @on(OptionList.OptionSelected, "#tree-state")
    def _state_chosen(self, event: OptionList.OptionSelected) -> None:
        self.action_set_state(event.option.id or "clear")

    # -- actions ---------------------------------------------------------------
    def action_set_state(self, state: str) -> None:
        node = self._highlighted()
        if node is None:
            return
        value = {"true": True, "false": False}.get(state)
        self.dismiss(TreeChoice(node.tree, node.node, value))

    def action_cancel(self) -> None:
        if self.focused is self.query_one("#tree-state", OptionList):
            self.query_one("#tree-nodes", OptionList).focus()
            return
        self.dismiss(None)
