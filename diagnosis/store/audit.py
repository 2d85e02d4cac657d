"""Audit of a stored session: the hash chain, the denormalised columns, the readings projection.

Pure: it reads rows (any objects with the ``events`` / ``sessions`` /
``readings`` column attributes), so it is the same check whatever the
database. :meth:`SqlStore.verify` fetches the rows and calls
:func:`verify_rows`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from diagnosis.session.events import Event, SessionStarted, event_from_dict
from diagnosis.store.base import VerifyResult
from diagnosis.store.chain import GENESIS, chain_hash
from diagnosis.store.projection import project
from diagnosis.store.rebuild import as_expected, compare

__all__ = ["utc", "verify_rows"]


def utc(moment: datetime) -> datetime:
    """Aware UTC (naive values, as SQLite returns them, are UTC by construction)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def verify_rows(
    session_id: str,
    rows: Sequence[Any],
    head: Any,
    readings: Sequence[Any],
    intervention: Any = None,
    *,
    key: bytes | None = None,
    conclusions: Sequence[Any] | None = None,
    parts: Sequence[Any] | None = None,
) -> VerifyResult:
    """Check a session's stored rows: the hash chain, the columns, the projections.

    Args:
        rows: the ``events`` rows, by ``seq``.
        head: the ``sessions`` row (``last_seq``, ``last_hash`` and, for the
            projection check, every column), None if absent.
        readings: the ``readings`` rows, by ``id``.
        intervention: the ``interventions`` row (CMMS fields), None to skip.
        key: the audit HMAC key (:func:`~diagnosis.store.chain.audit_key`); a
            chain that only verifies as plain SHA-256 is then ``unsigned``.
        conclusions, parts: the ``conclusions`` and ``intervention_parts``
            rows by ``id``; when given (with ``head`` and ``intervention``),
            every projection is rebuilt from the events and compared.
    """
    prev = GENESIS
    parsed: list[tuple[int, Event]] = []

    def bad(seq: int, reason: str, detail: str | None = None) -> VerifyResult:
        return VerifyResult(session_id, False, len(rows), seq, reason, detail=detail)

    for expected, row in enumerate(rows, start=1):
        if row.seq != expected:
            return bad(expected, "sequence")
        if row.prev_hash != prev:
            return bad(row.seq, "prev_hash")
        if chain_hash(prev, row.payload, key) != row.hash:
            if key is not None and chain_hash(prev, row.payload) == row.hash:
                return bad(row.seq, "unsigned")
            return bad(row.seq, "hash")
        try:
            data = json.loads(row.payload)
            event = event_from_dict(data)
        except (ValueError, TypeError):
            return bad(row.seq, "payload")
        if row.type != event.type or row.actor != event.actor or utc(row.at) != utc(event.at):
            return bad(row.seq, "columns")
        parsed.append((row.seq, event))
        prev = row.hash
    if head is not None and (head.last_seq != len(rows) or head.last_hash != prev):
        return bad(len(rows) + 1 if head.last_seq > len(rows) else len(rows), "truncated")
    projection = project(parsed)  # the one fold of the log (diagnosis.store.projection)
    expected_readings = [(seq, {**row, "at": utc(row["at"])}) for seq, row in projection.readings]
    for position, row in enumerate(readings):
        if position >= len(expected_readings):
            return bad(row.seq, "projection", "readings")
        seq, want = expected_readings[position]
        got = {key: getattr(row, key) for key in want}
        got["at"] = utc(got["at"])
        if row.seq != seq or got != want:
            return bad(seq, "projection", "readings")
    if len(readings) < len(expected_readings):
        return bad(expected_readings[len(readings)][0], "projection", "readings")
    if intervention is not None:
        for column, seq in projection.set_by.items():
            if column not in _CHECKED:
                continue
            value = projection.intervention[column]
            stored = getattr(intervention, column)
            if isinstance(value, bool) and stored is not None:
                stored = bool(stored)  # SQLite returns 0/1
            if stored != value:
                return bad(seq, "projection", f"interventions.{column}")
    started = bool(parsed) and isinstance(parsed[0][1], SessionStarted)
    if started and conclusions is not None and parts is not None and intervention is not None:
        found = compare(as_expected(projection), len(rows), head, intervention, conclusions, parts)
        if found is not None:
            return bad(found[0], "projection", found[1])
    return VerifyResult(session_id, True, len(rows), head=prev if rows else None)


# CMMS columns that depend on the events only (the ISO 14224 codes come from the KB)
_CHECKED = (
    "root_cause",
    "root_cause_probability",
    "root_cause_confirmed",
    "category_5m",
    "why_chain",
    "remedy",
    "activity",
    "labour_min",
    "downtime_min",
    "lockout_done",
    "validation_test",
    "validation_passed",
    "validation_result",
    "status",
)
