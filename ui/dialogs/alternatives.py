"""Measure something else: every not-yet-answered measurement, best first.

Each line shows the expected information (bits), the time it takes and its
prerequisites, so the technician can trade information for convenience
(the proposed point is out of reach, the instrument is missing…).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from diagnosis.ui.screens.base import BaseDialog
from diagnosis.ui.text import esc, kb_text, num

if TYPE_CHECKING:
    from diagnosis.session.types import StepProposal

__all__ = ["AlternativesDialog"]


class AlternativesDialog(BaseDialog[str | None]):
    """Pick a measurement among ``alternatives`` (StepProposal objects); None = cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
        Binding("pagedown", "move(5)", show=False),
        Binding("pageup", "move(-5)", show=False),
    ]

    def __init__(self, alternatives: Sequence[StepProposal]) -> None:
        super().__init__()
        self.alternatives = list(alternatives)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Static(self.t("alt.title"), classes="dialog-title")
            yield Input(placeholder=self.t("alt.filter"), id="alt-filter")
            yield OptionList(id="alt-list")
            yield Static(self.t("alt.legend"), classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#alt-filter", Input).focus()

    def _label(self, a: StepProposal) -> str:
        m = a.measurement
        flags = []
        if a.lockout:
            flags.append("[red]" + self.t("alt.lockout") + "[/red]")
        if a.habilitation:
            style = "green" if a.habilitation_ok else "red"
            flags.append(f"[{style}]{esc(a.habilitation)}[/{style}]")
        for need in getattr(a, "lacking", ()):  # a tool or part said not to be here
            flags.append("[red]" + esc(self.t("ui_i10.not_here", name=need.label(self.lang))) + "[/red]")
        info = self.t(
            "alt.info",
            gain=num(a.gain, self.lang, 2),
            minutes=num(a.cost_min, self.lang),
            score=num(a.score, self.lang, 2),
        )
        return (
            f"[b]{esc(kb_text(m.name, self.lang))}[/b]\n"
            f"   {info}  {' '.join(flags)}"
        )

    def _fill(self, query: str) -> None:
        words = query.lower().split()
        listing = self.query_one("#alt-list", OptionList)
        listing.clear_options()
        for a in self.alternatives:
            m = a.measurement
            hay = f"{m.id} {kb_text(m.name, self.lang)} {kb_text(m.point, self.lang)}".lower()
            if all(w in hay for w in words):
                listing.add_option(Option(self._label(a), id=m.id))
        if listing.option_count:
            listing.highlighted = 0

    @on(Input.Changed, "#alt-filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#alt-filter")
    def _submit(self) -> None:
        listing = self.query_one("#alt-list", OptionList)
        if listing.highlighted is not None and listing.option_count:
            self.dismiss(listing.get_option_at_index(listing.highlighted).id)

    @on(OptionList.OptionSelected, "#alt-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        """↑/↓ in the filter move the highlighted line; Enter then takes that line."""
        listing = self.query_one("#alt-list", OptionList)
        if not listing.option_count:
            return
        current = listing.highlighted if listing.highlighted is not None else 0
        listing.highlighted = max(0, min(listing.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
