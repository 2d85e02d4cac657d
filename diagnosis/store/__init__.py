"""Where diagnoses are kept: an append-only, hash-chained event log and its SQL projections.

``open_store(url)`` opens a SQLite file (default: ``diagnosis.db`` in the
user's data folder, or ``$DIAGNOSIS_DB``) or a PostgreSQL database for a
plant-wide store, running the shipped migrations. The returned
:class:`Store` is the session's event sink: each event is committed when it
happens, so a killed session resumes with every answer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from diagnosis._lazy import lazy_modules

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase
    from diagnosis.store.base import *  # noqa: F403 - the store's values: base.__all__
    from diagnosis.store.base import Store
    from diagnosis.store.projection import CauseCodes


def cause_codes(kb: KnowledgeBase) -> CauseCodes:
    """A lookup of a cause's ISO 14224 codes (mode, mechanism, cause class) in ``kb``."""

    def lookup(cause_id: str) -> tuple[str | None, str | None, str | None]:
        cause = kb.causes.get(cause_id)
        if cause is None:
            return None, None, None
        return cause.failure_mode, cause.mechanism, cause.cause_class

    return lookup


def open_store(
    url: str | None = None,
    *,
    kb: KnowledgeBase | None = None,
    read_only: bool = False,
    must_exist: bool = False,
) -> Store:
    """Open the store at ``url`` (None: ``$DIAGNOSIS_DB``, else the user's SQLite file).

    Args:
        url: an SQLAlchemy URL (``sqlite:///path``, ``postgresql://user@host/db``)
            or a plain file path (a SQLite database).
        kb: when given, interventions get the root cause's ISO 14224 codes
            from it as soon as the conclusion is recorded.
        read_only: open for reading only (a SQLite file must exist; it is
            neither created nor migrated; a read-only copy is fine).
        must_exist: refuse a SQLite file that does not exist.

    Raises:
        StoreError: the database cannot be opened or migrated.
    """
    from diagnosis.store.sql import open_sql_store
    from diagnosis.store.sql.engine import default_url

    codes = None if kb is None else cause_codes(kb)
    return open_sql_store(
        url or default_url(), codes, read_only=read_only, must_exist=must_exist
    )


__getattr__ = lazy_modules(__name__, ("diagnosis.store.base",), own=("cause_codes", "open_store"))
