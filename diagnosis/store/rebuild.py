"""The SQL projections of one session, rebuilt from its chained events alone.

``verify`` compares what the database holds in ``sessions``,
``interventions``, ``conclusions`` and ``intervention_parts`` with what the
events say they must hold: a projection edited behind the application's back
(a forged ``lockout_done``, another technician, a deleted spare part) is
reported like an edited event. The ISO 14224 codes of an intervention
(``failure_mode``, ``failure_mechanism``, ``failure_cause_class``) come from
the KB, not from the events: they are not compared here, and the CMMS
export takes them from the KB (see ``docs/audit-trail.md``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from diagnosis.session.events import Event, SessionStarted
from diagnosis.store.projection import Projection, dumps, project

__all__ = ["Expected", "as_expected", "compare", "rebuild"]

# columns holding JSON text: compared as parsed values
_JSON = {"symptoms", "habilitations", "why_chain", "alerts", "evidence", "ruled_out"}
# columns whose value comes from the KB, not from the events
_FROM_KB = {"failure_mode", "failure_mechanism", "failure_cause_class"}


@dataclass
class Expected:
    """The projection rows of one session, as the events make them."""

    session: dict[str, Any] = field(default_factory=dict)
    intervention: dict[str, Any] = field(default_factory=dict)
    conclusions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)


def rebuild(parsed: Sequence[tuple[int, Event]]) -> Expected | None:
    """Replay ``(seq, event)`` pairs as the store projects them; None without a start."""
    if not parsed or not isinstance(parsed[0][1], SessionStarted):
        return None
    return as_expected(project(parsed))


def as_expected(projection: Projection) -> Expected:
    """The rows of :func:`~diagnosis.store.projection.project` as ``compare`` wants them:
    JSON columns parsed, the KB's columns left out."""

    def parsed(row: dict[str, Any]) -> dict[str, Any]:
        return {
            column: json.loads(value) if column in _JSON else value
            for column, value in row.items()
            if column not in _FROM_KB
        }

    return Expected(
        session=parsed(projection.session),
        intervention=parsed(projection.intervention),
        conclusions=[(seq, parsed(row)) for seq, row in projection.conclusions],
        parts=[dict(p) for p in projection.parts],
    )


def _same(column: str, stored: Any, wanted: Any) -> bool:
    from diagnosis.store.audit import utc

    if column in _JSON:
        try:
            stored = json.loads(stored) if isinstance(stored, str) else stored
        except ValueError:
            return False
        return bool(stored == wanted)
    if isinstance(wanted, datetime):
        return isinstance(stored, datetime) and utc(stored) == utc(wanted)
    if isinstance(wanted, bool) and stored is not None and not isinstance(stored, str):
        return bool(stored) == wanted
    if isinstance(wanted, float) and isinstance(stored, int | float):
        return float(stored) == wanted
    return bool(stored == wanted)


def compare(
    expected: Expected,
    last_seq: int,
    session: Any,
    intervention: Any,
    conclusions: Sequence[Any],
    parts: Sequence[Any],
) -> tuple[int, str] | None:
    """The first projection that differs from the events: ``(seq, "table.column")``.

    ``seq`` is the event the bad row comes from when known, else ``last_seq``.
    """
    if session is None:
        return last_seq, "sessions"
    for column, wanted in expected.session.items():
        if not _same(column, getattr(session, column), wanted):
            return last_seq, f"sessions.{column}"
    if intervention is None:
        return last_seq, "interventions"
    for column, wanted in expected.intervention.items():
        if not _same(column, getattr(intervention, column), wanted):
            return last_seq, f"interventions.{column}"
    if len(conclusions) != len(expected.conclusions):
        return last_seq, "conclusions"
    for row, (seq, want) in zip(conclusions, expected.conclusions, strict=True):
        if row.seq != seq:
            return seq, "conclusions.seq"
        for column, wanted in want.items():
            if not _same(column, getattr(row, column), wanted):
                return seq, f"conclusions.{column}"
    if len(parts) != len(expected.parts):
        return last_seq, "intervention_parts"
    for row, want in zip(parts, expected.parts, strict=True):
        for column, wanted in want.items():
            if not _same(column, getattr(row, column), wanted):
                return last_seq, f"intervention_parts.{column}"
    return None


def expected_json(value: Any) -> str:
    """The JSON text a list column holds (for tests that forge rows)."""
    return dumps(value)
