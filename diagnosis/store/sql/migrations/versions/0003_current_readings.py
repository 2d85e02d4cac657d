"""Readings: a measurement answered again is one step; an undo forgets every read of it.

Before 0003 a measurement answered twice counted two steps and kept two live
rows, and an undo marked only the latest live row undone, so after "answer,
answer again, undo" the store still showed the first read live while the
session had no reading of that measurement. From 0003 on, ``sessions.steps``
is the number of measurements with a live reading (as the session counts),
and an undo marks every live row of its measurement undone.

The data step brings older rows to that meaning: a live row older than an
undone row of the same measurement was live when that undo came (rows are
never un-undone), so the undo forgets it too; then ``steps`` is recounted.
No event changes (the hash chain is untouched); ``verify`` agrees afterwards.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_readings = sa.table(
    "readings",
    sa.column("id", sa.Integer),
    sa.column("session_id", sa.String),
    sa.column("measurement", sa.String),
    sa.column("undone", sa.Boolean),
)
_sessions = sa.table("sessions", sa.column("id", sa.String), sa.column("steps", sa.Integer))


def upgrade() -> None:
    later = _readings.alias("later")
    forgotten = (
        sa.select(later.c.id)
        .where(
            later.c.session_id == _readings.c.session_id,
            later.c.measurement == _readings.c.measurement,
            later.c.undone.is_(True),
            later.c.id > _readings.c.id,
        )
        .exists()
    )
    op.execute(
        _readings.update().where(_readings.c.undone.is_(False), forgotten).values(undone=True)
    )
    live = (
        sa.select(sa.func.count(sa.func.distinct(_readings.c.measurement)))
        .where(_readings.c.session_id == _sessions.c.id, _readings.c.undone.is_(False))
        .scalar_subquery()
    )
    op.execute(_sessions.update().values(steps=live))


def downgrade() -> None:
    """Nothing to undo in the schema; the rows keep the current meaning."""
