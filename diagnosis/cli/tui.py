"""``diagnosis`` with no command (and ``diagnosis tui``): the technician's terminal UI.

Textual and the ``ui`` package are imported only here, inside the command,
so that ``diagnosis --help`` stays fast and the engine never depends on them.
"""

from __future__ import annotations

import typer

__all__ = ["launch", "launch_prefilled", "register"]


def launch(
    lang: str | None = None,
    kb: str | None = None,
    db: str | None = None,
    *,
    training: bool = False,
    exercises: str | None = None,
) -> None:
    """Load the KB, open the store and run the app until the technician quits.

    Raises:
        KnowledgeBaseError: the KB is invalid (the CLI prints its first problem).
        StoreError: the database cannot be opened.
    """
    from diagnosis.ui.app import DiagnosisApp

    app = DiagnosisApp(kb, db=db, lang=lang, training=training, exercises=exercises)
    app.run()


def launch_prefilled(
    *,
    equipment: str,
    symptoms: list[str],
    answers: dict[str, str],
    lang: str | None = None,
    kb: str | None = None,
    db: str | None = None,
) -> None:
    """Run the app; after sign-in it opens a diagnosis with these symptoms and readings."""
    from diagnosis.ui.app import prefilled_app

    prefilled_app(
        kb, db=db, lang=lang, equipment=equipment, symptoms=symptoms, answers=answers
    ).run()


def register(app: typer.Typer) -> None:
    """Add ``diagnosis tui [--lang] [--kb] [--db]``."""

    @app.command("tui")
    def tui(
        ctx: typer.Context,
        lang: str = typer.Option(None, "--lang", help="Language: en or fr (default: the locale)."),
        kb: str = typer.Option(
            None, "--kb", help="Knowledge-base folder (default: the bundled one)."
        ),
        db: str = typer.Option(
            None, "--db", help="Database URL (default: DIAGNOSIS_DB, else a SQLite file)."
        ),
    ) -> None:
        """Open the terminal UI (the same as `diagnosis` with no command)."""
        root = ctx.obj if isinstance(ctx.obj, dict) else {}
        launch(lang=lang or root.get("lang"), kb=kb or root.get("kb"), db=db or root.get("db"))
