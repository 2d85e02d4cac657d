"""Initial schema: technicians, sessions, the hash-chained event log and its projections.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "technicians",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("habilitations", sa.Text, nullable=False),
        sa.Column("created_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
    )
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("equipment", sa.String(200), nullable=False),
        sa.Column("technician", sa.String(200), nullable=False),
        sa.Column("work_order", sa.String(200)),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("symptoms", sa.Text, nullable=False),
        sa.Column("started_at", _TS, nullable=False),
        sa.Column("updated_at", _TS, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("root_cause", sa.String(200)),
        sa.Column("steps", sa.Integer, nullable=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.create_index("ix_sessions_equipment", "sessions", ["equipment"])
    op.create_index("ix_sessions_started_at", "sessions", ["started_at"])
    op.create_table(
        "events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("session_id", "seq", name="uq_events_session_seq"),
    )
    op.create_table(
        "readings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("measurement", sa.String(200), nullable=False),
        sa.Column("value_num", sa.Float),
        sa.Column("value_text", sa.Text),
        sa.Column("unit", sa.String(40)),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("state", sa.String(100)),
        sa.Column("critical", sa.Boolean, nullable=False),
        sa.Column("available", sa.Boolean, nullable=False),
        sa.Column("instrument", sa.Text),
        sa.Column("proposed", sa.Boolean, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("undone", sa.Boolean, nullable=False),
    )
    op.create_index("ix_readings_session", "readings", ["session_id"])
    op.create_index("ix_readings_measurement", "readings", ["measurement"])
    op.create_table(
        "conclusions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("root_cause", sa.String(200)),
        sa.Column("probability", sa.Float, nullable=False),
        sa.Column("confirmed", sa.Boolean, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("ruled_out", sa.Text, nullable=False),
        sa.Column("at", _TS, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
    )
    op.create_index("ix_conclusions_session", "conclusions", ["session_id"])
    op.create_table(
        "interventions",
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), primary_key=True),
        sa.Column("work_order", sa.String(200)),
        sa.Column("equipment", sa.String(200), nullable=False),
        sa.Column("technician", sa.String(200), nullable=False),
        sa.Column("habilitations", sa.Text, nullable=False),
        sa.Column("symptoms", sa.Text, nullable=False),
        sa.Column("request_time", _TS, nullable=False),
        sa.Column("start_time", _TS),
        sa.Column("end_time", _TS),
        sa.Column("downtime_min", sa.Float),
        sa.Column("labour_min", sa.Float),
        sa.Column("failure_mode", sa.String(40)),
        sa.Column("failure_mechanism", sa.String(40)),
        sa.Column("failure_cause_class", sa.String(40)),
        sa.Column("root_cause", sa.String(200)),
        sa.Column("root_cause_probability", sa.Float),
        sa.Column("root_cause_confirmed", sa.Boolean, nullable=False),
        sa.Column("category_5m", sa.String(40)),
        sa.Column("why_chain", sa.Text, nullable=False),
        sa.Column("activity", sa.String(100)),
        sa.Column("remedy", sa.Text),
        sa.Column("lockout_done", sa.Boolean, nullable=False),
        sa.Column("alerts", sa.Text, nullable=False),
        sa.Column("validation_test", sa.Text),
        sa.Column("validation_passed", sa.Boolean),
        sa.Column("validation_result", sa.Text),
        sa.Column("status", sa.String(20), nullable=False),
    )
    op.create_table(
        "intervention_parts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("sessions.id"), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("qty", sa.Float, nullable=False),
    )
    op.create_index("ix_intervention_parts_session", "intervention_parts", ["session_id"])


def downgrade() -> None:
    for table in (
        "intervention_parts",
        "interventions",
        "conclusions",
        "readings",
        "events",
        "sessions",
        "technicians",
    ):
        op.drop_table(table)
