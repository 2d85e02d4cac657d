"""Trainer mode in the terminal: the exercise picker, the trainee's run, the score.

``diagnosis train`` (and ``diagnosis serve`` for a classroom browser) opens
:class:`TrainingPickerScreen`: the trainee types a name (and a group), picks
an exercise and a mode. :class:`TrainingScreen` is the guided diagnosis on
the simulated machine: the trainee states hypotheses (``h``) before
measuring, applies lockouts (``l``), acknowledges alerts (``a``), measures
(``Enter`` on a measurement), may ask a hint in learning mode (``i``, it
costs points; exam mode hides the ranking and refuses hints) and concludes
with 5-Why and 5M (``c``). :class:`TrainingScoreScreen` shows the score by
competence, the deductions and the trainee's path beside the engine's.

Everything goes through :class:`diagnosis.training.run.TrainingRun`, so the
session lands in the store like any session, marked as an exercise.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.table import Table
from rich.text import Text as RichText
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.dom import DOMNode
from textual.suggester import SuggestFromList
from textual.widgets import Button, Footer, Header, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from diagnosis.errors import DiagnosisError
from diagnosis.i18n import format_number, format_percent, tr
from diagnosis.session.events import NoteAdded
from diagnosis.ui.messages import TraineeNamed, post_to_app
from diagnosis.ui.screens.base import BaseDialog, BaseScreen
from diagnosis.ui.text import esc, kb_text, translate_bindings
from diagnosis.ui.writes import OrderedWrites

if TYPE_CHECKING:
    from pathlib import Path

    from diagnosis.kb.model import Measurement, Procedure
    from diagnosis.session.core import Session
    from diagnosis.session.events import Event
    from diagnosis.session.types import StepProposal
    from diagnosis.training.model import Exercise
    from diagnosis.training.run import TrainingRun

__all__ = ["TrainingPickerScreen", "TrainingScoreScreen", "TrainingScreen"]

T = TypeVar("T")

UNKNOWN = "_unknown"


def _translate(node: DOMNode, lang: str) -> None:
    """The trainer's bindings (``training.*`` keys) in the user's language."""
    translate_bindings(node, lang, prefix="training.")


class TrainingPickerScreen(BaseScreen[None]):
    """Sign in as a trainee, pick an exercise and a mode."""

    DEFAULT_CSS = """
    #exercises { height: auto; max-height: 16; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f2", "toggle_mode", "training.key.mode"),
    ]

    def __init__(self, folder: str | Path | None = None) -> None:
        super().__init__()
        _translate(self, self.lang)
        self.folder = folder
        self.mode = "learning"
        self.exercises: list[Exercise] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="training-picker", classes="panel"):
            yield Static(self.t("training.ui.picker_title"), classes="screen-title")
            yield Label(self.t("training.ui.trainee"))
            yield Input(value=self.dapp.technician, id="trainee", placeholder=self.t("training.ui.trainee"))
            yield Label(self.t("training.ui.group"))
            yield Input(id="group", placeholder=self.t("training.ui.group_placeholder"))
            yield Static("", id="mode")
            yield Label(self.t("training.ui.exercises"))
            yield OptionList(id="exercises")
            yield Static("", id="exercise-info", classes="hint")
            yield Static("", id="picker-error", classes="error")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        from diagnosis.training import load_exercises

        try:
            self.exercises = load_exercises(self.folder, self.dapp.kb, self.lang)
        except DiagnosisError as exc:
            self.query_one("#picker-error", Static).update(exc.message(self.lang))
        listing = self.query_one("#exercises", OptionList)
        for ex in self.exercises:
            label = f"{self.t('training.level.' + ex.level):<10} {ex.title.get(self.lang)}  ({ex.id})"
            listing.add_option(Option(label, id=ex.id))
        if self.exercises:
            listing.highlighted = 0
        self._show_mode()
        self.query_one("#trainee", Input).focus()

    def _show_mode(self) -> None:
        self.query_one("#mode", Static).update(
            self.t("training.ui.mode_line", mode=self.t(f"training.mode.{self.mode}"))
        )

    def action_toggle_mode(self) -> None:
        self.mode = "exam" if self.mode == "learning" else "learning"
        self._show_mode()

    @on(Input.Submitted)
    def _next_field(self, event: Input.Submitted) -> None:
        self.focus_next()

    @on(OptionList.OptionHighlighted, "#exercises")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        ex = next((e for e in self.exercises if e.id == event.option.id), None)
        if ex is None:
            return
        eq = self.dapp.kb.equipment(ex.equipment)
        lines = [
            self.t("training.ui.exercise_line", equipment=kb_text(eq.equipment.name, self.lang), minutes=format_number(ex.time_budget_min, self.lang)),
            *(f"• {o.get(self.lang)}" for o in ex.objectives),
        ]
        self.query_one("#exercise-info", Static).update("\n".join(lines))

    @on(OptionList.OptionSelected, "#exercises")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        from diagnosis.training.run import TrainingRun

        name = self.query_one("#trainee", Input).value.strip()
        if not name:
            self.query_one("#picker-error", Static).update(self.t("technician.name_required"))
            self.query_one("#trainee", Input).focus()
            return
        ex = next(e for e in self.exercises if e.id == event.option.id)
        mode = "exam" if ex.mode == "exam" else self.mode
        group = self.query_one("#group", Input).value.strip()
        try:
            run = TrainingRun(self.dapp.kb, ex, name, mode=mode, lang=self.lang, sink=self.dapp.store, group=group)
        except DiagnosisError as exc:
            self.query_one("#picker-error", Static).update(exc.message(self.lang))
            return
        post_to_app(self, TraineeNamed(name))
        self.app.push_screen(TrainingScreen(run))


class ChooseDialog(BaseDialog[str | None]):
    """Pick one item of a list (Enter), or cancel (Escape)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "training.key.cancel")]

    def __init__(self, title: str, items: Sequence[tuple[str, str]]) -> None:
        super().__init__()
        _translate(self, self.lang)
        self.title_text = title
        self.items = list(items)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.title_text, classes="dialog-title")
            yield OptionList(*(Option(label, id=key) for key, label in self.items), id="choices")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        listing = self.query_one("#choices", OptionList)
        listing.focus()
        if self.items:
            listing.highlighted = 0

    @on(OptionList.OptionSelected, "#choices")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)


class WhyDialog(BaseDialog[list[tuple[str, str]] | None]):
    """Up to five 5-Why links, each with the measurement id that supports it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "done", "training.key.done"),
        Binding("escape", "cancel", "training.key.cancel"),
    ]
    LINKS = 3

    def __init__(self, read: Sequence[str]) -> None:
        super().__init__()
        _translate(self, self.lang)
        self.read = list(read)

    def compose(self) -> ComposeResult:
        suggester = SuggestFromList(self.read, case_sensitive=False)
        with VerticalScroll(classes="dialog"):
            yield Static(self.t("training.ui.why_title"), classes="dialog-title")
            yield Static(self.t("training.ui.why_hint", read=", ".join(self.read) or "-"), classes="hint")
            for i in range(self.LINKS):
                yield Input(id=f"why-{i}", placeholder=self.t("training.ui.why_n", n=i + 1))
                yield Input(id=f"ev-{i}", placeholder=self.t("training.ui.evidence"), suggester=suggester)
            yield Button(self.t("training.ui.conclude"), variant="primary", id="why-done")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#why-0", Input).focus()

    @on(Input.Submitted)
    def _next(self, event: Input.Submitted) -> None:
        if event.input.id == f"ev-{self.LINKS - 1}":
            self.action_done()
        else:
            self.focus_next()

    @on(Button.Pressed, "#why-done")
    def action_done(self) -> None:
        links = []
        for i in range(self.LINKS):
            text = self.query_one(f"#why-{i}", Input).value.strip()
            evidence = self.query_one(f"#ev-{i}", Input).value.strip()
            if text:
                links.append((text, evidence))
        self.dismiss(links)

    def action_cancel(self) -> None:
        self.dismiss(None)


class TrainingScreen(BaseScreen[None]):
    """The trainee's guided diagnosis on the simulated machine."""

    DEFAULT_CSS = """
    #training-body { height: 1fr; }
    #training-left { width: 1fr; height: 1fr; }
    #training-right { width: 1fr; height: 1fr; }
    #causes { height: auto; max-height: 50%; }
    #measurements { height: 1fr; }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("h", "hypothesis", "training.key.hypothesis"),
        Binding("l", "lockout", "training.key.lockout"),
        Binding("a", "acknowledge", "training.key.acknowledge"),
        Binding("i", "hint", "training.key.hint"),
        Binding("c", "conclude", "training.key.conclude"),
    ]

    def __init__(self, run: TrainingRun) -> None:
        super().__init__()
        _translate(self, self.lang)
        self.run = run
        self.hint_text = ""
        # Every action of the trainee records events: in workers, in the order of the keys.
        self.writes = OrderedWrites(self, self._failed)

    @property
    def session(self) -> Session:
        return self.run.session

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="training-body"):
            with VerticalScroll(id="training-left", classes="panel"):
                yield Static("", id="problem")
                yield Static("", id="status")
                yield Static("", id="training-readings")
            with Vertical(id="training-right"):
                yield Static("", id="causes", classes="panel")
                yield OptionList(id="measurements")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        listing = self.query_one("#measurements", OptionList)
        listing.border_title = self.t("training.ui.measurements")
        for m in self.session.equipment.measurements:
            listing.add_option(Option(self._measure_label(m), id=m.id))
        listing.highlighted = 0
        listing.focus()
        self.refresh_view()

    def _measure_label(self, m: Measurement) -> str:
        marks = []
        if m.requires.lockout:
            marks.append(self.t("training.ui.needs_lockout"))
        if m.requires.habilitation:
            marks.append(m.requires.habilitation)
        extra = f" [{', '.join(marks)}]" if marks else ""
        return f"{kb_text(m.name, self.lang)} ({m.id}, {format_number(m.cost_min, self.lang)} min){extra}"

    def refresh_view(self) -> None:
        s, ex, lang = self.session, self.run.exercise, self.lang
        eq = s.equipment
        problem = [f"[b]{esc(ex.title.get(lang))}[/b] ({self.t('training.mode.' + self.run.mode)})"]
        problem += [
            f"{self.t('training.ui.qqoqcp.' + k)}: {esc(v.get(lang))}" for k, v in ex.problem.items()
        ]
        problem.append(
            esc(
                self.t(
                    "training.ui.symptoms",
                    symptoms=", ".join(kb_text(eq.symptom(x).name, lang) for x in s.symptoms),
                )
            )
        )
        self.query_one("#problem", Static).update("\n".join(problem))
        status = []
        for alert in s.pending_alerts:
            proc = s.kb.procedures.get(alert.procedure)
            status.append("[b red]" + self.t("training.ui.alert_pending", procedure=kb_text(proc.name, lang) if proc else alert.procedure) + "[/]")
        for event in s.events:
            if not isinstance(event, NoteAdded):
                continue
            rule = str(event.rule)
            if rule.startswith("training:hypothesis:"):
                status.append(esc(str(event.text)))
            elif not rule.startswith("training:") and self.run.mode == "learning":
                status.append(f"[i]{esc(str(event.text))}[/i]")  # the KB's notes: not in exam mode
        if self.hint_text:
            status.append(self.hint_text)
        self.query_one("#status", Static).update("\n".join(status) or self.t("training.ui.start_hint"))
        table = Table(expand=True, box=None)
        table.add_column("#")
        table.add_column(self.t("training.debrief.measurement"))
        table.add_column(self.t("training.debrief.reading"))
        for n, r in enumerate(s.readings, start=1):
            m = eq.measurement(r.measurement)
            value = r.value
            shown = format_number(value, lang) if isinstance(value, float) else ("-" if value is None else str(value))
            style = "bold red" if r.critical else ""
            taker = f" — {self.t('training.ui.taken_by', name=r.taken_by, habilitation=r.taken_by_habilitation)}" if r.taken_by else ""
            table.add_row(str(n), kb_text(m.name, lang), RichText(f"{shown} {r.unit or ''} ({r.state or '-'}){taker}", style=style))
        self.query_one("#training-readings", Static).update(table)
        causes = Table(expand=True, box=None, title=self.t("training.ui.causes"))
        causes.add_column(self.t("training.ui.cause"))
        if self.run.mode == "learning":
            causes.add_column("%", justify="right")
            for cid, p in s.ranking():
                name = self.t("training.unknown_cause") if cid == UNKNOWN else kb_text(eq.cause(cid).name, lang)
                causes.add_row(f"{name} ({cid})", format_percent(p, lang))
        else:
            for c in eq.causes:
                causes.add_row(f"{kb_text(c.name, lang)} ({c.id})")
        self.query_one("#causes", Static).update(causes)

    def _write(self, call: Callable[[], T], then: Callable[[T], None] | None = None) -> None:
        """Run ``call`` (it records events) in a worker after the earlier ones; then
        ``then(result)`` and a fresh view on the UI thread. A refusal or a store
        error is a notification (:meth:`_failed`), never a traceback."""

        def done(result: T) -> None:
            try:
                if then is not None:
                    then(result)
            finally:
                self.refresh_view()

        self.writes.submit(call, done)

    def _failed(self, exc: DiagnosisError) -> None:
        self.notify(exc.message(self.lang), severity="error")
        self.refresh_view()

    # -- actions -------------------------------------------------------------
    @on(OptionList.OptionSelected, "#measurements")
    def _measure(self, event: OptionList.OptionSelected) -> None:
        mid = str(event.option.id)

        def measure() -> tuple[list[str], object]:
            applied = list(self.run.lockouts)
            return applied, self.run.measure(mid)

        self._write(measure, self._measured)

    def _measured(self, outcome: tuple[list[str], object]) -> None:
        applied, reading = outcome
        if reading is None:
            if self.run.last_refusal:
                # same rule as at the machine: no habilitation, no reading (scored)
                self.notify(
                    self.t("training.ui.refused", reason=self.run.last_refusal),
                    severity="error",
                    timeout=8,
                    markup=False,
                )
            return
        released = [p for p in applied if p not in self.run.lockouts]
        if released:
            names = ", ".join(
                kb_text(self.session.kb.procedures[p].name, self.lang) if p in self.session.kb.procedures else p
                for p in released
            )
            self.notify(self.t("training.ui.lockout_released", procedures=names), markup=False)

    def _before_work(self, proc: Procedure) -> Procedure:
        """The procedure as the dialog shows it now: a lockout without its release step."""
        return replace(proc, steps=proc.steps_before_work) if proc.release_step is not None else proc

    def _cause_items(self) -> list[tuple[str, str]]:
        eq = self.session.equipment
        items = [(c.id, f"{kb_text(c.name, self.lang)} ({c.id})") for c in eq.causes]
        return [*items, (UNKNOWN, self.t("training.unknown_cause"))]

    def action_hypothesis(self) -> None:
        def chosen(cause: str | None) -> None:
            if cause:
                self._write(lambda: self.run.hypothesis(cause))

        self.app.push_screen(ChooseDialog(self.t("training.ui.choose_hypothesis"), self._cause_items()), chosen)

    def action_lockout(self) -> None:
        from diagnosis.ui.dialogs.procedure import ProcedureDialog

        eq = self.session.equipment
        items = [(p.id, kb_text(p.name, self.lang)) for p in eq.procedures if p.kind == "lockout"]

        def begin(pid: str) -> bool:
            if pid in self.run.lockouts:  # already applied: nothing to do
                return False
            self.run.begin_lockout(pid)
            return True

        def begun(pid: str, dialog: bool) -> None:
            if not dialog:
                return
            proc = self.session.kb.procedures[pid]
            self.app.push_screen(
                ProcedureDialog(
                    self._before_work(proc),
                    self.t("training.ui.release_after") if proc.release_step is not None else "",
                    lambda i: self.session.acknowledge_step(pid, i),
                    lambda: self.run.end_lockout(pid),
                    writes=self.writes,
                ),
                lambda _: self.refresh_view(),
            )

        def chosen(pid: str | None) -> None:
            if pid:
                self._write(lambda: begin(pid), lambda dialog: begun(pid, dialog))

        self.app.push_screen(ChooseDialog(self.t("training.ui.choose_lockout"), items), chosen)

    def action_acknowledge(self) -> None:
        # What is pending is read after the writes before it (in their queue).
        self._write(self._pending_procedure, self._acknowledge)

    def _pending_procedure(self) -> str | None:
        """The first pending alert's procedure; one the KB lacks is acknowledged at once."""
        pending = self.session.pending_alerts
        if not pending:
            return None
        pid = pending[0].procedure
        if self.session.kb.procedures.get(pid) is None:
            self.run.acknowledge(pid)
            return ""
        return pid

    def _acknowledge(self, pid: str | None) -> None:
        from diagnosis.ui.dialogs.procedure import ProcedureDialog

        if pid is None:
            self.notify(self.t("training.ui.no_alert"))
            return
        if not pid:
            return
        proc = self.session.kb.procedures[pid]
        pending = [a for a in self.session.pending_alerts if a.procedure == pid]
        done = len(self.session.acknowledged_steps(pid))
        reason = pending[0].reason if pending else ""
        if proc.release_step is not None:
            reason = f"{reason} — {self.t('training.ui.release_after')}" if reason else self.t("training.ui.release_after")
        self.app.push_screen(
            ProcedureDialog(
                self._before_work(proc),
                reason,
                lambda i: self.session.acknowledge_step(pid, i),
                lambda: self.run.acknowledge_alert(pid),
                done=done,
                writes=self.writes,
            ),
            lambda _: self.refresh_view(),
        )

    def action_hint(self) -> None:
        def hinted(best: StepProposal | None) -> None:
            if best is not None:
                self.hint_text = esc(self.t("training.ui.hint", measurement=f"{kb_text(best.measurement.name, self.lang)} ({best.measurement.id})"))

        self._write(self.run.hint, hinted)

    def action_conclude(self) -> None:
        state: dict[str, Any] = {}

        def why_given(links: list[tuple[str, str]] | None) -> None:
            if links is None:
                return
            from diagnosis.training.run import Why

            whys = [Why(text, evidence or None) for text, evidence in links]

            def conclude_and_finish() -> DiagnosisError | None:
                refused = None
                try:
                    self.run.conclude(state["cause"], state.get("family"), whys)
                except DiagnosisError as exc:
                    if self.session.conclusion is None:
                        raise  # nothing concluded: the trainee stays on the diagnosis
                    refused = exc  # concluded, the rest refused: said, then scored
                self.run.finish()
                return refused

            def finished(refused: DiagnosisError | None) -> None:
                if refused is not None:
                    self.notify(refused.message(self.lang), severity="error")
                self.app.push_screen(TrainingScoreScreen(self.run))

            self._write(conclude_and_finish, finished)

        def family_chosen(family: str | None) -> None:
            if family is None:
                return
            state["family"] = family
            read = [r.measurement for r in self.session.readings if r.available]
            self.app.push_screen(WhyDialog(read), why_given)

        def cause_chosen(cause: str | None) -> None:
            if cause is None:
                return
            state["cause"] = cause
            from diagnosis.kb.model import CATEGORIES_5M

            items = [(c, self.t(f"training.ui.family.{c}")) for c in CATEGORIES_5M]
            self.app.push_screen(ChooseDialog(self.t("training.ui.choose_5m"), items), family_chosen)

        self.app.push_screen(ChooseDialog(self.t("training.ui.choose_root"), self._cause_items()), cause_chosen)


class TrainingScoreScreen(BaseScreen[None]):
    """The score by competence, the deductions, the trainee's path beside the engine's."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,enter", "back", "training.key.back"),
    ]

    def __init__(self, run: TrainingRun) -> None:
        super().__init__()
        _translate(self, self.lang)
        self.run = run

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="training-score", classes="panel"):
            yield Static("", id="score", classes="screen-title")
            yield Static("", id="competences")
            yield Static("", id="deductions")
            yield Static("", id="paths")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        from diagnosis.training.scoring import assess

        lang = self.lang
        a = assess(self.dapp.kb, self.run.exercise, self.session_events(), lang=lang)
        verdict = tr("training.cli.correct" if a.root_cause_correct else "training.cli.wrong", lang)
        self.query_one("#score", Static).update(
            tr("training.cli.result_score", lang, total=a.total, max=a.maximum, verdict=verdict)
            + "\n"
            + tr("training.cli.result_minutes", lang, minutes=format_number(a.minutes, lang), engine=format_number(a.engine_minutes, lang))
        )
        comps = Table(expand=True, title=self.t("training.debrief.score"))
        comps.add_column(self.t("training.debrief.competence"))
        comps.add_column(self.t("training.debrief.score"), justify="right")
        comps.add_column("")
        for c in a.competence_scores().values():
            comps.add_row(c["name"], f"{c['score']}/{c['max']}", "; ".join(c["reasons"]))
        self.query_one("#competences", Static).update(comps)
        deductions = Table(expand=True, title=self.t("training.debrief.deductions"))
        deductions.add_column("")
        deductions.add_column(self.t("training.debrief.step"))
        deductions.add_column("")
        for d in a.deductions:
            deductions.add_row(f"-{d.points} {d.code}", str(d.step), d.reason)
        self.query_one("#deductions", Static).update(
            deductions
            if a.deductions
            else f"{self.t('training.debrief.deductions')}: {self.t('training.debrief.none')}"
        )
        paths = Table(expand=True)
        paths.add_column(self.t("training.debrief.step"))
        paths.add_column(self.t("training.debrief.trainee_path"))
        paths.add_column(self.t("training.debrief.verdict"))
        paths.add_column(self.t("training.debrief.engine_path"))
        for i in range(max(len(a.path), len(a.engine))):
            t = a.path[i] if i < len(a.path) else None
            e = a.engine[i] if i < len(a.engine) else None
            paths.add_row(
                str(i + 1),
                t.measurement if t else "",
                self.t(f"training.debrief.verdict_{t.verdict}") if t else "",
                e.measurement if e else "",
            )
        self.query_one("#paths", Static).update(paths)

    def session_events(self) -> Sequence[Event]:
        return self.run.session.events

    def action_back(self) -> None:
        while len(self.app.screen_stack) > 1 and not isinstance(self.app.screen, TrainingPickerScreen):
            self.app.pop_screen()
