"""``diagnosis kpi …``, ``diagnosis monitor``, ``diagnosis demo`` and ``diagnosis kb learn``.

Indicators (OEE/TRS, reliability, Weibull), drift watch, demo data and
learning from the history: each command parses its options and calls
:mod:`diagnosis.kpi`. Formats and worked examples: ``docs/kpi.md``.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from typing import TYPE_CHECKING, Any

import typer

from diagnosis.errors import UsageError

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase

__all__ = ["register"]

kpi_app = typer.Typer(
    help="Maintenance indicators: OEE/TRS, reliability (MTBF, MTTR, Pareto), Weibull.",
    no_args_is_help=True,
    add_completion=False,
)

_FORMAT = typer.Option("text", "--format", metavar="text|json", help="text or json.")
_LANG = typer.Option(None, "--lang", metavar="en|fr", help="Language: en or fr.")
_KB = typer.Option(None, "--kb", metavar="DIR", help="Knowledge-base folder (default: bundled).")
_FT = typer.Option(None, "--fault-trees", metavar="DIR", help="Fault-tree folder.")
_DB = typer.Option(None, "--db", metavar="URL", help="Database URL (default: DIAGNOSIS_DB).")
_EQUIPMENT = typer.Option(None, "--equipment", metavar="ID", help="One equipment only.")


def _lang(ctx: typer.Context, lang: str | None, fmt: str | None = None) -> str:
    """The language of the messages; with ``fmt``, also checks the ``--format`` given."""
    from diagnosis.i18n import detect_lang

    parent = _root_obj(ctx)
    chosen = detect_lang(lang or parent.get("lang"))
    if fmt is not None:
        _check_format(fmt, chosen)
    return chosen


def _knowledge(ctx: typer.Context, kb: str | None, fault_trees: str | None) -> KnowledgeBase:
    """The KB of ``--kb`` (or the root command's), with its fault trees."""
    from diagnosis.kb import load_kb

    return load_kb(kb or _root_obj(ctx).get("kb"), fault_trees)


def _root_obj(ctx: typer.Context) -> dict[str, Any]:
    node: typer.Context | None = ctx
    while node is not None:
        if isinstance(node.obj, dict):
            return node.obj
        node = node.parent  # type: ignore[assignment]
    return {}


def _check_format(fmt: str, lang: str, allowed: tuple[str, ...] = ("text", "json")) -> None:
    from diagnosis.i18n import tr

    if fmt not in allowed:
        raise UsageError(tr("kpi.cli.bad_format", lang, value=fmt, allowed=", ".join(allowed)))


def _date(option: str, value: str | None, lang: str, *, end: bool = False) -> datetime | None:
    from diagnosis.i18n import tr
    from diagnosis.kpi.csvin import parse_day

    if value is None:
        return None
    try:
        return parse_day(value, end=end)
    except ValueError:
        raise UsageError(tr("kpi.cli.bad_date", lang, option=option, value=value)) from None


def _dump(doc: Any) -> None:
    print(json.dumps(doc, indent=2, ensure_ascii=False))


@kpi_app.command("oee")
def oee_cmd(
    ctx: typer.Context,
    production: str = typer.Argument(..., metavar="PRODUCTION.csv", help="Production log."),
    equipment: str = _EQUIPMENT,
    since: str = typer.Option(None, "--from", metavar="DATE", help="Rows starting from DATE."),
    until: str = typer.Option(None, "--to", metavar="DATE", help="Rows starting up to DATE."),
    fmt: str = _FORMAT,
    lang: str = _LANG,
) -> None:
    """OEE / TRS, TRG, TRE by the NF E60-182 time decomposition of a production log."""
    from diagnosis.kpi.oee import compute_oee, read_production
    from diagnosis.kpi.text import oee_text

    lang = _lang(ctx, lang, fmt)
    start = _date("--from", since, lang)
    stop = _date("--to", until, lang, end=True)
    rows = read_production(production)
    results = [r.to_dict() for r in compute_oee(rows, equipment=equipment, since=start, until=stop)]
    if fmt == "json":
        _dump(results)
    else:
        sys.stdout.write(oee_text(results, lang))


@kpi_app.command("weibull")
def weibull_cmd(
    ctx: typer.Context,
    failures: str = typer.Argument(..., metavar="FAILURES.csv", help="Times to failure."),
    equipment: str = _EQUIPMENT,
    confidence: float = typer.Option(
        0.95, "--confidence", metavar="P", help="Level of the intervals (default 0.95)."
    ),
    fmt: str = _FORMAT,
    lang: str = _LANG,
) -> None:
    """Two-parameter Weibull (MLE, right-censored): β, η with intervals, B10, reading of β."""
    from diagnosis.i18n import tr
    from diagnosis.kpi.text import weibull_text
    from diagnosis.kpi.weibull import read_failures, weibull_groups

    lang = _lang(ctx, lang, fmt)
    if not 0.0 < confidence < 1.0:
        raise UsageError(tr("kpi.weibull.bad_confidence", lang, value=confidence))
    rows = [r for r in read_failures(failures) if equipment in (None, r.equipment)]
    groups = weibull_groups(rows, confidence)
    if fmt == "json":
        _dump(groups)
    else:
        sys.stdout.write(weibull_text(groups, lang))


@kpi_app.command("reliability")
def reliability_cmd(
    ctx: typer.Context,
    equipment: str = _EQUIPMENT,
    since: str = typer.Option(None, "--since", metavar="DATE", help="Failures from DATE."),
    until: str = typer.Option(None, "--until", metavar="DATE", help="Failures up to DATE."),
    recurrence_days: float = typer.Option(
        90.0, "--recurrence-days", metavar="N", help="Recurrence window (days)."
    ),
    labour_rate: float = typer.Option(
        50.0, "--labour-rate", metavar="X", help="Cost of one labour hour."
    ),
    downtime_rate: float = typer.Option(
        250.0, "--downtime-rate", metavar="X", help="Cost of one hour of downtime."
    ),
    top: int = typer.Option(10, "--top", metavar="N", help="Lines per Pareto in text."),
    db: str = _DB,
    kb: str = _KB,
    fault_trees: str = _FT,
    fmt: str = _FORMAT,
    lang: str = _LANG,
) -> None:
    """MTBF, MTTR, availability per equipment and component; Pareto/ABC; recurrences."""
    from diagnosis.i18n import tr
    from diagnosis.kpi.reliability import CostRates, reliability
    from diagnosis.kpi.text import reliability_text
    from diagnosis.store import open_store

    lang = _lang(ctx, lang, fmt)
    for option, value in (("--recurrence-days", recurrence_days), ("--top", top)):
        if value <= 0:
            raise UsageError(tr("kpi.reliability.bad_number", lang, option=option, value=value))
    for option, value in (("--labour-rate", labour_rate), ("--downtime-rate", downtime_rate)):
        if value < 0:
            raise UsageError(tr("kpi.reliability.bad_number", lang, option=option, value=value))
    start = _date("--since", since, lang)
    stop = _date("--until", until, lang, end=True)
    knowledge = _knowledge(ctx, kb, fault_trees)
    with open_store(db or _root_obj(ctx).get("db"), kb=knowledge) as store:
        interventions = store.interventions(since=start, equipment=equipment)
    doc = reliability(
        interventions,
        knowledge,
        since=start,
        until=stop,
        equipment=equipment,
        recurrence_days=recurrence_days,
        rates=CostRates(labour_rate, downtime_rate),
    )
    if fmt == "json":
        _dump(doc)
    else:
        sys.stdout.write(reliability_text(doc, lang, top))


@kpi_app.command("report")
def report_cmd(
    ctx: typer.Context,
    to: str = typer.Option("html", "--to", metavar="html|json", help="html (default) or json."),
    output: str = typer.Option(None, "-o", "--output", metavar="FILE", help="Write to FILE."),
    production: str = typer.Option(
        None, "--production", metavar="FILE", help="Production log (OEE section)."
    ),
    readings: str = typer.Option(
        None, "--readings", metavar="FILE", help="Readings (drift-watch section)."
    ),
    failures: str = typer.Option(
        None, "--failures", metavar="FILE", help="Failure times (Weibull section)."
    ),
    equipment: str = _EQUIPMENT,
    since: str = typer.Option(None, "--since", metavar="DATE", help="From DATE."),
    db: str = typer.Option(
        None, "--db", metavar="URL", help="Store (reliability and Pareto section)."
    ),
    kb: str = _KB,
    fault_trees: str = _FT,
    lang: str = _LANG,
) -> None:
    """The indicators report: OEE, reliability, Pareto, drifts, Weibull, with inline SVG charts."""
    from pathlib import Path

    from diagnosis.i18n import tr
    from diagnosis.kpi.report import indicators_html

    lang = _lang(ctx, lang)
    if to not in ("html", "json"):
        raise UsageError(tr("kpi.report.bad_to", lang, value=to))
    store_url: str | None = db or _root_obj(ctx).get("db")
    if not any((production, readings, failures, store_url)):
        raise UsageError(tr("kpi.report.nothing", lang))
    start = _date("--since", since, lang)
    knowledge = _knowledge(ctx, kb, fault_trees)
    doc: dict[str, Any] = {}
    points: dict[tuple[str, str], list[tuple[datetime, float]]] = {}
    if production:
        from diagnosis.kpi.oee import compute_oee, read_production

        rows = read_production(production)
        doc["oee"] = [r.to_dict() for r in compute_oee(rows, equipment=equipment, since=start)]
    if readings:
        from diagnosis.kpi.drift import flagged, read_readings, watch

        values = [
            r
            for r in read_readings(readings, knowledge)
            if equipment in (None, r.equipment) and (start is None or r.at >= start)
        ]
        doc["monitor"] = watch(values, knowledge)
        for series in doc["monitor"]:
            series["flagged"] = flagged(series)
        for r in sorted(values, key=lambda r: (r.at, r.line)):
            points.setdefault((r.equipment, r.measurement), []).append((r.at, r.value))
    if failures:
        from diagnosis.kpi.weibull import read_failures, weibull_groups

        times = [r for r in read_failures(failures) if equipment in (None, r.equipment)]
        doc["weibull"] = weibull_groups(times)
    if store_url:
        from diagnosis.kpi.reliability import reliability
        from diagnosis.store import open_store

        with open_store(store_url, kb=knowledge) as store:
            interventions = store.interventions(since=start, equipment=equipment)
        doc["reliability"] = reliability(
            interventions, knowledge, since=start, equipment=equipment
        )
    if to == "json":
        text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    else:
        text = indicators_html(
            lang=lang,
            oee=doc.get("oee"),
            reliability=doc.get("reliability"),
            monitor=doc.get("monitor"),
            monitor_points=points,
            weibull=doc.get("weibull"),
        )
    if output is None:
        sys.stdout.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            tr("kpi.cli.cannot_write", lang, path=output, reason=exc.strerror)
        ) from None
    print(tr("kpi.cli.written", lang, path=output), file=sys.stderr)


def monitor_cmd(
    ctx: typer.Context,
    readings: str = typer.Argument(..., metavar="READINGS.csv", help="Readings to watch."),
    equipment: str = _EQUIPMENT,
    start_diagnosis: bool = typer.Option(
        False,
        "--start-diagnosis",
        help="For each flagged series, write an answers file with the reading and print the "
        "'diagnosis run' command that opens the diagnosis.",
    ),
    answers_dir: str = typer.Option(
        ".", "--answers-dir", metavar="DIR", help="Where --start-diagnosis writes answers files."
    ),
    confidence: float = typer.Option(
        0.95, "--confidence", metavar="P", help="Level of the trend and date intervals."
    ),
    window: float = typer.Option(
        60.0, "--window", metavar="DAYS", help="Trend on the last DAYS of each series."
    ),
    horizon: float = typer.Option(
        180.0, "--horizon", metavar="DAYS", help="Flag a drift crossing a threshold within DAYS."
    ),
    tui: bool = typer.Option(
        False, "--tui", help="With --start-diagnosis: open the first flagged drift in the TUI."
    ),
    kb: str = _KB,
    fault_trees: str = _FT,
    fmt: str = _FORMAT,
    lang: str = _LANG,
) -> None:
    """Watch readings: state against the KB thresholds, robust trend, crossing dates, risk.

    Exit code 1 when a series is flagged (out of its normal band, or drifting towards a
    threshold), 0 when all is normal.
    """
    import shlex
    from pathlib import Path

    import yaml

    from diagnosis.i18n import tr
    from diagnosis.kpi.drift import diagnosis_start, flagged, read_readings, watch
    from diagnosis.kpi.text import monitor_text

    lang = _lang(ctx, lang, fmt)
    if not 0.5 <= confidence < 1.0:
        raise UsageError(tr("kpi.weibull.bad_confidence", lang, value=confidence))
    knowledge = _knowledge(ctx, kb, fault_trees)
    rows = [r for r in read_readings(readings, knowledge) if equipment in (None, r.equipment)]
    if window <= 0 or horizon <= 0:
        raise UsageError(tr("kpi.monitor.bad_days", lang))
    series = watch(rows, knowledge, confidence, window)
    for doc in series:
        doc["flagged"] = flagged(doc, horizon)
        if not (start_diagnosis and doc["flagged"]):
            continue
        symptom, answers = diagnosis_start(knowledge, doc)
        doc["start_symptom"] = symptom
        if symptom is None:
            doc["start_command"] = None
            continue
        folder = Path(answers_dir)
        path = folder / f"drift-{doc['equipment']}-{doc['measurement']}.yaml"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml.safe_dump(answers, allow_unicode=True), encoding="utf-8")
        except OSError as exc:
            raise UsageError(
                tr("kpi.cli.cannot_write", lang, path=path, reason=exc.strerror)
            ) from None
        args = ["diagnosis", "run", "--equipment", doc["equipment"], "--symptom", symptom,
                "--answers", str(path)]
        if kb:
            args += ["--kb", kb]
        if fault_trees:
            args += ["--fault-trees", fault_trees]
        doc["start_answers"] = str(path)
        doc["start_command"] = shlex.join(args)
    if fmt == "json":
        _dump({"series": series})
    else:
        sys.stdout.write(monitor_text(series, lang))
    if tui and start_diagnosis:
        first = next((d for d in series if d.get("start_command")), None)
        if first is not None:
            from diagnosis.cli.tui import launch_prefilled

            _, answers = diagnosis_start(knowledge, first)
            launch_prefilled(
                equipment=first["equipment"],
                symptoms=[first["start_symptom"]],
                answers=answers,
                lang=lang,
                kb=kb or _root_obj(ctx).get("kb"),
                db=_root_obj(ctx).get("db"),
            )
    if any(doc["flagged"] for doc in series):
        raise typer.Exit(1)


def demo_cmd(
    ctx: typer.Context,
    year: bool = typer.Option(False, "--year", help="A whole year (365 days; the default)."),
    days: int = typer.Option(365, "--days", metavar="N", help="Number of days to generate."),
    out: str = typer.Option("demo", "--out", "-o", metavar="DIR", help="Folder for the files."),
    db: str = typer.Option(
        None, "--db", metavar="URL", help="Store to fill (default: DIR/demo.db, never yours)."
    ),
    seed: int = typer.Option(1, "--seed", metavar="N", help="Random seed (same seed, same data)."),
    start: str = typer.Option("2025-01-01", "--start", metavar="DATE", help="First day."),
    kb: str = _KB,
    fault_trees: str = _FT,
    fmt: str = _FORMAT,
    lang: str = _LANG,
) -> None:
    """Write a realistic year of production logs, readings and interventions (demo data)."""
    from diagnosis.i18n import tr
    from diagnosis.kpi.demo import generate

    lang = _lang(ctx, lang, fmt)
    if year:
        days = 365
    if days < 1:
        raise UsageError(tr("kpi.demo.bad_days", lang, value=days))
    first = _date("--start", start, lang)
    assert first is not None
    knowledge = _knowledge(ctx, kb, fault_trees)
    summary = generate(knowledge, out, db=db, seed=seed, start=first.date(), days=days)
    if fmt == "json":
        _dump(summary.to_dict())
        return
    from diagnosis.i18n import format_datetime

    shown = summary.to_dict()
    shown["start"] = format_datetime(first, lang).split(" ")[0]
    print(tr("kpi.demo.done", lang, **shown))
    for eq, n in summary.per_equipment.items():
        print(tr("kpi.demo.equipment", lang, equipment=eq, n=n))
    print(tr("kpi.demo.try", lang, folder=summary.folder, db=summary.db))


def learn_cmd(
    ctx: typer.Context,
    output: str = typer.Option(None, "-o", "--output", metavar="FILE", help="Patch to write."),
    apply: str = typer.Option(
        None, "--apply", metavar="FILE", help="Apply a reviewed patch to the KB files."
    ),
    equipment: str = _EQUIPMENT,
    since: str = typer.Option(None, "--since", metavar="DATE", help="Sessions from DATE."),
    strength: float = typer.Option(
        20.0, "--strength", metavar="S", help="Weight of the KB values, in pseudo-cases."
    ),
    db: str = _DB,
    kb: str = _KB,
    fault_trees: str = _FT,
    fmt: str = _FORMAT,
    lang: str = _LANG,
) -> None:
    """Propose cause priors and effect probabilities learnt from confirmed diagnoses."""
    from diagnosis.i18n import tr
    from diagnosis.kpi.learn import apply_patch, learn, session_facts, write_patch
    from diagnosis.store import open_store

    lang = _lang(ctx, lang, fmt)
    kb_dir: str | None = kb or _root_obj(ctx).get("kb")
    if apply is not None:
        counts = apply_patch(apply, kb_dir, fault_trees)
        if fmt == "json":
            _dump(counts)
        else:
            print(tr("kpi.learn.applied", lang, **counts))
        return
    if output is None:
        raise UsageError(tr("kpi.learn.need_output", lang))
    if strength <= 0:
        raise UsageError(tr("kpi.learn.bad_strength", lang, value=strength))
    start = _date("--since", since, lang)
    knowledge = _knowledge(ctx, kb, fault_trees)
    with open_store(db or _root_obj(ctx).get("db"), kb=knowledge) as store:
        facts = session_facts(store, equipment=equipment, since=start)
    patch = learn(knowledge, facts, strength=strength, equipment=equipment)
    write_patch(patch, output, lang)
    counts = {
        "confirmed": patch["confirmed"],
        "priors": sum(len(e["priors"]) for e in patch["equipment"].values()),
        "effects": sum(len(e["effects"]) for e in patch["equipment"].values()),
        "candidates": len(patch["candidates"]),
        "path": output,
    }
    if fmt == "json":
        _dump(counts)
    else:
        print(tr("kpi.learn.summary", lang, **counts))


def register(app: typer.Typer) -> None:
    app.add_typer(kpi_app, name="kpi")
    app.command("monitor")(monitor_cmd)
    app.command("demo")(demo_cmd)
    from diagnosis.cli.kb import kb_app  # `kb learn` joins the existing `kb` group

    kb_app.command("learn")(learn_cmd)
