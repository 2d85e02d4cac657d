"""Step 5: confirm the root cause, justify it (5-Why, 5M), record the repair.

The cause list is the engine's ranking (``_unknown`` included: when the
evidence fits no cause of the knowledge base, that is the honest answer,
recorded with what was ruled out). Choosing a cause records the conclusion;
the 5-Why chain is then prefilled from the cause's template, each link with
the reading that verified it, and stays editable. Saving records the chain,
the 5M family, the remedy (parts, labour, downtime) and the validation test,
closes the session and opens the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import DescendantFocus
from textual.widgets import (
    Button,
    Footer,
    Header,
    Input,
    Label,
    OptionList,
    Select,
    Static,
)
from textual.widgets.option_list import Option

from diagnosis.errors import DiagnosisError
from diagnosis.i18n import format_percent, split_value_unit
from diagnosis.kb.model import CATEGORIES_5M
from diagnosis.ui.messages import ReportRequested, post_to_app
from diagnosis.ui.screens.base import BaseScreen
from diagnosis.ui.text import esc, kb_text, num
from diagnosis.ui.widgets.fields import FieldInput, FieldText
from diagnosis.ui.widgets.readings import reading_value
from diagnosis.ui.widgets.ticks import TickBox

if TYPE_CHECKING:
    from diagnosis.kb.model import Measurement
    from diagnosis.session.core import Session
    from diagnosis.session.types import Reading

__all__ = ["ACTIVITIES", "ConclusionScreen"]

UNKNOWN = "_unknown"
PENDING = "pending"  # no validation result yet: saved as "validation pending"
# ISO 14224 Table B.5 maintenance activities (domain.md §1.6).
ACTIVITIES = (
    "replace",
    "repair",
    "modify",
    "adjust",
    "refit",
    "check",
    "service",
    "test",
    "inspection",
    "overhaul",
    "combination",
    "other",
)
MAX_WHY = 6


class ConclusionScreen(BaseScreen[None]):
    """Root cause, 5-Why, 5M, remedy and validation, then save."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save_report"),
        Binding("escape", "back", "key.back_to_diagnosis"),
    ]

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.root: str | None = None
        self.busy = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="conclusion-body"):
            yield Static(self.t("concl.title"), classes="screen-title")
            yield Label(self.t("concl.choose_cause"), classes="section")
            yield OptionList(id="causes")
            yield Static("", id="ruled-out", classes="hint")
            with Vertical(id="details"):
                yield Label(self.t("concl.why"), classes="section")
                for i in range(MAX_WHY):
                    with Horizontal(classes="why-row"):
                        yield Label(f"{i + 1}.", classes="why-num")
                        yield FieldText(
                            id=f"why-{i}",
                            placeholder=self.t("concl.why_placeholder"),
                            compact=True,
                            classes="field-text",
                        )
                    yield Static("", id=f"why-ev-{i}", classes="why-evidence")
                yield Label(self.t("concl.family"), classes="section")
                yield Select(
                    [(self.t(f"5m.{c}"), c) for c in CATEGORIES_5M],
                    id="family",
                    allow_blank=True,
                    prompt=self.t("concl.family_prompt"),
                )
                yield Label(self.t("concl.remedy"), classes="section")
                yield FieldText(
                    id="remedy",
                    placeholder=self.t("concl.remedy_placeholder"),
                    compact=True,
                    classes="field-text",
                )
                yield Select(
                    [(self.t(f"activity.{a}"), a) for a in ACTIVITIES],
                    id="activity",
                    allow_blank=True,
                    prompt=self.t("concl.activity_prompt"),
                )
                yield Static("", id="parts", classes="hint")
                with Horizontal(classes="row"):
                    yield Label(self.t("concl.labour"), classes="field-label")
                    yield FieldInput(id="labour", classes="short", type="text", compact=True)
                    yield Label(self.t("concl.downtime"), classes="field-label")
                    yield FieldInput(id="downtime", classes="short", type="text", compact=True)
                yield TickBox(self.t("concl.lockout_done"), id="lockout-done", compact=True)
                yield Label(self.t("concl.validation"), classes="section")
                yield FieldText(
                    id="validation",
                    placeholder=self.t("concl.validation_placeholder"),
                    compact=True,
                    classes="field-text",
                )
                yield FieldText(
                    id="validation-result",
                    placeholder=self.t("concl.result_placeholder"),
                    compact=True,
                    classes="field-text",
                )
                # No result yet is said in words: the record is "validation pending".
                yield Select(
                    [
                        (self.t("concl.pending"), PENDING),
                        (self.t("concl.passed"), "passed"),
                        (self.t("concl.failed"), "failed"),
                    ],
                    id="validation-status",
                    allow_blank=False,
                    value=PENDING,
                )
                yield Static(self.t("concl.pending_hint"), id="pending-hint", classes="hint")
            yield Static("", id="conclusion-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button(self.t("concl.save"), variant="primary", id="save", compact=True)
        yield Footer(compact=True)

    def on_descendant_focus(self, event: DescendantFocus) -> None:
        """Tab scrolls the form to the focused field (Textual leaves a multi-line field
        below the fold)."""
        body = self.query_one("#conclusion-body", VerticalScroll)
        if body in event.widget.ancestors:
            body.scroll_to_widget(event.widget, animate=False)

    # -- cause choice --------------------------------------------------------
    def on_mount(self) -> None:
        s = self.session
        listing = self.query_one("#causes", OptionList)
        for cause_id, p in s.ranking():
            listing.add_option(Option(self._cause_label(cause_id, p), id=cause_id))
        current = s.conclusion.root_cause if s.conclusion is not None else None
        ids = [cid for cid, _ in s.ranking()]
        if current is not None and current in ids:
            listing.highlighted = ids.index(current)
            self._fill(current)
        else:
            listing.highlighted = 0
            self.query_one("#details").display = False
        listing.focus()

    def _cause_label(self, cause_id: str, p: float) -> str:
        pct = format_percent(p, self.lang).rjust(7)
        if cause_id == UNKNOWN:
            return f"{pct}  [i]{esc(self.t('hyp.unknown'))}[/i]"
        cause = self.session.equipment.cause(cause_id)
        family = self.t(f"5m.{cause.category_5m}")
        return f"{pct}  [b]{esc(kb_text(cause.name, self.lang))}[/b]  [dim]{family}[/dim]"

    @on(OptionList.OptionSelected, "#causes")
    def _cause_chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id and not self.busy:
            self._conclude(event.option.id)

    @work(thread=True, exclusive=True, group="engine")
    def _conclude(self, cause_id: str) -> None:
        try:
            self.session.conclude(cause_id, confirmed=True)
        except DiagnosisError as exc:
            self.app.call_from_thread(self._error, exc.message(self.lang))
            return
        self.app.call_from_thread(self._fill, cause_id)

    def _error(self, message: str) -> None:
        self.busy = False
        self.query_one("#conclusion-error", Static).update(message)

    # -- the form ------------------------------------------------------------
    def _fill(self, cause_id: str) -> None:
        """Prefill the 5-Why, 5M, remedy and validation from the cause and the session."""
        s = self.session
        self.root = cause_id
        self.query_one("#details").display = True
        self.query_one("#conclusion-error", Static).update("")
        links = list(s.why) if s.why else list(s.suggested_why())
        readings = {r.measurement: r for r in s.readings}
        for i in range(MAX_WHY):
            box = self.query_one(f"#why-{i}", FieldText)
            ev = self.query_one(f"#why-ev-{i}", Static)
            link = links[i] if i < len(links) else None
            box.value = link.text if link else ""
            ev.update(self._evidence(link.evidence if link else None, readings))
        cause = None if cause_id == UNKNOWN else s.equipment.cause(cause_id)
        family = self.query_one("#family", Select)
        chosen_family = s.category_5m or (cause.category_5m if cause else None)
        if chosen_family:
            family.value = chosen_family
        else:
            family.clear()
        remedy = self.query_one("#remedy", FieldText)
        remedy.value = kb_text(cause.remedy, self.lang) if cause else ""
        self.query_one("#labour", Input).value = (
            num(cause.repair_min, self.lang) if cause and cause.repair_min is not None else ""
        )
        parts = ", ".join(
            f"{p.ref} {kb_text(p.name, self.lang)} × {num(p.qty, self.lang)}"
            for p in (cause.parts if cause else ())
        )
        self.query_one("#parts", Static).update(
            self.t("concl.parts", parts=parts) if parts else self.t("concl.no_parts")
        )
        self.query_one("#validation", FieldText).value = (
            kb_text(cause.validation, self.lang) if cause else ""
        )
        needs_lockout = any(
            s.equipment.has("measurement", r.measurement)
            and s.equipment.measurement(r.measurement).requires.lockout
            for r in s.readings
        )
        self.query_one("#lockout-done", TickBox).value = needs_lockout
        ruled = self.query_one("#ruled-out", Static)
        if cause_id == UNKNOWN:
            conclusion = s.conclusion
            ruled_ids = list(getattr(conclusion, "ruled_out", ()) or ()) or list(s.excluded)
            names = [
                kb_text(s.equipment.cause(c).name, self.lang)
                for c in ruled_ids
                if s.equipment.has("cause", c)
            ]
            ruled.update(self.t("concl.ruled_out", causes=", ".join(names) or "—"))
        else:
            ruled.update("")
        self.query_one("#why-0", FieldText).focus()

    def _evidence(self, measurement: str | None, readings: dict[str, Reading]) -> str:
        if not measurement:
            return self.t("concl.no_evidence")
        r = readings.get(measurement)
        try:
            m = self.session.equipment.measurement(measurement)
        except KeyError:
            m = None
        name = kb_text(m.name, self.lang) if m is not None else measurement
        if r is None:
            return self.t("concl.evidence_missing", measurement=esc(name))
        value = reading_value(r, self.lang, m)
        state = self._state(m, r.state)
        if not state or state == value:  # a choice, or yes/no: its value says it all
            return self.t("concl.evidence_plain", measurement=esc(name), value=esc(value))
        return self.t("concl.evidence", measurement=esc(name), value=esc(value), state=esc(state))

    def _state(self, m: Measurement | None, state: str | None) -> str:
        """A reading's state in words: ``bas``, ``oui``, a choice's label."""
        if not state:
            return ""
        if m is None:
            return state
        if m.kind == "numeric":
            return self.t(f"state.{state}")
        if m.kind == "boolean":
            return self.t(f"bool.{state}")
        return str(m.choice_label(state, self.lang))

    # -- saving ----------------------------------------------------------------
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        if self.busy:
            return
        if self.root is None:
            self.query_one("#conclusion-error", Static).update(self.t("concl.need_cause"))
            self.query_one("#causes", OptionList).focus()
            return
        from diagnosis.session.events import PartUsed, WhyLink

        old = list(self.session.why) or list(self.session.suggested_why())
        links = []
        for i in range(MAX_WHY):
            text = " ".join(self.query_one(f"#why-{i}", FieldText).value.split())
            if text:
                # An edited link keeps the reading that verified the template's link.
                evidence = old[i].evidence if i < len(old) else None
                links.append(WhyLink(text=text, evidence=evidence))
        family = self.query_one("#family", Select).value
        remedy = self.query_one("#remedy", FieldText).value.strip()
        activity = self.query_one("#activity", Select).value
        labour_raw = self.query_one("#labour", Input).value.strip()
        downtime_raw = self.query_one("#downtime", Input).value.strip()
        labour = _minutes(labour_raw)
        downtime = _minutes(downtime_raw)
        if (labour_raw and labour is None) or (downtime_raw and downtime is None):
            self.query_one("#conclusion-error", Static).update(self.t("concl.bad_minutes"))
            return
        cause = None if self.root == UNKNOWN else self.session.equipment.cause(self.root)
        parts = [
            PartUsed(ref=p.ref, name=kb_text(p.name, self.lang), qty=p.qty)
            for p in (cause.parts if cause else ())
        ]
        test = self.query_one("#validation", FieldText).value.strip()
        result = self.query_one("#validation-result", FieldText).value.strip()
        status = self.query_one("#validation-status", Select).value
        if status in ("passed", "failed") and not test:
            self.query_one("#conclusion-error", Static).update(self.t("concl.need_test"))
            self.query_one("#validation", FieldText).focus()
            return
        plan = {
            "links": links,
            "family": family if isinstance(family, str) else None,
            "remedy": remedy,
            "activity": activity if isinstance(activity, str) else "",
            "parts": parts if remedy else [],
            "labour": labour,
            "downtime": downtime,
            "lockout": self.query_one("#lockout-done", TickBox).value,
            "test": test,
            "result": result,
            # "pending" records no validation: the session is then validation pending.
            "passed": status if status in ("passed", "failed") else None,
        }
        self.busy = True
        self._save(plan)

    @work(thread=True, exclusive=True, group="engine")
    def _save(self, plan: dict[str, Any]) -> None:
        s = self.session
        try:
            if plan["links"]:
                s.set_why(plan["links"])
            if plan["family"]:
                s.set_category(plan["family"])
            if plan["remedy"]:
                s.record_remedy(
                    plan["remedy"],
                    activity=plan["activity"],
                    parts=plan["parts"],
                    labour_min=plan["labour"],
                    downtime_min=plan["downtime"],
                    lockout_done=plan["lockout"],
                )
            if plan["test"] and plan["passed"]:
                s.record_validation(plan["test"], plan["passed"] == "passed", plan["result"])
            s.close("done")
        except DiagnosisError as exc:
            self.app.call_from_thread(self._error, exc.message(self.lang))
            return
        self.app.call_from_thread(self._saved)

    def _saved(self) -> None:
        self.busy = False
        post_to_app(self, ReportRequested())

    def action_back(self) -> None:
        self.app.pop_screen()


def _minutes(raw: str) -> float | None:
    """``45``, ``7,5``, ``45 min`` as minutes; None when empty or not minutes (``1 h``)."""
    parsed = split_value_unit(raw) if raw else None
    if parsed is None or parsed[1].lower() not in ("", "min", "mn", "minutes"):
        return None
    return parsed[0]
