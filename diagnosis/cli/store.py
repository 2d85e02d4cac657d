"""``diagnosis history | report | export | verify | resume``: the saved sessions.

Every command takes ``--db URL`` (default ``$DIAGNOSIS_DB``, else the
user's SQLite file), ``--lang`` and, where a KB is needed, ``--kb``. A
session is named by its id or any unique prefix of it. Heavy libraries
(SQLAlchemy, jinja2, weasyprint) are imported inside the commands.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from diagnosis.errors import UsageError

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase
    from diagnosis.store import Store

__all__ = ["parse_since", "register"]

_DB = typer.Option(None, "--db", help="Database URL (default: DIAGNOSIS_DB, else SQLite).")
_LANG = typer.Option(None, "--lang", help="Language: en or fr (default: the locale).")
_KB = typer.Option(None, "--kb", help="Knowledge-base folder (default: the bundled one).")
_FT = typer.Option(None, "--fault-trees", help="Fault-tree folder.")
_FORMAT = typer.Option("text", "--format", help="text or json.")
_OUTPUT = typer.Option(None, "-o", "--output", help="Write to this file (default: stdout).")
_FORCE = typer.Option(False, "--force", help="Overwrite the -o file if it exists.")


def _ctx(ctx: typer.Context, lang: str | None, db: str | None) -> tuple[str, str | None]:
    from diagnosis.i18n import detect_lang

    parent: dict[str, Any] = ctx.obj or {}
    return detect_lang(lang or parent.get("lang")), db or parent.get("db")


def _kb(ctx: typer.Context, kb: str | None, fault_trees: str | None) -> KnowledgeBase:
    from diagnosis.kb import load_kb

    parent: dict[str, Any] = ctx.obj or {}
    return load_kb(kb or parent.get("kb"), fault_trees)


def _open(
    db: str | None, kb: KnowledgeBase | None = None, *, read: bool = False, plain: bool = False
) -> Store:
    """The store; ``read``: for a read command, never create, migrate or write the database.

    A database named by ``--db`` or ``$DIAGNOSIS_DB`` must exist (a mistyped
    path is an error, not an empty database); a read-only copy is readable.
    ``plain`` (with ``read``): a plain SQLite file is read with ``sqlite3``,
    without importing SQLAlchemy (:mod:`diagnosis.store.sqlite_read`): for the
    commands that only read sessions (``report``, ``history``).
    """
    import os

    from diagnosis.store.schema import default_url, normalize_url

    if not read:
        from diagnosis.store import open_store

        return open_store(db, kb=kb)
    named = db or os.environ.get("DIAGNOSIS_DB")
    url = normalize_url(named or default_url())
    if plain:
        from diagnosis.store.sqlite_read import open_sqlite_reader, plain_sqlite_file

        file = plain_sqlite_file(url)
        if file is not None and file.is_file():
            return open_sqlite_reader(file, url)
    from diagnosis.store import open_store
    from diagnosis.store.sql.engine import sqlite_path

    path = sqlite_path(url)
    if path is not None and not path.is_file():
        if named is None:
            return open_store(db, kb=kb)  # first use, default file: history says "no sessions"
        raise UsageError(code="store.no_such_db", path=str(path))
    return open_store(named, kb=kb, read_only=True)


def _t(key: str, lang: str, **kwargs: object) -> str:
    from diagnosis.i18n import tr

    return tr(f"store.cli.{key}", lang, **kwargs)


def _check_format(value: str, allowed: tuple[str, ...], option: str, lang: str) -> None:
    if value not in allowed:
        raise UsageError(
            _t("bad_choice", lang, option=option, value=value, allowed=", ".join(allowed))
        )


def parse_since(text: str | None, lang: str = "en") -> datetime | None:
    """``--since``: ``2026-11-28``, ``2026-11-28T14:05``, ``28/11/2026`` (UTC when no zone).

    Raises:
        UsageError: not a date.
    """
    if not text:
        return None
    value = text.strip()
    moment: datetime | None = None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        for pattern in ("%d/%m/%Y %H:%M", "%d/%m/%Y"):
            try:
                moment = datetime.strptime(value, pattern)
                break
            except ValueError:
                continue
    if moment is None:
        raise UsageError(_t("bad_date", lang, value=text))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _write(data: str | bytes, output: str | None, lang: str, force: bool = False) -> None:
    """Print ``data``, or write it to ``output`` atomically (temporary file, then rename).

    An existing file is kept unless ``force``; a symbolic link is never followed
    (``--force`` replaces the link itself); a failed write (full disk) leaves
    the previous file as it was.
    """
    if output is None:
        if isinstance(data, bytes):
            if sys.stdout.isatty():
                raise UsageError(_t("binary_to_tty", lang))
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        else:
            sys.stdout.write(data if data.endswith("\n") else data + "\n")
        return
    from diagnosis.store.files import write_atomic

    write_atomic(output, data, force=force)


# --- history ---------------------------------------------------------------------


def history(
    ctx: typer.Context,
    fmt: str = _FORMAT,
    equipment: str = typer.Option(None, "--equipment", "-e", help="Only this equipment."),
    since: str = typer.Option(None, "--since", help="Only sessions started on/after this date."),
    unfinished: bool = typer.Option(False, "--unfinished", help="Only sessions not closed."),
    db: str | None = _DB,
    lang: str | None = _LANG,
) -> None:
    """List saved sessions, newest first."""
    from diagnosis.i18n import format_datetime, format_number

    lang, db = _ctx(ctx, lang, db)
    _check_format(fmt, ("text", "json"), "--format", lang)
    start = parse_since(since, lang)
    with _open(db, read=True, plain=True) as store:
        rows = (
            store.unfinished() if unfinished else store.sessions(equipment=equipment, since=start)
        )
        if unfinished:
            rows = [
                r
                for r in rows
                if (not equipment or r.equipment == equipment)
                and (start is None or r.started_at >= start)
            ]
        url = store.url
        # A root cause concluded without a validation test result: "validation pending".
        pending = {
            i.session_id
            for i in store.interventions(equipment=equipment)
            if i.root_cause is not None and i.validation_passed is None
        }
    if fmt == "json":
        sessions = [{**r.to_dict(), "validation_pending": r.id in pending} for r in rows]
        print(json.dumps({"db": url, "sessions": sessions}, indent=2, ensure_ascii=False))
        return
    if not rows:
        if equipment or start is not None or unfinished:
            print(_t("history_no_match", lang, db=url))
        else:
            print(_t("history_empty", lang, db=url))
        return
    head = [
        _t(f"col.{c}", lang)
        for c in ("id", "started", "equipment", "technician", "status", "root_cause", "steps")
    ]
    table = [head]
    for r in rows:
        table.append(
            [
                r.id,
                format_datetime(r.started_at, lang),
                r.equipment,
                r.technician,
                _t(f"status.{r.status}", lang)
                + (_t("validation_pending", lang) if r.id in pending else ""),
                r.root_cause or "-",
                format_number(r.steps, lang),
            ]
        )
    from diagnosis.textsafety import printable

    table = [[printable(cell) for cell in row] for row in table]  # no terminal escapes
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())


# --- report ------------------------------------------------------------------------


def report(
    ctx: typer.Context,
    session: str = typer.Argument(..., help="Session id or unique prefix."),
    to: str = typer.Option("md", "--to", help="md, html, json or pdf."),
    output: str = _OUTPUT,
    force: bool = _FORCE,
    kb: str = _KB,
    fault_trees: str = _FT,
    db: str | None = _DB,
    lang: str | None = _LANG,
) -> None:
    """Export one session's report (Markdown, self-contained HTML, JSON, PDF)."""
    from diagnosis.report import FORMATS, Audit, build_report, render

    lang, db = _ctx(ctx, lang, db)
    _check_format(to, FORMATS, "--to", lang)
    if to == "pdf" and output is None and sys.stdout.isatty():
        raise UsageError(_t("binary_to_tty", lang))
    knowledge = _kb(ctx, kb, fault_trees)
    from diagnosis.kpi.history import report_history

    with _open(db, read=True, plain=True) as store:
        sid = store.resolve(session)
        events = store.events(sid)
        check = store.verify(sid)
        history = report_history(store, events, knowledge, lang)
    audit = Audit(check.ok, check.events, check.first_bad_seq, head=_closed_head(events, check))
    data = build_report(knowledge, events, lang=lang, audit=audit, history=history)
    _write(render(data, to), output, lang, force)
    if output:
        print(_t("written", lang, path=output), file=sys.stderr)


def _closed_head(events: list[Any], check: Any) -> str | None:
    """The head hash of a closed, intact session (its anchor, printed in the report)."""
    from diagnosis.session.events import SessionClosed

    closed = bool(events) and isinstance(events[-1], SessionClosed)
    return check.head if closed and check.ok else None


# --- export --------------------------------------------------------------------------

export_app = typer.Typer(
    help="Export saved data for other tools (CMMS).", no_args_is_help=True, add_completion=False
)


@export_app.command("interventions")
def export_interventions(
    ctx: typer.Context,
    to: str = typer.Option("csv", "--to", help="csv or json."),
    since: str = typer.Option(None, "--since", help="Only interventions requested on/after."),
    equipment: str = typer.Option(None, "--equipment", "-e", help="Only this equipment."),
    output: str = _OUTPUT,
    force: bool = _FORCE,
    kb: str = _KB,
    fault_trees: str = _FT,
    db: str | None = _DB,
    lang: str | None = _LANG,
) -> None:
    """Export interventions for a CMMS (stable columns, see docs/cmms-export.md)."""
    from diagnosis.store.cmms import intervention_rows, interventions_csv, interventions_json

    lang, db = _ctx(ctx, lang, db)
    _check_format(to, ("csv", "json"), "--to", lang)
    start = parse_since(since, lang)
    knowledge = _kb(ctx, kb, fault_trees)
    with _open(db, read=True) as store:
        items = store.interventions(since=start, equipment=equipment)
        # a row whose record was edited behind the application's back is flagged, not hidden
        audit = {iv.session_id: store.verify(iv.session_id).ok for iv in items}
    for sid, ok in audit.items():
        if not ok:
            print(_t("export_tampered", lang, session=sid), file=sys.stderr)
    rows = intervention_rows(items, knowledge, lang, audit)
    text = interventions_json(rows) if to == "json" else interventions_csv(rows)
    _write(text, output, lang, force)


# --- verify --------------------------------------------------------------------------


def verify(
    ctx: typer.Context,
    session: str = typer.Argument(None, help="Session id or unique prefix (or --all)."),
    all_sessions: bool = typer.Option(False, "--all", help="Check every session of the database."),
    export_manifest: str = typer.Option(
        None,
        "--export-manifest",
        metavar="FILE",
        help="With --all: write the head hash of every closed session (signed with the "
        "audit key) to FILE, to keep outside the database.",
    ),
    manifest: str = typer.Option(
        None,
        "--manifest",
        metavar="FILE",
        help="With --all: also check the database against a manifest exported earlier "
        "(deleted, truncated or rewritten sessions).",
    ),
    force: bool = typer.Option(False, "--force", help="Overwrite the --export-manifest file."),
    fmt: str = _FORMAT,
    db: str | None = _DB,
    lang: str | None = _LANG,
) -> None:
    """Check audit trails (hash chain, projections); exit 1 at the first bad row."""
    lang, db = _ctx(ctx, lang, db)
    _check_format(fmt, ("text", "json"), "--format", lang)
    if (session is None) == (not all_sessions):
        raise UsageError(_t("verify_usage", lang))
    if (export_manifest or manifest) and not all_sessions:
        raise UsageError(_t("verify_usage", lang))
    if all_sessions:
        _verify_all(db, lang, fmt, export_manifest, manifest, force)
        return
    from diagnosis.errors import StoreError

    try:
        opened = _open(db, read=True)
    except StoreError as exc:
        from sqlalchemy.exc import ArgumentError

        if isinstance(exc.__cause__, ArgumentError | ValueError):
            raise UsageError.like(exc) from exc  # a bad URL: usage, not a tampered record
        raise
    with opened as store:
        try:
            sid = store.resolve(session)
        except StoreError as exc:  # an unknown id is a usage error, not a tampered record
            raise UsageError.like(exc) from exc
        result = store.verify(sid)
    if fmt == "json":
        print(json.dumps(_verify_json(result), indent=2))
    elif result.ok:
        print(_t("verify_ok", lang, session=result.session_id, n=result.events))
        if result.head:
            print(_t("verify_head", lang, head=result.head))
    else:
        print(_verify_line(result, lang), file=sys.stderr)
    if not result.ok:
        raise typer.Exit(1)


def _verify_json(result: Any) -> dict[str, Any]:
    return {
        "session": result.session_id,
        "ok": result.ok,
        "events": result.events,
        "first_bad_seq": result.first_bad_seq,
        "reason": result.reason,
        "detail": result.detail,
        "head": result.head,
    }


def _verify_line(result: Any, lang: str) -> str:
    reason = _t(f"reason.{result.reason}", lang)
    if result.detail:
        reason += f": {result.detail}"
    return _t("verify_bad", lang, session=result.session_id, seq=result.first_bad_seq, reason=reason)


def _verify_all(
    db: str | None,
    lang: str,
    fmt: str,
    export_manifest: str | None,
    manifest_file: str | None,
    force: bool,
) -> None:
    from diagnosis.errors import StoreError
    from diagnosis.store.chain import audit_key
    from diagnosis.store.manifest import build_manifest, check_manifest, dumps_manifest

    try:
        key = audit_key()
    except ValueError as exc:
        raise StoreError(str(exc)) from exc
    wanted: dict[str, Any] | None = None
    if manifest_file is not None:
        try:
            wanted = json.loads(Path(manifest_file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise UsageError(_t("bad_manifest", lang, path=manifest_file, reason=exc)) from exc
    with _open(db, read=True) as store:
        damaged = store.integrity() if hasattr(store, "integrity") else []
        results = [store.verify(s.id) for s in reversed(store.sessions())]
        closed = {s.id for s in store.sessions() if s.status != "open"}
        problems = []
        if wanted is not None:
            try:
                problems = check_manifest(wanted, store.event_hash, key)  # type: ignore[attr-defined]
            except ValueError as exc:
                raise UsageError(
                    _t("bad_manifest", lang, path=manifest_file, reason=exc)
                ) from exc
        url = store.url
    bad = [r for r in results if not r.ok]
    if export_manifest is not None:
        heads = [(r.session_id, r.events, r.head) for r in results if r.ok and r.head
                 and r.session_id in closed]
        _write(dumps_manifest(build_manifest(heads, url, key)), export_manifest, lang, force)
    if fmt == "json":
        print(
            json.dumps(
                {
                    "db": url,
                    "ok": not bad and not problems and not damaged,
                    "integrity": damaged,
                    "signed": key is not None,
                    "sessions": [_verify_json(r) for r in results],
                    "manifest": [{"session": p.session_id, "reason": p.reason} for p in problems],
                },
                indent=2,
            )
        )
    else:
        for line in damaged[:5]:
            print(_t("integrity_bad", lang, reason=line), file=sys.stderr)
        for r in bad:
            print(_verify_line(r, lang), file=sys.stderr)
        for p in problems:
            print(
                _t("manifest_bad", lang, session=p.session_id or "-",
                   reason=_t(f"manifest_reason.{p.reason}", lang)),
                file=sys.stderr,
            )
        print(
            _t("verify_all", lang, n=len(results), bad=len(bad) + len(problems),
               signed=_t("signed" if key is not None else "unsigned", lang))
        )
    if bad or problems or damaged:
        raise typer.Exit(1)


# --- resume --------------------------------------------------------------------------


def resume(
    ctx: typer.Context,
    session: str = typer.Argument(..., help="Session id or unique prefix."),
    answers: str = typer.Option(None, "--answers", "-a", help="YAML 'measurement-id: value'."),
    technician: str = typer.Option(
        "", "--technician", metavar="NAME", help="Who takes the session over (a colleague)."
    ),
    habilitation: list[str] = typer.Option(
        None, "--habilitation", metavar="CODE", help="His habilitations, e.g. BR (repeat)."
    ),
    colleague: list[str] = typer.Option(
        None, "--colleague", metavar="NAME:HAB", help="A habilitated colleague at hand (repeat)."
    ),
    max_steps: int = typer.Option(
        None, "--max-steps", metavar="N", help="Readings allowed from now on."
    ),
    fmt: str = _FORMAT,
    kb: str = _KB,
    fault_trees: str = _FT,
    db: str | None = _DB,
    lang: str | None = _LANG,
) -> None:
    """Resume an unfinished session from the store (scripted with --answers, like `run`)."""
    from diagnosis.cli.run import parse_colleague
    from diagnosis.errors import SessionError
    from diagnosis.session import AnswersFile, Session, run_session
    from diagnosis.session.runner import finish_scripted

    lang, db = _ctx(ctx, lang, db)
    _check_format(fmt, ("text", "json"), "--format", lang)
    knowledge = _kb(ctx, kb, fault_trees)
    store = _open(db, knowledge)
    try:
        sid = store.resolve(session)
        events = store.events(sid)
        live = Session.replay(knowledge, events, sink=store)
        if live.closed:
            raise SessionError(_t("already_closed", lang, session=sid))
        if answers is not None:
            source = AnswersFile(answers, live.equipment, lang)
            habs = list(habilitation or [])
            if technician and not habs:
                known = store.technician(technician)
                habs = list(known.habilitations) if known is not None else []
            # A run stopped by --max-steps or a hand-over goes on: a new step limit
            # (none unless --max-steps), and whoever takes it over.
            stopped = live.stop_reason in ("max_steps", "handover")
            if stopped or technician or habs or max_steps is not None:
                live.resume(
                    technician=technician,
                    habilitations=habs,
                    max_steps=max_steps,
                    lacking_tools=source.lacking_tools,
                    lacking_parts=source.lacking_parts,
                )
            elif source.lacking_tools or source.lacking_parts:  # _lacking in the file
                live.lack(
                    tools=[live.need_id("tool", n) for n in source.lacking_tools],
                    parts=[live.need_id("part", n) for n in source.lacking_parts],
                )
            for name, codes in [
                *(parse_colleague(c, lang) for c in colleague or []),
                *source.colleagues().items(),
            ]:
                live.join_colleague(name, codes)
            run_session(live, source)
            finish_scripted(live)
    finally:
        store.close()
    if fmt == "json":
        from diagnosis.cli.run_json import run_json

        print(json.dumps(run_json(live), indent=2, ensure_ascii=False))
        return
    from diagnosis.cli.run import render_text

    print(render_text(live, live.equipment, lang))
    if not live.closed:
        print(_t("still_open", lang, session=live.id))


def register(app: typer.Typer) -> None:
    app.command("history")(history)
    app.command("report")(report)
    app.add_typer(export_app, name="export")
    app.command("verify")(verify)
    app.command("resume")(resume)
