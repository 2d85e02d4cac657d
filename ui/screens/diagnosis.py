"""Step 4: the guided diagnosis: hypotheses, the proposed measurement, the answer.

The engine proposes the next measurement (value of information per minute);
the technician answers with a number (unit optional, decimal comma or
point), yes/no, or a choice; or says it is not available, or measures
something else. Every call to the engine runs in a worker thread and returns
a :class:`View` snapshot, so typing never lags and the screen never reads
the session while a worker changes it.

Safety comes first: pending alerts (critical reading, safety rule) open a
procedure dialog that must be acknowledged step by step, and a measurement
that needs lockout is not asked before its lockout procedure is acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Footer, Header, Input, Static

from diagnosis.errors import DiagnosisError
from diagnosis.i18n import format_percent
from diagnosis.kb.model import Measurement, Procedure
from diagnosis.session.events import AlertAcknowledged, AlertStepAcknowledged
from diagnosis.ui.messages import ConclusionRequested, NewDiagnosisRequested, post_to_app
from diagnosis.ui.safety_hooks import (
    acknowledged_note,
    bad_answer,
    before_work,
    handover_card,
    handover_stop_key,
    join,
    needs_colleague,
    release_dialog,
    taker_for,
)
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import esc, kb_text, rule_text
from diagnosis.ui.widgets.card import MeasurementCard, answer_hint
from diagnosis.ui.widgets.hypotheses import HypothesesPanel
from diagnosis.ui.widgets.readings import ReadingsPanel, reading_value
from diagnosis.ui.writes import OrderedWrites

if TYPE_CHECKING:
    from diagnosis.session.core import Session
    from diagnosis.session.events import AlertRaised
    from diagnosis.session.types import Reading, StepProposal, StopReason
    from diagnosis.store.base import Intervention
    from diagnosis.ui.dialogs.procedure import ProcedureDialog

__all__ = ["DiagnosisScreen", "View"]


@dataclass(frozen=True)
class View:
    """Everything the screen shows, read from the session in one go (in a worker)."""

    ranking: list[tuple[str, float]]
    excluded: dict[str, str]
    readings: list[Reading]
    proposal: StepProposal | None
    stop_reason: StopReason | None
    alerts: list[AlertRaised] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    tree_observations: dict[str, dict[str, bool]] = field(default_factory=dict)


class DiagnosisScreen(BaseScreen[None]):
    """Hypotheses beside (wide) or under (narrow) the measurement card."""

    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Textual reads a list)
        (0, "-narrow"),
        (120, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+n", "not_available", "key.not_available"),
        # "I don't have the instrument / the part here" (shown on the card when it needs one)
        Binding("f6", "lacking", "key.lacking", show=False),
        Binding("ctrl+o", "other", "key.other"),
        Binding("ctrl+z", "undo", "key.undo"),
        Binding("ctrl+g", "fault_tree", "key.tree"),
        Binding("ctrl+f", "conclude", "key.conclude"),
        Binding("escape", "leave", "key.leave"),
        Binding("pageup", "card_page(-1)", show=False, priority=True),
        Binding("pagedown", "card_page(1)", show=False, priority=True),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.current: Measurement | None = None
        self.current_proposal: StepProposal | None = None
        self.chosen = False  # the technician picked another measurement
        self.view: View | None = None
        self.busy = False
        self._writes = OrderedWrites(self, self._hand_over_failed)  # writes outside run_engine
        self._lockouts_done: set[str] = set()
        self._pending_lockout: str | None = None  # measurement whose lockout the engine raises
        self._takers: dict[str, tuple[str, str]] = {}  # measurement -> habilitated colleague
        self._declined: set[str] = set()  # colleague prompt cancelled: not asked again unasked
        self.interventions: list[Intervention] | None = None  # the store's, read once (issue 13)

    # -- layout ------------------------------------------------------------
    def compose(self) -> ComposeResult:
        eq = self.session.equipment
        yield Header()
        with VerticalScroll(id="diag-body"):
            with Vertical(id="work-pane"):
                yield Static("", id="status")
                yield Static("", id="diag-history")
                # A long card scrolls inside its own box (PageUp/PageDown): the answer
                # field and its error line below it stay on the screen at 80×24.
                with VerticalScroll(id="card-box"):
                    yield Static("", id="notes", classes="hint")
                    yield MeasurementCard(self.lang, id="card")
                yield Input(id="answer", placeholder="")
                yield Static("", id="answer-error", classes="error")
            with Vertical(id="hyp-pane", classes="panel"):
                yield HypothesesPanel(eq, self.lang, id="hypotheses")
            with Vertical(id="readings-pane", classes="panel"):
                yield ReadingsPanel(eq, self.lang, id="readings")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#card-box", VerticalScroll).can_focus = False
        self._fit_card()
        self.query_one("#hyp-pane").border_title = self.t("diag.hypotheses")
        self.query_one("#readings-pane").border_title = self.t("diag.readings")
        self.query_one("#card", MeasurementCard).show_message(
            self.t("diag.computing_title"), self.t("diag.computing")
        )
        self.query_one("#answer", Input).focus()
        self.query_one("#diag-history", Static).display = False
        self.run_engine(None)
        self._load_history()

    # -- engine calls (worker thread) --------------------------------------
    def _snapshot(self) -> View:
        s = self.session
        alerts = list(s.pending_alerts)
        proposal = None if alerts else s.proposal()
        return View(
            ranking=list(s.ranking()),
            excluded=dict(s.excluded),
            readings=list(s.readings),
            proposal=proposal,
            stop_reason=s.stop_reason,
            alerts=alerts,
            notes=list(getattr(s, "notes", [])),
            suggestions=list(getattr(s, "suggestions", [])),
            tree_observations=dict(getattr(s, "tree_observations", {})),
        )

    @work(thread=True, exclusive=True, group="engine")
    def run_engine(
        self, call: Callable[[], object] | None, keep_current: bool = False, keep_always: bool = False
    ) -> None:
        """Run ``call`` on the session (if any), then read a fresh view; report back."""
        app = self.app
        app.call_from_thread(self._set_busy, True)
        error: str | None = None
        if call is not None:
            try:
                call()
            except DiagnosisError as exc:
                error = exc.message(self.lang)
        try:
            view = self._snapshot()
        except DiagnosisError as exc:
            app.call_from_thread(self._engine_failed, exc.message(self.lang))
            return
        keep = keep_always or (keep_current and error is not None)
        app.call_from_thread(self._show, view, error, keep)

    @work(thread=True, exclusive=True, group="diag-history")
    def _load_history(self) -> None:
        """The equipment's past interventions, read once: each ranking is compared to them."""
        try:
            store = self.dapp.store
            interventions = list(store.interventions(equipment=self.session.equipment.id))
        except Exception:  # a store problem must not block the diagnosis
            interventions = []
        self.app.call_from_thread(self._history_loaded, interventions)

    def _history_loaded(self, interventions: list[Intervention]) -> None:
        self.interventions = interventions
        if self.view is not None:
            self._show_history(self.view)

    def _show_history(self, view: View) -> None:
        """Whether the leading cause was found here before, and what fixed it: one line."""
        from diagnosis.ui.history import cause_line

        box = self.query_one("#diag-history", Static)
        text = ""
        if self.interventions is not None and view.ranking:
            text = cause_line(
                self.interventions,
                self.session.equipment.id,
                view.ranking[0][0],
                self.lang,
                session_id=getattr(self.session, "id", None),
            )
        box.update(esc(text))
        box.display = bool(text)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.query_one("#status", Static).set_class(busy, "busy")
        if busy:
            self.query_one("#status", Static).update(self.t("diag.computing"))

    def _engine_failed(self, message: str) -> None:
        self._set_busy(False)
        self.query_one("#answer-error", Static).update(message)

    # -- rendering -----------------------------------------------------------
    def _show(self, view: View, error: str | None, keep_current: bool) -> None:
        self.busy = False
        self.query_one("#status", Static).set_class(False, "busy")
        self.view = view
        narrow = self.has_class("-narrow")
        self.query_one("#hypotheses", HypothesesPanel).show(
            view.ranking, view.excluded, limit=6 if narrow else None
        )
        self.query_one("#readings", ReadingsPanel).show(view.readings)
        err = self.query_one("#answer-error", Static)
        err.update(error or "")
        if not keep_current:
            self.chosen = False
            self.current_proposal = view.proposal
            self.current = view.proposal.measurement if view.proposal is not None else None
        self._show_status(view)
        self._show_card()
        if error is None:
            self.query_one("#answer", Input).value = ""
            if not keep_current:
                self.query_one("#card-box", VerticalScroll).scroll_home(animate=False)
        # The answer field and its error line are at the top of the body: keep them in view.
        self.query_one("#diag-body", VerticalScroll).scroll_home(animate=False)
        if error is not None and self._pending_lockout is not None:
            # The engine refused to raise the lockout (a habilitation the technician lacks…):
            # it is NOT applied, so never fall through to "lockout acknowledged"; the reason
            # is on the error line, and Enter asks the engine again.
            self._pending_lockout = None
            return
        self._check_safety()

    def _show_status(self, view: View) -> None:
        top = view.ranking[0] if view.ranking else None
        parts = [self.t("diag.step", n=len(view.readings) + 1)]
        if top is not None:
            parts.append(
                self.t(
                    "diag.top",
                    cause=self._cause_name(top[0]),
                    p=format_percent(top[1], self.lang, 0),
                )
            )
        observed = sum(len(nodes) for nodes in view.tree_observations.values())
        if observed:
            parts.append(self.t("diag.tree_observed", n=observed))
        if view.stop_reason == "handover":
            parts.append(self.t(handover_stop_key(self.session)))
        elif view.stop_reason:
            parts.append(self.t(f"diag.stop.{view.stop_reason}"))
        self.query_one("#status", Static).update(" · ".join(parts))
        notes = self.query_one("#notes", Static)
        notes.update("\n".join("ℹ " + note for note in view.notes[-1:]))
        notes.display = bool(view.notes)
        self._show_history(view)

    def _cause_name(self, cause_id: str) -> str:
        if cause_id == "_unknown":
            return self.t("hyp.unknown")
        try:
            return kb_text(self.session.equipment.cause(cause_id).name, self.lang)
        except KeyError:
            return cause_id

    def _show_card(self) -> None:
        card = self.query_one("#card", MeasurementCard)
        answer = self.query_one("#answer", Input)
        m = self.current
        if self.view is not None and self.view.alerts:
            card.show_message(self.t("diag.alert_pending_title"), self.t("diag.alert_pending"))
            return
        if m is None:
            view = self.view
            reason = view.stop_reason if view is not None else None
            if reason == "handover":
                card.show_message(*handover_card(self.session, self.lang))
            else:
                card.show_message(
                    self.t("diag.no_more_title"),
                    self.t(f"diag.no_more.{reason or 'none'}"),
                )
            # At a hand-over, say to pause for the colleague first (issue 10)
            answer.placeholder = self.t(
                "ui_i10.handover_hint" if reason == "handover" else "diag.conclude_hint"
            )
            answer.disabled = False
            return
        procedure = self._lockout_procedure(m)
        card.show(
            m,
            proposal=self.current_proposal,
            proposed=not self.chosen,
            lockout_done=m.id in self._lockouts_done or self._lockout_acknowledged(m),
            procedure_name=kb_text(procedure.name, self.lang) if procedure else "",
        )
        answer.placeholder = answer_hint(m, self.lang)

    # -- safety ------------------------------------------------------------
    def _lockout_procedure(self, m: Measurement) -> Procedure | None:
        pid = getattr(self.current_proposal, "lockout_procedure", None) or m.requires.procedure
        if not pid:
            return None
        try:
            return self.session.kb.procedure(pid)
        except KeyError:
            return None

    def _lockout_acknowledged(self, m: Measurement) -> bool:
        """Whether the session log already holds the acknowledgement of m's lockout."""
        procedure = self._lockout_procedure(m)
        if procedure is None:
            return False
        return any(
            isinstance(e, AlertAcknowledged) and e.procedure == procedure.id
            for e in self.session.events
        )

    def _check_safety(self) -> None:
        """Open the first pending alert, else the current measurement's lockout."""
        view = self.view
        if view is not None and view.alerts:
            alert = view.alerts[0]
            try:
                procedure = self.session.kb.procedure(alert.procedure)
            except KeyError:
                return
            done = sum(
                1
                for e in self.session.events
                if isinstance(e, AlertStepAcknowledged)
                and e.procedure == alert.procedure
                and e.at >= alert.at
            )
            reason = self._alert_reason(alert, view) + acknowledged_note(alert, self.lang)
            self.app.push_screen(
                _procedure_dialog(self, procedure, reason, done),
                self._alert_done,
            )
            return
        release = release_dialog(self.session, self.lang)
        if release is not None:  # the déconsignation, after the measurement
            self.app.push_screen(release, self._alert_done)
            return
        m = self.current
        if m is None or not m.requires.lockout or m.id in self._lockouts_done:
            return
        if needs_colleague(self.session, m, self._takers):
            # The habilitation first: nobody goes through a lockout to learn he may not measure.
            if m.id not in self._declined:
                self._ask_colleague(m, self._check_safety)
            return
        if self._lockout_acknowledged(m) or self._pending_lockout == m.id:
            # Acknowledged step by step in the session log (or the KB has no
            # lockout procedure for the engine to raise): the measurement may be asked.
            self._pending_lockout = None
            self._lockout_done(m.id)
            return
        # The engine raises the lockout procedure as an alert, so that each step
        # acknowledged is in the session log (who, when) and survives a resume.
        mid = m.id
        self._pending_lockout = mid
        taker = taker_for(self.session, m, self._takers)

        def prepare() -> object:
            join(self.session, taker)
            return self.session.prepare(mid, taken_by=taker)

        self.run_engine(prepare, keep_always=True)

    def _alert_reason(self, alert: AlertRaised, view: View) -> str:
        """Why the alert was raised, in words: the critical reading, the rule, the symptom."""
        eq = self.session.equipment
        if alert.reason == "critical" and eq.has("measurement", alert.trigger):
            m = eq.measurement(alert.trigger)
            reading = next((r for r in reversed(view.readings) if r.measurement == m.id), None)
            value = reading_value(reading, self.lang) if reading is not None else ""
            return self.t(
                "diag.alert.critical", measurement=kb_text(m.name, self.lang), value=value
            )
        if alert.reason == "safety_symptom" and eq.has("symptom", alert.trigger):
            name = kb_text(eq.symptom(alert.trigger).name, self.lang)
            return self.t("diag.alert.safety_symptom", symptom=name)
        if alert.reason == "rule":
            return self.t("diag.alert.rule", rule=rule_text(eq, alert.trigger, self.lang))
        if alert.reason == "lockout" and eq.has("measurement", alert.trigger):
            name = kb_text(eq.measurement(alert.trigger).name, self.lang)
            return self.t("diag.lockout_reason", measurement=name)
        return str(alert.reason or alert.trigger)

    def _alert_done(self, _ok: bool | None) -> None:
        # After a lockout, stay on the measurement it was applied for.
        self.run_engine(None, keep_always=self._pending_lockout is not None)

    def _lockout_done(self, measurement_id: str) -> None:
        self._lockouts_done.add(measurement_id)
        self._show_card()
        self.query_one("#answer", Input).focus()

    # -- the technician's actions -------------------------------------------
    @on(Input.Submitted, "#answer")
    def _submitted(self, event: Input.Submitted) -> None:
        if self.busy:
            return
        raw = event.value.strip()
        m = self.current
        if m is None:
            self.action_conclude()
            return
        if not raw:
            self.query_one("#answer-error", Static).update(self.t("diag.empty_answer"))
            self.query_one("#diag-body", VerticalScroll).scroll_home(animate=False)
            return
        if needs_colleague(self.session, m, self._takers):
            bad = bad_answer(m, raw, self.lang)  # a typing error is said first
            if bad:
                self.query_one("#answer-error", Static).update(bad)
                return
            self._declined.discard(m.id)
            self._ask_colleague(m, lambda: self._submitted(event))
            return
        if m.requires.lockout and m.id not in self._lockouts_done:
            self._check_safety()
            return
        mid = m.id
        taker = taker_for(self.session, m, self._takers)

        def record() -> object:
            join(self.session, taker)
            return self.session.answer(mid, raw, taken_by=taker)

        self.run_engine(record, keep_current=True)

    def _ask_colleague(self, m: Measurement, then: Callable[[], object]) -> None:
        """Name the habilitated colleague who takes ``m`` (issue 10), then go on."""
        from diagnosis.ui.dialogs.colleague import ColleagueDialog

        def chosen(taker: tuple[str, str] | None) -> None:
            if taker is None:
                self._declined.add(m.id)
                return
            self._takers[m.id] = taker
            then()

        need = m.requires.habilitation or ""
        self.app.push_screen(ColleagueDialog(kb_text(m.name, self.lang), need), chosen)

    def action_card_page(self, direction: int) -> None:
        """PageUp/PageDown: scroll a card taller than its box."""
        box = self.query_one("#card-box", VerticalScroll)
        if direction < 0:
            box.scroll_page_up(animate=False)
        else:
            box.scroll_page_down(animate=False)

    def action_not_available(self) -> None:
        if self.busy or self.current is None:
            return
        mid = self.current.id
        self.run_engine(lambda: self.session.not_available(mid))

    def action_lacking(self) -> None:
        """F6: the technician does not have the tool or part the measurement needs here."""
        if self.busy or self.current is None:
            return
        m = self.current
        if not m.needs:
            self.query_one("#answer-error", Static).update(
                self.t("ui_i10.needs_nothing", measurement=kb_text(m.name, self.lang))
            )
            return
        mid = m.id
        names = ", ".join(n.label(self.lang) for n in m.needs)
        self.notify(self.t("ui_i10.lacking_noted", names=names))
        self.run_engine(lambda: self.session.lack_for(mid))

    def action_undo(self) -> None:
        if self.busy:
            return
        if not self.view or not self.view.readings:
            self.notify(self.t("diag.nothing_to_undo"), severity="warning")
            return
        self.run_engine(self.session.undo)

    def action_other(self) -> None:
        if not self.busy:
            self._load_alternatives()

    @work(thread=True, exclusive=True, group="engine")
    def _load_alternatives(self) -> None:
        self.app.call_from_thread(self._set_busy, True)
        try:
            alternatives = list(self.session.alternatives())
        except DiagnosisError as exc:
            self.app.call_from_thread(self._engine_failed, exc.message(self.lang))
            return
        self.app.call_from_thread(self._open_alternatives, alternatives)

    def _open_alternatives(self, alternatives: list[StepProposal]) -> None:
        from diagnosis.ui.dialogs.alternatives import AlternativesDialog

        self._set_busy(False)
        if self.view is not None:
            self._show_status(self.view)

        def chosen(mid: str | None) -> None:
            if not mid:
                return
            picked = next((a for a in alternatives if a.measurement.id == mid), None)
            if picked is None:
                return
            self.current = picked.measurement
            self.current_proposal = picked
            self.chosen = True
            self._show_card()
            # A new measurement: what was typed (and refused) for the last one goes.
            self.query_one("#answer", Input).value = ""
            self.query_one("#answer-error", Static).update("")
            self.query_one("#card-box", VerticalScroll).scroll_home(animate=False)
            self.query_one("#answer", Input).focus()
            self._check_safety()

        self.app.push_screen(AlternativesDialog(alternatives), chosen)

    def action_fault_tree(self) -> None:
        """Observe a gate or event of the equipment's fault trees (evidence for the ranking)."""
        if self.busy:
            return
        trees = self.session.kb.trees_for(self.session.equipment.id)
        if not trees:
            self.notify(self.t("tree_obs.no_tree"), severity="warning")
            return
        from diagnosis.ui.dialogs.tree_observe import TreeChoice, TreeObserveDialog

        def chosen(choice: TreeChoice | None) -> None:
            if choice is None:
                self.query_one("#answer", Input).focus()
                return
            tree, node, state = choice.tree, choice.node, choice.state
            self.query_one("#answer", Input).focus()
            self.run_engine(lambda: self.session.observe_tree(tree, node, state), keep_current=True)

        self.app.push_screen(TreeObserveDialog(trees, self.session.tree_observations), chosen)

    def action_conclude(self) -> None:
        if self.busy:
            return
        post_to_app(self, ConclusionRequested())

    def action_leave(self) -> None:
        view = self.view
        if view is not None and view.stop_reason == "handover" and not self.session.closed:
            # pausing at a hand-over hands over: recorded (in a worker) for the report and
            # the colleague, then the technician leaves; a store error keeps him here.
            if not (self.busy or self._writes.busy):  # one writer at a time
                self._writes.submit(self.session.hand_over, lambda _: self._leave())
            return
        self._leave()

    def _leave(self) -> None:
        self.notify(self.t("diag.saved_resume"))
        post_to_app(self, NewDiagnosisRequested())

    def _hand_over_failed(self, exc: DiagnosisError) -> None:
        self.notify(exc.message(self.lang), severity="error")

    def on_screen_resume(self) -> None:
        # Back from the conclusion screen (or a dialog): refresh what the engine says.
        if self.view is not None and not self.busy:
            self._show_status(self.view)

    def _fit_card(self) -> None:
        """The card box takes at most ~45% of the height (60% beside the hypotheses)."""
        share = 0.6 if self.has_class("-wide") else 0.45
        self.query_one("#card-box", VerticalScroll).styles.max_height = max(
            5, int(self.size.height * share)
        )

    def on_resize(self) -> None:
        self._fit_card()
        if self.view is not None:
            narrow = self.has_class("-narrow")
            self.query_one("#hypotheses", HypothesesPanel).show(
                self.view.ranking, self.view.excluded, limit=6 if narrow else None
            )


def _procedure_dialog(
    screen: DiagnosisScreen, procedure: Procedure, reason: str, done: int
) -> ProcedureDialog:
    from diagnosis.ui.dialogs.procedure import ProcedureDialog

    session = screen.session
    pid = procedure.id
    engine_driven = any(getattr(a, "procedure", None) == pid for a in session.pending_alerts)
    if engine_driven:
        return ProcedureDialog(
            before_work(session, procedure),  # the release step comes after the measurement
            reason,
            ack_step=lambda i: session.acknowledge_step(pid, i),
            ack_all=lambda: session.acknowledge(pid),
            done=done,
        )
    # A lockout the engine does not hold as an alert: acknowledged in the UI only.
    return ProcedureDialog(procedure, reason, ack_step=lambda i: None, ack_all=lambda: None)
