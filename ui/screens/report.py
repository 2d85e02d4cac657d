"""Step 6: the report, written as Markdown and HTML into a folder the user sees.

The report is built by the engine (``diagnosis.report.build_report``, the
writers never compute); this screen writes the files, shows their paths and
a preview of the Markdown.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, Markdown, Static

from diagnosis.errors import DiagnosisError
from diagnosis.ui.messages import NewDiagnosisRequested, post_to_app
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import esc

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase
    from diagnosis.session.core import Session

__all__ = ["ReportScreen", "write_reports"]


def write_reports(
    kb: KnowledgeBase, session: Session, folder: Path, lang: str
) -> tuple[list[Path], str, str]:
    """Build the session's report and write it as ``.md``, ``.html`` and ``.pdf`` into ``folder``.

    The PDF needs WeasyPrint's system libraries: where they are missing, the
    other two are still written and the third value says why there is no PDF.

    Returns:
        The paths written, the Markdown text (for the preview), and a note
        ("" when every format was written).

    Raises:
        ExportError: the folder cannot be written.
    """
    from diagnosis.errors import ExportError
    from diagnosis.report import build_report, render
    from diagnosis.report.pdf import html_to_pdf

    data = build_report(kb, list(session.events), lang=lang)
    started = session.events[0].at if session.events else None
    stamp = started.strftime("%Y%m%d-%H%M") if started else "session"
    base = f"{stamp}-{session.equipment.id}-{session.id[:8]}"
    markdown, html = str(render(data, "md")), str(render(data, "html"))
    bodies: dict[str, str | bytes] = {"md": markdown, "html": html}
    note = ""
    try:
        bodies["pdf"] = html_to_pdf(html)  # printed from the HTML just rendered
    except ExportError as exc:
        note = exc.message(lang)
    paths: list[Path] = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for fmt, body in bodies.items():
            path = folder / f"{base}.{fmt}"
            if isinstance(body, bytes):
                path.write_bytes(body)
            else:
                path.write_text(body, encoding="utf-8")
            paths.append(path)
    except OSError as exc:
        raise ExportError(f"{folder}: {exc.strerror or exc}") from exc
    return paths, markdown, note


class ReportScreen(BaseScreen[None]):
    """Where the report went, and a preview of it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "key.new_diagnosis"),
        Binding("escape", "new", "key.new_diagnosis", show=False),
        Binding("q", "app.quit", "key.quit", show=False),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.paths: list[Path] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="report-body"):
            yield Static(self.t("report.title"), classes="screen-title")
            yield Static(self.t("report.writing"), id="report-paths", classes="panel")
            # A focused scroll box: ↑/↓, PageUp/PageDown, Home/End scroll the preview.
            with VerticalScroll(id="report-preview"):
                yield Markdown("", id="report-markdown")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#report-preview", VerticalScroll).focus()
        self._write()

    @work(thread=True, exclusive=True, group="report")
    def _write(self) -> None:
        app = self.dapp
        try:
            paths, markdown, note = write_reports(app.kb, self.session, app.report_dir, app.lang)
        except DiagnosisError as exc:
            self.app.call_from_thread(self._failed, exc.message(self.lang))
            return
        self.app.call_from_thread(self._written, paths, markdown, note)

    def _failed(self, message: str) -> None:
        self.query_one("#report-paths", Static).update(f"[red]{esc(message)}[/red]")

    def _written(self, paths: list[Path], markdown: str, note: str = "") -> None:
        self.paths = paths
        lines = [self.t("report.saved")] + [f"  [b]{esc(str(p))}[/b]" for p in paths]
        if note:
            lines.append(f"[dim]{esc(note)}[/dim]")
        self.query_one("#report-paths", Static).update("\n".join(lines))
        self.query_one("#report-markdown", Markdown).update(markdown)

    def action_new(self) -> None:
        post_to_app(self, NewDiagnosisRequested())
