"""``diagnosis train``: trainer mode (exercises on a simulated machine, scored by competence).

``diagnosis train`` alone opens the exercise picker of the terminal UI;
``schema``, ``list``, ``new``, ``play``, ``results`` and ``debrief`` work
without a terminal (docs/training.md). Exit codes: 0 ok, 1 domain failure,
2 usage error (bad exercise or actions file: ``file:line``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from diagnosis.errors import UsageError

__all__ = ["register"]

train_app = typer.Typer(
    name="train",
    help="Trainer mode: diagnosis exercises on a simulated machine, scored by competence.",
    invoke_without_command=True,
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


def _ctx(ctx: typer.Context) -> dict[str, Any]:
    parent = ctx.find_root().obj
    return parent if isinstance(parent, dict) else {}


def _lang(ctx: typer.Context, lang: str | None) -> str:
    from diagnosis.i18n import detect_lang

    return detect_lang(lang or _ctx(ctx).get("lang"))


def _fmt(value: str, lang: str, choices: tuple[str, ...] = ("text", "json")) -> str:
    from diagnosis.i18n import tr

    if value not in choices:
        raise UsageError(tr("training.cli.bad_to", lang, value=value, choices=", ".join(choices)))
    return value


def _write(text: str, output: str | None, lang: str) -> None:
    from diagnosis.i18n import tr

    if output:
        Path(output).write_text(text, encoding="utf-8")
        typer.echo(tr("training.cli.written", lang, path=output), err=True)
    else:
        typer.echo(text, nl=not text.endswith("\n"))


@train_app.callback()
def train(
    ctx: typer.Context,
    lang: str = typer.Option(None, "--lang", help="Language: en or fr (default: the locale)."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    db: str = typer.Option(None, "--db", metavar="URL", help="Database URL."),
    exercises: str = typer.Option(None, "--exercises", metavar="DIR", help="Exercise folder."),
) -> None:
    """With no command, open the exercise picker of the terminal UI."""
    if ctx.invoked_subcommand is not None:
        return
    import importlib

    root = _ctx(ctx)
    tui = importlib.import_module("diagnosis.cli.tui")  # the one CLI module that imports the UI
    tui.launch(
        lang=lang or root.get("lang"),
        kb=kb or root.get("kb"),
        db=db or root.get("db"),
        training=True,
        exercises=exercises,
    )


@train_app.command("schema")
def schema(output: str = typer.Option(None, "-o", "--output", help="Write to this file.")) -> None:
    """Print the JSON Schema of an exercise file."""
    from diagnosis.training import exercise_schema

    _write(json.dumps(exercise_schema(), indent=2, ensure_ascii=False) + "\n", output, "en")


@train_app.command("list")
def list_(
    ctx: typer.Context,
    exercises: str = typer.Option(None, "--exercises", metavar="DIR", help="Exercise folder (default: the bundled one)."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder (checks every id)."),
    fmt: str = typer.Option("text", "--format", metavar="text|json", help="text or json."),
    lang: str = typer.Option(None, "--lang", metavar="en|fr", help="Language."),
) -> None:
    """List the exercises (id, equipment, level, title)."""
    from diagnosis.i18n import tr
    from diagnosis.kb import load_kb
    from diagnosis.training import load_exercises

    lang = _lang(ctx, lang)
    _fmt(fmt, lang)
    knowledge = load_kb(kb or _ctx(ctx).get("kb"))
    items = load_exercises(exercises, knowledge, lang)
    if fmt == "json":
        typer.echo(json.dumps([e.summary(lang) for e in items], indent=2, ensure_ascii=False))
        return
    for e in items:
        typer.echo(
            tr("training.cli.list_header", lang, id=e.id, equipment=e.equipment, level=e.level, title=e.title.get(lang)).rstrip()
        )


@train_app.command("new")
def new(
    ctx: typer.Context,
    equipment: str = typer.Option(..., "--equipment", "-e", metavar="ID", help="Equipment id."),
    cause: str = typer.Option(..., "--cause", "-c", metavar="ID", help="The cause to hide."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    seed: int = typer.Option(0, "--seed", metavar="N", help="Seed of the instrument noise."),
    output: str = typer.Option(..., "-o", "--output", metavar="FILE", help="The exercise file to write."),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE."),
    lang: str = typer.Option(None, "--lang", metavar="en|fr", help="Language."),
) -> None:
    """Generate an exercise hiding CAUSE on EQUIPMENT."""
    import yaml

    from diagnosis.i18n import tr
    from diagnosis.kb import load_kb
    from diagnosis.training.generate import generate_exercise

    lang = _lang(ctx, lang)
    knowledge = load_kb(kb or _ctx(ctx).get("kb"))
    try:
        eq = knowledge.equipment(equipment)
    except KeyError:
        known = ", ".join(e.id for e in knowledge.equipments)
        raise UsageError(tr("session.run.usage.unknown_equipment", lang, equipment=equipment, known=known)) from None
    if not eq.has("cause", cause):
        known = ", ".join(c.id for c in eq.causes)
        raise UsageError(tr("training.cli.no_cause", lang, cause=cause, equipment=equipment, known=known))
    path = Path(output)
    if path.exists() and not force:
        raise UsageError(tr("training.cli.exists", lang, path=output))
    data = generate_exercise(knowledge, equipment, cause, seed)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(text, encoding="utf-8")
    typer.echo(tr("training.cli.written", lang, path=output))


def _store(db: str | None, knowledge: Any) -> Any:
    from diagnosis.store import open_store

    return open_store(db, kb=knowledge)


@train_app.command("play")
def play_cmd(
    ctx: typer.Context,
    exercise: str = typer.Argument(..., metavar="EXERCISE", help="An exercise file or id."),
    trainee: str = typer.Option(..., "--trainee", metavar="NAME", help="The trainee's name."),
    actions: str = typer.Option(..., "--actions", metavar="FILE", help="YAML list of actions."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    db: str = typer.Option(None, "--db", metavar="URL", help="Database URL."),
    exercises: str = typer.Option(None, "--exercises", metavar="DIR", help="Exercise folder for ids."),
    mode: str = typer.Option(None, "--mode", metavar="learning|exam", help="Default: the exercise's."),
    group: str = typer.Option("", "--group", metavar="G", help="The trainee's group (class)."),
    no_save: bool = typer.Option(False, "--no-save", help="Do not record the session."),
    fmt: str = typer.Option("text", "--format", metavar="text|json", help="text or json."),
    lang: str = typer.Option(None, "--lang", metavar="en|fr", help="Language."),
) -> None:
    """Play a scripted trainee on an exercise and print the score."""
    from diagnosis.errors import SessionError
    from diagnosis.kb import load_kb
    from diagnosis.training import find_exercise
    from diagnosis.training.actions import load_actions, play
    from diagnosis.training.run import TrainingRun
    from diagnosis.training.scoring import assess

    lang = _lang(ctx, lang)
    _fmt(fmt, lang)
    root = _ctx(ctx)
    knowledge = load_kb(kb or root.get("kb"))
    ex = find_exercise(exercise, knowledge, exercises, lang)
    script = load_actions(actions)
    store = None if no_save else _store(db or root.get("db"), knowledge)
    try:
        try:
            run = TrainingRun(knowledge, ex, trainee, mode=mode, lang=lang, sink=store, group=group)
        except SessionError as exc:
            raise UsageError.like(exc) from exc
        play(run, script, actions)
        result = assess(knowledge, ex, run.session.events, lang=lang)
    finally:
        if store is not None:
            store.close()
    data = result.to_json()
    if fmt == "json":
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        typer.echo(render_result(data, lang))


def render_result(data: dict[str, Any], lang: str) -> str:
    from diagnosis.i18n import tr

    verdict = tr("training.cli.correct" if data["root_cause_correct"] else "training.cli.wrong", lang)
    out = [
        tr("training.cli.result_title", lang, exercise=data["exercise"], trainee=data["trainee"]),
        tr("training.cli.result_score", lang, total=data["score"]["total"], max=data["score"]["max"], verdict=verdict),
        tr("training.cli.result_minutes", lang, minutes=f"{data['minutes']:g}", engine=f"{data['engine_minutes']:g}"),
    ]
    out += [tr("training.cli.result_competence", lang, **c) for c in data["competences"].values()]
    if data["deductions"]:
        out.append(tr("training.cli.deductions", lang))
        out += [tr("training.cli.result_deduction", lang, **d) for d in data["deductions"]]
    out.append(tr("training.cli.result_session", lang, session=data["session"]))
    return "\n".join(out)


@train_app.command("debrief")
def debrief(
    ctx: typer.Context,
    session: str = typer.Argument(..., metavar="SESSION", help="Session id (or unique prefix)."),
    to: str = typer.Option("md", "--to", metavar="md|html|json", help="Output format."),
    output: str = typer.Option(None, "-o", "--output", metavar="FILE", help="Write to FILE."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    db: str = typer.Option(None, "--db", metavar="URL", help="Database URL."),
    exercises: str = typer.Option(None, "--exercises", metavar="DIR", help="Exercise folder."),
    lang: str = typer.Option(None, "--lang", metavar="en|fr", help="Language."),
) -> None:
    """The trainee's path beside the engine's, step by step, with the deductions."""
    from diagnosis.kb import load_kb
    from diagnosis.training.debrief import assess_session, debrief_html, debrief_md

    lang = _lang(ctx, lang)
    _fmt(to, lang, ("md", "html", "json"))
    root = _ctx(ctx)
    knowledge = load_kb(kb or root.get("kb"))
    with _store(db or root.get("db"), knowledge) as store:
        sid = store.resolve(session)
        events = store.events(sid)
    a = assess_session(knowledge, events, folder=exercises, lang=lang, session=sid)
    if to == "json":
        text = json.dumps(a.to_json(), indent=2, ensure_ascii=False) + "\n"
    else:
        text = debrief_html(a, lang) if to == "html" else debrief_md(a, lang)
    _write(text, output, lang)


@train_app.command("results")
def results(
    ctx: typer.Context,
    group: str = typer.Option(None, "--group", metavar="G", help="Only this group of trainees."),
    to: str = typer.Option("json", "--to", metavar="html|csv|json", help="Output format."),
    output: str = typer.Option(None, "-o", "--output", metavar="FILE", help="Write to FILE."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    db: str = typer.Option(None, "--db", metavar="URL", help="Database URL."),
    exercises: str = typer.Option(None, "--exercises", metavar="DIR", help="Exercise folder."),
    lang: str = typer.Option(None, "--lang", metavar="en|fr", help="Language."),
) -> None:
    """Class results: one row per trainee and exercise, averages per competence, most missed steps."""
    from diagnosis.kb import load_kb
    from diagnosis.training.debrief import (
        assess_session,
        class_results,
        exercise_of,
        results_csv,
        results_html,
        results_json,
    )

    lang = _lang(ctx, lang)
    _fmt(to, lang, ("html", "csv", "json"))
    root = _ctx(ctx)
    knowledge = load_kb(kb or root.get("kb"))
    rows = []
    with _store(db or root.get("db"), knowledge) as store:
        for summary in reversed(store.sessions()):
            if not (summary.work_order or "").startswith("exercise:") or summary.status != "done":
                continue
            events = store.events(summary.id)
            marker = exercise_of(events)
            if marker is None or (group is not None and marker["group"] != group):
                continue
            a = assess_session(knowledge, events, folder=exercises, lang=lang, session=summary.id)
            rows.append((a, summary.started_at.isoformat()))
    data = class_results(rows)
    if to == "csv":
        text = results_csv(data)
    elif to == "html":
        text = results_html(data, lang)
    else:
        text = results_json(data) + "\n"
    _write(text, output, lang)


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
