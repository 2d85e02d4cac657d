"""Issue 10 hooks of the diagnosis screen, kept out of the screen's own module.

* A lockout dialog before the measurement shows only the steps to do before
  working: the release step (déconsignation) is a separate dialog, after the
  measurement (:func:`release_dialog`).
* A measurement outside the technician's habilitations is taken by a named,
  habilitated colleague (:class:`diagnosis.ui.dialogs.colleague.ColleagueDialog`);
  :func:`needs_colleague` says when to ask.
* A hand-over stop shows what to hand over and to whom (:func:`handover_card`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TYPE_CHECKING

from diagnosis.i18n import format_number, format_percent, tr
from diagnosis.kb.model import Measurement, Procedure

if TYPE_CHECKING:
    from diagnosis.session.core import Session
    from diagnosis.session.events import AlertRaised
    from diagnosis.ui.dialogs.procedure import ProcedureDialog

__all__ = [
    "acknowledged_note",
    "bad_answer",
    "before_work",
    "handover_card",
    "handover_stop_key",
    "join",
    "needs_colleague",
    "release_dialog",
    "taker_for",
]


def acknowledged_note(alert: AlertRaised, lang: str) -> str:
    """`` - acknowledged 2 min ago, raised again by a new reading`` for an alert whose
    procedure was already acknowledged in the session, else ""."""
    if not getattr(alert, "acknowledged_at", ""):
        return ""
    from diagnosis.cli.run import acknowledged_ago

    return tr("ui_i10.acknowledged_ago", lang, ago=acknowledged_ago(alert, lang))


def bad_answer(measurement: Measurement, raw: str, lang: str) -> str:
    """The message of an answer that cannot be a reading of ``measurement``, else ""."""
    from diagnosis.errors import DiagnosisError
    from diagnosis.rules import interpret

    try:
        interpret(measurement, raw, lang)
    except DiagnosisError as exc:
        return exc.message(lang)
    return ""


def before_work(session: Session, procedure: Procedure) -> Procedure:
    """``procedure`` as shown before the measurement: without its release step."""
    steps = getattr(session, "steps_to_acknowledge", None)
    if steps is None or procedure.release_step is None:
        return procedure
    return dataclasses.replace(procedure, steps=procedure.steps_before_work)


def taker_for(
    session: Session, measurement: Measurement, takers: dict[str, tuple[str, str]]
) -> tuple[str, str] | None:
    """Who takes ``measurement`` for the technician: the colleague named for it, or one
    who joined the session and whose habilitation covers it; None for the technician."""
    from diagnosis.rules.habilitation import covers

    need = measurement.requires.habilitation
    if covers(session.habilitations, need):
        return None
    if measurement.id in takers:
        return takers[measurement.id]
    for name, held in getattr(session, "colleagues", {}).items():
        for code in held:
            if covers([code], need):
                return str(name), str(code)
    return None


def join(session: Session, taker: tuple[str, str] | None) -> None:
    """Record the colleague in the session (once): he may take the next ones too."""
    if taker is not None and taker[0] not in getattr(session, "colleagues", {}):
        session.join_colleague(taker[0], [taker[1]])


def needs_colleague(
    session: Session, measurement: Measurement | None, takers: dict[str, tuple[str, str]]
) -> bool:
    """The technician's habilitations do not cover ``measurement`` and no colleague does."""
    from diagnosis.rules.habilitation import covers

    if measurement is None or covers(session.habilitations, measurement.requires.habilitation):
        return False
    return taker_for(session, measurement, takers) is None


def release_dialog(session: Session, lang: str) -> ProcedureDialog | None:
    """The release (déconsignation) dialog of a lockout whose measurement was taken, or None."""
    from diagnosis.ui.dialogs.procedure import ProcedureDialog

    # Only a lockout whose reading is taken and not critical: a critical reading holds
    # the lockout in place (no release, no trial run, until the repair).
    due = list(getattr(session, "lockouts_to_release", []) or [])
    if not due or session.pending_alerts:
        return None
    for pid in due:
        triggers = [
            a.trigger for a in session.alerts if a.procedure == pid and a.reason == "lockout"
        ]
        procedure = session.kb.procedures.get(pid)
        if procedure is None or procedure.release_step is None:
            continue
        release = dataclasses.replace(procedure, steps=(procedure.steps[procedure.release_step],))
        eq = session.equipment
        name = triggers[-1]
        if eq.has("measurement", name):
            name = eq.measurement(name).name.get(lang) or name
        return ProcedureDialog(
            release,
            tr("ui_i10.release_reason", lang, measurement=name),
            ack_step=_no_step,
            ack_all=_releaser(session, pid),
        )
    return None


def _no_step(_index: int) -> None:
    """The release step is recorded as a whole by ``release_lockout``."""


def _releaser(session: Session, procedure: str) -> Callable[[], None]:
    def release() -> None:
        session.release_lockout(procedure)

    return release


def handover_stop_key(session: Session) -> str:
    """The status-line key of a hand-over stop: for a habilitation, or a tool / part."""
    due = session.handover() if hasattr(session, "handover") else None
    if due is not None and not due.habilitation and (due.tools or due.parts):
        return "diag.stop.handover_tool"
    return "diag.stop.handover"


def handover_card(session: Session, lang: str) -> tuple[str, str]:
    """(title, text) of the hand-over card: what to hand over, to whom, how to resume
    (a missing habilitation, or a tool or part not at hand)."""
    due = session.handover() if hasattr(session, "handover") else None
    if due is None:
        return tr("ui_i10.handover_title", lang), tr("ui_i10.handover_generic", lang)
    m = due.measurement.measurement
    best = due.best_allowed
    if not due.habilitation and (due.tools or due.parts):  # a tool or a part is not here
        what = ", ".join(n.label(lang) for n in m.needs if n.id in (*due.tools, *due.parts))
        text = tr(
            "ui_i10.handover_tool_text" if best is not None else "ui_i10.handover_tool_text_none",
            lang,
            measurement=m.name.get(lang) or m.id,
            what=what,
            gain=format_number(due.measurement.gain, lang, 2),
            ratio=format_percent(due.ratio, lang) if best is not None else "0 %",
            session=session.id[:8],
        )
        return tr("ui_i10.handover_tool_title", lang), text
    text = tr(
        "ui_i10.handover_text" if best is not None else "ui_i10.handover_text_none",
        lang,
        measurement=m.name.get(lang) or m.id,
        habilitation=due.habilitation,
        gain=format_number(due.measurement.gain, lang, 2),
        ratio=format_percent(due.ratio, lang) if best is not None else "0 %",
        session=session.id[:8],
    )
    return tr("ui_i10.handover_title", lang), text
