"""Trainer views: one session's debrief (Markdown, HTML) and class results (HTML, CSV, JSON)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import Any

from diagnosis.errors import UsageError
from diagnosis.i18n import format_number, tr
from diagnosis.kb.model import KnowledgeBase
from diagnosis.training.model import Exercise, find_exercise
from diagnosis.training.run import NOTE, parse_marker
from diagnosis.training.scoring import COMPETENCES, Assessment, assess

__all__ = [
    "assess_session",
    "class_results",
    "debrief_html",
    "debrief_md",
    "results_csv",
    "results_html",
]


def exercise_of(events: Sequence[Any]) -> dict[str, str] | None:
    """The exercise marker of a session's log, or None for an ordinary session."""
    for event in events:
        if event.type == "note_added" and str(event.rule).startswith(NOTE + "exercise:"):
            return parse_marker(str(event.rule))
    return None


def assess_session(
    kb: KnowledgeBase,
    events: Sequence[Any],
    *,
    folder: str | Path | None = None,
    lang: str = "en",
    session: str = "",
) -> Assessment:
    """Score a stored exercise session.

    Raises:
        UsageError: the session is not an exercise, or its exercise is not found.
    """
    marker = exercise_of(events)
    if marker is None:
        raise UsageError(code="training.cli.not_exercise", session=session)
    try:
        exercise: Exercise = find_exercise(marker["exercise"], kb, folder, lang)
    except UsageError:
        raise UsageError(
            code="training.cli.exercise_missing", id=marker["exercise"], session=session
        ) from None
    return assess(kb, exercise, events, lang=lang)


def _step_rows(a: Assessment, lang: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    length = max(len(a.path), len(a.engine))
    for i in range(length):
        t = a.path[i] if i < len(a.path) else None
        e = a.engine[i] if i < len(a.engine) else None
        rows.append(
            (
                str(i + 1),
                t.measurement if t else "",
                f"{_value(t.value, lang)} {t.unit or ''}".strip() + (f" ({t.state})" if t and t.state else "")
                if t
                else "",
                tr(f"training.debrief.verdict_{t.verdict}", lang) if t else "",
                t.critique if t else "",
                e.measurement if e else "",
                format_number(e.gain, lang, 3) if e else "",
            )
        )
    return rows


def _value(value: Any, lang: str) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else str(value).lower()
    if isinstance(value, float):
        return format_number(value, lang)
    return str(value)


def _header(lang: str) -> tuple[str, ...]:
    return (
        tr("training.debrief.step", lang),
        tr("training.debrief.trainee_path", lang),
        tr("training.debrief.reading", lang),
        tr("training.debrief.verdict", lang),
        tr("training.debrief.critique", lang),
        tr("training.debrief.engine_path", lang),
        tr("training.debrief.gain", lang),
    )


def _conclusion(a: Assessment, lang: str) -> str:
    return tr(
        "training.debrief.conclusion",
        lang,
        cause=a.root_cause or "-",
        verdict=tr("training.cli.correct" if a.root_cause_correct else "training.cli.wrong", lang),
        engine=a.engine_root_cause or "-",
    )


def _refused_lines(a: Assessment, lang: str) -> list[str]:
    """One line per measurement refused for want of a habilitation (not in the path)."""
    return [
        tr(
            "training.debrief.refused_line",
            lang,
            step=r["step"],
            measurement=r["measurement"],
            habilitation=r["habilitation"] or "-",
        )
        for r in a.refused
    ]


def debrief_md(a: Assessment, lang: str = "en") -> str:
    """The trainee's path beside the engine's, the critique of each step, the deductions."""
    out = [f"# {tr('training.debrief.title', lang, exercise=a.exercise.id, trainee=a.trainee)}", ""]
    out.append(
        tr("training.cli.result_score", lang, total=a.total, max=a.maximum, verdict=tr(
            "training.cli.correct" if a.root_cause_correct else "training.cli.wrong", lang
        ))
    )
    out.append("")
    out.append(tr("training.cli.result_minutes", lang, minutes=f"{a.minutes:g}", engine=f"{a.engine_minutes:g}"))
    out.append("")
    header = _header(lang)
    out.append("| " + " | ".join(header) + " |")
    out.append("|" + "---|" * len(header))
    for row in _step_rows(a, lang):
        out.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    if a.refused:
        out += ["", tr("training.debrief.refused", lang) + ":", ""]
        out += [f"- {line}" for line in _refused_lines(a, lang)]
    out += ["", _conclusion(a, lang), "", f"## {tr('training.debrief.score', lang)}", ""]
    out.append(f"| {tr('training.debrief.competence', lang)} | {tr('training.debrief.score', lang)} | |")
    out.append("|---|---|---|")
    for comp in a.competence_scores().values():
        out.append(f"| {comp['name']} | {comp['score']}/{comp['max']} | {'; '.join(comp['reasons'])} |")
    out += ["", f"## {tr('training.debrief.deductions', lang)}", ""]
    if not a.deductions:
        out.append(tr("training.debrief.none", lang))
    for d in a.deductions:
        out.append(f"- -{d.points} `{d.code}` ({tr('training.debrief.step', lang)} {d.step}): {d.reason}")
    out += ["", tr("training.cli.result_session", lang, session=a.session), ""]
    return "\n".join(out)


_CSS = (
    "body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#eee}.redundant,.repeat{color:#a40}.best{color:#070}"
)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], classes: Sequence[str] = ()) -> str:
    head = "".join(f"<th>{escape(str(h))}</th>" for h in header)
    body = []
    for i, row in enumerate(rows):
        cls = f' class="{escape(classes[i])}"' if i < len(classes) and classes[i] else ""
        body.append(f"<tr{cls}>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _page(title: str, body: str, lang: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body>"
        f"<h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def debrief_html(a: Assessment, lang: str = "en") -> str:
    verdict = tr("training.cli.correct" if a.root_cause_correct else "training.cli.wrong", lang)
    body = [
        f"<p><strong>{escape(tr('training.cli.result_score', lang, total=a.total, max=a.maximum, verdict=verdict))}</strong></p>",
        f"<p>{escape(tr('training.cli.result_minutes', lang, minutes=f'{a.minutes:g}', engine=f'{a.engine_minutes:g}'))}</p>",
        _table(_header(lang), _step_rows(a, lang), [s.verdict for s in a.path]),
        (
            f"<p>{escape(tr('training.debrief.refused', lang))}:</p><ul>"
            + "".join(f"<li>{escape(line)}</li>" for line in _refused_lines(a, lang))
            + "</ul>"
        )
        if a.refused
        else "",
        f"<p>{escape(_conclusion(a, lang))}</p>",
        f"<h2>{escape(tr('training.debrief.score', lang))}</h2>",
        _table(
            (tr("training.debrief.competence", lang), tr("training.debrief.score", lang), ""),
            [
                (c["name"], f"{c['score']}/{c['max']}", "; ".join(c["reasons"]))
                for c in a.competence_scores().values()
            ],
        ),
        f"<h2>{escape(tr('training.debrief.deductions', lang))}</h2>",
        _table(
            ("code", "points", tr("training.debrief.step", lang), ""),
            [(d.code, f"-{d.points}", d.step, d.reason) for d in a.deductions],
        )
        if a.deductions
        else f"<p>{escape(tr('training.debrief.none', lang))}</p>",
        f"<p>{escape(tr('training.cli.result_session', lang, session=a.session))}</p>",
    ]
    return _page(tr("training.debrief.title", lang, exercise=a.exercise.id, trainee=a.trainee), "".join(body), lang)


def class_results(rows: Sequence[tuple[Assessment, str]]) -> dict[str, Any]:
    """One row per trainee and exercise, class averages per competence, most missed steps.

    A trainee who played an exercise several times has one row: the latest
    attempt, with ``attempts`` and ``best`` (the best total).

    Args:
        rows: (assessment, started-at ISO date) per exercise session, oldest first.
    """
    out_rows = []
    sums: dict[str, list[float]] = {c: [] for c in COMPETENCES}
    missed: Counter[tuple[str, str]] = Counter()
    codes: Counter[str] = Counter()
    attempts: dict[tuple[str, str], list[int]] = {}
    latest: dict[tuple[str, str], tuple[Assessment, str]] = {}
    for a, when in rows:
        key = (a.trainee, a.exercise.id)
        attempts.setdefault(key, []).append(a.total)
        latest[key] = (a, when)
    for (trainee, exercise), (a, when) in latest.items():
        comps = a.competence_scores()
        out_rows.append(
            {
                "trainee": a.trainee,
                "group": a.group,
                "exercise": a.exercise.id,
                "date": when,
                "mode": a.mode,
                "score": a.total,
                "max": a.maximum,
                "attempts": len(attempts[(trainee, exercise)]),
                "best": max(attempts[(trainee, exercise)]),
                "root_cause_correct": a.root_cause_correct,
                "minutes": a.minutes,
                "engine_minutes": a.engine_minutes,
                "deductions": [d.code for d in a.deductions],
                "competences": {k: {"score": v["score"], "max": v["max"]} for k, v in comps.items()},
                "session": a.session,
            }
        )
        for comp, value in comps.items():
            sums[comp].append(value["score"] / value["max"] if value["max"] else 0.0)
        taken = {s.measurement for s in a.path}
        for step in a.engine:
            if step.measurement not in taken:
                missed[(a.exercise.id, step.measurement)] += 1
        codes.update(d.code for d in a.deductions)
    averages = {k: round(sum(v) / len(v), 4) for k, v in sums.items() if v}
    return {
        "rows": out_rows,
        "averages": averages,
        "missed_steps": [
            {"exercise": ex, "measurement": mid, "count": n}
            for (ex, mid), n in sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))[:10]
        ],
        "deduction_counts": dict(sorted(codes.items(), key=lambda kv: (-kv[1], kv[0]))),
    }


def _date(iso: str, lang: str) -> str:
    from datetime import datetime

    from diagnosis.i18n import format_datetime

    try:
        return format_datetime(datetime.fromisoformat(iso), lang)
    except ValueError:
        return iso


def results_csv(data: dict[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    comps = list(COMPETENCES)
    writer.writerow(
        ["trainee", "group", "exercise", "date", "mode", "score", "max", "attempts", "best",
         "root_cause_correct",
         "minutes", "engine_minutes", *comps, "deductions", "session"]
    )
    for r in data["rows"]:
        writer.writerow(
            [r["trainee"], r["group"], r["exercise"], r["date"], r["mode"], r["score"], r["max"],
             r["attempts"], r["best"], r["root_cause_correct"], r["minutes"], r["engine_minutes"],
             *(f"{r['competences'][c]['score']}/{r['competences'][c]['max']}" if c in r["competences"] else "" for c in comps),
             " ".join(r["deductions"]), r["session"]]
        )
    return buf.getvalue()


def results_html(data: dict[str, Any], lang: str = "en") -> str:
    rows = [
        (r["trainee"], r["group"], r["exercise"], _date(r["date"], lang),
         f"{r['score']}/{r['max']}",
         tr("training.cli.correct" if r["root_cause_correct"] else "training.cli.wrong", lang),
         f"{r['minutes']:g} / {r['engine_minutes']:g}", " ".join(r["deductions"]))
        for r in data["rows"]
    ]
    body = [
        _table(
            (tr("training.results.trainee", lang), tr("training.results.group", lang),
             tr("training.results.exercise", lang), tr("training.results.date", lang),
             tr("training.results.score", lang), tr("training.results.correct", lang),
             tr("training.results.minutes", lang), tr("training.debrief.deductions", lang)),
            rows,
        ),
        f"<h2>{escape(tr('training.results.averages', lang))}</h2>",
        _table(
            (tr("training.debrief.competence", lang), "%"),
            [(tr(f"training.competence.{k}", lang), f"{v * 100:.0f}") for k, v in data["averages"].items()],
        ),
        f"<h2>{escape(tr('training.results.missed', lang))}</h2>",
        _table(
            (tr("training.results.exercise", lang), tr("training.debrief.measurement", lang), tr("training.results.count", lang)),
            [(m["exercise"], m["measurement"], m["count"]) for m in data["missed_steps"]],
        ),
    ]
    return _page(tr("training.results.title", lang), "".join(body), lang)


def results_json(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False)
