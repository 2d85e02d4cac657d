"""Text fields that never wipe what is already there.

Textual's Input selects its whole text when it gets the focus, so the first
key typed into a prefilled field (a 5-Why link, QQOQCP "who") replaces it,
with no undo. These fields put the cursor at the end instead, and Ctrl+Z
gives back the previous text.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.events import Focus
from textual.widgets import Input, TextArea

__all__ = ["FieldInput", "FieldText"]

_HISTORY = 200


class FieldInput(Input):
    """An Input that keeps its text on focus (cursor at the end) and undoes with Ctrl+Z."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+z", "undo", show=False)]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._history: list[str] = []
        self._undoing = False
        kwargs.setdefault("select_on_focus", False)
        super().__init__(*args, **kwargs)

    def watch_value(self, old: str, new: str) -> None:
        if self._undoing or not self.is_mounted or old == new:
            return
        self._history.append(old)
        del self._history[:-_HISTORY]

    def _on_focus(self, event: Focus) -> None:
        super()._on_focus(event)
        if not self.select_on_focus:
            self.cursor_position = len(self.value)

    def action_undo(self) -> None:
        """Ctrl+Z: the text as it was before the last change."""
        if not self._history:
            return
        self._undoing = True
        try:
            self.value = self._history.pop()
            self.cursor_position = len(self.value)
        finally:
            self._undoing = False


class FieldText(TextArea):
    """A multi-line field (soft-wrapped, Tab moves on) whose prefilled text is kept:
    ``set_text`` puts the cursor at the end; Ctrl+Z (TextArea's own undo) restores."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("tab_behavior", "focus")
        kwargs.setdefault("show_line_numbers", False)
        super().__init__(*args, **kwargs)

    @property
    def value(self) -> str:
        """The text, as for an Input."""
        return self.text

    @value.setter
    def value(self, text: str) -> None:
        self.set_text(text)

    def set_text(self, text: str) -> None:
        """Replace the text (a new undo history) and put the cursor at its end."""
        self.load_text(text)
        self.move_cursor(self.document.end)
