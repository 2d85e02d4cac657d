"""Step 1: who is diagnosing, and which electrical habilitations they hold.

The habilitations (NF C18-510) decide which measurements the engine may
propose as-is: a measurement needing ``BR`` is flagged for a technician who
only holds ``B0``. The last technician is remembered (UI preferences) and each
technician's habilitations are kept in the store.

Typing a known name recalls their habilitations: the store is asked in a
worker thread once the typing pauses (``LOOKUP_DELAY``), never on the UI
thread at each keystroke, and the answer arrives as a message.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Button, Footer, Header, Input, Label, SelectionList, Static
from textual.widgets.selection_list import Selection

from diagnosis.ui.messages import SignedIn, post_to_app
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.widgets.ticks import TickList

__all__ = ["HABILITATIONS", "LOOKUP_DELAY", "TechnicianLookedUp", "TechnicianScreen"]

LOOKUP_DELAY = 0.3  # seconds without a keystroke before the store is asked for the name

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


class TechnicianLookedUp(Message):
    """The store's answer for ``name``: their recorded habilitations, or None (unknown)."""

    def __init__(self, name: str, habilitations: tuple[str, ...] | None) -> None:
        super().__init__()
        self.name = name
        self.habilitations = habilitations


class TechnicianScreen(BaseScreen[None]):
    """Sign in: a name and the habilitations held."""

    _lookup_timer: Timer | None = None
    _ticked = False  # the habilitations were changed by hand since the name was typed

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
        """Known technician: recall their habilitations once the typing pauses."""
        self._stop_lookup()
        self._ticked = False
        name = event.value.strip()
        if name:
            self._lookup_timer = self.set_timer(LOOKUP_DELAY, lambda: self._look_up(name))

    def _stop_lookup(self) -> None:
        if self._lookup_timer is not None:
            self._lookup_timer.stop()
            self._lookup_timer = None

    @work(thread=True, exclusive=True, group="technician-lookup")
    def _look_up(self, name: str) -> None:
        """Ask the store (in a worker thread) for the habilitations recorded for ``name``."""
        try:
            known = self.dapp.store.technician(name)
        except Exception:  # a store problem must not block the sign-in
            known = None
        habs = tuple(known.habilitations) if known is not None else None
        self.post_message(TechnicianLookedUp(name, habs))

    def on_technician_looked_up(self, message: TechnicianLookedUp) -> None:
        if message.habilitations is None or self._ticked:
            return  # unknown name, or ticks the technician made meanwhile win
        if message.name != self.query_one("#name", Input).value.strip():
            return  # the name changed since: its own lookup is on its way
        listing = self.query_one("#habilitations", SelectionList)
        with listing.prevent(SelectionList.SelectedChanged):
            listing.deselect_all()
            for code in message.habilitations:
                if code in HABILITATIONS:
                    listing.select(code)

    @on(SelectionList.SelectedChanged, "#habilitations")
    def _ticked_by_hand(self) -> None:
        self._ticked = True

    @on(Input.Submitted, "#name")
    @on(Button.Pressed, "#sign-in")
    def action_sign_in(self) -> None:
        name = self.query_one("#name", Input).value.strip()
        if not name:
            self.query_one("#error", Static).update(self.t("technician.name_required"))
            self.query_one("#name", Input).focus()
            return
        self._stop_lookup()
        self._ticked = True  # a late lookup must not change what was signed in with
        habs: list[str] = list(self.query_one("#habilitations", SelectionList).selected)
        post_to_app(self, SignedIn(name, habs))
