"""From one event to the rows it changes: the store's SQL projections, computed purely.

The event log is the record; ``sessions``, ``readings``, ``conclusions``,
``interventions`` and ``intervention_parts`` are projections of it, kept in
the same transaction as the event so that every fact of a diagnosis can be
queried in SQL (KPIs, training, CMMS export). This module is the one source
of truth for them: :func:`start_rows` (the rows a session starts with) and
:func:`changes_for` (what each later event changes) say *what* the rows
hold, and :func:`project` is the one fold of the log through them.
:mod:`diagnosis.store.sql.store` applies the same start rows and changes to
the database, one event at a time; :mod:`diagnosis.store.rebuild` and
:mod:`diagnosis.store.audit` (``verify``) compare the database with
:func:`project`. (The live session's own fold,
:class:`diagnosis.session.state.SessionState`, is the reasoning state: the
current readings, pending alerts, exclusions; it needs the KB and answers
other questions. ``tests/diagnosis/store/test_store_projection.py`` checks
that the two agree on every fact they share.)
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from diagnosis.session.events import (
    AlertRaised,
    CategorySet,
    ConclusionReached,
    Event,
    PartUsed,
    ReadingRecorded,
    ReadingUndone,
    RemedyRecorded,
    SessionClosed,
    SessionStarted,
    ValidationRecorded,
    WhyChainSet,
)

__all__ = ["CauseCodes", "Changes", "Projection", "changes_for", "dumps", "project", "start_rows"]

# cause id -> (ISO 14224 failure mode, mechanism, cause class), when a KB is at hand.
CauseCodes = Callable[[str], tuple[str | None, str | None, str | None]]


def dumps(value: Any) -> str:
    """JSON text for list-valued columns (portable across SQLite and PostgreSQL)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class Changes:
    """What one event changes in the projections.

    Attributes:
        session: columns to set on the ``sessions`` row.
        recount: the current readings changed: ``sessions.steps`` becomes the
            number of measurements with a live (not undone) reading, as the
            session counts them (a measurement answered again is one step).
        reading: a new ``readings`` row (without ids), or None.
        undo_measurement: mark every live reading of this measurement undone
            (the session forgets the measurement, however often it was read).
        conclusion: a new ``conclusions`` row, or None.
        intervention: columns to set on the ``interventions`` row.
        parts: the parts used (replacing any earlier list), or None.
        alert: a procedure id to add to the intervention's alerts.
    """

    session: dict[str, Any] = field(default_factory=dict)
    recount: bool = False
    reading: dict[str, Any] | None = None
    undo_measurement: str | None = None
    conclusion: dict[str, Any] | None = None
    intervention: dict[str, Any] = field(default_factory=dict)
    parts: tuple[PartUsed, ...] | None = None
    alert: str | None = None


def start_rows(event: SessionStarted, at: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``sessions`` and ``interventions`` columns a session starts with.

    Lists are JSON text (:func:`dumps`), as stored; ``at`` is the start time as
    the caller keeps it (UTC in the database). The order of the columns is the
    order in which ``verify`` compares them.
    """
    session = {
        "equipment": event.equipment,
        "technician": event.technician,
        "work_order": event.work_order,
        "lang": event.lang,
        "symptoms": dumps(list(event.symptoms)),
        "started_at": at,
        "updated_at": at,
        "status": "open",
        "root_cause": None,
        "steps": 0,
    }
    intervention = {
        "work_order": event.work_order,
        "equipment": event.equipment,
        "technician": event.technician,
        "habilitations": dumps(list(event.habilitations)),
        "symptoms": dumps(list(event.symptoms)),
        "request_time": at,
        "start_time": at,
        "end_time": None,
        "downtime_min": None,
        "labour_min": None,
        "root_cause": None,
        "root_cause_probability": None,
        "root_cause_confirmed": False,
        "category_5m": None,
        "why_chain": dumps([]),
        "activity": None,
        "remedy": None,
        "lockout_done": False,
        "alerts": dumps([]),
        "validation_test": None,
        "validation_passed": None,
        "validation_result": None,
        "status": "open",
    }
    return session, intervention


@dataclass
class Projection:
    """Every projection row of one session, as its events make them (:func:`project`).

    Attributes:
        session: the ``sessions`` columns (empty when the log has no start).
        intervention: the ``interventions`` columns: the start's, then those
            the events set (JSON text for lists, as stored).
        set_by: intervention column -> ``seq`` of the last event that set it
            (in the order the columns were first set; the start's are not in it).
        readings: ``(seq, row)`` of every ``readings`` row, ``undone`` marked.
        conclusions: ``(seq, row)`` of every ``conclusions`` row.
        parts: the ``intervention_parts`` rows (``ref``, ``name``, ``qty``).
    """

    session: dict[str, Any] = field(default_factory=dict)
    intervention: dict[str, Any] = field(default_factory=dict)
    set_by: dict[str, int] = field(default_factory=dict)
    readings: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    conclusions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)


def project(parsed: Sequence[tuple[int, Event]], codes: CauseCodes | None = None) -> Projection:
    """Fold ``(seq, event)`` pairs through :func:`start_rows` and :func:`changes_for`.

    What the SQL store does event by event, done at once in memory: the
    session's ``updated_at`` is its last event's time, ``steps`` adds up the
    changes, a reading undone marks the latest live row of its measurement,
    an alert's procedure is listed once, parts replace the earlier list.
    A log that does not begin with ``SessionStarted`` still gets its readings,
    conclusions and changed columns (``verify`` checks what it can).
    """
    out = Projection()
    if parsed and isinstance(parsed[0][1], SessionStarted):
        out.session, out.intervention = start_rows(parsed[0][1], parsed[0][1].at)
    for seq, event in parsed:
        ch = changes_for(event, codes)
        if out.session:
            out.session["updated_at"] = event.at
            out.session.update(ch.session)
        for column, value in ch.intervention.items():
            out.intervention[column] = value
            out.set_by[column] = seq
        if ch.reading is not None:
            out.readings.append((seq, dict(ch.reading)))
        if ch.undo_measurement is not None:
            for _, row in out.readings:
                if row["measurement"] == ch.undo_measurement:
                    row["undone"] = True
        if ch.recount and out.session:
            out.session["steps"] = len({r["measurement"] for _, r in out.readings if not r["undone"]})
        if ch.conclusion is not None:
            out.conclusions.append((seq, dict(ch.conclusion)))
        if ch.parts is not None:
            out.parts = [{"ref": p.ref, "name": p.name, "qty": p.qty} for p in ch.parts]
        if ch.alert is not None:
            alerts = json.loads(out.intervention.get("alerts", "[]"))
            if ch.alert not in alerts:
                out.intervention["alerts"] = dumps([*alerts, ch.alert])
    return out


def changes_for(event: Event, codes: CauseCodes | None = None) -> Changes:
    """The projection changes of ``event`` (``SessionStarted`` rows are built by the store).

    Args:
        event: the event being appended.
        codes: looks up a cause's ISO 14224 codes; None leaves them empty
            (the CMMS export fills them from the KB).
    """
    if isinstance(event, SessionStarted):
        return Changes()
    if isinstance(event, ReadingRecorded):
        return _reading(event)
    if isinstance(event, ReadingUndone):
        return Changes(recount=True, undo_measurement=event.measurement)
    if isinstance(event, AlertRaised):
        return Changes(alert=event.procedure)
    if isinstance(event, ConclusionReached):
        return _conclusion(event, codes)
    if isinstance(event, WhyChainSet):
        return Changes(intervention={"why_chain": dumps([link.text for link in event.links])})
    if isinstance(event, CategorySet):
        return Changes(intervention={"category_5m": event.category_5m})
    if isinstance(event, RemedyRecorded):
        return Changes(
            intervention={
                "remedy": event.remedy,
                "activity": event.activity or None,
                "labour_min": event.labour_min,
                "downtime_min": event.downtime_min,
                "lockout_done": event.lockout_done,
            },
            parts=event.parts,
        )
    if isinstance(event, ValidationRecorded):
        return Changes(
            intervention={
                "validation_test": event.test,
                "validation_passed": event.passed,
                "validation_result": event.result or None,
            }
        )
    if isinstance(event, SessionClosed):
        return Changes(
            session={"status": event.status},
            intervention={"status": event.status, "end_time": event.at},
        )
    return Changes()


def _reading(event: ReadingRecorded) -> Changes:
    value = event.value
    number: float | None = None
    text: str | None = None
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        number = float(value)
    elif value is not None:
        text = str(value)
    row = {
        "measurement": event.measurement,
        "value_num": number,
        "value_text": text,
        "unit": event.unit,
        "raw": event.raw,
        "state": event.state,
        "critical": event.critical,
        "available": event.available,
        "instrument": event.instrument,
        "proposed": event.proposed,
        "at": event.at,
        "actor": event.actor,
        "undone": False,
    }
    return Changes(recount=True, reading=row)


def _conclusion(event: ConclusionReached, codes: CauseCodes | None) -> Changes:
    row = {
        "root_cause": event.root_cause,
        "probability": event.probability,
        "confirmed": event.confirmed,
        "evidence": dumps(list(event.evidence)),
        "ruled_out": dumps(list(event.ruled_out)),
        "at": event.at,
        "actor": event.actor,
    }
    mode = mechanism = cause_class = None
    if codes is not None and event.root_cause:
        mode, mechanism, cause_class = codes(event.root_cause)
    intervention = {
        "root_cause": event.root_cause,
        "root_cause_probability": event.probability,
        "root_cause_confirmed": event.confirmed,
        "failure_mode": mode,
        "failure_mechanism": mechanism,
        "failure_cause_class": cause_class,
    }
    return Changes(
        session={"root_cause": event.root_cause}, conclusion=row, intervention=intervention
    )
