"""Offer the unfinished sessions at start: nothing a technician recorded is lost."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from diagnosis.i18n import format_datetime
from diagnosis.ui.screens.base import BaseDialog
from diagnosis.ui.text import esc, kb_text

if TYPE_CHECKING:
    from diagnosis.store.base import SessionSummary

__all__ = ["ResumeDialog"]

NEW = "__new__"


class ResumeDialog(BaseDialog[str | None]):
    """Pick a session to resume, or start a new diagnosis (returns None)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "new", "key.new_diagnosis"),
        Binding("n", "new", "key.new_diagnosis", show=False),
    ]

    def __init__(self, sessions: Sequence[SessionSummary]) -> None:
        super().__init__()
        self.sessions = list(sessions)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.t("resume.title"), classes="dialog-title")
            yield Static(self.t("resume.text"), classes="hint")
            options = [Option(self._label(s), id=str(s.id)) for s in self.sessions]
            options.append(Option(f"[b]+ {self.t('resume.new')}[/b]", id=NEW))
            yield OptionList(*options, id="resume-list")
        yield Footer(compact=True)

    def _label(self, s: SessionSummary) -> str:
        when = getattr(s, "updated_at", None) or getattr(s, "started_at", None)
        stamp = format_datetime(when.astimezone(), self.lang) if when is not None else ""
        steps = getattr(s, "steps", 0)
        # Names in the user's language, not the KB's ids (an id the KB no longer has stays).
        symptoms = ", ".join(self._entity_name("symptom", sid, s.equipment) for sid in s.symptoms or ())
        return esc(
            f"{stamp}  {self._equipment_name(s.equipment)}  {s.technician}  "
            + self.t("resume.steps", n=steps)
            + (f"  ({symptoms})" if symptoms else "")
        )

    def _equipment_name(self, equipment_id: str) -> str:
        try:
            return kb_text(self.dapp.kb.equipment(equipment_id).equipment.name, self.lang)
        except (KeyError, AttributeError):
            return equipment_id

    def _entity_name(self, kind: str, entity_id: str, equipment_id: str) -> str:
        try:
            eq = self.dapp.kb.equipment(equipment_id)
            if eq.has(kind, entity_id):
                return kb_text(getattr(eq, kind)(entity_id).name, self.lang)
        except (KeyError, AttributeError):
            pass
        return entity_id

    def on_mount(self) -> None:
        self.query_one("#resume-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#resume-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(None if event.option.id == NEW else event.option.id)

    def action_new(self) -> None:
        self.dismiss(None)
