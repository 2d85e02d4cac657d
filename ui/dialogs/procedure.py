"""A safety procedure (alert, safeguard, lockout) acknowledged step by step.

Opened when a critical reading or a safety rule raises an alert, and before
a measurement that needs lockout. It cannot be dismissed: each step is
acknowledged in order with ``Space``, then the whole procedure with
``Enter``; the engine records each acknowledgement in the session log.

A procedure may be taller than the screen (a nine-step lockout at 80×24):
the steps scroll inside their own box, the current step is always scrolled
into view, and a step is acknowledged only once it has been painted on the
screen, so that no step is ever ticked without being seen. ``Enter`` never
ticks a step (a blind Enter must not acknowledge safety steps).

Each acknowledgement is an event the store records: it runs in a thread
worker (:mod:`diagnosis.ui.writes`), never on the UI thread, and the step is
shown ticked once it is recorded. A key pressed while a step is being
recorded is ignored like a held-down key (the next step must be seen first);
a refused or failed record shows its message on the error line, the step
stays unticked and Space tries again.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import ClassVar

from rich.table import Table
from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Button, Footer, Static

from diagnosis.errors import DiagnosisError
from diagnosis.kb.model import Procedure
from diagnosis.ui.screens.base import BaseDialog
from diagnosis.ui.text import kb_text
from diagnosis.ui.writes import OrderedWrites

__all__ = ["ProcedureDialog", "StepBox", "step_mark"]

# Readable without colour (a monochrome or sun-washed screen): the state is in the text.
MARK_DONE, MARK_TODO, MARK_CURRENT = "[x]", "[ ]", "▶[ ]"


def step_mark(i: int, done: int) -> str:
    """The mark of step ``i`` when ``done`` steps are acknowledged."""
    if i < done:
        return MARK_DONE
    return MARK_CURRENT if i == done else MARK_TODO


class StepBox(VerticalScroll):
    """The steps, scrolling inside their own box (arrows, PageUp/PageDown, Home/End)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pageup", "page_up", show=False),
        Binding("pagedown", "page_down", show=False),
    ]


class ProcedureDialog(BaseDialog[bool]):
    """Show ``procedure``'s steps; call ``ack_step(i)`` for each, then ``ack_all()``.

    Args:
        procedure: the KB procedure.
        reason: why it is shown (the critical reading, the rule…).
        ack_step: records the acknowledgement of step ``i`` (0-based).
        ack_all: records the acknowledgement of the whole procedure.
        done: steps already acknowledged (a resumed session).
        writes: the queue the records go through (the opener's, so that they
            keep their order with its own writes); by default the dialog's own.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space", "tick", "key.tick_step"),
        Binding("enter", "confirm", "key.confirm_all"),
        Binding("escape", "noop", show=False),
    ]
    DEBOUNCE_S = 0.2  # a held-down key must not acknowledge several steps at once

    def __init__(
        self,
        procedure: Procedure,
        reason: str,
        ack_step: Callable[[int], None],
        ack_all: Callable[[], None],
        done: int = 0,
        writes: OrderedWrites | None = None,
    ) -> None:
        super().__init__(classes=f"procedure-{procedure.kind}")
        self.procedure = procedure
        self.reason = reason
        self._ack_step = ack_step
        self._ack_all = ack_all
        self.done = done
        self.seen: set[int] = set()  # steps painted on the screen at least once
        self.writes = writes if writes is not None else OrderedWrites(self, self._refused)

    @property
    def total(self) -> int:
        return len(self.procedure.steps)

    def compose(self) -> ComposeResult:
        p = self.procedure
        with Vertical(classes="dialog procedure"):
            yield Static(
                self.t(f"procedure.kind.{p.kind}") + " — " + kb_text(p.name, self.lang),
                classes="dialog-title",
            )
            if p.stop_machine:
                yield Static(self.t("procedure.stop_machine"), classes="stop-banner")
            if self.reason:
                yield Static(self.reason, classes="hint", id="procedure-reason")
            with StepBox(id="steps"):
                for i in range(self.total):
                    yield Static("", id=f"step-{i}", classes="step")
            yield Static("", id="procedure-error", classes="error")
            yield Static("", id="procedure-keys", classes="hint")
            button = Button("", variant="error", id="ack", compact=True)
            button.can_focus = False  # Enter on a focused button would tick a step
            yield button
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#steps", StepBox).focus()
        self._render_steps()
        self.call_after_refresh(self._fit)

    # -- rendering -----------------------------------------------------------
    def _render_steps(self) -> None:
        for i, step in enumerate(self.procedure.steps):
            widget = self.query_one(f"#step-{i}", Static)
            grid = Table.grid(padding=(0, 1), expand=True)
            grid.add_column(no_wrap=True)
            grid.add_column(ratio=1)
            grid.add_row(
                RichText(f"{step_mark(i, self.done):>4} {i + 1}.", style="bold"),
                RichText(kb_text(step, self.lang), style="dim" if i > self.done else ""),
            )
            widget.update(grid)
            widget.set_class(i < self.done, "-done")
            widget.set_class(i == self.done, "-current")
        button = self.query_one("#ack", Button)
        keys = self.query_one("#procedure-keys", Static)
        if self.done < self.total:
            button.label = self.t("procedure.ack_step", n=self.done + 1, total=self.total)
            keys.update(self.t("procedure.keys_step"))
        else:
            button.label = self.t("procedure.ack_all")
            button.variant = "success"
            keys.update(self.t("procedure.keys_confirm"))
        self._show_current()

    def _show_current(self) -> None:
        """Scroll the current step into view, then note what the screen shows."""
        if self.done < self.total:
            box = self.query_one("#steps", StepBox)
            box.scroll_to_widget(self.query_one(f"#step-{self.done}"), animate=False, top=False)
        self.call_after_refresh(self._note_seen)

    def _note_seen(self) -> None:
        """Remember the steps painted on the screen (wholly inside the box's visible part)."""
        self.seen.update(i for i in range(self.total) if self.step_visible(i))

    def step_visible(self, i: int) -> bool:
        """Whether step ``i`` is wholly inside the visible part of the steps box now."""
        box = self.query_one("#steps", StepBox)
        top = box.scroll_offset.y
        bottom = top + box.scrollable_content_region.height
        region = self.query_one(f"#step-{i}").virtual_region
        return bool(region.height) and region.y >= top and region.y + region.height <= bottom

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)
        self._show_current()

    def _fit(self) -> None:
        """Give the steps box what the screen leaves: the button never falls off the screen."""
        dialog = self.query_one(".dialog", Vertical)
        box = self.query_one("#steps", StepBox)
        others = sum(
            w.outer_size.height + w.styles.margin.top + w.styles.margin.bottom
            for w in dialog.children
            if w is not box and w.display
        )
        footer = sum(f.outer_size.height for f in self.query(Footer))
        room = self.size.height - footer - dialog.styles.gutter.height - others
        room -= box.styles.margin.top + box.styles.margin.bottom
        height = max(3, room)
        if box.styles.max_height is None or box.styles.max_height.value != height:
            box.styles.max_height = height
            self.call_after_refresh(self._show_current)

    def _say(self, message: str) -> None:
        """Show ``message`` (or nothing) on the error line, then re-fit the steps box."""
        self.query_one("#procedure-error", Static).update(message)
        self.call_after_refresh(self._fit)

    # -- the technician's actions --------------------------------------------
    def _refused(self, exc: DiagnosisError) -> None:
        """A refused or failed record: its message; the step stays as it was."""
        self._say(exc.message(self.lang))

    def _debounced(self) -> bool:
        """True when a key arrives during the previous acknowledgement's short effect
        (or while it is being recorded)."""
        button = self.query_one("#ack", Button)
        if button.has_class("-active") or self.writes.busy:
            return True
        button.add_class("-active")
        self.set_timer(self.DEBOUNCE_S, lambda: button.remove_class("-active"))
        return False

    def action_tick(self) -> None:
        """Space: acknowledge the current step, once it has been shown."""
        if self.done >= self.total:
            self._say(self.t("procedure.press_enter"))
            return
        if self._debounced():
            return
        self._tick()

    def _tick(self) -> None:
        if self.done not in self.seen or not self.step_visible(self.done):
            # Not painted yet, or scrolled away (PageUp…): show it, do not tick it.
            self._show_current()
            self._say(self.t("procedure.read_first", n=self.done + 1))
            return
        if self.writes.busy:
            return
        step = self.done
        self.writes.submit(
            partial(self._ack_step, step), lambda _: self._ticked(step), self._refused
        )

    def _ticked(self, step: int) -> None:
        """Step ``step`` is recorded: show it ticked and the next one current."""
        if self.done != step:
            return
        self._say("")
        self.done += 1
        self._render_steps()

    def action_confirm(self) -> None:
        """Enter: acknowledge the whole procedure, only when every step is ticked."""
        if self.done < self.total:
            self._say(self.t("procedure.space_first", n=self.done + 1, total=self.total))
            self._show_current()
            return
        if self.writes.busy:
            return
        self.writes.submit(self._ack_all, self._acknowledged, self._refused)

    def _acknowledged(self, _result: object) -> None:
        """The whole procedure is recorded: close the dialog."""
        self.dismiss(True)

    @on(Button.Pressed, "#ack")
    def _clicked(self) -> None:
        if self.done < self.total:
            self._tick()  # the click already had its press effect (the debounce)
        else:
            self.action_confirm()

    def action_noop(self) -> None:
        self.notify(self.t("procedure.must_ack"), severity="warning")
