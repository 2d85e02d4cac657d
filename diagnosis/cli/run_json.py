"""The ``diagnosis run`` JSON document of a session (shared/cli-contract.md).

The CLI's output format: built here, at the edge, from the session's public
state; the session itself knows nothing of it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from diagnosis.bayes.evidence import UNKNOWN

if TYPE_CHECKING:
    from diagnosis.session.events import WhyLink
    from diagnosis.session.record import RecordMixin

__all__ = ["run_json"]

_DIGITS = 6


def _value(value: float | bool | str | None) -> float | int | bool | str | None:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


def _ranking(ranking: Any) -> list[dict[str, Any]]:
    return [{"cause": c, "probability": round(float(p), _DIGITS)} for c, p in ranking]


def _why_per_cause(session: RecordMixin) -> list[tuple[str, list[WhyLink]]]:
    """The 5-Why chain of each concluded cause (two when a pair is verified)."""
    from diagnosis.session.why import suggest_why

    conclusion = session.conclusion
    roots = session.default_root_causes()
    if conclusion is not None and conclusion.root_cause not in roots:
        roots = [conclusion.root_cause] if conclusion.root_cause else []
    return [(r, suggest_why(session.equipment, r, session.readings, session.lang)) for r in roots]


def run_json(session: RecordMixin) -> dict[str, Any]:
    """Contract fields (equipment, symptoms, steps, ranking, root_cause, alerts,
    excluded, why, category_5m) plus ``session``, ``stop_reason``, ``verification``
    (of the leading cause at the threshold: confirmed / unconfirmed /
    contradicted, else null) and per-step extras (``purpose``: discriminate
    or confirm), ``root_causes`` (every concluded cause: two when two
    simultaneous faults are verified together, else ``[root_cause]``, or []),
    ``why_per_cause`` (the 5-Why template of each), ``worth_measuring`` (when the session stopped because no
    measurement left is worth its minutes: the most informative ones, with the
    minutes each would be worth).

    ``root_cause`` is the recorded conclusion when there is one, else what the
    engine would conclude now.
    """
    steps: list[dict[str, Any]] = []
    for reading, snapshot, proposal in zip(
        session.readings, session.steps_rankings, session.steps_proposals, strict=True
    ):
        steps.append(
            {
                "measurement": reading.measurement,
                "value": _value(reading.value),
                "unit": reading.unit,
                "state": reading.state,
                "critical": reading.critical,
                "available": reading.available,
                "proposed": reading.proposed,
                "gain": round(proposal.gain, _DIGITS) if proposal is not None else None,
                "cost_min": proposal.cost_min if proposal is not None else None,
                "purpose": proposal.purpose if proposal is not None else None,
                "ranking": _ranking(snapshot),
            }
        )
        if reading.taken_by:
            steps[-1]["taken_by"] = {
                "name": reading.taken_by,
                "habilitation": reading.taken_by_habilitation,
            }
        if reading.typed_unit:
            steps[-1]["typed"] = reading.raw
    conclusion = session.conclusion
    root = conclusion.root_cause if conclusion is not None else session.default_root_cause()
    why = (
        [link.text for link in session.why]
        if session.why
        else [link.text for link in session.suggested_why()]
    )
    category = session.category_5m
    if category is None and root is not None and root != UNKNOWN:
        category = session.equipment.cause(root).category_5m
    probabilities = dict(session.ranking())
    return {
        "equipment": session.equipment.id,
        "symptoms": list(session.symptoms),
        "absent_symptoms": list(session.absent_symptoms),
        "steps": steps,
        "ranking": _ranking(session.ranking()),
        "root_cause": root,
        "root_causes": [c for c, _ in _why_per_cause(session)] if root else [],
        "probability": round(probabilities.get(root, 0.0), _DIGITS) if root else None,
        "evidence": list(conclusion.evidence) if conclusion is not None else [],
        "stop_reason": session.stop_reason,
        "verification": session.verification(),
        "alerts": list(dict.fromkeys(a.procedure for a in session.alerts if a.reason != "lockout")),
        "lockouts": list(
            dict.fromkeys(a.procedure for a in session.alerts if a.reason == "lockout")
        ),
        "excluded": sorted(session.excluded),
        "tree_observations": [
            {"tree": tree, "node": node, "state": state}
            for tree, observed in sorted(session.tree_observations.items())
            for node, state in sorted(observed.items())
        ],
        "notes": session.notes,
        "suggestions": session.suggestions,
        "why": why,
        "why_evidence": [link.evidence for link in session.why]
        if session.why
        else [link.evidence for link in session.suggested_why()],
        "category_5m": category,
        "why_per_cause": [
            {"cause": c, "why": [link.text for link in links]}
            for c, links in _why_per_cause(session)
        ],
        "worth_measuring": [
            {
                "measurement": p.measurement.id,
                "gain": round(p.gain, _DIGITS),
                "cost_min": p.cost_min,
                "worth_up_to_min": round(minutes, 1),
            }
            for p, minutes in session.not_worth()
        ],
        "session": session.id,
        "status": "open" if not session.closed else "done",
        "handover": handover_json(session),
        "validation_pending": session.validation_pending,
    }


def handover_json(session: RecordMixin) -> dict[str, Any] | None:
    """The ``handover`` object of the run JSON: None unless the session stopped for one.

    ``measurement`` and ``habilitation``: what the colleague should take and
    the habilitation it needs that nobody here holds (``""`` when it is not
    the reason); ``tool`` / ``part`` (and the lists ``tools`` / ``parts``): the
    tool or part it needs that the technician lacks (null when not the reason),
    ``lacking``: everything declared lacking; ``gain`` (bits) and ``gain_per_min``; the best
    measurement the technician may take and its gain per minute (``best_allowed``),
    the ``ratio`` of the two (the rule hands over below ``threshold``); the
    ``ranking`` so far and what was ruled out (``excluded`` by rules or by the
    technician, ``not_available`` measurements).
    """
    from diagnosis.session.handover import HANDOVER_MIN_GAIN, HANDOVER_RATIO

    if session.stop_reason != "handover":
        return None
    due = session.handover()
    if due is None:
        return None
    best = due.best_allowed
    return {
        "measurement": due.measurement.measurement.id,
        "habilitation": due.habilitation,
        "tool": due.tools[0] if due.tools else None,
        "part": due.parts[0] if due.parts else None,
        "tools": list(due.tools),
        "parts": list(due.parts),
        "lacking": {"tools": list(session.lacking_tools), "parts": list(session.lacking_parts)},
        "gain": round(due.measurement.gain, _DIGITS),
        "gain_per_min": round(due.measurement.gain / max(due.measurement.cost_min, 1e-9), _DIGITS),
        "cost_min": due.measurement.cost_min,
        "lockout": due.measurement.lockout,
        "best_allowed": None
        if best is None
        else {
            "measurement": best.measurement.id,
            "gain": round(best.gain, _DIGITS),
            "gain_per_min": round(best.gain / max(best.cost_min, 1e-9), _DIGITS),
        },
        "ratio": round(due.ratio, _DIGITS),
        "threshold": HANDOVER_RATIO,
        "min_gain": HANDOVER_MIN_GAIN,
        "ranking": _ranking(session.ranking()),
        "excluded": sorted(session.excluded),
        "not_available": [r.measurement for r in session.readings if not r.available],
        "readings": len(session.readings),
    }
