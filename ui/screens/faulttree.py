"""Engineer view: the fault trees of the KB, browsed as a tree, with their analysis.

Left, the tree (gates with their type, basic events with their probability);
right, the analysis of the tree under the cursor, computed by
``diagnosis.faulttree`` in a worker thread: exact top-event probability, the
two usual approximations, the minimal cut sets (most probable first) and the
importance factors of each basic event (Birnbaum, Fussell-Vesely, RAW, RRW).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text as RichText
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, Header, Static, Tree
from textual.widgets.tree import TreeNode

from diagnosis.errors import DiagnosisError
from diagnosis.kb.model import FaultTreeDef
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import kb_text

if TYPE_CHECKING:
    from diagnosis.faulttree.analysis import Analysis

__all__ = ["FaultTreeScreen"]

MAX_CUT_SETS = 15


def _p(value: float, lang: str = "en") -> str:
    """A probability in full: ``0.0348``, ``1.00e-04`` (``1,00e-04`` in French).

    Always written whole: labels put it before any text that may be cut, and
    table columns never wrap or crop it (a cut ``1.00e-04`` would read ``1``).
    """
    text = f"{value:.3g}" if value >= 1e-3 or value == 0 else f"{value:.2e}"
    return text.replace(".", ",") if lang == "fr" else text


class FaultTreeScreen(BaseScreen[None]):
    """Fault trees of the KB, those of ``equipment_id`` first."""

    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, equipment_id: str | None = None) -> None:
        super().__init__()
        self.equipment_id = equipment_id
        self.analyses: dict[str, Analysis | DiagnosisError] = {}
        self.shown: str | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="ft-body"):
            yield Tree(self.t("ft.root"), id="ft-tree")
            with VerticalScroll(id="ft-details"):
                yield Static("", id="ft-analysis")
        yield Footer(compact=True)

    def _trees(self) -> list[FaultTreeDef]:
        trees = list(self.dapp.kb.fault_trees)
        trees.sort(key=lambda t: (t.equipment != self.equipment_id, t.equipment or "", t.id))
        return trees

    def on_mount(self) -> None:
        tree: Tree[tuple[str, str]] = self.query_one("#ft-tree", Tree)
        tree.show_root = False
        tree.guide_depth = 2
        trees = self._trees()
        if not trees:
            self.query_one("#ft-analysis", Static).update(self.t("ft.none"))
            return
        for ft in trees:
            label = RichText(kb_text(ft.name, self.lang) or ft.id, style="bold")
            label.append(f"  {ft.id}", style="dim")
            node = tree.root.add(label, data=(ft.id, ft.top), expand=ft is trees[0])
            self._add(node, ft, ft.top, set())
        tree.focus()
        tree.cursor_line = 0
        self._show_tree(trees[0].id)

    def _add(
        self, parent: TreeNode[tuple[str, str]], ft: FaultTreeDef, nid: str, seen: set[str]
    ) -> None:
        gate = ft.gate(nid)
        if gate is not None:
            kind = gate.type.upper() + (f" {gate.k}" if gate.k else "")
            label = RichText(f"{kind:<6}", style="bold cyan")
            label.append(kb_text(gate.name, self.lang) or gate.id)
            label.append(f"  {gate.id}", style="dim")
            node = parent.add(label, data=(ft.id, nid), expand=True)
            if nid in seen:  # a shared gate: shown once in full
                node.allow_expand = False
                return
            for child in gate.inputs:
                self._add(node, ft, child, seen | {nid})
            return
        event = ft.event(nid)
        label = RichText("●  ", style="yellow")
        if event is not None:
            # The probability first: a narrow pane cuts the name, never the number.
            label.append(f"p={_p(event.p, self.lang)}  ", style="green")
            label.append(kb_text(event.name, self.lang) or event.id)
            if event.cause:
                label.append(f"  → {event.cause}", style="dim")
        else:
            label.append(nid)
        parent.add_leaf(label, data=(ft.id, nid))

    @on(Tree.NodeHighlighted, "#ft-tree")
    def _highlighted(self, event: Tree.NodeHighlighted[tuple[str, str]]) -> None:
        if event.node.data is not None:
            self._show_tree(event.node.data[0], event.node.data[1])

    def _show_tree(self, tree_id: str, focus: str | None = None) -> None:
        if tree_id in self.analyses:
            self._render_analysis(tree_id, focus)
            return
        self.query_one("#ft-analysis", Static).update(self.t("ft.computing"))
        self._analyze(tree_id, focus)

    @work(thread=True, exclusive=True, group="ft")
    def _analyze(self, tree_id: str, focus: str | None) -> None:
        from diagnosis.ui.engine import analyze_tree

        try:
            result: Analysis | DiagnosisError = analyze_tree(self.dapp.kb.fault_tree(tree_id), self.lang)
        except DiagnosisError as exc:
            result = exc
        self.app.call_from_thread(self._analysed, tree_id, result, focus)

    def _analysed(self, tree_id: str, result: Analysis | DiagnosisError, focus: str | None) -> None:
        self.analyses[tree_id] = result
        self._render_analysis(tree_id, focus)

    def _render_analysis(self, tree_id: str, focus: str | None) -> None:
        result = self.analyses[tree_id]
        out = self.query_one("#ft-analysis", Static)
        if isinstance(result, Exception):
            out.update(RichText(str(result), style="red"))
            return
        ft = self.dapp.kb.fault_tree(tree_id)
        head = Table.grid(padding=(0, 2))
        head.add_column(style="bold")
        head.add_column()
        head.add_row(self.t("ft.top"), f"{kb_text(ft.name, self.lang) or ft.id} ({ft.top})")
        head.add_row(self.t("ft.probability"), RichText(_p(result.probability, self.lang), style="bold green"))
        head.add_row(self.t("ft.rare_event"), _p(result.rare_event, self.lang))
        head.add_row(self.t("ft.mcub"), _p(result.mcub, self.lang))
        head.add_row(self.t("ft.cut_set_count"), str(len(result.cut_sets)))
        cuts = Table(title=self.t("ft.cut_sets"), expand=True, title_justify="left")
        cuts.add_column(self.t("ft.order"), justify="right", no_wrap=True)
        cuts.add_column(self.t("ft.events"), ratio=1)
        cuts.add_column("P", justify="right", no_wrap=True, min_width=8)
        ranked = sorted(result.cut_sets, key=lambda c: (-c.probability, c.events))
        for c in ranked[:MAX_CUT_SETS]:
            style = "bold" if focus in c.events else ""
            cuts.add_row(str(c.order), ", ".join(c.events), _p(c.probability, self.lang), style=style)
        if len(ranked) > MAX_CUT_SETS:
            cuts.add_row("", self.t("ft.more", n=len(ranked) - MAX_CUT_SETS), "")
        imp = Table(title=self.t("ft.importance"), expand=True, title_justify="left")
        imp.add_column(self.t("ft.event"), ratio=1, overflow="ellipsis", no_wrap=True)
        for name in ("p", "Birnbaum", "F-V", "RAW", "RRW"):
            imp.add_column(name, justify="right", no_wrap=True, min_width=8)
        for i in sorted(result.importance, key=lambda i: -i.fussell_vesely):
            style = "bold reverse" if i.event == focus else ""
            imp.add_row(
                i.event,
                _p(i.probability, self.lang),
                _p(i.birnbaum, self.lang),
                _p(i.fussell_vesely, self.lang),
                _p(i.raw, self.lang),
                _p(i.rrw, self.lang),
                style=style,
            )
        out.update(Group(head, RichText(""), cuts, RichText(""), imp))
        self.shown = tree_id

    def action_back(self) -> None:
        self.app.pop_screen()
