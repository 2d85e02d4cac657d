"""Synthetic equipment for benchmarks and randomized tests.

``synthetic_equipment(n_causes, seed)`` builds an :class:`EquipmentKB` shaped
like a real one: about two measurements per cause (numeric, boolean and
choice), one symptom per five causes, each symptom or abnormal state caused
by 1-4 causes, every cause with at least one effect, priors in [0.005, 0.05],
link probabilities in [0.3, 0.98], costs of 1-30 minutes, some lockouts.
Deterministic for a given seed. ``hub_parents`` adds one symptom ``hub``
("machine stopped") linked to that many causes (high fan-in).
"""

from __future__ import annotations

import numpy as np

from diagnosis.i18n import Text
from diagnosis.kb.model import (
    Cause,
    Effect,
    Equipment,
    EquipmentKB,
    KnowledgeBase,
    Measurement,
    Requires,
    Symptom,
)

__all__ = ["synthetic_equipment", "synthetic_kb"]


def synthetic_equipment(
    n_causes: int,
    seed: int = 0,
    *,
    measurements_per_cause: float = 2.0,
    max_causes_per_effect: int = 4,
    symptoms_per_cause: float = 0.2,
    equipment_id: str | None = None,
    hub_parents: int = 0,
) -> EquipmentKB:
    """A random equipment with ``n_causes`` causes (see the module docstring)."""
    rng = np.random.default_rng(seed)
    eid = equipment_id or f"synthetic-{n_causes}"
    n_meas = max(1, round(measurements_per_cause * n_causes))
    n_sym = max(1, round(symptoms_per_cause * n_causes))
    symptoms = tuple(
        Symptom(
            f"s{j}", Text.of(f"Symptom {j}"), "productivity", leak=float(rng.uniform(0.005, 0.03))
        )
        for j in range(n_sym)
    )
    measurements = []
    for j in range(n_meas):
        kind = rng.choice(["numeric", "numeric", "boolean", "choice"])
        lockout = bool(rng.random() < 0.15)
        common = {
            "id": f"m{j}",
            "name": Text.of(f"Measurement {j}"),
            "cost_min": float(rng.integers(1, 31)),
            "requires": Requires(lockout=lockout, habilitation="B2V" if lockout else None),
        }
        if kind == "numeric":
            measurements.append(Measurement(kind="numeric", unit="V", nominal=1.0, **common))
        elif kind == "boolean":
            measurements.append(Measurement(kind="boolean", normal="true", **common))
        else:
            measurements.append(
                Measurement(kind="choice", choices=("ok", "worn", "broken"), normal="ok", **common)
            )
    targets: list[tuple[str, str | None]] = [(s.id, None) for s in symptoms]
    for m in measurements:
        targets.extend((m.id, st) for st in m.states if st != m.normal_state)
    effects: list[list[Effect]] = [[] for _ in range(n_causes)]
    for target, state in targets:
        k = int(rng.integers(1, max_causes_per_effect + 1))
        for c in rng.choice(n_causes, size=min(k, n_causes), replace=False):
            p = float(rng.uniform(0.3, 0.98))
            if state is None:
                effects[int(c)].append(Effect(p, symptom=target))
            else:
                effects[int(c)].append(Effect(p, measurement=target, state=state))
    if hub_parents:
        symptoms = (*symptoms, Symptom("hub", Text.of("Machine stopped"), "productivity"))
        for c in rng.choice(n_causes, size=min(hub_parents, n_causes), replace=False):
            effects[int(c)].append(Effect(float(rng.uniform(0.3, 0.98)), symptom="hub"))
    for c in range(n_causes):
        if not effects[c]:
            m = measurements[int(rng.integers(n_meas))]
            st = next(s for s in m.states if s != m.normal_state)
            effects[c].append(Effect(0.9, measurement=m.id, state=st))
    causes = tuple(
        Cause(
            f"c{c}",
            Text.of(f"Cause {c}"),
            "machine",
            float(rng.uniform(0.005, 0.05)),
            tuple(effects[c]),
            equipment=eid,
        )
        for c in range(n_causes)
    )
    return EquipmentKB(
        Equipment(eid, Text.of(f"Synthetic {n_causes}")), symptoms, tuple(measurements), causes
    )


def synthetic_kb(n_causes: int, seed: int = 0, **kwargs: object) -> KnowledgeBase:
    """A knowledge base holding one :func:`synthetic_equipment`."""
    return KnowledgeBase(equipments=(synthetic_equipment(n_causes, seed, **kwargs),))  # type: ignore[arg-type]
