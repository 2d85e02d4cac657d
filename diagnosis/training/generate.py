"""Exercise generation (``diagnosis train new``) and the scripted perfect trainee."""

from __future__ import annotations

import math
from typing import Any

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.i18n import tr
from diagnosis.kb.model import KnowledgeBase
from diagnosis.rules import prerequisites
from diagnosis.session import SimulatedMachine, WhyLink
from diagnosis.session.why import supporting_readings
from diagnosis.training.actions import Action
from diagnosis.training.model import Exercise
from diagnosis.training.run import TrainingRun, Why, engine_next

__all__ = ["generate_exercise", "perfect_actions"]


def generate_exercise(
    kb: KnowledgeBase, equipment: str, cause: str, seed: int = 0
) -> dict[str, Any]:
    """An exercise (its YAML mapping) hiding ``cause`` on ``equipment``.

    Symptoms are those the cause produces (its likeliest one if none reaches
    p >= 0.5); readings are generated from the KB's states with 2 % instrument
    noise seeded by ``seed``; the level and the time budget follow the length
    of the engine's own path; a trainee habilitation BR is given when that
    path needs one.

    Raises:
        KeyError: unknown equipment or cause.
    """
    from diagnosis.training.scoring import engine_path

    eq = kb.equipment(equipment)
    c = eq.cause(cause)
    symptoms = list(SimulatedMachine(eq, cause).symptoms)
    if not symptoms:
        effects = sorted((e for e in c.effects if e.symptom), key=lambda e: -e.p)
        symptoms = [effects[0].symptom] if effects and effects[0].symptom else [eq.symptoms[0].id]
    names = {lang: c.name.get(lang) or cause for lang in ("en", "fr")}
    eq_names = {lang: eq.equipment.name.get(lang) or equipment for lang in ("en", "fr")}
    data: dict[str, Any] = {
        "id": f"{equipment}-{cause}-{seed}",
        "title": {
            lang: tr("training.cli.generated_title", lang, cause=names[lang], equipment=eq_names[lang])
            for lang in ("en", "fr")
        },
        "level": "easy",
        "equipment": equipment,
        "causes": [cause],
        "symptoms": symptoms,
        "problem": {
            "what": {
                lang: ", ".join(eq.symptom(s).name.get(lang) or s for s in symptoms)
                for lang in ("en", "fr")
            },
            "where": eq_names,
        },
        "readings": {"noise": 0.02, "seed": seed},
        "trainee": {"habilitations": []},
        "time_budget_min": 60,
        "objectives": [{lang: tr("training.cli.generated_objective", lang) for lang in ("en", "fr")}],
    }
    probe = _as_exercise(data)
    steps, _ = engine_path(kb, probe, ("BR",))
    needs = any(prerequisites(eq.measurement(s.measurement), ()).habilitation for s in steps)
    if needs:
        data["trainee"]["habilitations"] = ["BR"]
    minutes = sum(s.minutes for s in steps)
    data["time_budget_min"] = max(15, math.ceil(minutes * 2 / 5.0) * 5)
    lockout = any(s.lockout for s in steps)
    data["level"] = "easy" if len(steps) <= 2 and not lockout else (
        "medium" if len(steps) <= 4 else "hard"
    )
    return data


def _as_exercise(data: dict[str, Any]) -> Exercise:
    from diagnosis.i18n import Text

    return Exercise(
        id=data["id"],
        title=Text.of(data["title"]),
        level=data["level"],
        equipment=data["equipment"],
        causes=tuple(data["causes"]),
        symptoms=tuple(data["symptoms"]),
        noise=float(data["readings"]["noise"]),
        seed=int(data["readings"]["seed"]),
        habilitations=tuple(data["trainee"]["habilitations"]),
        time_budget_min=float(data["time_budget_min"]),
        path=f"<generated {data['id']}>",
    )


def perfect_actions(kb: KnowledgeBase, exercise: Exercise, lang: str = "en") -> list[Action]:
    """The actions of a perfect trainee: a hypothesis first, the engine's path,
    every lockout applied before the measurement that needs it, every alert
    acknowledged, the engine's conclusion with a 5-Why chain whose every link
    is backed by a supporting reading, and the cause's 5M family."""
    run = TrainingRun(kb, exercise, "perfect", lang=lang)
    session = run.session
    actions: list[Action] = []
    top = next((c for c, _ in session.ranking() if c != UNKNOWN), UNKNOWN)
    run.hypothesis(top)
    actions.append(Action("hypothesis", top))
    while True:
        for alert in list(session.pending_alerts):
            if any(a.procedure == alert.procedure for a in session.pending_alerts):
                run.acknowledge(alert.procedure)
                actions.append(Action("acknowledge", alert.procedure))
        best = engine_next(session)
        if best is None:
            break
        m = best.measurement
        if m.requires.lockout:
            proc = m.requires.procedure or next(
                (p.id for p in session.equipment.procedures if p.kind == "lockout"), None
            )
            if proc is not None and proc not in run.lockouts:
                run.lockout(proc)
                actions.append(Action("lockout", proc))
        run.measure(m.id)
        actions.append(Action("measure", m.id))
    root = session.default_root_cause()
    if root not in exercise.expected:
        # two hidden causes: the engine may find neither alone; name the likelier one
        probs = dict(session.ranking())
        root = max(exercise.expected, key=lambda c: probs.get(c, 0.0))
    eq = session.equipment
    links: list[WhyLink] = list(session.suggested_why()) if root != UNKNOWN else []
    if root != UNKNOWN and eq.has("cause", root):
        from diagnosis.session.why import suggest_why

        links = suggest_why(eq, root, session.readings, lang)
    why = [Why(link.text, link.evidence) for link in links if link.evidence]
    tied = {w.evidence for w in why}
    support = list(supporting_readings(eq, root, session.readings))
    if root == UNKNOWN:
        # the readings that ruled the known causes of the reported symptoms out
        acting = {
            e.measurement
            for c in eq.causes
            if any(e.symptom in exercise.symptoms for e in c.effects)
            for e in c.effects
            if e.measurement
        }
        support += [r.measurement for r in session.readings if r.available and r.state and r.measurement in acting][:3]
    for mid in support:
        if mid not in tied:
            name = eq.measurement(mid).name.get(lang) or mid
            state = next(r.state for r in session.readings if r.measurement == mid)
            why.append(Why(f"{name}: {state}", mid))
    category = exercise.expected_category(kb)
    if category is None and root != UNKNOWN and eq.has("cause", root):
        category = eq.cause(root).category_5m
    actions.append(Action("conclude", root, category_5m=category, why=tuple(why)))
    return actions
