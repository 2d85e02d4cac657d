"""A safety procedure (alert, safeguard, lockout) acknowledged step by step.

Opened when a critical reading or a safety rule raises an alert, and before
a measurement that needs lockout. It cannot be dismissed: each step is
acknowledged in order (``Enter``), then the whole procedure; the engine
records each acknowledgement in the session log.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.table import Table
from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Footer, Static

from diagnosis.errors import DiagnosisError
from diagnosis.kb.model import Procedure
from diagnosis.ui.screens.base import BaseDialog
from diagnosis.ui.text import kb_text

__all__ = ["ProcedureDialog"]


class ProcedureDialog(BaseDialog[bool]):
    """Show ``procedure``'s steps; call ``ack_step(i)`` for each, then ``ack_all()``.

    Args:
        procedure: the KB procedure.
        reason: why it is shown (the critical reading, the rule…).
        ack_step: records the acknowledgement of step ``i`` (0-based).
        ack_all: records the acknowledgement of the whole procedure.
        done: steps already acknowledged (a resumed session).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "press_ack", "key.ack_step"),
        Binding("escape", "noop", show=False),
    ]

    def __init__(
        self,
        procedure: Procedure,
        reason: str,
        ack_step: Callable[[int], None],
        ack_all: Callable[[], None],
        done: int = 0,
    ) -> None:
        super().__init__(classes=f"procedure-{procedure.kind}")
        self.procedure = procedure
        self.reason = reason
        self._ack_step = ack_step
        self._ack_all = ack_all
        self.done = done

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
                yield Static(self.reason, classes="hint")
            yield Static("", id="steps")
            yield Static("", id="procedure-error", classes="error")
            yield Button("", variant="error", id="ack")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self._render_steps()
        self.query_one("#ack", Button).focus()

    def _render_steps(self) -> None:
        table = Table.grid(padding=(0, 1), expand=True)
        table.add_column(no_wrap=True)
        table.add_column(ratio=1)
        for i, step in enumerate(self.procedure.steps):
            if i < self.done:
                mark, style = "[✓]", "green"
            elif i == self.done:
                mark, style = "[▶]", "bold"
            else:
                mark, style = "[ ]", "dim"
            table.add_row(
                RichText(f"{mark} {i + 1}.", style=style),
                RichText(kb_text(step, self.lang), style=style),
            )
        self.query_one("#steps", Static).update(table)
        total = len(self.procedure.steps)
        button = self.query_one("#ack", Button)
        if self.done < total:
            button.label = self.t("procedure.ack_step", n=self.done + 1, total=total)
        else:
            button.label = self.t("procedure.ack_all")
            button.variant = "success"

    def action_press_ack(self) -> None:
        # Through the button, so that its short debounce also guards the space bar:
        # a held-down key must not acknowledge several safety steps at once.
        self.query_one("#ack", Button).action_press()

    @on(Button.Pressed, "#ack")
    def action_ack(self) -> None:
        try:
            if self.done < len(self.procedure.steps):
                self._ack_step(self.done)
                self.done += 1
                self._render_steps()
                return
            self._ack_all()
        except DiagnosisError as exc:
            self.query_one("#procedure-error", Static).update(str(exc))
            return
        self.dismiss(True)

    def action_noop(self) -> None:
        self.notify(self.t("procedure.must_ack"), severity="warning")
