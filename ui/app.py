"""The ``diagnosis`` terminal app: one guided diagnosis, from sign-in to report.

The app owns the long-lived objects (knowledge base, store, current
session, technician) and the navigation between the workflow screens::

    TechnicianScreen -> (ResumeDialog) -> EquipmentScreen -> ProblemScreen
        -> DiagnosisScreen -> ConclusionScreen -> ReportScreen
    EquipmentScreen --f--> FaultTreeScreen, --m--> FmeaScreen

Everything it knows about maintenance comes from the engine API
(``diagnosis.session.Session``, ``diagnosis.store.Store``,
``diagnosis.report``); the screens only show it and pass the technician's
input back as messages (:mod:`diagnosis.ui.messages`), which the ``on_*``
handlers below turn into navigation. The screens read the app's state through
the typed :class:`~diagnosis.ui.engine.AppState` and never import this module.
Store reads and writes of the app itself (sign-in, resume, recurrence notice)
run in worker threads.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, cast

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from diagnosis.errors import DiagnosisError
from diagnosis.i18n import detect_lang, tr
from diagnosis.kb.model import KnowledgeBase
from diagnosis.ui.messages import (
    ConclusionRequested,
    EquipmentChosen,
    NewDiagnosisRequested,
    ReportRequested,
    SessionStarted,
    SignedIn,
    TraineeNamed,
)
from diagnosis.ui.prefs import Prefs, default_config_dir, load_prefs, save_prefs
from diagnosis.ui.text import error_text, kb_text, translate_bindings

if TYPE_CHECKING:
    from diagnosis.session.core import Session
    from diagnosis.store.base import SessionSummary, Store
    from diagnosis.ui.engine import AppState

__all__ = ["DiagnosisApp", "prefilled_app", "recurrence_notice"]

DARK, LIGHT = "textual-dark", "textual-light"


def default_report_dir() -> Path:
    """Where reports go by default: ``~/Documents/diagnosis`` (a folder the user sees)."""
    import platformdirs

    return Path(platformdirs.user_documents_dir()) / "diagnosis"


class DiagnosisApp(App[None]):
    """The technician's guided-diagnosis app.

    Args:
        kb: a loaded knowledge base, or a KB folder (None: the bundled one).
        db: an SQLAlchemy URL for the store (None: the default store), or an
            already open store object.
        lang: ``en`` or ``fr`` (None: the locale, see ``detect_lang``).
        config_dir: where UI preferences are kept (tests pass a temporary folder).
        report_dir: where reports are written.
        technician: sign in as this technician without asking (kiosk use, tests).
        training: open the trainer mode's exercise picker instead of the sign-in.
        exercises: the exercise folder (None: the bundled ``exercises/``).
    """

    CSS_PATH = "app.tcss"
    TITLE = "diagnosis"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f1", "help", "key.help"),
        Binding("question_mark", "help", "key.help", show=False),
        Binding("ctrl+t", "toggle_theme", "key.theme"),
        Binding("f4", "dashboard", "key.dashboard", show=False),
        Binding("ctrl+q", "quit", "key.quit"),
    ]

    def __init__(
        self,
        kb: KnowledgeBase | str | Path | None = None,
        *,
        db: Store | str | None = None,
        lang: str | None = None,
        config_dir: Path | None = None,
        report_dir: Path | None = None,
        technician: str | None = None,
        habilitations: Sequence[str] = (),
        training: bool = False,
        exercises: str | Path | None = None,
    ) -> None:
        super().__init__()
        self.training = training  # open the trainer mode's exercise picker (diagnosis train)
        self.exercise_dir = exercises
        self.lang = detect_lang(lang)
        translate_bindings(self, self.lang)
        self.kb: KnowledgeBase = kb if isinstance(kb, KnowledgeBase) else _load_kb(kb)
        self.store: Store = (
            cast("Store", db) if hasattr(db, "append") else _open_store(db)
        )
        self.config_dir = config_dir or default_config_dir()
        self.report_dir = report_dir or default_report_dir()
        self.prefs: Prefs = load_prefs(self.config_dir)
        self.technician = technician or ""
        self.habilitations: tuple[str, ...] = tuple(habilitations)
        self._auto_sign_in = technician is not None
        self.session: Session | None = None
        self.equipment_id: str | None = None
        self.theme = self.prefs.theme if self.prefs.theme in (DARK, LIGHT) else DARK

    # -- helpers -----------------------------------------------------------
    def t(self, key: str, **kwargs: object) -> str:
        """A catalog string in the app's language."""
        return tr(key, self.lang, **kwargs)

    def on_mount(self) -> None:
        from diagnosis.ui.screens.technician import TechnicianScreen

        self.title = self.t("app.title")
        if self.training:
            self.show_training()
            return
        self.push_screen(TechnicianScreen())
        if self._auto_sign_in:
            self.signed_in(self.technician, self.habilitations)

    # -- actions -----------------------------------------------------------
    def action_help(self) -> None:
        from diagnosis.ui.dialogs.help import HelpDialog

        if isinstance(self.screen, HelpDialog):
            self.screen.dismiss(None)  # F1 again closes the help
        else:
            self.push_screen(HelpDialog(self.screen.__class__.__name__))

    def action_dashboard(self) -> None:
        from diagnosis.ui.screens.dashboard import DashboardScreen

        if not isinstance(self.screen, DashboardScreen):
            self.push_screen(DashboardScreen(self.equipment_id))

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT if self.theme == DARK else DARK
        self.prefs.theme = self.theme
        save_prefs(self.config_dir, self.prefs)

    # -- what the screens ask (ui/messages.py) ------------------------------
    def on_signed_in(self, message: SignedIn) -> None:
        self.signed_in(message.technician, message.habilitations)

    def on_trainee_named(self, message: TraineeNamed) -> None:
        self.technician = message.technician
        self.sub_title = message.technician

    def on_equipment_chosen(self, message: EquipmentChosen) -> None:
        self.show_problem(message.equipment_id)

    def on_session_started(self, message: SessionStarted) -> None:
        self.session_started(message.session)

    def on_conclusion_requested(self, _message: ConclusionRequested) -> None:
        self.show_conclusion()

    def on_report_requested(self, _message: ReportRequested) -> None:
        self.show_report()

    def on_new_diagnosis_requested(self, _message: NewDiagnosisRequested) -> None:
        self.new_diagnosis()

    # -- workflow ----------------------------------------------------------
    def signed_in(self, name: str, habilitations: Sequence[str]) -> None:
        """Remember the technician, then (once the store has answered, in a worker) offer
        unfinished sessions or the equipment list."""
        self.technician = name
        self.habilitations = tuple(habilitations)
        self.sub_title = name
        self.prefs.technician = name
        self.prefs.habilitations = list(habilitations)
        save_prefs(self.config_dir, self.prefs)
        self._sign_in_store(name, self.habilitations)

    @work(thread=True, exclusive=True, group="sign-in")
    def _sign_in_store(self, name: str, habilitations: tuple[str, ...]) -> None:
        """Save the technician and read the unfinished sessions, off the UI thread."""
        problems: list[str] = []
        try:
            self.store.save_technician(name, list(habilitations))
        except Exception as exc:  # a store problem must not block a diagnosis
            problems.append(error_text(exc, self.lang))
        try:
            unfinished = list(self.store.unfinished())
        except Exception as exc:
            problems.append(error_text(exc, self.lang))
            unfinished = []
        self.call_from_thread(self._store_signed_in, problems, unfinished)

    def _store_signed_in(self, problems: list[str], unfinished: list[SessionSummary]) -> None:
        for problem in problems:
            self.notify(problem, severity="warning")
        self.after_sign_in(unfinished)

    def after_sign_in(self, unfinished: Sequence[SessionSummary]) -> None:
        """Offer the unfinished sessions, or go to the equipment list."""
        from diagnosis.ui.dialogs.resume import ResumeDialog

        if unfinished:
            self.push_screen(ResumeDialog(unfinished), self._resume_chosen)
        else:
            self.show_equipment()

    def _resume_chosen(self, session_id: str | None) -> None:
        if session_id:
            self.resume(session_id)
        else:
            self.show_equipment()

    def show_training(self) -> None:
        """Trainer mode: the exercise picker (ui/screens/training.py)."""
        from diagnosis.ui.screens.training import TrainingPickerScreen

        self.push_screen(TrainingPickerScreen(self.exercise_dir))

    def show_equipment(self) -> None:
        from diagnosis.ui.screens.equipment import EquipmentScreen

        self.push_screen(EquipmentScreen())

    def show_problem(self, equipment_id: str) -> None:
        from diagnosis.ui.screens.problem import ProblemScreen

        self.equipment_id = equipment_id
        self.push_screen(ProblemScreen(equipment_id))

    def session_started(self, session: Session) -> None:
        """A new or resumed session: open the diagnosis screen (or the step it stopped at)."""
        from diagnosis.ui.screens.conclusion import ConclusionScreen
        from diagnosis.ui.screens.diagnosis import DiagnosisScreen

        self.session = session
        self.equipment_id = session.equipment.id
        self.sub_title = f"{self.technician} · {session.equipment.equipment.id}"
        self.go_home()
        self.push_screen(DiagnosisScreen(session))
        if session.conclusion is not None:
            self.push_screen(ConclusionScreen(session))

    @work(thread=True, exclusive=True, group="resume")
    def resume(self, session_id: str) -> None:
        """Rebuild a stored session from its events (in a worker) and continue it."""
        from diagnosis.ui.engine import session_class

        try:
            events = self.store.events(session_id)
            session = session_class().replay(self.kb, events, sink=self.store)
        except DiagnosisError as exc:
            self.call_from_thread(self._resume_failed, exc.message(self.lang))
            return
        self.post_message(SessionStarted(session))

    def _resume_failed(self, message: str) -> None:
        self.notify(message, severity="error")
        self.show_equipment()

    def show_conclusion(self) -> None:
        from diagnosis.ui.screens.conclusion import ConclusionScreen

        if self.session is not None:
            self.push_screen(ConclusionScreen(self.session))
            self._recurrence_notice()

    @work(thread=True, exclusive=True, group="recurrence")
    def _recurrence_notice(self) -> None:
        """"Third time in 90 days" (issue 13): the store is read in this worker."""
        notice = recurrence_notice(self)
        if notice:
            self.call_from_thread(self.notify, notice, severity="warning", timeout=15)

    def show_report(self) -> None:
        from diagnosis.ui.screens.report import ReportScreen

        if self.session is not None:
            self.go_home()
            self.push_screen(ReportScreen(self.session))

    def go_home(self) -> None:
        """Back to the equipment picker (pushing it when it is not on the stack)."""
        from diagnosis.ui.screens.equipment import EquipmentScreen

        stack = self.screen_stack
        keep = next((i for i, s in enumerate(stack) if isinstance(s, EquipmentScreen)), None)
        if keep is None:
            while len(self.screen_stack) > 2:
                self.pop_screen()
            self.push_screen(EquipmentScreen())
            return
        while len(self.screen_stack) > keep + 1:
            self.pop_screen()

    def new_diagnosis(self) -> None:
        self.session = None
        self.sub_title = self.technician
        self.go_home()

    def on_unmount(self) -> None:
        close = getattr(self.store, "close", None)
        if callable(close):
            close()


def _load_kb(folder: str | Path | None) -> KnowledgeBase:
    from diagnosis.ui.engine import load_kb

    return load_kb(folder)


def _open_store(url: str | None) -> Store:
    from diagnosis.ui.engine import open_store

    return open_store(url)


if TYPE_CHECKING:

    def _is_app_state(app: DiagnosisApp) -> AppState:
        return app  # mypy checks that the app provides what screens read of it


def recurrence_notice(app: AppState) -> str:
    """"Cause: Third time in 90 days: look for the deeper cause" for the app's session, or "".

    Reads the store: call it from a worker thread.
    """
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


def prefilled_app(
    kb: KnowledgeBase | str | Path | None,
    *,
    db: Store | str | None = None,
    lang: str | None = None,
    equipment: str,
    symptoms: list[str],
    answers: dict[str, str],
    **options: Any,
) -> DiagnosisApp:
    """The app that, once the technician has signed in, opens a diagnosis of ``equipment``
    with ``symptoms`` and the ``answers`` (measurement -> typed value) already recorded.

    For ``diagnosis monitor --start-diagnosis --tui``: a flagged drift becomes a diagnosis.
    A reading the session refuses (an alert to acknowledge first) is left for the technician.
    ``options`` go to :class:`DiagnosisApp` (``config_dir``, ``report_dir``…).
    """

    class DriftApp(DiagnosisApp):
        CSS_PATH = str(Path(__file__).with_name("app.tcss"))

        def after_sign_in(self, unfinished: Sequence[SessionSummary]) -> None:
            super().after_sign_in(unfinished)
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
