"""From one event to the rows it changes: the store's SQL projections, computed purely.

The event log is the record; ``sessions``, ``readings``, ``conclusions``,
``interventions`` and ``intervention_parts`` are projections of it, kept in
the same transaction as the event so that every fact of a diagnosis can be
queried in SQL (KPIs, training, CMMS export). This module says *what*
changes; :mod:`diagnosis.store.sql.store` applies it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
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

__all__ = ["CauseCodes", "Changes", "changes_for", "dumps"]

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
        steps_delta: change of the count of current readings.
        reading: a new ``readings`` row (without ids), or None.
        undo_measurement: mark the latest live reading of this measurement undone.
        conclusion: a new ``conclusions`` row, or None.
        intervention: columns to set on the ``interventions`` row.
        parts: the parts used (replacing any earlier list), or None.
        alert: a procedure id to add to the intervention's alerts.
    """

    session: dict[str, Any] = field(default_factory=dict)
    steps_delta: int = 0
    reading: dict[str, Any] | None = None
    undo_measurement: str | None = None
    conclusion: dict[str, Any] | None = None
    intervention: dict[str, Any] = field(default_factory=dict)
    parts: tuple[PartUsed, ...] | None = None
    alert: str | None = None


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
        return Changes(steps_delta=-1, undo_measurement=event.measurement)
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
    return Changes(steps_delta=1, reading=row)


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
