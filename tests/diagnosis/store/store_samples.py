"""Hand-made sample data shared by the store, report and CLI tests (imported by name:
``from store_samples import make_events``; conftest files only hold fixtures)."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from diagnosis.session.events import (
    AlertAcknowledged,
    AlertRaised,
    CategorySet,
    ConclusionReached,
    Event,
    MeasurementProposed,
    PartUsed,
    ProblemStatement,
    RankingSnapshot,
    ReadingRecorded,
    ReadingUndone,
    RemedyRecorded,
    SessionClosed,
    SessionStarted,
    ValidationRecorded,
    WhyChainSet,
    WhyLink,
)

PG_ENV = "DIAGNOSIS_TEST_PG_URL"
T0 = datetime(2026, 11, 28, 14, 5, tzinfo=UTC)


def pg_schema_url(schema: str) -> str:
    """The test PostgreSQL URL with ``search_path`` set to ``schema``."""
    base = os.environ[PG_ENV]
    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}"


def make_events(
    session_id: str = "sess-1",
    *,
    closed: bool = True,
    start: datetime = T0,
    equipment: str = "press-01",
) -> list[Event]:
    """A complete little diagnosis, one minute between events."""
    clock = iter(start + timedelta(minutes=i) for i in range(100))

    def at() -> datetime:
        return next(clock)

    events: list[Event] = [
        SessionStarted(
            at=at(),
            actor="alice",
            session_id=session_id,
            equipment=equipment,
            symptoms=("short-shot",),
            technician="alice",
            habilitations=("BR",),
            problem=ProblemStatement(
                what="short shots on mould 12", where="press 1", when="since 06:00"
            ),
            work_order="WO-42",
        ),
        RankingSnapshot(at=at(), ranking=(("heater", 0.5), ("nozzle", 0.3), ("_unknown", 0.2))),
        MeasurementProposed(at=at(), measurement="melt-temp", gain=0.8, cost_min=5, score=0.16),
        ReadingRecorded(
            at=at(),
            actor="alice",
            measurement="melt-temp",
            value=205.0,
            unit="°C",
            raw="205",
            state="low",
            instrument="thermocouple",
        ),
        RankingSnapshot(at=at(), ranking=(("heater", 0.8), ("nozzle", 0.15), ("_unknown", 0.05))),
        AlertRaised(
            at=at(), procedure="lockout-press", trigger="heater-current", reason="lockout needed"
        ),
        AlertAcknowledged(at=at(), actor="alice", procedure="lockout-press"),
        ReadingRecorded(
            at=at(),
            actor="alice",
            measurement="heater-current",
            value=0.0,
            unit="A",
            raw="0",
            state="low",
        ),
        ReadingUndone(at=at(), actor="alice", measurement="heater-current"),
        ReadingRecorded(
            at=at(),
            actor="alice",
            measurement="heater-current",
            value=0.1,
            unit="A",
            raw="0,1",
            state="low",
        ),
        RankingSnapshot(at=at(), ranking=(("heater", 0.97), ("nozzle", 0.02), ("_unknown", 0.01))),
        ConclusionReached(
            at=at(),
            actor="alice",
            root_cause="heater",
            probability=0.97,
            evidence=("melt-temp", "heater-current"),
            confirmed=True,
        ),
        WhyChainSet(
            at=at(),
            actor="alice",
            links=(
                WhyLink("melt too cold", "melt-temp"),
                WhyLink("zone 2 heater gives no heat", "heater-current"),
            ),
        ),
        CategorySet(at=at(), actor="alice", category_5m="machine"),
        RemedyRecorded(
            at=at(),
            actor="alice",
            remedy="replace heater band zone 2",
            activity="replace",
            parts=(PartUsed("HB-220", "heater band", 1),),
            labour_min=45,
            downtime_min=70,
            lockout_done=True,
        ),
        ValidationRecorded(
            at=at(), actor="alice", test="50 good shots", passed=True, result="50/50"
        ),
    ]
    if closed:
        events.append(SessionClosed(at=at(), actor="alice"))
    return events
