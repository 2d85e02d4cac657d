"""Step 3: the problem statement: observed symptoms and the QQOQCP fields.

A diagnosis starts from facts (domain.md §3.3): what is observed (symptoms
of the KB, searchable), who, where, when, how, why it matters, how much.
Starting the session compiles the equipment's network, so it runs in a
worker thread: the screen never freezes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    SelectionList,
    Static,
)
from textual.widgets.selection_list import Selection

from diagnosis.errors import DiagnosisError
from diagnosis.ui.messages import SessionStarted, post_to_app
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import esc, kb_text, translate_bindings
from diagnosis.ui.widgets.fields import FieldInput
from diagnosis.ui.widgets.ticks import TickList

if TYPE_CHECKING:
    from diagnosis.session import Session
    from diagnosis.session.events import ProblemStatement

__all__ = ["QQOQCP_FIELDS", "ProblemScreen"]

ABSENT = "[-]"
QQOQCP_FIELDS = ("who", "what", "where", "when", "how", "why", "how_much")


class SymptomList(TickList):
    """The symptom checklist; ``x`` marks the highlighted symptom as checked and absent.

    Marks: ``[x]`` observed, ``[-]`` checked and absent (its label says so too), ``[ ]``.
    """

    def mark(self, value: object) -> str:
        screen = self.screen
        if isinstance(screen, ProblemScreen) and value in screen.absent:
            return ABSENT
        return super().mark(value)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("x", "absent", "key.absent"),
    ]

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        # The checklist is refilled at each keystroke of the search, and Textual
        # turns a queued highlight into a SelectionHighlighted by looking the
        # option up again: after a refill that left fewer options (a search
        # matching nothing), that lookup raises and ends the app. Drop such
        # stale highlights. (Textual calls this handler of every class in the
        # MRO: prevent_default keeps SelectionList's own from running; for a
        # valid highlight it runs next, as usual.)
        if event.option_index >= self.option_count:
            event.stop()
            event.prevent_default()

    def on_mount(self) -> None:
        # Widget bindings are catalog keys too (BaseScreen translates only its own).
        translate_bindings(self, getattr(self.screen, "lang", "en"))

    def action_absent(self) -> None:
        if self.highlighted is None:
            return
        value = self.get_option_at_index(self.highlighted).value
        screen = self.screen
        if isinstance(screen, ProblemScreen):
            screen.toggle_absent(value)


# Down in a one-line field of this screen moves on: the scrolling body around the
# fields would otherwise take Down to scroll the page (found in tmux at 80x24).
_DOWN_MOVES: list[BindingType] = [Binding("down", "screen.down", show=False)]


class SearchInput(Input):
    """The symptom search: Down goes to the checklist."""

    BINDINGS: ClassVar[list[BindingType]] = _DOWN_MOVES


class ProblemField(FieldInput):
    """A QQOQCP field: Down goes to the next field."""

    BINDINGS: ClassVar[list[BindingType]] = _DOWN_MOVES


class ProblemScreen(BaseScreen[None]):
    """Symptoms (search + multi-select) and the QQOQCP problem statement."""

    HORIZONTAL_BREAKPOINTS = [  # noqa: RUF012 (Textual reads a list)
        (0, "-narrow"),
        (110, "-wide"),
    ]
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "key.start"),
        Binding("escape", "back", "key.back"),
        Binding("down", "down", show=False),
    ]

    def __init__(self, equipment_id: str) -> None:
        super().__init__()
        self.equipment_id = equipment_id
        self.selected: set[str] = set()
        self.absent: set[str] = set()
        self._busy = False

    def compose(self) -> ComposeResult:
        eq = self.dapp.kb.equipment(self.equipment_id)
        yield Header()
        yield Static(
            self.t("problem.title", equipment=kb_text(eq.equipment.name, self.lang)),
            classes="screen-title",
        )
        with VerticalScroll(id="problem-body"):
            with Vertical(id="symptoms-pane", classes="panel"):
                yield SearchInput(
                    placeholder=self.t("problem.search"), id="symptom-search", compact=True
                )
                yield SymptomList(id="symptoms")
            with Vertical(id="qqoqcp-pane", classes="panel"):
                with Grid(id="qqoqcp"):
                    for name in QQOQCP_FIELDS:
                        yield Label(self.t(f"problem.field.{name}"), classes="field-label")
                        yield ProblemField(
                            value=self._default(name),
                            placeholder=self.t(f"problem.hint.{name}"),
                            id=f"q-{name}",
                            compact=True,
                        )
                    yield Label(self.t("problem.work_order"), classes="field-label")
                    yield ProblemField(
                        id="work-order", placeholder=self.t("problem.work_order_hint"), compact=True
                    )
                needs = self._needs(eq)
                if needs:  # what the technician does not have here (issue 10: hand-over)
                    yield Label(self.t("ui_i10.lacking_start"), classes="field-label")
                    yield TickList(
                        *(Selection(esc(label), value) for value, label in needs), id="lacking"
                    )
        yield Static("", id="problem-error", classes="error")
        with Horizontal(classes="buttons"):
            yield Button(self.t("problem.start"), variant="primary", id="start", compact=True)
        yield Footer(compact=True)

    def _needs(self, eq: object) -> list[tuple[str, str]]:
        """(``tool:ID`` / ``part:REF``, name) of every tool and part the measurements need."""
        out: dict[str, str] = {}
        for m in getattr(eq, "measurements", ()):
            for n in getattr(m, "needs", ()):
                out.setdefault(f"{n.kind}:{n.id}", n.label(self.lang))
        return list(out.items())

    def _lacking(self) -> tuple[list[str], list[str]]:
        """The tools and parts ticked as not at hand."""
        found = self.query("#lacking")
        ticked = [str(v) for v in found.first(SelectionList).selected] if found else []
        tools = [v.split(":", 1)[1] for v in ticked if v.startswith("tool:")]
        parts = [v.split(":", 1)[1] for v in ticked if v.startswith("part:")]
        return tools, parts

    def _default(self, name: str) -> str:
        if name == "who":
            return self.dapp.technician
        if name == "where":
            eq = self.dapp.kb.equipment(self.equipment_id).equipment
            return " / ".join(x for x in (eq.location, eq.id) if x)
        return ""

    def on_mount(self) -> None:
        self.query_one("#symptoms-pane").border_title = self.t("problem.symptoms")
        self.query_one("#qqoqcp-pane").border_title = self.t("problem.qqoqcp")
        self._fill("")
        self.query_one("#symptom-search", Input).focus()

    def _fill(self, query: str) -> None:
        eq = self.dapp.kb.equipment(self.equipment_id)
        listing = self.query_one("#symptoms", SelectionList)
        words = query.lower().split()
        listing.clear_options()
        for s in eq.symptoms:
            name = esc(kb_text(s.name, self.lang))
            hay = f"{s.id} {kb_text(s.name, self.lang)} {kb_text(s.description, self.lang)}".lower()
            if not all(w in hay for w in words):
                continue
            tag = self.t(f"category.{s.category}")
            style = "red" if s.category == "safety" else "dim"
            label = f"{name} [{style}]({tag})[/{style}]"
            if s.id in self.absent:
                label = f"[strike dim]{name}[/strike dim] [b yellow]{self.t('problem.absent')}[/]"
            listing.add_option(Selection(label, s.id, s.id in self.selected))
        if listing.option_count:
            listing.highlighted = 0

    @on(Input.Changed, "#symptom-search")
    def _search(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#symptom-search")
    def _search_submitted(self) -> None:
        self.query_one("#symptoms", SelectionList).focus()

    def action_down(self) -> None:
        """Down in a text field: from the search to the checklist, else to the next field."""
        focused = self.focused
        if focused is not None and focused.id == "symptom-search":
            self.query_one("#symptoms", SelectionList).focus()
        else:
            self.focus_next()

    @on(SelectionList.SelectionToggled, "#symptoms")
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        value = event.selection.value
        if value in self.selected:
            self.selected.discard(value)
        else:
            self.selected.add(value)
            if value in self.absent:
                self.absent.discard(value)
                self._refill()

    def toggle_absent(self, value: str) -> None:
        """Mark a symptom as checked and *not* present (the "is not" of QQOQCP)."""
        if value in self.absent:
            self.absent.discard(value)
        else:
            self.absent.add(value)
            self.selected.discard(value)
        self._refill()

    def _refill(self) -> None:
        listing = self.query_one("#symptoms", SelectionList)
        keep = listing.highlighted
        self._fill(self.query_one("#symptom-search", Input).value)
        if keep is not None and keep < listing.option_count:
            listing.highlighted = keep

    @on(Button.Pressed, "#start")
    def action_start(self) -> None:
        if self._busy:
            return
        if not self.selected:
            self.query_one("#problem-error", Static).update(self.t("problem.need_symptom"))
            return
        from diagnosis.session.events import ProblemStatement

        values = {n: self.query_one(f"#q-{n}", Input).value.strip() for n in QQOQCP_FIELDS}
        problem = ProblemStatement(**values)
        work_order = self.query_one("#work-order", Input).value.strip() or None
        eq = self.dapp.kb.equipment(self.equipment_id)
        symptoms = [s.id for s in eq.symptoms if s.id in self.selected]
        absent = [s.id for s in eq.symptoms if s.id in self.absent]
        self._busy = True
        self.query_one("#problem-error", Static).update(self.t("problem.starting"))
        self._start(symptoms, absent, problem, work_order, *self._lacking())

    @work(thread=True, exclusive=True, group="start")
    def _start(
        self,
        symptoms: list[str],
        absent: list[str],
        problem: ProblemStatement,
        work_order: str | None,
        lacking_tools: list[str] | None = None,
        lacking_parts: list[str] | None = None,
    ) -> None:
        from diagnosis.ui.engine import session_class

        app = self.dapp
        try:
            session = session_class().start(
                app.kb,
                self.equipment_id,
                symptoms,
                absent_symptoms=absent,
                technician=app.technician,
                habilitations=app.habilitations,
                problem=problem,
                lang=app.lang,
                sink=app.store,
                work_order=work_order,
                lacking_tools=lacking_tools or [],
                lacking_parts=lacking_parts or [],
            )
        except DiagnosisError as exc:
            self.app.call_from_thread(self._failed, exc.message(self.lang))
            return
        self.app.call_from_thread(self._started, session)

    def _failed(self, message: str) -> None:
        self._busy = False
        self.query_one("#problem-error", Static).update(message)

    def _started(self, session: Session) -> None:
        self._busy = False
        post_to_app(self, SessionStarted(session))

    def action_back(self) -> None:
        self.app.pop_screen()
