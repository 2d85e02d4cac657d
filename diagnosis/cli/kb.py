"""``diagnosis kb``: check a knowledge base, print its JSON Schema, export a network."""

from __future__ import annotations

import json
import sys
from enum import StrEnum

import typer

from diagnosis.errors import UsageError

__all__ = ["register"]


class Format(StrEnum):
    text = "text"
    json = "json"


class BnFormat(StrEnum):
    bif = "bif"
    xmlbif = "xmlbif"


kb_app = typer.Typer(
    help="Check and inspect a knowledge base.", no_args_is_help=True, add_completion=False
)

_KB = typer.Option(None, "--kb", help="Knowledge-base folder (default: the bundled one).")
_FT = typer.Option(
    None, "--fault-trees", help="Fault-tree folder (default: fault_trees/ beside the KB folder)."
)
_FORMAT = typer.Option(Format.text, "--format", help="Output format.")


@kb_app.command("check")
def check(kb: str = _KB, fault_trees: str = _FT, fmt: Format = _FORMAT) -> None:
    """Validate a KB and its fault trees: one line per error, then a summary."""
    from diagnosis.kb.loader import inspect_kb

    loaded, problems = inspect_kb(kb, fault_trees)
    summary = loaded.summary()
    if fmt is Format.json:
        print(
            json.dumps(
                {"errors": [p.as_dict() for p in problems], "summary": summary},
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        for problem in problems:
            print(problem)
        counts = ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in summary.items())
        status = f"{len(problems)} error{'s' if len(problems) != 1 else ''}" if problems else "OK"
        print(f"{status}: {counts}", file=sys.stderr if problems else sys.stdout)
    if problems:
        raise typer.Exit(1)


@kb_app.command("schema")
def schema(output: str = typer.Option(None, "-o", "--output", help="Write to this file.")) -> None:
    """Print the JSON Schema of the KB format (for editor completion and inline errors)."""
    from diagnosis.kb.schema import json_schema

    text = json.dumps(json_schema(), indent=2, ensure_ascii=False)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text + "\n")
        except OSError as exc:
            raise UsageError(f"{output}: cannot write: {exc.strerror}") from exc
    else:
        print(text)


@kb_app.command("export-bn")
def export_bn(
    equipment: str = typer.Argument(..., help="Equipment id."),
    to: BnFormat = typer.Option(BnFormat.bif, "--to", help="bif or xmlbif."),
    output: str = typer.Option(None, "-o", "--output", help="Write to this file."),
    kb: str = _KB,
    fault_trees: str = _FT,
) -> None:
    """Export an equipment's Bayesian network for other BN tools (BIF / XMLBIF)."""
    from diagnosis.bayes.export import export_network
    from diagnosis.kb import load_kb

    knowledge = load_kb(kb, fault_trees)
    try:
        knowledge.equipment(equipment)
    except KeyError:
        known = ", ".join(e.id for e in knowledge.equipments)
        raise UsageError(f"unknown equipment '{equipment}' (known: {known})") from None
    text = export_network(knowledge, equipment, to.value)
    if output:
        try:
            with open(output, "w", encoding="utf-8") as fh:
                fh.write(text)
        except OSError as exc:
            raise UsageError(f"{output}: cannot write: {exc.strerror}") from exc
    else:
        sys.stdout.write(text)


def register(app: typer.Typer) -> None:
    app.add_typer(kb_app, name="kb")
