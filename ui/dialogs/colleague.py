"""Who takes a reading the technician's habilitations do not cover (issue 10, item 2).

A measurement that needs a habilitation the technician does not hold (BR for a
live measurement in the cabinet) is taken by a named habilitated colleague, or
not at all: the engine refuses it otherwise, and records who took it (name,
habilitation) with the reading, so that the report shows it.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Input, Label, Static

from diagnosis.ui.screens.base import BaseDialog
from diagnosis.ui.widgets.fields import FieldInput

__all__ = ["ColleagueDialog"]


class ColleagueDialog(BaseDialog[tuple[str, str] | None]):
    """Ask the name and habilitation of the colleague who takes the reading (None: cancel)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, measurement: str, habilitation: str) -> None:
        super().__init__()
        self.measurement = measurement
        self.habilitation = habilitation

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.t("colleague.title"), classes="dialog-title")
            yield Static(
                self.t("colleague.text", measurement=self.measurement, hab=self.habilitation),
                classes="hint",
            )
            yield Label(self.t("colleague.name"))
            yield FieldInput(placeholder=self.t("technician.name_placeholder"), id="colleague-name")
            yield Label(self.t("colleague.habilitation"))
            yield FieldInput(value=self.habilitation, id="colleague-hab")
            yield Static("", id="colleague-error", classes="error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#colleague-name", Input).focus()

    @on(Input.Submitted, "#colleague-name")
    def _name_given(self) -> None:
        self.query_one("#colleague-hab", Input).focus()

    @on(Input.Submitted, "#colleague-hab")
    def _done(self) -> None:
        name = self.query_one("#colleague-name", Input).value.strip()
        hab = self.query_one("#colleague-hab", Input).value.strip()
        if not name or not hab:
            self.query_one("#colleague-error", Static).update(self.t("colleague.required"))
            self.query_one("#colleague-name" if not name else "#colleague-hab", Input).focus()
            return
        self.dismiss((name, hab))

    def action_cancel(self) -> None:
        self.dismiss(None)
