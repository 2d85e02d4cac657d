"""The Markdown report: readable as plain text, pasteable into a CMMS or a wiki.

Diagrams are text here (the chart is a table, the fishbone a list, the
fault-tree path an arrow chain). Every KB or user text is escaped so that
it cannot inject HTML or break a table when the Markdown is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from diagnosis.kb.model import CATEGORIES_5M
from diagnosis.report.data import ReportData
from diagnosis.report.fmt import Fmt, utc_offset
from diagnosis.report.handover_text import handover_text

__all__ = ["render_markdown"]


def esc(text: object) -> str:
    """Escape a text for Markdown: HTML specials, table pipes, line breaks, emphasis."""
    s = "" if text is None else str(text)
    # Backslash escapes, not HTML entities: the Markdown stays readable as plain text
    # ("< 1 MΩ", "R&D"), and no tag or entity can be formed (issue 10).
    for ch in ("\\", "`", "*", "_", "[", "]", "|", "<"):
        s = s.replace(ch, "\\" + ch)
    s = re.sub(r"&(?=#?[A-Za-z0-9]+;)", r"\\&", s)  # only what would read as an entity
    return " ".join(s.split())


def _audit_text(r: ReportData, f: Fmt) -> str:
    a = r.audit
    if a is None:
        return ""
    if a.ok and a.head:
        return f.t("audit.ok_head", n=a.events, head=a.head)
    if a.ok:
        return f.t("audit.ok", n=a.events)
    return f.t("audit.bad", seq=a.first_bad_seq)


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _header(f: Fmt, prefix: str, cols: list[str]) -> str:
    """The header row of a table whose column titles are the texts ``prefix + col``."""
    return _row([esc(f.t(prefix + c)) for c in cols])


def _section(add: Callable[[str], None], f: Fmt, key: str) -> None:
    """A section's heading (the text ``key``) and the blank line after it."""
    add(f"## {esc(f.t(key))}")
    add("")


def render_markdown(r: ReportData) -> str:
    """The whole report as Markdown text."""
    f = Fmt(r.lang)
    k = f.colon
    out: list[str] = []
    add = out.append
    add(f"# {esc(f.t('title'))}{k}{esc(r.equipment_name)}")
    add("")
    summary = [
        (f.t("field.session"), r.session_id),
        (f.t("field.work_order"), r.work_order or ""),
        (f.t("field.equipment"), f"{r.equipment_name} ({r.equipment})"),
        (f.t("field.tag"), r.equipment_tag or ""),
        (f.t("field.location"), r.equipment_location or ""),
        (f.t("field.technician"), r.technician),
        (f.t("field.habilitations"), ", ".join(r.habilitations)),
        (f.t("field.started"), f.dt(r.started_at)),
        (f.t("field.ended"), f.dt(r.ended_at)),
        (f.t("field.duration"), f.minutes(r.duration_min)),
        (
            f.t("field.status"),
            f.status(r.status) + (f.t("validation.pending_status") if r.validation_pending else ""),
        ),
    ]
    add(_row([esc(f.t("field.field")), esc(f.t("field.value"))]))
    add("|---|---|")
    for label, value in summary:
        if value:
            add(_row([esc(label), esc(value)]))
    add("")
    add(f"*{esc(f.tz_note(r.started_at))}*")
    add("")
    for warning in r.warnings:
        add(f"> **{esc(f.t('warning'))}**{k}{esc(warning)}")
        add("")

    _section(add, f, "section.problem")
    for key in ("what", "where", "when", "how", "who", "why", "how_much"):
        value = getattr(r.problem, key)
        if value:
            add(f"- **{esc(f.t('qqoqcp.' + key))}**{k}{esc(value)}")
    if r.problem.symptoms:
        names = ", ".join(esc(n.name) for n in r.problem.symptoms)
        add(f"- **{esc(f.t('qqoqcp.symptoms'))}**{k}{names}")
    if r.problem.absent_symptoms:
        names = ", ".join(esc(n.name) for n in r.problem.absent_symptoms)
        add(f"- **{esc(f.t('qqoqcp.absent_symptoms'))}**{k}{names}")
    add("")

    _section(add, f, "section.safety")
    if not r.alerts:
        add(esc(f.t("alerts.none")))
    for a in r.alerts:
        ack = (
            f.t("alerts.acknowledged_by", by=a.acknowledged_by or "", at=f.dt(a.acknowledged_at))
            if a.acknowledged_at
            else f.t("alerts.not_acknowledged")
        )
        if a.previously_acknowledged is not None:
            ack = f.t("alerts.raised_again", at=f.dt(a.previously_acknowledged)) + " " + ack
        add(
            f"- **{esc(a.name)}** ({esc(f.kind(a.kind))}), {esc(f.dt(a.raised_at))}{k}"
            f"{esc(a.reason_text or a.reason or a.trigger)}. {esc(ack)}"
        )
        for i, step in enumerate(a.steps, start=1):
            mark = "x" if i <= a.steps_acknowledged else " "
            add(f"    - [{mark}] {esc(step)}")
    if r.remedy is not None:
        add(f"- {esc(f.t('remedy.lockout_done'))}{k}{esc(f.yes_no(r.remedy.lockout_done))}")
    add("")

    _section(add, f, "section.readings")
    if not r.readings:
        add(esc(f.t("readings.none")))
    else:
        cols = [
            "time",
            "measurement",
            "value",
            "state",
            "nominal",
            "thresholds",
            "instrument",
            "by",
        ]
        add(_header(f, "readings.", cols))
        add("|" + "---|" * len(cols))
        for line in r.readings:
            name = esc(line.name)
            if line.undone:
                name = f"~~{name}~~ ({esc(f.t('readings.undone'))})"
            state = esc(f.state(line.state, line.label))
            if line.critical:
                state = f"**{state} ({esc(f.t('state.critical'))})**"
            add(
                _row(
                    [
                        esc(f.time(line.at, r.started_at)),
                        name,
                        esc(f.value(line)),
                        state,
                        esc(f.nominal(line)),
                        esc(f.thresholds(line)),
                        esc(line.instrument),
                        esc(f.by(line)),
                    ]
                )
            )
    add("")

    _section(add, f, "section.hypotheses")
    if r.ranking and r.chart_causes:
        head = [esc(f.t("chart.cause"))] + [str(p.step) for p in r.ranking]
        add(_row(head))
        add("|---|" + "---:|" * len(r.ranking))
        for named in r.chart_causes:
            cells = [esc(named.name)]
            for p in r.ranking:
                cells.append(esc(f.pct(p.of(named.id))))
            add(_row(cells))
        add("")
        add(f"*{esc(f.t('chart.legend_steps'))}*")
    else:
        add(esc(f.t("chart.none")))
    if r.excluded:
        add("")
        add(f"**{esc(f.t('section.excluded'))}**")
        add("")
        for x in r.excluded:
            add(f"- {esc(x.name)}{k}{esc(x.reason)}")
    if r.tree_observations:
        add("")
        add(f"**{esc(f.t('section.tree_observations'))}**")
        add("")
        for o in r.tree_observations:
            state = f.t("tree_state.true" if o.state else "tree_state.false")
            add(f"- {esc(o.tree_name)} / {esc(o.node_name)}{k}{esc(state)}")
    add("")

    if r.handovers:  # the session stopped for a colleague (issue 10)
        _section(add, f, "section.handover")
        for stop in r.handovers:
            add(f"- {esc(f.time(stop.at, r.started_at))}{k}{esc(handover_text(stop, f))}")
        if r.status == "open" and r.conclusion is None:
            add("")
            add(esc(f.t("handover.open")))
        add("")

    _section(add, f, "section.conclusion")
    c = r.conclusion
    if c is None or c.root_cause is None:
        add(esc(f.t("conclusion.none")))
    else:
        confirmed = f.t("conclusion.confirmed" if c.confirmed else "conclusion.not_confirmed")
        add(f"**{esc(c.name)}**{k}{esc(f.pct(c.probability))}, {esc(confirmed)}")
        if c.description:
            add("")
            add(esc(c.description))
        codes: list[tuple[str, str | None]] = [
            (f.t("conclusion.failure_mode"), c.failure_mode),
            (f.t("conclusion.mechanism"), c.mechanism),
            (f.t("conclusion.cause_class"), c.cause_class),
            (f.t("conclusion.category_5m"), f.category(r.category_5m)),
        ]
        add("")
        for label, code in codes:
            if code:
                add(f"- {esc(label)}{k}{esc(code)}")
        evidence = [
            line for line in r.readings if line.measurement in c.evidence and not line.undone
        ]
        if evidence:
            add(
                f"- {esc(f.t('conclusion.evidence'))}{k}"
                + "; ".join(
                    f"{esc(e.name)} = {esc(f.value(e))} ({esc(f.state(e.state, e.label))})" for e in evidence
                )
            )
        if c.ruled_out:
            add(
                f"- {esc(f.t('conclusion.ruled_out'))}{k}"
                + ", ".join(esc(n.name) for n in c.ruled_out)
            )
        if r.history is not None and r.history.flag:
            add("")
            add(f"> **{esc(r.history.flag)}**")
    add("")

    _section(add, f, "section.why")
    if not r.why:
        add(esc(f.t("why.none")))
    for i, w in enumerate(r.why, start=1):
        ev = f" ({esc(f.t('why.evidence'))}{k}{esc(w.evidence_text)})" if w.evidence_text else ""
        add(f"{i}. {esc(w.text)}{ev}")
    add("")

    _section(add, f, "section.fishbone")
    for family in CATEGORIES_5M:
        items = [h for h in r.hypotheses if h.category_5m == family]
        if not items:
            continue
        add(f"- **{esc(f.category(family))}**")
        for h in items:
            text = esc(h.name)
            if h.root:
                text = f"**{text}** ({esc(f.t('fishbone.root'))})"
            elif h.excluded is not None:
                text = f"~~{text}~~ ({esc(f.t('fishbone.excluded'))})"
            elif h.probability is not None:
                text += f" ({esc(f.pct(h.probability))})"
            add(f"    - {text}")
    add("")

    _section(add, f, "section.fmea")
    if not r.fmea:
        add(esc(f.t("fmea.none")))
    else:
        cols = ["line", "failure_mode", "effect", "s", "o", "d", "rpn", "ap", "criticality"]
        add(_header(f, "fmea.", cols))
        add("|---|---|---|---:|---:|---:|---:|---|---:|")
        for m in r.fmea:
            crit = "" if m.criticality is None else str(m.criticality)
            if m.act:
                crit += " (" + esc(f.t("fmea.act")) + ")"
            add(
                _row(
                    [
                        esc(m.line),
                        esc(m.failure_mode),
                        esc(m.effect),
                        str(m.severity),
                        str(m.occurrence),
                        str(m.detection),
                        str(m.rpn),
                        esc(m.ap or ""),
                        crit,
                    ]
                )
            )
            if m.actions:
                add("")
                add(f"*{esc(f.t('fmea.actions'))}*{k}" + "; ".join(esc(a) for a in m.actions))
        if any(m.ap is None for m in r.fmea):
            add("")
            add(f"*{esc(f.t('fmea.ap_absent'))}*")
    add("")

    if r.fault_tree is not None:
        _section(add, f, "section.fault_tree")
        add(f"{esc(r.fault_tree.name)}{k}" + " → ".join(esc(n.name) for n in r.fault_tree.path))
        add("")

    _section(add, f, "section.remedy")
    rem = r.remedy
    if rem is None:
        add(esc(f.t("remedy.none")))
    else:
        add(f"- {esc(f.t('remedy.action'))}{k}{esc(rem.text)}")
        if rem.activity:
            add(f"- {esc(f.t('remedy.activity'))}{k}{esc(f.activity(rem.activity))}")
        add(f"- {esc(f.t('remedy.labour'))}{k}{esc(f.minutes(rem.labour_min))}")
        add(f"- {esc(f.t('remedy.downtime'))}{k}{esc(f.minutes(rem.downtime_min))}")
        if rem.expected_repair_min is not None:
            add(f"- {esc(f.t('remedy.expected'))}{k}{esc(f.minutes(rem.expected_repair_min))}")
        if rem.parts:
            add("")
            add(_row([esc(f.t("remedy.ref")), esc(f.t("remedy.part")), esc(f.t("remedy.qty"))]))
            add("|---|---|---:|")
            for part in rem.parts:
                add(_row([esc(part.ref), esc(part.name), esc(f.num(part.qty))]))
    add("")

    _section(add, f, "section.validation")
    v = r.validation
    if v is None:
        add(esc(f.t("validation.pending" if r.validation_pending else "validation.none")))
    else:
        verdict = f.t("validation.passed" if v.passed else "validation.failed")
        add(f"- {esc(v.test)}{k}**{esc(verdict)}** {esc(v.result)} ({esc(f.dt(v.at))})")
        if v.expected and v.expected != v.test:
            add(f"- {esc(f.t('validation.expected'))}{k}{esc(v.expected)}")
    add("")

    if r.history is not None:
        _history(r, f, add)

    if r.notes:
        _section(add, f, "section.notes")
        for note in r.notes:
            add(f"- {esc(note)}")
        add("")

    _section(add, f, "section.signatures")
    add(
        _row(
            [
                esc(f.t("signatures.role")),
                esc(f.t("signatures.name")),
                esc(f.t("signatures.date")),
                esc(f.t("signatures.signature")),
            ]
        )
    )
    add("|---|---|---|---|")
    add(_row([esc(f.t("signatures.technician")), esc(r.technician), "", ""]))
    add(_row([esc(f.t("signatures.supervisor")), "", "", ""]))
    add("")
    if r.audit is not None:
        add(f"*{esc(_audit_text(r, f))}*")
        add("")
    add(f"*{esc(f.t('generated', at=f.dt(r.generated_at), offset=utc_offset(r.generated_at)))}*")
    return "\n".join(out) + "\n"


def _history(r: ReportData, f: Fmt, add: Callable[[str], None]) -> None:
    """The equipment's earlier interventions and recurrences (``r.history``)."""
    h = r.history
    assert h is not None
    _section(add, f, "history.section")
    if not h.recent:
        add(esc(f.t("history.none")))
        add("")
        return
    cols = ["date", "cause", "remedy", "downtime", "validated"]

    def table(title: str, lines: tuple[Any, ...]) -> None:
        add(f"**{esc(title)}**")
        add("")
        add(_header(f, "history.col.", cols))
        add("|---|---|---|---:|---|")
        for p in lines:
            remedy = p.remedy + (f" ({', '.join(p.parts)})" if p.parts else "")
            add(
                _row(
                    [
                        esc(f.dt(p.at)),
                        esc(p.name),
                        esc(remedy),
                        esc(f.minutes(p.downtime_min)),
                        esc(f.yes_no(p.validation_passed)),
                    ]
                )
            )
        add("")

    table(f.t("history.recent"), h.recent)
    if h.cause:
        if h.same_cause:
            table(f.t("history.same_cause"), h.same_cause)
        else:
            add(esc(f.t("history.never")))
            add("")
    if h.recurrent:
        add(
            f"**{esc(f.t('history.recurrent', days=f.num(h.window_days)))}**{f.colon}"
            + ", ".join(f"{esc(name)} ({n})" for _, name, n in h.recurrent)
        )
        add("")
