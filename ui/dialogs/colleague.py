"""Name the habilitated colleague who takes a measurement outside your habilitations.

Issue 10: a reading the technician's NF C18-510 habilitations do not cover is
refused unless a named colleague holding one that does takes it; the session
records who and which habilitation. Escape cancels (nothing is recorded).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Input, Static

from diagnosis.rules.habilitation import covers
from diagnosis.ui.screens.base import BaseDialog

__all__ = ["ColleagueDialog"]


class ColleagueDialog(BaseDialog[tuple[str, str] | None]):
    """Ask the colleague's name and habilitation; returns ``(name, habilitation)`` or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, measurement: str, habilitation: str) -> None:
        super().__init__()
        self.measurement = measurement
        self.habilitation = habilitation

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.t("ui_i10.colleague_title"), classes="dialog-title")
            yield Static(
                self.t(
                    "ui_i10.colleague_text",
                    measurement=self.measurement,
                    habilitation=self.habilitation,
                ),
                classes="hint",
            )
            yield Input(placeholder=self.t("ui_i10.colleague_name"), id="colleague-name")
            yield Input(
                value=self.habilitation,
                placeholder=self.t("ui_i10.colleague_habilitation"),
                id="colleague-hab",
            )
            yield Static("", id="colleague-error", classes="error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#colleague-name", Input).focus()

    @on(Input.Submitted, "#colleague-name")
    def _name_done(self) -> None:
        self.query_one("#colleague-hab", Input).focus()

    @on(Input.Submitted, "#colleague-hab")
    def _done(self) -> None:
        name = self.query_one("#colleague-name", Input).value.strip()
        held = self.query_one("#colleague-hab", Input).value.strip()
        error = self.query_one("#colleague-error", Static)
        if not name:
            error.update(self.t("ui_i10.colleague_no_name"))
            self.query_one("#colleague-name", Input).focus()
            return
        if not covers([held], self.habilitation):
            error.update(
                self.t("ui_i10.colleague_not_covered", held=held or "-", need=self.habilitation)
            )
            return
        self.dismiss((name, held))

    def action_cancel(self) -> None:
        self.dismiss(None)
