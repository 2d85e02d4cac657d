"""Tick boxes readable without colour: ``[x]`` ticked, ``[ ]`` not.

Textual draws a tick box as ``▐X▌`` whether it is ticked or not, the state in
colour only: unreadable on a monochrome or sun-washed screen at the machine.
These widgets put the state in the text.
"""

from __future__ import annotations

from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, OptionList, SelectionList
from textual.widgets.option_list import OptionDoesNotExist

__all__ = ["TICKED", "UNTICKED", "TickBox", "TickList"]

TICKED, UNTICKED = "[x]", "[ ]"


class TickList(SelectionList[Any]):
    """A SelectionList whose marks are ``[x]`` / ``[ ]`` (see :meth:`mark`)."""

    def mark(self, value: Any) -> str:
        """The mark of the option holding ``value`` (subclasses add states, e.g. absent)."""
        return TICKED if value in self._selected else UNTICKED

    def _get_left_gutter_width(self) -> int:
        return len(TICKED) + 1

    def render_line(self, y: int) -> Strip:
        line = OptionList.render_line(self, y)
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        underlying = next(iter(line)).style or self.rich_style
        component = "selection-list--button"
        if selection.value in self._selected:
            component += "-selected"
        if self.highlighted == index:
            component += "-highlighted"
        colour = self.get_component_rich_style(component)
        # The mark is text on the line's background, in the button's colour (a hint only).
        style = underlying + Style(color=colour.bgcolor, bold=True) + Style(meta={"option": index})
        return Strip([Segment(self.mark(selection.value), style), Segment(" ", underlying), *line])


class TickBox(Checkbox):
    """A Checkbox drawn ``[x] label`` / ``[ ] label``."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.styled(TICKED if self.value else UNTICKED, style)
