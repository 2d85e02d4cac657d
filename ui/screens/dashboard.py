"""Indicators dashboard (F4): reliability per equipment, Pareto of causes, history, trends.

Computed by the engine (:func:`diagnosis.kpi.history.dashboard_data`) over the
last year of the store; this screen only lays it out. Trends are the numeric
readings recorded in the diagnoses of the current equipment, drawn as
sparklines with their thresholds in the label (no plotting dependency).
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from diagnosis.errors import DiagnosisError
from diagnosis.i18n import format_datetime, format_number
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import esc, kb_text

__all__ = ["DashboardScreen", "prefilled_app", "recurrence_notice"]

BAR = 20  # width of the Pareto bars, in cells


class DashboardScreen(BaseScreen[None]):
    """Indicators of every equipment, and the history and trends of the current one."""

    DEFAULT_CSS = """
    DashboardScreen #dash-tables { height: auto; max-height: 50%; }
    DashboardScreen #dash-tables DataTable { width: 1fr; height: auto; max-height: 16; }
    DashboardScreen Sparkline { height: 3; margin-bottom: 1; }
    DashboardScreen .dash-label { margin-top: 1; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, equipment_id: str | None = None) -> None:
        super().__init__()
        self.equipment_id = equipment_id
        self.data: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="panel"):
            yield Static(self.t("dashboard.title"), id="dash-title", classes="screen-title")
            with Horizontal(id="dash-tables"):
                yield DataTable(id="dash-equipment", zebra_stripes=True, cursor_type="row")
                yield DataTable(id="dash-pareto", zebra_stripes=True, cursor_type="row")
            with VerticalScroll(id="dash-detail"):
                yield Static("", id="dash-recurrences")
                yield Static("", id="dash-history")
                yield Vertical(id="dash-trends")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        eq = self.query_one("#dash-equipment", DataTable)
        for key in ("equipment", "failures", "mtbf", "mttr", "availability"):
            eq.add_column(self.t(f"dashboard.col.{key}"), key=key)
        pareto = self.query_one("#dash-pareto", DataTable)
        for key in ("abc", "cause", "downtime", "bar"):
            pareto.add_column(self.t(f"dashboard.col.{key}"), key=key)
        self._load()

    @work(thread=True, exclusive=True, group="dashboard")
    def _load(self) -> None:
        from diagnosis.kpi.history import dashboard_data

        try:
            data: Any = dashboard_data(
                self.dapp.store, self.dapp.kb, self.equipment_id, lang=self.lang
            )
        except (DiagnosisError, ImportError) as exc:
            data = exc
        self.app.call_from_thread(self._show, data)

    def _num(self, value: float | None, digits: int = 4) -> str:
        return "-" if value is None else format_number(value, self.lang, digits)

    def _show(self, data: Any) -> None:
        title = self.query_one("#dash-title", Static)
        if isinstance(data, Exception):
            title.update(self.t("dashboard.unavailable", error=str(data)))
            return
        self.data = data
        rel = data["reliability"]
        title.update(self.t("dashboard.title_n", n=rel["failures"]))
        table = self.query_one("#dash-equipment", DataTable)
        table.clear()
        for e in rel["equipment"]:
            availability = e["availability"]
            table.add_row(
                e["equipment"],
                str(e["failures"]),
                self._num(e["mtbf_h"]),
                self._num(e["mttr_h"], 3),
                "-" if availability is None else self._num(availability * 100, 4) + " %",
                key=e["equipment"],
            )
        pareto = self.query_one("#dash-pareto", DataTable)
        pareto.clear()
        rows = rel["pareto"]["downtime_h"][:12]
        top = max((r["value"] for r in rows), default=0.0) or 1.0
        for r in rows:
            cells = round(BAR * r["value"] / top)
            pareto.add_row(
                r["class"],
                self._cause_name(r["cause"]),
                self._num(r["value"], 3),
                "█" * cells,
            )
        lines = [
            self.t(
                "dashboard.recurrence",
                equipment=r["equipment"],
                cause=self._cause_name(r["cause"]),
                count=r["count"],
                days=f"{r['within_days']:g}",
            )
            for r in rel["recurrences"][:6]
        ]
        self.query_one("#dash-recurrences", Static).update(
            "[b]" + esc(self.t("dashboard.recurrences")) + "[/b]\n"
            + (esc("\n".join(lines)) if lines else esc(self.t("dashboard.none")))
        )
        self._history(data["history"])
        self._trends(data["trends"])

    def _cause_name(self, cause: str) -> str:
        found = self.dapp.kb.causes.get(cause)
        return kb_text(found.name, self.lang) if found is not None else cause

    def _history(self, history: Any) -> None:
        box = self.query_one("#dash-history", Static)
        if history is None:
            box.update(esc(self.t("dashboard.no_equipment")))
            return
        head = "[b]" + esc(self.t("dashboard.history", equipment=history.equipment)) + "[/b]"
        if not history.recent:
            box.update(head + "\n" + esc(self.t("dashboard.none")))
            return
        lines = [
            f"{format_datetime(p.at, self.lang)}  {p.name or '-'}  "
            f"({self._num(p.downtime_min, 3)} min)  {p.remedy[:60]}"
            for p in history.recent
        ]
        box.update(head + "\n" + esc("\n".join(lines)))

    def _trends(self, trends: dict[str, list[tuple[Any, float]]]) -> None:
        box = self.query_one("#dash-trends", Vertical)
        box.remove_children()
        if not self.equipment_id:
            return
        eq = self.dapp.kb.equipment(self.equipment_id)
        shown = 0
        for mid, points in sorted(trends.items()):
            if len(points) < 2 or not eq.has("measurement", mid):
                continue
            m = eq.measurement(mid)
            t = m.thresholds
            limits = ", ".join(
                f"{name} {self._num(v)}"
                for name, v in (
                    (self.t("dashboard.low_alarm"), t.low_alarm),
                    (self.t("dashboard.high_alarm"), t.high_alarm),
                    (self.t("dashboard.high_critical"), t.high_critical),
                    (self.t("dashboard.low_critical"), t.low_critical),
                )
                if v is not None
            )
            label = self.t(
                "dashboard.trend",
                name=kb_text(m.name, self.lang),
                unit=m.unit or "",
                last=self._num(points[-1][1]),
                n=len(points),
                limits=limits or "-",
            )
            box.mount(Static(esc(label), classes="dash-label"))
            box.mount(Sparkline([v for _, v in points], summary_function=max))
            shown += 1
        if not shown:
            box.mount(Static(esc(self.t("dashboard.no_trends")), classes="dash-label"))

    def action_back(self) -> None:
        self.app.pop_screen()


def prefilled_app(
    kb: Any,
    *,
    db: Any = None,
    lang: str | None = None,
    equipment: str,
    symptoms: list[str],
    answers: dict[str, str],
    **options: Any,
) -> Any:
    """The app that, once the technician has signed in, opens a diagnosis of ``equipment``
    with ``symptoms`` and the ``answers`` (measurement -> typed value) already recorded.

    For ``diagnosis monitor --start-diagnosis --tui``: a flagged drift becomes a diagnosis.
    A reading the session refuses (an alert to acknowledge first) is left for the technician.
    ``options`` go to :class:`~ui.app.DiagnosisApp` (``config_dir``, ``report_dir``…).
    """
    from pathlib import Path

    import diagnosis.ui.app
    from diagnosis.ui.app import DiagnosisApp

    class DriftApp(DiagnosisApp):
        CSS_PATH = str(Path(diagnosis.ui.app.__file__).with_name("app.tcss"))

        def signed_in(self, name: str, habilitations: Any) -> None:
            super().signed_in(name, habilitations)
            self.run_worker(self._open_drift, thread=True, exclusive=True, group="drift")

        def _open_drift(self) -> None:
            from diagnosis.ui.engine import session_class

            try:
                session = session_class().start(
                    self.kb,
                    equipment,
                    symptoms,
                    technician=self.technician,
                    habilitations=self.habilitations,
                    lang=self.lang,
                    sink=self.store,
                )
            except DiagnosisError as exc:
                self.call_from_thread(self.notify, exc.message(self.lang), severity="error")
                return
            for measurement, raw in answers.items():
                try:
                    session.answer(measurement, raw)
                except DiagnosisError as exc:
                    self.call_from_thread(self.notify, exc.message(self.lang), severity="warning")
            self.call_from_thread(self.session_started, session)

    return DriftApp(kb, db=db, lang=lang, **options)


def recurrence_notice(app: Any) -> str:
    """"Cause: Third time in 90 days: look for the deeper cause" for the app's session, or ""."""
    from diagnosis.kpi.history import report_history

    session = app.session
    if session is None:
        return ""
    try:
        history = report_history(app.store, list(session.events), app.kb, app.lang)
    except (DiagnosisError, AttributeError):
        return ""
    if history is None or not history.flag or not history.cause:
        return ""
    found = app.kb.causes.get(history.cause)
    name = kb_text(found.name, app.lang) if found is not None else history.cause
    return f"{name}: {history.flag}"
