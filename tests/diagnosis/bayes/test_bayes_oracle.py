"""Property test: the fast path equals a brute-force joint written from the KB text alone.

The oracle below re-reads the semantics of ``diagnosis.bayes.model`` straight
from the KB effects (not from the compiled channels), enumerates every
assignment of the causes and ``_unknown``, and sums the joint.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from tiny_equipment import synthetic

from diagnosis.bayes import UNKNOWN, DiagnosticModel, Evidence
from diagnosis.bayes.model import (
    STATE_LEAK,
    UNKNOWN_NAMED_SHARE,
    UNKNOWN_PRIOR,
    UNKNOWN_SYMPTOM_LINK,
)
from diagnosis.kb.model import EquipmentKB


def p_on(
    eq: EquipmentKB,
    present: set[str],
    u: int,
    symptom: str | None,
    measurement: str | None = None,
    state: str | None = None,
) -> float:
    """P(this symptom / abnormal state's channel fires | present causes, u)."""
    off = 1.0
    for c in eq.causes:
        for e in c.effects:
            hit = (
                (e.symptom == symptom)
                if symptom
                else (e.measurement == measurement and e.state == state)
            )
            if hit and c.id in present:
                off *= 1.0 - e.p
    if symptom:
        off *= 1.0 - eq.symptom(symptom).leak
        if u:
            off *= 1.0 - UNKNOWN_SYMPTOM_LINK
    elif u:
        off *= 1.0 - unknown_leak(eq, str(measurement), str(state))
    else:
        off *= 1.0 - STATE_LEAK
    return 1.0 - off


def unknown_leak(eq: EquipmentKB, measurement: str, state: str) -> float:
    """The leak of an abnormal state with _unknown present (issue 14).

    Named states keep UNKNOWN_NAMED_SHARE of their leak; the unnamed states
    of the measurement share the rest so that P(every channel off), the
    normal reading, is unchanged; all named or all unnamed: unchanged.
    """
    m = eq.measurement(measurement)
    abnormal = [s for s in m.states if s != m.normal_state]
    named = {
        s: any(e.measurement == measurement and e.state == s for c in eq.causes for e in c.effects)
        for s in abnormal
    }
    n_named = sum(named.values())
    if n_named in (0, len(abnormal)):
        return STATE_LEAK
    if named[state]:
        return UNKNOWN_NAMED_SHARE * STATE_LEAK
    normal_off = (1.0 - STATE_LEAK) ** len(abnormal)
    named_off = (1.0 - UNKNOWN_NAMED_SHARE * STATE_LEAK) ** n_named
    return float(1.0 - (normal_off / named_off) ** (1.0 / (len(abnormal) - n_named)))


def oracle(eq: EquipmentKB, evidence: Evidence) -> dict[str, float]:
    causes = [c for c in eq.causes if c.id not in evidence.excluded]
    totals = {c.id: 0.0 for c in causes} | {UNKNOWN: 0.0}
    z = 0.0
    for bits in itertools.product((0, 1), repeat=len(causes) + 1):
        present = {c.id for c, b in zip(causes, bits, strict=False) if b}
        u = bits[-1]
        weight = UNKNOWN_PRIOR if u else 1.0 - UNKNOWN_PRIOR
        for c, b in zip(causes, bits, strict=False):
            weight *= c.prior if b else 1.0 - c.prior
        for sid, seen in evidence.symptoms.items():
            p = p_on(eq, present, u, sid)
            weight *= p if seen else 1.0 - p
        for mid, seen_state in evidence.states.items():
            m = eq.measurement(mid)
            for state in (s for s in m.states if s != m.normal_state):
                p = p_on(eq, present, u, None, mid, state)
                if state == seen_state:
                    weight *= p
                    break
                weight *= 1.0 - p
        z += weight
        for cid in present:
            totals[cid] += weight
        if u:
            totals[UNKNOWN] += weight
    return {h: v / z for h, v in totals.items()}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 100_000), n_causes=st.integers(1, 6))
def test_fast_path_equals_the_brute_force_oracle(seed: int, n_causes: int) -> None:
    rng = np.random.default_rng(seed)
    eq = synthetic().synthetic_equipment(n_causes, seed=seed, symptoms_per_cause=0.5)
    model = DiagnosticModel(eq)
    symptoms = {s.id: bool(rng.random() < 0.7) for s in eq.symptoms if rng.random() < 0.7}
    states = {m.id: str(rng.choice(m.states)) for m in eq.measurements if rng.random() < 0.5}
    excluded = frozenset(c.id for c in eq.causes[:1] if rng.random() < 0.3)
    evidence = Evidence(symptoms, states, excluded)
    fast = model.posteriors(evidence).probabilities
    expected = oracle(eq, evidence)
    assert set(fast) == set(expected)
    for h, p in expected.items():
        assert abs(fast[h] - p) < 1e-12, (h, fast[h], p)
