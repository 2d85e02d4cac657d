"""Alembic environment: always run programmatically by diagnosis.store.sql.migrate.

The caller passes an open connection in ``config.attributes["connection"]``;
there is no ``alembic.ini`` and no URL here.
"""

from __future__ import annotations

from alembic import context

from diagnosis.store.sql.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
