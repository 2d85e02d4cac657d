"""Step 2: pick the equipment, typing part of its name, id, class or location.

Also the door to the engineer views: fault trees (``f``/F2) and the FMEA
table (``m``/F3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Header, Input, OptionList, Static
from textual.widgets.option_list import Option

from diagnosis.kb.model import EquipmentKB
from diagnosis.ui.messages import EquipmentChosen, post_to_app
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import esc, kb_text

if TYPE_CHECKING:
    from diagnosis.store.base import Intervention

__all__ = ["EquipmentScreen"]


class EquipmentScreen(BaseScreen[None]):
    """The equipment list with a type-to-filter field."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "fault_trees", "key.fault_trees"),
        Binding("f3", "fmea", "key.fmea"),
        Binding("f", "fault_trees", "key.fault_trees", show=False),
        Binding("m", "fmea", "key.fmea", show=False),
        Binding("down", "focus_list", show=False),
        Binding("escape", "sign_out", "key.sign_out"),
    ]

    interventions: list[Intervention] | None = None  # the store's, read once per screen in a worker

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel"):
            yield Static(self.t("equipment.title"), classes="screen-title")
            yield Input(placeholder=self.t("equipment.filter"), id="filter")
            yield OptionList(id="equipment-list")
            yield Static("", id="equipment-history", classes="hint")
            yield Static(self.t("equipment.hint"), classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#filter", Input).focus()
        self._load_history()

    def on_screen_resume(self) -> None:
        # Back from a diagnosis (or the engineer views): what was recorded since is shown.
        self._load_history()

    @work(thread=True, exclusive=True, group="equipment-history")
    def _load_history(self) -> None:
        try:
            interventions = list(self.dapp.store.interventions())
        except Exception:  # a store problem must not block the choice of equipment
            interventions = []
        self.app.call_from_thread(self._history_loaded, interventions)

    def _history_loaded(self, interventions: list[Intervention]) -> None:
        self.interventions = interventions
        self._show_history()

    def _show_history(self) -> None:
        """The last interventions and recurrent causes of the highlighted equipment."""
        from diagnosis.ui.history import equipment_lines

        box = self.query_one("#equipment-history", Static)
        current = self._current()
        if self.interventions is None or current is None:
            box.update("")
            return
        lines = equipment_lines(self.interventions, current, self.dapp.kb, self.lang)
        box.update(esc("\n".join(lines)))

    @on(OptionList.OptionHighlighted, "#equipment-list")
    def _highlighted(self) -> None:
        self._show_history()

    def _label(self, eq: EquipmentKB) -> str:
        e = eq.equipment
        head = f"[b]{esc(kb_text(e.name, self.lang))}[/b]  [dim]{e.id}[/dim]"
        extra = [x for x in (e.class_, e.location, e.tag) if x]
        extra.append(
            self.t("equipment.counts", causes=len(eq.causes), measurements=len(eq.measurements))
        )
        return head + "\n  [dim]" + esc(" · ".join(extra)) + "[/dim]"

    def _fill(self, query: str) -> None:
        words = query.lower().split()
        listing = self.query_one("#equipment-list", OptionList)
        listing.clear_options()
        for eq in self.dapp.kb.equipments:
            e = eq.equipment
            hay = " ".join(
                [e.id, kb_text(e.name, self.lang), e.class_ or "", e.location or "", e.tag or ""]
            ).lower()
            if all(w in hay for w in words):
                listing.add_option(Option(self._label(eq), id=e.id))
        if listing.option_count:
            listing.highlighted = 0
        self._show_history()

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _submit_filter(self) -> None:
        listing = self.query_one("#equipment-list", OptionList)
        if listing.highlighted is not None and listing.option_count:
            option = listing.get_option_at_index(listing.highlighted)
            if option.id:
                post_to_app(self, EquipmentChosen(option.id))

    @on(OptionList.OptionSelected, "#equipment-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            post_to_app(self, EquipmentChosen(event.option.id))

    def action_focus_list(self) -> None:
        self.query_one("#equipment-list", OptionList).focus()

    def action_fault_trees(self) -> None:
        from diagnosis.ui.screens.faulttree import FaultTreeScreen

        self.app.push_screen(FaultTreeScreen(self._current()))

    def action_fmea(self) -> None:
        from diagnosis.ui.screens.fmea import FmeaScreen

        self.app.push_screen(FmeaScreen(self._current()))

    def _current(self) -> str | None:
        listing = self.query_one("#equipment-list", OptionList)
        if listing.highlighted is None or not listing.option_count:
            return None
        return listing.get_option_at_index(listing.highlighted).id

    def action_sign_out(self) -> None:
        self.app.pop_screen()
