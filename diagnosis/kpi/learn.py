"""Learning from confirmed diagnoses: a reviewable patch of cause priors and effect probabilities.

The KB's values are the prior of a Beta distribution worth ``strength``
pseudo-cases; the confirmed diagnoses are the data; the proposal is the
posterior mean.

* **Cause prior** (kb-format: P(cause present) when this equipment is diagnosed):
  Beta(S·p, S·(1−p)); among the ``N`` confirmed diagnoses of the equipment, ``n``
  found this cause: new p = (S·p + n) / (S + N).
* **Effect probability** P(effect | cause): among the ``m`` confirmed diagnoses of the
  cause where the effect was observed, ``k`` showed it: new p = (S·p + k) / (S + m).
  A measurement is observed when read (and not undone, not *not available*), and shows
  the effect when its state is the effect's state. A symptom is observed in every
  diagnosis of the cause: reported at the start = shown, otherwise not shown (the
  technician reports what is seen); a symptom checked absent counts as not shown.
  The single-cause reading ignores the noisy-OR leak and other causes: with the
  default strength it moves the KB value only with repeated evidence.

With the default strength S = 20, twenty confirmed diagnoses weigh as much as the
KB author's judgement. Nothing is applied here: :func:`write_patch` writes a YAML
file (old value, new value, cases behind it, and ``apply: true`` to untick) and
:func:`apply_patch` edits the KB files in place after review, keeping every
comment and layout, then re-checks the KB and restores the files if it is invalid.
Sessions that ended on ``_unknown`` (cause not in the KB) are listed as candidate
new causes with their readings.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from diagnosis.errors import UsageError

if TYPE_CHECKING:
    from diagnosis.kb.model import KnowledgeBase
    from diagnosis.store import Store

__all__ = [
    "SessionFacts",
    "apply_patch",
    "learn",
    "session_facts",
    "write_patch",
]

UNKNOWN = "_unknown"


@dataclass
class SessionFacts:
    """What a recorded session tells the learner (replayed from its events)."""

    id: str
    equipment: str
    started_at: datetime
    status: str = "open"
    symptoms: tuple[str, ...] = ()
    absent_symptoms: tuple[str, ...] = ()
    readings: dict[str, dict[str, Any]] = field(default_factory=dict)
    root_cause: str | None = None
    confirmed: bool = False
    ruled_out: tuple[str, ...] = ()
    remedy: str | None = None


def session_facts(
    store: Store, *, equipment: str | None = None, since: datetime | None = None
) -> list[SessionFacts]:
    """Every session of the store (oldest first), replayed from its event log."""
    from diagnosis.session.events import (
        ConclusionReached,
        ReadingRecorded,
        ReadingUndone,
        RemedyRecorded,
        SessionClosed,
        SessionStarted,
    )
    from diagnosis.store.base import is_exercise

    out: list[SessionFacts] = []
    for summary in reversed(store.sessions(equipment=equipment, since=since)):
        if is_exercise(summary.work_order):
            continue  # a trainee's exercise: the simulated machine teaches nothing
        facts = SessionFacts(summary.id, summary.equipment, summary.started_at)
        for event in store.events(summary.id):
            if isinstance(event, SessionStarted):
                facts.symptoms = tuple(event.symptoms)
                facts.absent_symptoms = tuple(event.absent_symptoms)
            elif isinstance(event, ReadingRecorded):
                facts.readings[event.measurement] = {
                    "value": event.value,
                    "unit": event.unit,
                    "state": event.state,
                    "available": event.available,
                    "raw": event.raw,
                }
            elif isinstance(event, ReadingUndone):
                facts.readings.pop(event.measurement, None)
            elif isinstance(event, ConclusionReached):
                facts.root_cause = event.root_cause
                facts.confirmed = event.confirmed
                facts.ruled_out = tuple(event.ruled_out)
            elif isinstance(event, RemedyRecorded):
                facts.remedy = event.remedy
            elif isinstance(event, SessionClosed):
                facts.status = event.status
        out.append(facts)
    return out


def _posterior(old: float, strength: float, successes: float, trials: float) -> float:
    return (strength * old + successes) / (strength + trials)


def learn(
    kb: KnowledgeBase,
    sessions: list[SessionFacts],
    *,
    strength: float = 20.0,
    effect_strength: float | None = None,
    min_change: float = 0.001,
    equipment: str | None = None,
) -> dict[str, Any]:
    """The proposed patch (a JSON/YAML-ready mapping) from the recorded sessions."""
    s_effect = strength if effect_strength is None else effect_strength
    done = [s for s in sessions if s.status == "done" and equipment in (None, s.equipment)]
    confirmed = [
        s
        for s in done
        if s.confirmed and s.root_cause and s.root_cause != UNKNOWN and s.root_cause in kb.causes
    ]
    by_eq: dict[str, list[SessionFacts]] = defaultdict(list)
    for s in confirmed:
        by_eq[s.equipment].append(s)
    equipments: dict[str, Any] = {}
    for eq in kb.equipments:
        if equipment is not None and eq.id != equipment:
            continue
        cases = by_eq.get(eq.id, [])
        if not cases:
            continue
        n_total = len(cases)
        counts: dict[str, list[SessionFacts]] = defaultdict(list)
        for s in cases:
            counts[s.root_cause or ""].append(s)
        priors = []
        effects = []
        for cause in eq.causes:
            found = counts.get(cause.id, [])
            new = _posterior(cause.prior, strength, len(found), n_total)
            if abs(new - cause.prior) >= min_change:
                priors.append(
                    {
                        "cause": cause.id,
                        "old": cause.prior,
                        "new": round(new, 4),
                        "cases": len(found),
                        "of": n_total,
                        "apply": True,
                    }
                )
            if not found:
                continue
            for e in cause.effects:
                shown = observed = 0
                for s in found:
                    if e.symptom is not None:
                        observed += 1
                        shown += e.symptom in s.symptoms and e.symptom not in s.absent_symptoms
                    elif e.measurement is not None:
                        r = s.readings.get(e.measurement)
                        if r is None or not r["available"]:
                            continue
                        observed += 1
                        shown += r["state"] == e.state
                if not observed:
                    continue
                new = _posterior(e.p, s_effect, shown, observed)
                if abs(new - e.p) < min_change:
                    continue
                entry: dict[str, Any] = {"cause": cause.id}
                if e.symptom is not None:
                    entry["symptom"] = e.symptom
                else:
                    entry["measurement"] = e.measurement
                    entry["state"] = e.state
                entry.update(
                    {"old": e.p, "new": round(new, 4), "cases": shown, "of": observed, "apply": True}
                )
                effects.append(entry)
        equipments[eq.id] = {"confirmed": n_total, "priors": priors, "effects": effects}
    candidates = []
    for s in done:
        if s.root_cause != UNKNOWN:
            continue
        candidates.append(
            {
                "session": s.id,
                "equipment": s.equipment,
                "date": s.started_at.isoformat(),
                "symptoms": list(s.symptoms),
                "readings": {
                    m: (r["raw"] or str(r["value"])) + (f" ({r['state']})" if r["state"] else "")
                    for m, r in sorted(s.readings.items())
                    if r["available"]
                },
                "ruled_out": list(s.ruled_out),
                "remedy": s.remedy,
            }
        )
    return {
        "kb": kb.root,
        "strength": {"prior": strength, "effect": s_effect},
        "confirmed": len(confirmed),
        "equipment": equipments,
        "candidates": candidates,
    }


def write_patch(patch: dict[str, Any], path: str | Path, lang: str = "en") -> None:
    """Write the patch as commented YAML for review."""
    from diagnosis.i18n import tr

    head = "".join(f"# {line}\n" for line in tr("kpi.learn.patch_header", lang).splitlines())
    text = head + yaml.safe_dump(patch, allow_unicode=True, sort_keys=False, width=100)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(code="kpi.cli.cannot_write", path=path, reason=exc.strerror) from None


_NUM = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def _replace_at(
    lines: list[str], start: int, stop: int, key: str, old: float, new: float
) -> int | None:
    """Replace the first ``key: <old>`` in lines[start:stop]; the line index, or None."""
    pattern = re.compile(rf"(\b{key}:\s*)({_NUM})")
    for i in range(start, min(stop, len(lines))):
        match = pattern.search(lines[i])
        if match is None:
            continue
        if abs(float(match.group(2)) - old) > 1e-9:
            return None
        lines[i] = lines[i][: match.start(2)] + f"{new:g}" + lines[i][match.end(2) :]
        return i
    return None


def apply_patch(path: str | Path, kb_dir: str | None, fault_tree_dir: str | None) -> dict[str, int]:
    """Apply the entries of a reviewed patch still marked ``apply: true`` to the KB files.

    Each value is replaced only where the KB still holds the patch's ``old`` value.
    The KB is re-checked afterwards; on any problem every file is restored.

    Returns:
        counts: ``applied``, ``skipped`` (unticked), ``stale`` (the KB changed since).

    Raises:
        UsageError: unreadable patch; KnowledgeBaseError: the patched KB is invalid
            (files restored).
    """
    from diagnosis.errors import KnowledgeBaseError
    from diagnosis.kb.loader import inspect_kb, load_kb

    try:
        patch = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError:
        raise UsageError(code="kpi.learn.no_patch", path=path) from None
    except yaml.YAMLError as exc:
        raise UsageError(
            code="kpi.learn.bad_patch", path=path, reason=str(exc).splitlines()[0]
        ) from None
    if not isinstance(patch, dict) or not isinstance(patch.get("equipment"), dict):
        raise UsageError(code="kpi.learn.bad_patch", path=path, reason="equipment:")
    kb = load_kb(kb_dir, fault_tree_dir)
    texts: dict[Path, list[str]] = {}
    originals: dict[Path, str] = {}
    counts = {"applied": 0, "skipped": 0, "stale": 0}

    def lines_of(file: str) -> tuple[Path, list[str]]:
        p = Path(file)
        if p not in texts:
            originals[p] = p.read_text(encoding="utf-8")
            texts[p] = originals[p].splitlines(keepends=True)
        return p, texts[p]

    for eq_id, section in patch["equipment"].items():
        try:
            eq = kb.equipment(str(eq_id))
        except KeyError:
            counts["stale"] += len(section.get("priors", [])) + len(section.get("effects", []))
            continue
        causes = list(eq.causes)
        for entry in section.get("priors", []) or []:
            if not entry.get("apply", False):
                counts["skipped"] += 1
                continue
            idx = next((k for k, c in enumerate(causes) if c.id == entry.get("cause")), None)
            if idx is None:
                counts["stale"] += 1
                continue
            cause = causes[idx]
            _, lines = lines_of(cause.pos.file)
            stop = causes[idx + 1].pos.line - 1 if idx + 1 < len(causes) else len(lines)
            done = _replace_at(
                lines, cause.pos.line - 1, stop, "prior", float(entry["old"]), float(entry["new"])
            )
            counts["applied" if done is not None else "stale"] += 1
        for entry in section.get("effects", []) or []:
            if not entry.get("apply", False):
                counts["skipped"] += 1
                continue
            owner = next((c for c in causes if c.id == entry.get("cause")), None)
            effect = None
            if owner is not None:
                effect = next(
                    (
                        e
                        for e in owner.effects
                        if (
                            e.symptom == entry.get("symptom")
                            if "symptom" in entry
                            else e.measurement == entry.get("measurement")
                            and e.state == entry.get("state")
                        )
                    ),
                    None,
                )
            if owner is None or effect is None:
                counts["stale"] += 1
                continue
            _, lines = lines_of(effect.pos.file)
            later = [e.pos.line for e in owner.effects if e.pos.line > effect.pos.line]
            stop = min(later) - 1 if later else effect.pos.line + 5
            done = _replace_at(
                lines, effect.pos.line - 1, stop, "p", float(entry["old"]), float(entry["new"])
            )
            counts["applied" if done is not None else "stale"] += 1
    for p, lines in texts.items():
        p.write_text("".join(lines), encoding="utf-8")
    _, problems = inspect_kb(kb_dir, fault_tree_dir)
    if problems:
        for p, text in originals.items():
            p.write_text(text, encoding="utf-8")
        raise KnowledgeBaseError(problems)
    return counts
