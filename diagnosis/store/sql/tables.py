"""The database schema (SQLAlchemy Core), as the migrations build it.

``events`` is the record (append-only, hash-chained); every other table is a
projection maintained from it in the same transaction. A test checks that
these definitions and the Alembic migrations agree.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

__all__ = [
    "conclusions",
    "events",
    "intervention_parts",
    "interventions",
    "metadata",
    "readings",
    "sessions",
    "technicians",
]

metadata = MetaData()

_TS = DateTime(timezone=True)

technicians = Table(
    "technicians",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("habilitations", Text, nullable=False, default="[]"),
    Column("created_at", _TS, nullable=False),
    Column("updated_at", _TS, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("equipment", String(200), nullable=False, index=True),
    Column("technician", String(200), nullable=False, default=""),
    Column("work_order", String(200)),
    Column("lang", String(8), nullable=False, default="en"),
    Column("symptoms", Text, nullable=False, default="[]"),
    Column("started_at", _TS, nullable=False, index=True),
    Column("updated_at", _TS, nullable=False),
    Column("status", String(20), nullable=False, default="open"),
    Column("root_cause", String(200)),
    Column("steps", Integer, nullable=False, default=0),
    Column("last_seq", Integer, nullable=False, default=0),
    Column("last_hash", String(64), nullable=False),
)

events = Table(
    "events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(40), nullable=False),
    Column("at", _TS, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # when the row was written (not hashed): an event back-dated by a client shows here
    Column("recorded_at", _TS),
    UniqueConstraint("session_id", "seq", name="uq_events_session_seq"),
)

readings = Table(
    "readings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("measurement", String(200), nullable=False),
    Column("value_num", Float),
    Column("value_text", Text),
    Column("unit", String(40)),
    Column("raw", Text, nullable=False, default=""),
    Column("state", String(100)),
    Column("critical", Boolean, nullable=False, default=False),
    Column("available", Boolean, nullable=False, default=True),
    Column("instrument", Text),
    Column("proposed", Boolean, nullable=False, default=True),
    Column("at", _TS, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("undone", Boolean, nullable=False, default=False),
)
Index("ix_readings_session", readings.c.session_id)
Index("ix_readings_measurement", readings.c.measurement)

conclusions = Table(
    "conclusions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id"), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("root_cause", String(200)),
    Column("probability", Float, nullable=False),
    Column("confirmed", Boolean, nullable=False),
    Column("evidence", Text, nullable=False, default="[]"),
    Column("ruled_out", Text, nullable=False, default="[]"),
    Column("at", _TS, nullable=False),
    Column("actor", String(200), nullable=False),
)
Index("ix_conclusions_session", conclusions.c.session_id)

interventions = Table(
    "interventions",
    metadata,
    Column("session_id", String(64), ForeignKey("sessions.id"), primary_key=True),
    Column("work_order", String(200)),
    Column("equipment", String(200), nullable=False),
    Column("technician", String(200), nullable=False, default=""),
    Column("habilitations", Text, nullable=False, default="[]"),
    Column("symptoms", Text, nullable=False, default="[]"),
    Column("request_time", _TS, nullable=False),
    Column("start_time", _TS),
    Column("end_time", _TS),
    Column("downtime_min", Float),
    Column("labour_min", Float),
    Column("failure_mode", String(40)),
    Column("failure_mechanism", String(40)),
    Column("failure_cause_class", String(40)),
    Column("root_cause", String(200)),
    Column("root_cause_probability", Float),
    Column("root_cause_confirmed", Boolean, nullable=False, default=False),
    Column("category_5m", String(40)),
    Column("why_chain", Text, nullable=False, default="[]"),
    Column("activity", String(100)),
    Column("remedy", Text),
    Column("lockout_done", Boolean, nullable=False, default=False),
    Column("alerts", Text, nullable=False, default="[]"),
    Column("validation_test", Text),
    Column("validation_passed", Boolean),
    Column("validation_result", Text),
    Column("status", String(20), nullable=False, default="open"),
)

intervention_parts = Table(
    "intervention_parts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(64), ForeignKey("sessions.id"), nullable=False),
    Column("ref", String(200), nullable=False),
    Column("name", Text, nullable=False, default=""),
    Column("qty", Float, nullable=False),
)
Index("ix_intervention_parts_session", intervention_parts.c.session_id)
