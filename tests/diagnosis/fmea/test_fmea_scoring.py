"""FMEA scoring: RPN, AIAG-VDA action priority (every band edge), criticality grids, order."""

from __future__ import annotations

import itertools

import pytest

from diagnosis.errors import KnowledgeBaseError
from diagnosis.fmea import (
    DEFAULT_GRID,
    CriticalityGrid,
    action_priority,
    evaluate,
    fmea_for_cause,
    fmea_table,
    rpn,
)
from diagnosis.i18n import Text
from diagnosis.kb.model import (
    Cause,
    Effect,
    Equipment,
    EquipmentKB,
    FmeaLine,
    KnowledgeBase,
    Symptom,
)


def reference_ap(s: int, o: int, d: int) -> str:
    """domain.md §2.2, row by row, written independently of the module's lookup."""
    dcol = 0 if d >= 7 else 1 if d >= 5 else 2 if d >= 2 else 3
    if s >= 9:
        if o >= 6:
            return "H"
        if o >= 4:
            return "HHHM"[dcol]
        if o >= 2:
            return "HMLL"[dcol]
        return "L"
    if s >= 7:
        if o >= 8:
            return "H"
        if o >= 6:
            return "HHHM"[dcol]
        if o >= 4:
            return "HMMM"[dcol]
        if o >= 2:
            return "MMLL"[dcol]
        return "L"
    if s >= 4:
        if o >= 8:
            return "HHMM"[dcol]
        if o >= 6:
            return "MMML"[dcol]
        if o >= 4:
            return "MLLL"[dcol]
        return "L"
    if s >= 2:
        return "MMLL"[dcol] if o >= 8 else "L"
    return "L"


def test_every_combination_matches_the_table() -> None:
    for s, o, d in itertools.product(range(1, 11), repeat=3):
        assert action_priority(s, o, d) == reference_ap(s, o, d), (s, o, d)


@pytest.mark.parametrize(
    ("s", "o", "d", "ap"),
    [
        # S band edges 9|8, 7|6, 4|3, 2|1 at O 8-10, D 7-10 / D 1.
        (9, 8, 7, "H"),
        (8, 8, 7, "H"),
        (7, 8, 1, "H"),
        (6, 8, 1, "M"),
        (4, 8, 2, "M"),
        (3, 8, 7, "M"),
        (3, 8, 4, "L"),
        (2, 8, 5, "M"),
        (1, 10, 10, "L"),
        # O band edges 8|7, 6|5, 4|3, 2|1.
        (7, 7, 1, "M"),
        (7, 6, 2, "H"),
        (7, 5, 5, "M"),
        (7, 4, 10, "H"),
        (7, 3, 7, "M"),
        (7, 2, 4, "L"),
        (7, 1, 10, "L"),
        (9, 1, 10, "L"),
        (10, 1, 10, "L"),
        # D band edges 7|6, 5|4, 2|1.
        (9, 4, 2, "H"),
        (9, 4, 1, "M"),
        (9, 2, 7, "H"),
        (9, 2, 6, "M"),
        (9, 2, 5, "M"),
        (9, 2, 4, "L"),
        (5, 4, 7, "M"),
        (5, 4, 6, "L"),
        (6, 6, 2, "M"),
        (6, 6, 1, "L"),
        # "Every other combination is L": S 4-6 with O 2-3; S 2-3 with O <= 7.
        (6, 3, 10, "L"),
        (4, 2, 10, "L"),
        (3, 7, 10, "L"),
        (2, 1, 10, "L"),
    ],
)
def test_band_edges(s: int, o: int, d: int, ap: str) -> None:
    assert action_priority(s, o, d) == ap


def test_out_of_range_rating() -> None:
    with pytest.raises(ValueError, match=r"rating 11 is not in 1\.\.10"):
        action_priority(11, 1, 1)


def test_rpn() -> None:
    assert rpn(7, 3, 4) == 84
    assert rpn(10, 10, 10) == 1000


def line(lid: str, s: int, o: int, d: int, cause: str = "c1") -> FmeaLine:
    return FmeaLine(lid, cause, s, o, d, actions=(Text.of("Check monthly"),))


def kb(*lines: FmeaLine) -> KnowledgeBase:
    causes = (
        Cause("c1", Text.of("c1"), "machine", 0.1, (Effect(0.5, symptom="smoke"),)),
        Cause("c2", Text.of("c2"), "machine", 0.1, (Effect(0.5, symptom="noise"),)),
    )
    symptoms = (
        Symptom("smoke", Text.of("Smoke"), "safety"),
        Symptom("noise", Text.of("Noise"), "quality"),
    )
    eq = EquipmentKB(Equipment("eq", Text.of("Eq")), symptoms, (), causes, fmea=lines)
    return KnowledgeBase((eq,))


def test_criticality_default_grid() -> None:
    r = evaluate(line("x", 7, 3, 4, cause="c2"))
    # O3 -> F1, S7 -> G4, D4 -> N2: C = 8, below the threshold 12.
    assert (r.f, r.g, r.n, r.criticality, r.act, r.safety) == (1, 4, 2, 8, False, False)
    assert (r.rpn, r.ap) == (84, "L")


def test_gravity_forced_to_5_when_safety_is_involved() -> None:
    assert evaluate(line("x", 9, 1, 1)).g == 5  # S >= 9
    k = kb(line("x", 3, 5, 6, cause="c1"))
    r = evaluate(k.equipments[0].fmea[0], k)  # c1 causes a safety symptom
    assert (r.safety, r.g, r.criticality, r.act) == (True, 5, 2 * 5 * 3, True)
    assert evaluate(line("y", 3, 5, 6, cause="c2"), k).g == 2


def test_configurable_grid() -> None:
    grid = CriticalityGrid.from_mapping({"gravity": [1, 2, 2, 3, 3, 4, 4, 5, 5, 5], "threshold": 8})
    r = evaluate(line("x", 7, 3, 4, cause="c2"), None, grid)
    assert (r.g, r.criticality, r.act) == (4, 8, True)
    assert grid.frequency == DEFAULT_GRID.frequency


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"colour": 1}, "unknown grid key 'colour'"),
        ({"frequency": [1, 2]}, "frequency needs ten values in 1..4"),
        ({"gravity": [5, 4, 3, 2, 1, 1, 1, 1, 1, 1]}, "gravity must not decrease"),
        ({"threshold": "high"}, "invalid literal"),
    ],
)
def test_bad_grid(data: dict[str, object], message: str) -> None:
    with pytest.raises(KnowledgeBaseError, match=message):
        CriticalityGrid.from_mapping(data, "grid.yaml")


def test_table_sorted_by_ap_then_rpn_then_severity() -> None:
    k = kb(
        line("low", 2, 2, 2),
        line("m-small", 5, 6, 6),  # M, RPN 180
        line("h", 9, 6, 1),  # H, RPN 54
        line("m-big", 6, 6, 6),  # M, RPN 216
        line("m-tie-s", 6, 6, 5),  # M, RPN 180, S 6 before S 5
    )
    ids = [r.line.id for r in fmea_table(k)]
    assert ids == ["h", "m-big", "m-tie-s", "m-small", "low"]
    assert all(r.equipment == "eq" for r in fmea_table(k, "eq"))
    with pytest.raises(KeyError):
        fmea_table(k, "nope")


def test_fmea_for_cause() -> None:
    k = kb(line("a", 9, 6, 1, cause="c1"), line("b", 2, 2, 2, cause="c2"))
    found = fmea_for_cause(k, "c1")
    assert [r.line.id for r in found] == ["a"]
    assert found[0].line.actions[0].get() == "Check monthly"
    assert (found[0].severity, found[0].ap, found[0].rpn) == (9, "H", 54)
    assert fmea_for_cause(k, "unknown") == []
