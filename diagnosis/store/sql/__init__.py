"""The SQLAlchemy / Alembic adapter: the only code that imports either library.

``open_sql_store(url)`` builds the engine, runs the shipped migrations and
returns a :class:`~diagnosis.store.sql.store.SqlStore`; every library error
becomes a :class:`~diagnosis.errors.StoreError` here.
"""

from __future__ import annotations

from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from diagnosis.errors import StoreError
from diagnosis.i18n import detect_lang, tr
from diagnosis.store.chain import audit_key
from diagnosis.store.projection import CauseCodes
from diagnosis.store.sql.engine import display_url, make_engine, normalize_url
from diagnosis.store.sql.migrate import upgrade
from diagnosis.store.sql.store import SqlStore

__all__ = ["SqlStore", "open_sql_store"]


def open_sql_store(url: str, codes: CauseCodes | None = None) -> SqlStore:
    """Open (and migrate) the database at ``url``.

    Raises:
        StoreError: bad URL, unreachable server, unwritable file, failed migration.
    """
    full = normalize_url(url)
    shown = display_url(full)
    lang = detect_lang()
    try:
        engine = make_engine(full)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(tr("store.bad_url", lang, url=url, reason=str(exc))) from exc
    except ModuleNotFoundError as exc:
        raise StoreError(tr("store.no_driver", lang, url=shown, module=exc.name or "?")) from exc
    except OSError as exc:
        raise StoreError(tr("store.db_error", lang, url=shown, reason=str(exc))) from exc
    try:
        upgrade(engine)
    except SQLAlchemyError as exc:
        engine.dispose()
        orig = getattr(exc, "orig", None)
        reason = str(orig if orig is not None else exc).strip().splitlines()
        raise StoreError(
            tr(
                "store.db_error",
                lang,
                url=shown,
                reason=reason[0] if reason else type(exc).__name__,
            )
        ) from exc
    try:
        key = audit_key()
    except ValueError as exc:
        engine.dispose()
        raise StoreError(str(exc)) from exc
    return SqlStore(engine, shown, codes, key)
