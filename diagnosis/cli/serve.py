"""``diagnosis serve``: the terminal UI (trainer mode by default) served to browsers.

Loopback by default; another address needs an access token (``--token`` or
``DIAGNOSIS_SERVE_TOKEN``) that each browser presents (``/?token=…``).
Exit 2 when a non-loopback host is asked without a token.
"""

from __future__ import annotations

import os
import shlex
import sys

import typer

from diagnosis.errors import UsageError

__all__ = ["register"]

TOKEN_ENV = "DIAGNOSIS_SERVE_TOKEN"


def serve(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", metavar="ADDR", help="Address to bind (default loopback)."),
    port: int = typer.Option(8000, "--port", metavar="N", help="TCP port."),
    token: str = typer.Option(
        None, "--token", metavar="T", help=f"Access token each browser must present (or ${TOKEN_ENV})."
    ),
    technician: bool = typer.Option(
        False, "--technician", help="Serve the technician's TUI instead of the trainer mode."
    ),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    db: str = typer.Option(None, "--db", metavar="URL", help="Database URL (shared by the class)."),
    exercises: str = typer.Option(None, "--exercises", metavar="DIR", help="Exercise folder."),
    lang: str = typer.Option(None, "--lang", metavar="en|fr", help="Language."),
) -> None:
    """Serve the terminal UI to browsers (a classroom), with textual-serve."""
    from diagnosis.i18n import detect_lang, tr
    from diagnosis.training.classroom import is_loopback, make_server

    root = ctx.obj if isinstance(ctx.obj, dict) else {}
    lang = detect_lang(lang or root.get("lang"))
    kb = kb or root.get("kb") or ""
    db = db or root.get("db") or ""
    token = token or os.environ.get(TOKEN_ENV) or ""
    if not is_loopback(host) and not token:
        raise UsageError(tr("training.serve.token_required", lang, host=host, env=TOKEN_ENV))
    if not 0 < port < 65536:
        raise UsageError(tr("training.serve.bad_port", lang, port=port))
    args = [sys.executable, "-m", "diagnosis", "--lang", lang]
    if kb:
        args += ["--kb", os.path.abspath(kb)]
    if db:
        args += ["--db", db]
    if technician:
        args += ["tui"]
    else:
        args += ["train"] + (["--exercises", os.path.abspath(exercises)] if exercises else [])
    command = shlex.join(args)
    server = make_server(command, host, port, token, "diagnosis")
    shown = "localhost" if is_loopback(host) else host
    typer.echo(
        tr("training.serve.listening", lang, url=f"http://{shown}:{port}/" + (f"?token={token}" if token else "")),
        err=True,
    )
    server.serve()


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
