"""``diagnosis run``: a whole guided diagnosis, scripted from an answers file.

The engine proposes measurements in its own order, exactly as the TUI would
(:func:`diagnosis.session.run_session`); each is answered from ``--answers``
(a YAML mapping ``measurement-id: value``), a measurement the file does not
hold is recorded as *not available*, alerts are acknowledged as a technician
would after applying them. The session is saved to the store (``--db``,
default ``$DIAGNOSIS_DB`` or the user's SQLite file) as it goes, and its id
printed. Output: human-readable text in the user's language, or the JSON of
shared/cli-contract.md with ``--format json``.

Exit codes: 0 done (whatever the conclusion), 1 domain failure (invalid KB,
database unreachable), 2 usage error (unknown equipment or symptom, bad
answers file: the message names ``file:line``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import typer

from diagnosis.errors import SessionError, UsageError

if TYPE_CHECKING:
    from diagnosis.kb.model import EquipmentKB
    from diagnosis.session import Session

__all__ = ["register"]


def run(
    ctx: typer.Context,
    equipment: str = typer.Option(..., "--equipment", "-e", metavar="ID", help="Equipment id."),
    symptom: list[str] = typer.Option(
        None, "--symptom", "-s", metavar="ID", help="Reported symptom id (repeat)."
    ),
    absent_symptom: list[str] = typer.Option(
        None, "--absent-symptom", metavar="ID", help="Symptom id checked and absent (repeat)."
    ),
    answers: str = typer.Option(
        ..., "--answers", "-a", metavar="FILE", help="YAML file 'measurement-id: value'."
    ),
    confidence: float = typer.Option(
        0.9, "--confidence", metavar="P", help="Stop when the top cause reaches it."
    ),
    max_steps: int = typer.Option(
        None, "--max-steps", metavar="N", help="Stop after this many measurements."
    ),
    technician: str = typer.Option("", "--technician", metavar="NAME", help="Technician's name."),
    habilitation: list[str] = typer.Option(
        None,
        "--habilitation",
        metavar="CODE",
        help="Technician's habilitation, e.g. BR, B2V (repeat; default: those the store "
        "holds for --technician, else none).",
    ),
    work_order: str = typer.Option(None, "--work-order", metavar="ID", help="CMMS work-order id."),
    kb: str | None = typer.Option(
        None, "--kb", metavar="DIR", help="Knowledge-base folder (default: the bundled one)."
    ),
    fault_trees: str = typer.Option(
        None, "--fault-trees", metavar="DIR", help="Fault-tree folder."
    ),
    fmt: str = typer.Option("text", "--format", metavar="text|json", help="text or json."),
    lang: str = typer.Option(
        None, "--lang", metavar="en|fr", help="Language: en or fr (default: the locale)."
    ),
    db: str | None = typer.Option(
        None, "--db", metavar="URL", help="Database URL (default: DIAGNOSIS_DB, else SQLite)."
    ),
    no_save: bool = typer.Option(False, "--no-save", help="Do not record the session."),
    colleague: list[str] = typer.Option(
        None,
        "--colleague",
        metavar="NAME:HAB",
        help="A habilitated colleague at hand, e.g. 'Marc Petit:BR' (repeat): he takes the "
        "readings the technician's habilitations do not cover, recorded under his name.",
    ),
    observe: list[str] = typer.Option(
        None,
        "--observe",
        metavar="TREE:NODE=true|false",
        help="A fault-tree gate or event observed, used as evidence (repeat).",
    ),
    lacking_tool: list[str] = typer.Option(
        None,
        "--lacking-tool",
        metavar="NAME",
        help="A tool the technician does not have here (id or name of a KB 'needs' tool, "
        "repeat): a measurement needing it may hand the session over.",
    ),
    lacking_part: list[str] = typer.Option(
        None,
        "--lacking-part",
        metavar="REF",
        help="A part the technician does not have here (ref or name, repeat).",
    ),
) -> None:
    """Run a whole guided diagnosis, answering the proposed measurements from a file."""
    from diagnosis.i18n import detect_lang, tr

    parent: dict[str, Any] = ctx.obj or {}
    lang = detect_lang(lang or parent.get("lang"))
    kb = kb or parent.get("kb")
    db = db or parent.get("db")
    if fmt not in ("text", "json"):
        raise UsageError(tr("session.run.usage.bad_format", lang, value=fmt))
    if not 0.0 < confidence <= 1.0:
        raise UsageError(tr("session.run.usage.bad_confidence", lang, value=confidence))
    if max_steps is not None and max_steps < 1:
        raise UsageError(tr("session.run.usage.bad_max_steps", lang, value=max_steps))
    from diagnosis.textsafety import find_unsafe

    for option, value in (("--technician", technician), ("--work-order", work_order)):
        bad = find_unsafe(value or "")
        if bad is not None:
            raise UsageError(tr("session.run.usage.control_char", lang, option=option, char=bad))
    symptoms = list(symptom or [])
    if not symptoms:
        raise UsageError(tr("session.run.usage.no_symptom", lang))

    from diagnosis.kb import load_kb
    from diagnosis.session import AnswersFile, Session, finish_scripted, run_session

    knowledge = load_kb(kb, fault_trees)
    try:
        eq = knowledge.equipment(equipment)
    except KeyError:
        known = ", ".join(e.id for e in knowledge.equipments)
        raise UsageError(
            tr("session.run.usage.unknown_equipment", lang, equipment=equipment, known=known)
        ) from None
    for sid in [*symptoms, *(absent_symptom or [])]:
        if not eq.has("symptom", sid):
            known = ", ".join(s.id for s in eq.symptoms)
            raise UsageError(
                tr(
                    "session.run.usage.unknown_symptom",
                    lang,
                    symptom=sid,
                    equipment=eq.id,
                    known=known,
                )
            )
    observations = [_parse_observe(text, lang) for text in observe or []]
    colleagues = [parse_colleague(text, lang) for text in colleague or []]
    source = AnswersFile(answers, eq, lang)

    store: Any = None
    if not no_save:
        from diagnosis.store import open_store

        store = open_store(db, kb=knowledge)
    habilitations = list(habilitation or [])
    if technician and not habilitations and store is not None:
        # what this technician declared at their latest session start (the event log;
        # the technicians table only for one registered without any session yet)
        known = store.technician(technician)
        if known is not None:
            habilitations = list(known.habilitations)
    try:
        try:
            session = Session.start(
                knowledge,
                eq.id,
                symptoms,
                absent_symptoms=list(absent_symptom or []),
                technician=technician,
                habilitations=habilitations,
                lang=lang,
                confidence=confidence,
                max_steps=max_steps,
                sink=store,
                work_order=work_order,
                lacking_tools=[*(lacking_tool or []), *source.lacking_tools],
                lacking_parts=[*(lacking_part or []), *source.lacking_parts],
            )
        except SessionError as exc:  # an unknown --lacking-tool / --lacking-part
            raise UsageError.like(exc) from exc
        for name, habs in [*colleagues, *source.colleagues().items()]:
            session.join_colleague(name, habs)
        for tree_id, node_id, state in observations:
            try:
                session.observe_tree(tree_id, node_id, state)
            except SessionError as exc:
                raise UsageError.like(exc) from exc
        run_session(session, source)
        finish_scripted(session)
        flag = ""
        if store is not None:  # recurrence of the cause on this equipment (issue 13)
            from diagnosis.kpi.history import report_history

            history = report_history(store, list(session.events), knowledge, lang)
            flag = history.flag if history is not None else ""
    finally:
        if store is not None:
            store.close()
    if fmt == "json":
        from diagnosis.cli.run_json import run_json

        print(json.dumps(run_json(session), indent=2, ensure_ascii=False))
    else:
        print(render_text(session, eq, lang, saved=store is not None))
        if flag:
            print(flag)


def parse_colleague(text: str, lang: str) -> tuple[str, tuple[str, ...]]:
    """``NAME:HAB[,HAB…]`` -> (name, habilitations); a UsageError otherwise."""
    from diagnosis.i18n import tr

    name, _, habs = text.rpartition(":")
    codes = tuple(h.strip() for h in habs.split(",") if h.strip())
    if not name.strip() or not codes:
        raise UsageError(tr("session.run.usage.bad_colleague", lang, value=text))
    return name.strip(), codes


def _parse_observe(text: str, lang: str) -> tuple[str, str, bool]:
    """``TREE:NODE=true`` -> (tree, node, True); a UsageError otherwise."""
    from diagnosis.i18n import tr

    tree, _, rest = text.partition(":")
    node, _, value = rest.partition("=")
    states = {"true": True, "false": False, "yes": True, "no": False, "oui": True, "non": False}
    if not tree or not node or value.strip().lower() not in states:
        raise UsageError(tr("session.run.usage.bad_observe", lang, value=text))
    return tree.strip(), node.strip(), states[value.strip().lower()]


def _name(eq: EquipmentKB, cause: str, lang: str) -> str:
    from diagnosis.i18n import tr

    if eq.has("cause", cause):
        return eq.cause(cause).name.get(lang) or cause
    return tr("session.run.unknown_cause", lang)


def render_text(session: Session, eq: EquipmentKB, lang: str, *, saved: bool = True) -> str:
    """The human-readable report of a scripted run, in ``lang``."""
    from diagnosis.bayes.evidence import UNKNOWN
    from diagnosis.cli.run_json import run_json
    from diagnosis.i18n import format_number, format_percent, tr
    from diagnosis.readings import reading_text

    data = run_json(session)
    out = [tr("session.run.title", lang, equipment=eq.equipment.name.get(lang) or eq.id)]
    names = [eq.symptom(s).name.get(lang) or s for s in session.symptoms]
    out.append(tr("session.run.symptoms", lang, symptoms=", ".join(names)))
    steps_done = {s["measurement"] for s in data["steps"]}
    alerts: dict[str, list[Any]] = {}
    early: list[Any] = []  # raised at start (symptoms), shown before the steps
    late: list[Any] = []  # raised by a rule on readings, shown after them
    first_reading = next(
        (i for i, e in enumerate(session.events) if e.type == "reading_recorded"), None
    )
    for index, event in enumerate(session.events):
        if event.type != "alert_raised":
            continue
        a: Any = event
        if a.trigger in steps_done:
            alerts.setdefault(a.trigger, []).append(a)
        elif first_reading is None or index < first_reading:
            early.append(a)
        else:
            late.append(a)
    out.extend(_alert_line(session, a, lang) for a in early)
    for n, step in enumerate(data["steps"], start=1):
        m = eq.measurement(step["measurement"])
        if step["available"]:
            value = step["value"]
            shown = reading_text(
                value,
                lang,
                voice="transcript",
                unit=m.unit,
                label=m.choice_label(str(value), lang) if m.kind == "choice" else "",
                typed=step.get("typed") or "",
            )
            state = step["state"]
            state_text = (
                tr(f"session.run.state.{state}", lang)
                if state in ("low", "normal", "high", "true", "false")
                else m.choice_label(str(state), lang)
                if m.kind == "choice"
                else str(state)
            )
        else:
            shown, state_text = tr("session.run.not_available", lang), "-"
        top: dict[str, Any] = (
            step["ranking"][0] if step["ranking"] else {"cause": "-", "probability": 0.0}
        )
        out.append(
            tr(
                "session.run.step",
                lang,
                n=n,
                name=(m.name.get(lang) or m.id)
                + (tr("session.run.confirm", lang) if step.get("purpose") == "confirm" else ""),
                value=shown,
                state=state_text,
                critical=tr("session.run.critical", lang) if step["critical"] else "",
                top=_name(eq, top["cause"], lang),
                p=format_percent(top["probability"], lang),
            )
        )
        if step.get("taken_by"):
            out.append(tr("session.run.taken_by", lang, **step["taken_by"]))
        for a in alerts.get(step["measurement"], []):
            out.append("    " + _alert_line(session, a, lang))
    out.extend(_alert_line(session, a, lang) for a in late)
    if data["excluded"]:
        out.append(
            tr(
                "session.run.excluded",
                lang,
                causes=", ".join(_name(eq, c, lang) for c in data["excluded"]),
            )
        )
    out.extend(tr("session.run.note", lang, text=note) for note in session.notes_in(lang))
    root = data["root_cause"]
    ranking = data["ranking"]
    if root == UNKNOWN:
        out.append(
            tr("session.run.unknown", lang, p=format_percent(data["probability"] or 0.0, lang))
        )
    elif root is not None:
        out.append(
            tr(
                "session.run.root_cause",
                lang,
                cause=_name(eq, root, lang),
                p=format_percent(data["probability"] or 0.0, lang),
                category=data["category_5m"] or "-",
            )
        )
    else:
        reason = tr(f"session.run.stop.{data['stop_reason'] or 'none'}", lang)
        best: dict[str, Any] = ranking[0] if ranking else {"cause": "-", "probability": 0.0}
        out.append(
            tr(
                "session.run.no_conclusion",
                lang,
                confidence=format_percent(session.confidence, lang),
                reason=reason,
                top=_name(eq, best["cause"], lang),
                p=format_percent(best["probability"], lang),
            )
        )
    handover = data.get("handover")
    if handover and not handover["habilitation"] and (handover["tools"] or handover["parts"]):
        hm = eq.measurement(handover["measurement"])
        what = ", ".join(
            n.label(lang) for n in hm.needs if n.id in (*handover["tools"], *handover["parts"])
        )
        key = "session.run.handover_tool" if handover["best_allowed"] else "session.run.handover_tool_none"
        out.append(
            tr(
                key,
                lang,
                measurement=hm.name.get(lang) or hm.id,
                what=what,
                gain=format_number(handover["gain"], lang, digits=2),
                ratio=format_percent(handover["ratio"], lang),
            )
        )
        out.append(tr("session.run.handover_tool_resume", lang, session=session.id))
    elif handover:
        hm = eq.measurement(handover["measurement"])
        out.append(
            tr(
                "session.run.handover" if handover["best_allowed"] else "session.run.handover_none",
                lang,
                measurement=hm.name.get(lang) or hm.id,
                habilitation=handover["habilitation"],
                gain=format_number(handover["gain"], lang, digits=2),
                ratio=format_percent(handover["ratio"], lang),
            )
        )
        out.append(
            tr(
                "session.run.handover_resume",
                lang,
                session=session.id,
                habilitation=handover["habilitation"],
            )
        )
    if data["why"]:
        from diagnosis.i18n import link_in

        templates = eq.cause(root).why if root is not None and eq.has("cause", root) else ()
        data["why"] = [link_in(text, templates, lang) for text in data["why"]]
        out.append(tr("session.run.why", lang))
        for n, (text, evidence) in enumerate(
            zip(data["why"], data["why_evidence"], strict=True), start=1
        ):
            label = evidence
            if evidence and eq.has("measurement", evidence):
                label = eq.measurement(evidence).name.get(lang) or evidence
            ev = tr("session.run.why_evidence", lang, measurement=label) if evidence else ""
            out.append(tr("session.run.why_link", lang, n=n, text=text, evidence=ev))
    out.append(tr("session.run.ranking", lang))
    out.extend(
        tr(
            "session.run.ranking_line",
            lang,
            p=format_percent(r["probability"], lang),
            cause=_name(eq, r["cause"], lang)
            + ("" if r["cause"] == UNKNOWN else f" ({r['cause']})"),
        )
        for r in ranking
    )
    if data.get("validation_pending"):
        out.append(tr("session.run.validation_pending", lang))
    if not session.closed and saved:
        out.append(tr("session.run.unfinished", lang, session=session.id))
    if saved:
        out.append(tr("session.run.session", lang, session=session.id))
    else:
        out.append(
            tr("session.run.not_saved", lang, session=session.id, reason="--no-save")
        )
    return "\n".join(out)


def _alert_line(session: Session, alert: Any, lang: str) -> str:
    from diagnosis.i18n import tr

    key = "session.run.lockout" if alert.reason == "lockout" else "session.run.alert"
    eq = session.equipment
    trigger = alert.trigger
    if alert.reason in ("critical", "lockout") and eq.has("measurement", trigger):
        trigger = eq.measurement(trigger).name.get(lang) or trigger
    elif alert.reason == "safety_symptom" and eq.has("symptom", trigger):
        trigger = eq.symptom(trigger).name.get(lang) or trigger
    reason = tr(f"rules.alert_reason.{alert.reason}", lang, trigger=trigger)
    line = tr(key, lang, procedure=_proc(session, alert.procedure, lang), reason=reason)
    if getattr(alert, "acknowledged_at", ""):
        line += tr("session.run.acknowledged_ago", lang, ago=acknowledged_ago(alert, lang))
    return line


def acknowledged_ago(alert: Any, lang: str) -> str:
    """How long before ``alert`` its procedure had been acknowledged: ``2 min``, ``1 h 05``."""
    from datetime import datetime

    from diagnosis.i18n import format_number

    try:
        then = datetime.fromisoformat(alert.acknowledged_at)
    except (TypeError, ValueError):
        return "?"
    minutes = max(0, round((alert.at - then).total_seconds() / 60))
    if minutes < 60:
        return f"{format_number(float(minutes), lang)} min"
    return f"{minutes // 60} h {minutes % 60:02d}"


def _proc(session: Session, procedure: str, lang: str) -> str:
    proc = session.kb.procedures.get(procedure)
    return (proc.name.get(lang) if proc is not None else "") or procedure


def register(app: typer.Typer) -> None:
    app.command("run")(run)
