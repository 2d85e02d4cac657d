"""The help screen (F1 / ?): what each key does and how a diagnosis goes."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Markdown

from diagnosis.ui.screens.base import BaseDialog

__all__ = ["HelpDialog"]

_SCREEN_KEYS = {
    "TechnicianScreen": "technician",
    "EquipmentScreen": "equipment",
    "ProblemScreen": "problem",
    "DiagnosisScreen": "diagnosis",
    "ConclusionScreen": "conclusion",
    "ReportScreen": "report",
    "FaultTreeScreen": "faulttree",
    "FmeaScreen": "fmea",
}


class HelpDialog(BaseDialog[None]):
    """General help plus the help of the screen it was opened from."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,f1,q,question_mark", "close", "key.close"),
    ]

    def __init__(self, screen_name: str = "") -> None:
        super().__init__()
        self.screen_name = screen_name

    def compose(self) -> ComposeResult:
        parts = [self.t("help.general")]
        specific = _SCREEN_KEYS.get(self.screen_name)
        if specific:
            parts.insert(0, self.t(f"help.screen.{specific}"))
        # A focused scroll box: ↑/↓, PageUp/PageDown, Home/End scroll the help.
        with Vertical(classes="dialog help"), VerticalScroll(id="help-scroll"):
            yield Markdown("\n\n".join(parts), id="help-text")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#help-scroll", VerticalScroll).focus()

    def action_close(self) -> None:
        self.dismiss(None)
