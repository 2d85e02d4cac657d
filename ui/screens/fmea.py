"""Engineer view: the FMEA (AMDEC) lines, highest action priority first.

The priority (AIAG-VDA action priority H/M/L) and the RPN (S × O × D) come
from ``diagnosis.fmea``, which also orders the lines; this screen only shows
them in a table, for the equipment chosen in the picker or for all (``a``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text as RichText
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Static

from diagnosis.errors import DiagnosisError
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import kb_text

if TYPE_CHECKING:
    from diagnosis.fmea import FmeaResult

__all__ = ["FmeaScreen"]

_AP_STYLE = {"H": "bold white on red", "M": "bold black on yellow", "L": "green"}


class FmeaScreen(BaseScreen[None]):
    """The FMEA table of one equipment (or of all), sorted by priority."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "toggle_all", "key.fmea_all"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, equipment_id: str | None = None) -> None:
        super().__init__()
        self.equipment_id = equipment_id
        self.show_all = equipment_id is None
        self.rows: list[FmeaResult] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="fmea-body"):
            yield Static("", id="fmea-title", classes="screen-title")
            yield DataTable(id="fmea-table", zebra_stripes=True, cursor_type="row")
            yield Static("", id="fmea-detail", classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one("#fmea-table", DataTable)
        for key in (
            "ap",
            "rpn",
            "c",
            "s",
            "o",
            "d",
            "mode",
            "cause",
            "component",
            "effect",
            "equipment",
        ):
            table.add_column(self.t(f"fmea.col.{key}"), key=key)
        self._load()
        table.focus()

    @work(thread=True, exclusive=True, group="fmea")
    def _load(self) -> None:
        from diagnosis.ui.engine import fmea_rows

        equipment = None if self.show_all else self.equipment_id
        try:
            rows: list[FmeaResult] | DiagnosisError | ImportError = fmea_rows(self.dapp.kb, equipment)
        except (DiagnosisError, ImportError) as exc:
            rows = exc
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[FmeaResult] | DiagnosisError | ImportError) -> None:
        title = self.query_one("#fmea-title", Static)
        table = self.query_one("#fmea-table", DataTable)
        table.clear()
        if isinstance(rows, Exception):
            title.update(self.t("fmea.unavailable", error=str(rows)))
            return
        self.rows = list(rows)
        scope = self.equipment_id if not self.show_all and self.equipment_id else self.t("fmea.all")
        title.update(self.t("fmea.title", scope=scope, n=len(self.rows)))
        kb = self.dapp.kb
        for row in self.rows:
            line = row.line
            eq = kb.equipment(row.equipment) if row.equipment else None
            cause = eq.cause(line.cause) if eq is not None and eq.has("cause", line.cause) else None
            component = ""
            if eq is not None and line.component:
                comp = eq.equipment.component(line.component)
                component = kb_text(comp.name, self.lang) if comp else line.component
            table.add_row(
                RichText(f" {row.ap} ", style=_AP_STYLE.get(row.ap, "")),
                str(row.rpn),
                RichText(str(row.criticality), style="bold red" if row.act else ""),
                str(line.severity),
                str(line.occurrence),
                str(line.detection),
                kb_text(line.failure_mode, self.lang),
                kb_text(cause.name, self.lang) if cause else line.cause,
                component,
                kb_text(line.effect, self.lang),
                row.equipment,
                key=f"{row.equipment}/{line.id}",
            )
        self._detail(0)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail(event.cursor_row)

    def _detail(self, index: int) -> None:
        detail = self.query_one("#fmea-detail", Static)
        if not 0 <= index < len(self.rows):
            detail.update("")
            return
        line = self.rows[index].line
        actions = "; ".join(kb_text(a, self.lang) for a in line.actions) or "—"
        detail.update(
            self.t(
                "fmea.detail",
                function=kb_text(line.function, self.lang) or "—",
                detection=kb_text(line.detection_method, self.lang) or "—",
                actions=actions,
            )
        )

    def action_toggle_all(self) -> None:
        if self.equipment_id is None:
            return
        self.show_all = not self.show_all
        self._load()

    def action_back(self) -> None:
        self.app.pop_screen()
