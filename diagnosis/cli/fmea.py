"""``diagnosis fmea``: the FMEA lines with RPN, action priority and criticality."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from diagnosis.errors import UsageError

__all__ = ["register"]


def fmea_cmd(
    ctx: typer.Context,
    equipment: str = typer.Option(None, "--equipment", metavar="ID", help="One equipment only."),
    kb: str = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder."),
    fault_trees: str = typer.Option(
        None, "--fault-trees", metavar="DIR", help="Fault-tree folder."
    ),
    fmt: str = typer.Option("text", "--format", metavar="text|json", help="text or json."),
    grid: str = typer.Option(
        None, "--grid", metavar="FILE", help="YAML criticality grid (F/G/N mapping, threshold)."
    ),
    lang: str = typer.Option(None, "--lang", metavar="en|fr", help="Language."),
) -> None:
    """List FMEA lines by decreasing priority: AP (H>M>L), then RPN, then severity."""
    from diagnosis.fmea import DEFAULT_GRID, fmea_table
    from diagnosis.i18n import detect_lang, tr
    from diagnosis.kb.loader import load_kb

    parent: dict[str, Any] = ctx.obj or {}
    lang = detect_lang(lang or parent.get("lang"))
    if fmt not in ("text", "json"):
        raise UsageError(tr("fmea.cli.bad_format", lang, value=fmt))
    scales = DEFAULT_GRID if grid is None else _read_grid(grid, lang)
    knowledge = load_kb(kb or parent.get("kb"), fault_trees)
    try:
        rows = fmea_table(knowledge, equipment, scales)
    except KeyError:
        known = ", ".join(e.id for e in knowledge.equipments)
        raise UsageError(
            tr("fmea.cli.unknown_equipment", lang, equipment=equipment, known=known)
        ) from None
    if fmt == "json":
        doc = [
            {
                "id": r.line.id,
                "equipment": r.equipment,
                "cause": r.line.cause,
                "component": r.line.component,
                "failure_mode": r.line.failure_mode.get(lang),
                "severity": r.line.severity,
                "occurrence": r.line.occurrence,
                "detection": r.line.detection,
                "rpn": r.rpn,
                "ap": r.ap,
                "f": r.f,
                "g": r.g,
                "n": r.n,
                "criticality": r.criticality,
                "act": r.act,
                "safety": r.safety,
                "actions": [a.get(lang) for a in r.line.actions],
            }
            for r in rows
        ]
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    if not rows:
        print(tr("fmea.cli.empty", lang))
        return

    def col(key: str) -> str:
        return tr(f"fmea.cli.col.{key}", lang)

    print(
        f"{col('ap'):<3}{col('rpn'):>5} {col('s'):>3}{col('o'):>3}{col('d'):>3} {col('c'):>4} "
        f"{'':<9}{col('line')}  {col('mode')}"
    )
    for r in rows:
        mode = r.line.failure_mode.get(lang) or r.line.cause
        flags = " ".join(
            f
            for f in (
                tr("fmea.cli.act", lang) if r.act else "",
                tr("fmea.cli.safety", lang) if r.safety else "",
            )
            if f
        )
        print(
            f"{r.ap:<3}{r.rpn:>5} {r.line.severity:>3}{r.line.occurrence:>3}{r.line.detection:>3}"
            f" {r.criticality:>4} {flags:<9}{r.line.id}  {mode}"
        )
    print(tr("fmea.cli.legend", lang, threshold=scales.threshold))


def _read_grid(path: str, lang: str) -> Any:
    import yaml

    from diagnosis.errors import KnowledgeBaseError, Problem
    from diagnosis.fmea import CriticalityGrid
    from diagnosis.i18n import tr

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError:
        raise UsageError(tr("fmea.cli.no_file", lang, path=path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 0
        raise KnowledgeBaseError([Problem(path, line, 0, "invalid YAML")]) from exc
    if not isinstance(data, dict):
        raise KnowledgeBaseError([Problem(path, 1, 0, tr("fmea.cli.grid_shape", lang))])
    return CriticalityGrid.from_mapping(data, path)


def register(app: typer.Typer) -> None:
    app.command("fmea")(fmea_cmd)
