"""Exact posteriors on tiny networks, checked against arithmetic done by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from tiny_equipment import cause, choice, equipment, kb_of, numeric, symptom

from diagnosis.bayes import (
    NONE,
    UNKNOWN,
    CauseFactor,
    DiagnosticModel,
    Evidence,
    compile_equipment,
)
from diagnosis.bayes.model import (
    STATE_LEAK,
    UNKNOWN_NAMED_SHARE,
    UNKNOWN_PRIOR,
    UNKNOWN_SYMPTOM_LINK,
)
from diagnosis.errors import InferenceError
from diagnosis.kb.model import Effect

# One cause c (prior 0.1) -> symptom s (p 0.8, leak 0.01); _unknown: prior 0.02, link 0.3.
ONE = equipment(
    (symptom("s", 0.01),),
    (numeric("m"),),
    (cause("c", 0.1, Effect(0.8, symptom="s"), Effect(0.6, measurement="m", state="low")),),
)

# P(s present | c, u) = 1 - (1 - 0.01)(1 - 0.8)^c (1 - 0.3)^u, times P(c) P(u):
J00 = 0.9 * 0.98 * 0.01  # c absent,  u absent
J10 = 0.1 * 0.98 * (1 - 0.99 * 0.2)  # c present, u absent
J01 = 0.9 * 0.02 * (1 - 0.99 * 0.7)  # c absent,  u present
J11 = 0.1 * 0.02 * (1 - 0.99 * 0.2 * 0.7)  # both
PE = J00 + J10 + J01 + J11


def test_constants_used_by_the_hand_arithmetic() -> None:
    assert (UNKNOWN_PRIOR, UNKNOWN_SYMPTOM_LINK, UNKNOWN_NAMED_SHARE) == (0.02, 0.3, 0.1)
    assert STATE_LEAK == 0.01


def test_one_cause_symptom_present() -> None:
    post = DiagnosticModel(ONE).posteriors(Evidence(symptoms={"s": True}))
    assert post["c"] == pytest.approx((J10 + J11) / PE, rel=1e-12)  # 0.8902...
    assert post[UNKNOWN] == pytest.approx((J01 + J11) / PE, rel=1e-12)
    assert post.evidence_probability == pytest.approx(PE, rel=1e-12)
    assert post.top()[0] == "c"


def test_symptom_reported_absent_lowers_the_cause() -> None:
    # P(s absent | c, u) = 0.99 * 0.2^c * 0.7^u
    a00, a10 = 0.9 * 0.98 * 0.99, 0.1 * 0.98 * 0.99 * 0.2
    a01, a11 = 0.9 * 0.02 * 0.99 * 0.7, 0.1 * 0.02 * 0.99 * 0.2 * 0.7
    post = DiagnosticModel(ONE).posteriors(Evidence(symptoms={"s": False}))
    assert post["c"] == pytest.approx((a10 + a11) / (a00 + a10 + a01 + a11), rel=1e-12)


def test_exclusion_conditions_the_cause_absent() -> None:
    post = DiagnosticModel(ONE).posteriors(
        Evidence(symptoms={"s": True}, excluded=frozenset({"c"}))
    )
    assert "c" not in post.probabilities
    assert post[UNKNOWN] == pytest.approx(J01 / (J00 + J01), rel=1e-12)


def test_cause_factor_multiplies_the_joint() -> None:
    factor = CauseFactor(("c",), (1.0, 0.5), label="ft")
    post = DiagnosticModel(ONE).posteriors(Evidence(symptoms={"s": True}, factors=(factor,)))
    num = 0.5 * (J10 + J11)
    assert post["c"] == pytest.approx(num / (J00 + J01 + num), rel=1e-12)


def test_numeric_reading_is_noisy_max_with_low_before_high() -> None:
    # c1 -> low 0.9; c2 -> high 0.7 and low 0.2. Reading "high": the low channel is
    # off and the high channel on. Per (c1, c2, u) with leaks 0.01 (both states are
    # named by a cause, so _unknown leaves their leaks alone, issue 14):
    #   P(low off)  = 0.99 * 0.1^c1 * 0.8^c2
    #   P(high on)  = 1 - 0.99 * 0.3^c2
    eq = equipment(
        (),
        (numeric("v"),),
        (
            cause("c1", 0.05, Effect(0.9, measurement="v", state="low")),
            cause(
                "c2",
                0.03,
                Effect(0.7, measurement="v", state="high"),
                Effect(0.2, measurement="v", state="low"),
            ),
        ),
    )
    joint = {}
    for c1 in (0, 1):
        for c2 in (0, 1):
            for u in (0, 1):
                prior = (0.05 if c1 else 0.95) * (0.03 if c2 else 0.97) * (0.02 if u else 0.98)
                low_off = 0.99 * 0.1**c1 * 0.8**c2
                high_on = 1 - 0.99 * 0.3**c2
                joint[c1, c2, u] = prior * low_off * high_on
    pe = sum(joint.values())
    post = DiagnosticModel(eq).posteriors(Evidence(states={"v": "high"}))
    assert post["c2"] == pytest.approx(sum(v for k, v in joint.items() if k[1]) / pe, rel=1e-12)
    assert post["c1"] == pytest.approx(sum(v for k, v in joint.items() if k[0]) / pe, rel=1e-12)
    assert post.top()[0] == "c2"


# Issue 14: _unknown moves the leaks of a measurement instead of adding to them.
# g: dry (normal), wet (named by a: 0.9), contaminated (named by none). With
# _unknown present, wet keeps 0.1 of its leak (0.001) and contaminated takes the
# rest: 1 - leak' = 0.99 * 0.99 / 0.999, so P(dry) = 0.99 * 0.99 either way.
G = choice("g", ("dry", "wet", "contaminated"))
WET_U = 0.001
CONT_U = 1 - 0.99 * 0.99 / 0.999  # 0.018918918...
A_S = cause("a", 0.04, Effect(0.9, symptom="s"), Effect(0.9, measurement="g", state="wet"))


def _joint_a_u(reading: str | None) -> dict[tuple[int, int], float]:
    """P(a, u, s present, g = reading) by hand, for the equipment (s; g; a)."""
    joint = {}
    for a in (0, 1):
        for u in (0, 1):
            prior = (0.04 if a else 0.96) * (0.02 if u else 0.98)
            s_on = 1 - 0.99 * 0.1**a * 0.7**u
            wet_off = (1 - (WET_U if u else 0.01)) * 0.1**a
            cont_on = CONT_U if u else 0.01
            g = {
                None: 1.0,
                "dry": wet_off * (1 - cont_on),
                "contaminated": wet_off * cont_on,
            }[reading]
            joint[a, u] = prior * s_on * g
    return joint


def _p_unknown(joint: dict[tuple[int, int], float]) -> float:
    return sum(v for k, v in joint.items() if k[1]) / sum(joint.values())


def test_unknown_leaks_keep_the_normal_state_exactly() -> None:
    model = DiagnosticModel(equipment((symptom("s"),), (G,), (A_S,)))
    table = model.single_state_probabilities("g")  # rows: a, _unknown, _none
    assert abs(CONT_U - 0.018918918918918920) < 1e-15
    assert table[1].tolist() == pytest.approx(
        [0.99 * 0.99, WET_U, (1 - WET_U) * CONT_U], rel=1e-12
    )
    assert table[1][0] == pytest.approx(table[2][0], rel=1e-12)  # normal: as under _none


def test_a_normal_reading_never_lowers_unknown() -> None:
    # Before issue 14 a normal reading of g divided _unknown by 0.95 * 0.5.
    model = DiagnosticModel(equipment((symptom("s"),), (G,), (A_S,)))
    before = model.posteriors(Evidence(symptoms={"s": True}))
    after = model.posteriors(Evidence(symptoms={"s": True}, states={"g": "dry"}))
    assert before[UNKNOWN] == pytest.approx(_p_unknown(_joint_a_u(None)), rel=1e-12)
    assert after[UNKNOWN] == pytest.approx(_p_unknown(_joint_a_u("dry")), rel=1e-12)
    assert after[UNKNOWN] == pytest.approx(0.3156659108976698, rel=1e-9)
    # dry weighs only on a (it predicts wet), so _unknown explains s more often
    assert after[UNKNOWN] > before[UNKNOWN] == pytest.approx(0.129247738199624, rel=1e-9)


def test_a_state_no_cause_names_raises_unknown() -> None:
    # "contaminated" is named by no cause: under _unknown its leak is 0.0189, not 0.01.
    model = DiagnosticModel(equipment((symptom("s"),), (G,), (A_S,)))
    post = model.posteriors(Evidence(symptoms={"s": True}, states={"g": "contaminated"}))
    assert post[UNKNOWN] == pytest.approx(_p_unknown(_joint_a_u("contaminated")), rel=1e-12)
    assert post[UNKNOWN] == pytest.approx(0.4682590770761479, rel=1e-9)
    dry = model.posteriors(Evidence(symptoms={"s": True}, states={"g": "dry"}))
    assert post[UNKNOWN] > dry[UNKNOWN]


def test_state_no_cause_names_moves_mass_to_unknown() -> None:
    # Before issue 14 _unknown had a 0.5 link to "contaminated" and led after this
    # one reading (> 0.5), at the price of halving at every normal reading. Now the
    # reading only moves leak mass (x1.89) : b, which explains s and says nothing
    # about g, still leads; the session calls b contradicted (P(contaminated | b)
    # = 0.0099 < 0.2) and ends on _unknown (tests/diagnosis/session).
    eq = equipment(
        (symptom("s"),),
        (G,),
        (A_S, cause("b", 0.04, Effect(0.9, symptom="s"))),
    )
    model = DiagnosticModel(eq)
    post = model.posteriors(Evidence(symptoms={"s": True}, states={"g": "contaminated"}))
    base = model.posteriors(Evidence(symptoms={"s": True}))
    assert post.top()[0] == "b"
    assert post[UNKNOWN] / base[UNKNOWN] > 1.5


def test_leak_only_evidence_is_possible() -> None:
    eq = equipment(
        (symptom("lonely", 0.001),),
        (numeric("v"),),
        (cause("c", 0.01, Effect(0.5, measurement="v", state="low")),),
    )
    post = DiagnosticModel(eq).posteriors(
        Evidence(symptoms={"lonely": True}, states={"v": "high"}, excluded=frozenset({"c"}))
    )
    assert post.evidence_probability > 0
    assert set(post.probabilities) == {UNKNOWN}


def test_predictive_is_the_exact_marginal_and_sums_to_one() -> None:
    model = DiagnosticModel(ONE)
    evidence = Evidence(symptoms={"s": True})
    pred = model.predictive(evidence, "m")
    assert sum(pred.values()) == pytest.approx(1.0, abs=1e-12)
    # Under _unknown (issue 14) "low", named by c, keeps 0.1 of its leak (0.001) and
    # "high", named by none, takes the rest: 1 - leak_high = 0.99 * 0.99 / 0.999.
    # P(m low, s) = sum over (c, u) of joint(c, u) * (1 - (1 - leak_low) * 0.4^c)
    low = (
        J00 * 0.01
        + J10 * (1 - 0.99 * 0.4)
        + J01 * 0.001
        + J11 * (1 - 0.999 * 0.4)
    )
    assert pred["low"] == pytest.approx(low / PE, rel=1e-12)
    # high: low must be off, then the high channel on
    high_u = 1 - 0.99 * 0.99 / 0.999
    high = (
        J00 * 0.99 * 0.01
        + J10 * 0.99 * 0.4 * 0.01
        + J01 * 0.999 * high_u
        + J11 * 0.999 * 0.4 * high_u
    )
    assert pred["high"] == pytest.approx(high / PE, rel=1e-12)
    assert model.predictive(evidence.with_state("m", "high"), "m") == {
        "low": 0.0,
        "normal": 0.0,
        "high": 1.0,
    }


def test_explanation_distribution_by_hand() -> None:
    # Single hypotheses: P(only h, s) is proportional to odds(h) * P(s | only h).
    model = DiagnosticModel(ONE)
    dist = model.explanation_distribution(Evidence(symptoms={"s": True}))
    w = {"c": 0.1 / 0.9 * (1 - 0.99 * 0.2), UNKNOWN: 0.02 / 0.98 * (1 - 0.99 * 0.7), NONE: 0.01}
    total = sum(w.values())
    assert set(dist) == set(w)
    for h, v in w.items():
        assert dist[h] == pytest.approx(v / total, rel=1e-12)
    assert sum(dist.values()) == pytest.approx(1.0)


def test_bad_evidence_is_an_inference_error() -> None:
    model = DiagnosticModel(ONE)
    with pytest.raises(InferenceError, match="no symptom 'nope'"):
        model.posteriors(Evidence(symptoms={"nope": True}))
    with pytest.raises(InferenceError, match="no state 'hot'"):
        model.posteriors(Evidence(states={"m": "hot"}))
    with pytest.raises(InferenceError, match="no cause 'x'"):
        model.posteriors(Evidence(excluded=frozenset({"x"})))


def test_compile_is_cached_per_kb_and_equipment() -> None:
    kb = kb_of(ONE)
    assert compile_equipment(kb, "eq") is compile_equipment(kb, "eq")
    assert compile_equipment(kb_of(ONE), "eq") is not compile_equipment(kb, "eq")
    with pytest.raises(InferenceError, match="no equipment 'other'"):
        compile_equipment(kb, "other")


def test_duplicate_effects_combine_as_noisy_or() -> None:
    eq = equipment(
        (symptom("s"),), (), (cause("c", 0.1, Effect(0.5, symptom="s"), Effect(0.6, symptom="s")),)
    )
    model = DiagnosticModel(eq)
    links = dict(model.channels[0].links)
    assert links[0] == pytest.approx(1 - 0.5 * 0.4)
    assert math.isclose(links[1], UNKNOWN_SYMPTOM_LINK)


def test_fast_path_and_planner_never_import_pgmpy() -> None:
    import subprocess
    import sys

    here = str(Path(__file__).parent)
    code = (
        "import sys\n"
        f"sys.path.insert(0, {here!r})\n"
        "from tiny_equipment import synthetic\n"
        "from diagnosis.bayes import DiagnosticModel, Evidence\n"
        "from diagnosis.planner import next_best\n"
        "eq = synthetic().synthetic_equipment(8, seed=1)\n"
        "m = DiagnosticModel(eq)\n"
        "e = Evidence(symptoms={eq.symptoms[0].id: True})\n"
        "m.posteriors(e); next_best(m, e, eq)\n"
        "assert 'pgmpy' not in sys.modules, 'pgmpy imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
