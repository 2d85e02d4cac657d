"""Step 1: who is diagnosing, and which electrical habilitations they hold.

The habilitations (NF C18-510) decide which measurements the engine may
propose as-is: a measurement needing ``BR`` is flagged for a technician who
only holds ``B0``. The last technician is remembered (UI preferences) and each
technician's habilitations are kept in the store.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Footer, Header, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from diagnosis.ui.messages import SignedIn, post_to_app
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.widgets.ticks import TickList

__all__ = ["HABILITATIONS", "TechnicianScreen"]

# NF C18-510 titles a maintenance technician may hold (domain.md §5.3).
HABILITATIONS = (
    "B0",
    "H0",
    "BS",
    "BE Mesurage",
    "BE Manoeuvre",
    "BR",
    "B1",
    "B1V",
    "B2",
    "B2V",
    "BC",
)


class HabilitationList(TickList):
    """The habilitations held: Space ticks or unticks, Enter signs in (never unticks)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "screen.sign_in", show=False),
    ]


class TechnicianScreen(BaseScreen[None]):
    """Sign in: a name and the habilitations held."""

    VERTICAL_BREAKPOINTS = [(0, "-short"), (34, "-tall")]  # noqa: RUF012
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "sign_in", "key.continue"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="signin", classes="panel"):
            yield Static(self.t("technician.title"), classes="screen-title")
            yield Label(self.t("technician.name"))
            yield Input(
                value=self.dapp.prefs.technician,
                placeholder=self.t("technician.name_placeholder"),
                id="name",
            )
            yield Label(self.t("technician.habilitations"))
            yield HabilitationList(
                *(
                    Selection(self._hab_label(code), code, code in self.dapp.prefs.habilitations)
                    for code in HABILITATIONS
                ),
                id="habilitations",
            )
            yield Static(self.t("technician.hint"), classes="hint")
            yield Static("", id="error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(
                    self.t("technician.sign_in"), variant="primary", id="sign-in", compact=True
                )
        yield Footer(compact=True)

    def _hab_label(self, code: str) -> str:
        key = "hab." + code.replace(" ", "_")
        return f"{code:<13} {self.t(key)}"

    def on_mount(self) -> None:
        self.query_one("#name", Input).focus()

    @on(Input.Changed, "#name")
    def _name_changed(self, event: Input.Changed) -> None:
        """Known technician: recall their habilitations from the store."""
        name = event.value.strip()
        if not name:
            return
        try:
            known = self.dapp.store.technician(name)
        except Exception:
            known = None
        habs = getattr(known, "habilitations", None)
        if habs is None:
            return
        listing = self.query_one("#habilitations", SelectionList)
        listing.deselect_all()
        for code in habs:
            if code in HABILITATIONS:
                listing.select(code)

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#sign-in")
    def action_sign_in(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#error", Static).update(self.t("technician.name_required"))
            self.query_one("#name", Input).focus()
            return
        habs: list[str] = list(self.query_one("#habilitations", SelectionList).selected)
        post_to_app(self, SignedIn(name, habs))
