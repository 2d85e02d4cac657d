"""Named findings (KB extension): rules derive them, other rules and the session use them.

Also: the engine keeps its working memory while facts are only added, and
gives exactly what a fresh engine gives on the same facts.
"""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from diagnosis.i18n import Text
from diagnosis.kb import check_kb, load_kb
from diagnosis.kb.model import (
    Action,
    Cause,
    Condition,
    Effect,
    Equipment,
    EquipmentKB,
    Finding,
    KnowledgeBase,
    Measurement,
    Rule,
    Symptom,
)
from diagnosis.kb.schema import json_schema
from diagnosis.rules import Observation, RulesEngine, rules_engine
from diagnosis.session import Session

DRY = Finding("dry", Text.of({"en": "Material is dry", "fr": "Matière sèche"}))
M = tuple(
    Measurement(mid, Text.of(mid), "boolean", normal="true") for mid in ("moist", "dryer", "time")
)
RULES = (
    Rule("r-moist", (Condition(measurement="moist", state="true"),), Action(derive=(DRY,))),
    Rule(
        "r-chain",
        (Condition(measurement="dryer", state="true"), Condition(measurement="time", state="true")),
        Action(derive=(DRY,)),
    ),
    Rule(
        "r-use",
        (Condition(finding="dry"), Condition(symptom="splay")),
        Action(exclude=("humid",)),
    ),
)
CAUSES = (
    Cause("humid", Text.of("Humid"), "material", 0.1, (Effect(0.9, symptom="splay"),)),
    Cause("hot", Text.of("Hot"), "machine", 0.1, (Effect(0.9, symptom="splay"),)),
)
EQ = EquipmentKB(
    Equipment("e", Text.of("E")),
    (Symptom("splay", Text.of("Splay"), "quality"),),
    M,
    CAUSES,
    RULES,
)
KB = KnowledgeBase((EQ,))


def obs(**states: bool) -> list[Observation]:
    return [Observation(m, v, "true" if v else "false") for m, v in states.items()]


def test_a_rule_matches_a_finding_another_rule_derived() -> None:
    out = rules_engine(KB, "e").evaluate({"splay": True}, obs(moist=True))
    assert out.findings == (("dry", "r-moist"),)
    assert out.fired == ("r-moist", "r-use") and dict(out.excluded) == {"humid": "r-use"}


def test_two_rules_may_derive_the_same_finding() -> None:
    out = rules_engine(KB, "e").evaluate({"splay": True}, obs(dryer=True, time=True))
    assert out.findings == (("dry", "r-chain"),) and out.fired == ("r-chain", "r-use")
    out = rules_engine(KB, "e").evaluate({"splay": True}, obs(dryer=True, time=False))
    assert out.findings == () and out.fired == ()


def test_a_finding_goes_when_its_reading_goes() -> None:
    engine = rules_engine(KB, "e")
    assert engine.evaluate({"splay": True}, obs(moist=True)).findings == (("dry", "r-moist"),)
    assert engine.evaluate({"splay": True}, obs(moist=False)).findings == ()
    assert engine.evaluate({"splay": True}, []).excluded == {}


FACT_SETS = st.lists(
    st.tuples(
        st.dictionaries(st.sampled_from(["splay"]), st.booleans(), max_size=1),
        st.dictionaries(st.sampled_from(["moist", "dryer", "time"]), st.booleans()),
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=40, deadline=None)
@given(FACT_SETS)
def test_kept_working_memory_gives_what_a_fresh_engine_gives(steps: list) -> None:  # type: ignore[type-arg]
    kept = RulesEngine(EQ, {})
    for symptoms, readings in steps:
        # grow the facts one by one (the usual session), then jump to the next set
        items = list(readings.items())
        for i in range(len(items) + 1):
            facts = obs(**dict(items[:i]))
            fresh = RulesEngine(EQ, {}).evaluate(symptoms, facts)
            assert kept.evaluate(symptoms, facts) == fresh


def test_the_session_records_a_derived_finding_in_the_users_language() -> None:
    for lang, text in (("en", "Finding: Material is dry"), ("fr", "Constat : Matière sèche")):
        session = Session.start(KB, "e", ["splay"], lang=lang)
        session.answer("moist", "true")
        assert text in session.notes
        assert "humid" in session.excluded
        session.answer("dryer", "true")
        assert session.notes.count(text) == 1  # derived again by nothing new: noted once


def test_findings_in_the_kb_format(tmp_path: Path) -> None:
    fields = json.dumps(json_schema())
    assert '"derive"' in fields and '"finding"' in fields
    bad = tmp_path / "kb"
    bad.mkdir()
    (bad / "e.yaml").write_text(
        "format: 1\n"
        "equipment: {id: e, name: E}\n"
        "symptoms: [{id: s, name: S, category: quality}]\n"
        "measurements: [{id: m, name: M, kind: boolean, normal: 'true'}]\n"
        "causes: [{id: c, name: C, category_5m: machine, prior: 0.1,"
        " effects: [{symptom: s, p: 0.9}]}]\n"
        "rules:\n"
        "  - {id: r1, when: [{finding: nowhere}], then: {exclude: [c]}}\n"
        "  - {id: r2, when: [{finding: f, symptom: s}], then: {exclude: [c]}}\n"
        "  - id: r3\n"
        "    when: [{measurement: m, state: 'true'}]\n"
        "    then: {derive: [{id: f, name: {en: F, fr: F}}]}\n",
        encoding="utf-8",
    )
    kb, problems = check_kb(bad)
    messages = [f"{p.line}: {p.message}" for p in problems]
    assert kb is None
    assert messages == [
        "7: rule 'r1': unknown finding 'nowhere' (no rule of 'e' derives it)",
        "8: rule 'r2': a finding condition takes no other field",
    ]


def test_the_bundled_kb_uses_a_finding() -> None:
    kb = load_kb()
    press = kb.equipment("injection-press-01")
    derived = {f.id for r in press.rules for f in r.then.derive}
    used = {c.finding for r in press.rules for c in r.when if c.finding}
    assert used and used <= derived
    engine = rules_engine(kb, "injection-press-01")
    out = engine.evaluate(
        {"im-splay": True},
        [
            Observation("im-dryer-dew-point", -40.0, "normal"),
            Observation("im-residence-time", 4.0, "normal"),
        ],
    )
    assert out.findings == (("im-find-material-dry", "im-rule-dryer-chain-ok"),)
    assert ("im-melt-temp", "im-rule-dry-material-splay") in out.suggestions
