"""Hostile and broken KB files: one clean located problem each, never a traceback or a hang."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnosis.errors import KnowledgeBaseError
from diagnosis.kb import check_kb, load_fault_tree_file
from diagnosis.kb.yamllimits import MAX_DEPTH, read_bounded, scan_limits

BASE = (Path(__file__).parent / "data" / "broken" / "_base.yaml").read_text(encoding="utf-8")

BOMB = "".join(
    [f"  a0: &a0 [{', '.join(['x'] * 9)}]\n"]
    + [f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)]
)


def _problems(tmp_path: Path, text: str, tree: str | None = None) -> list[str]:
    kb, ft = tmp_path / "kb", tmp_path / "fault_trees"
    kb.mkdir()
    ft.mkdir()
    (kb / "eq.yaml").write_text(text, encoding="utf-8")
    if tree is not None:
        (ft / "t.yaml").write_text(tree, encoding="utf-8")
    loaded, problems = check_kb(kb, ft)
    assert loaded is None
    return [f"{p.line}:{p.column}: {p.message}" for p in problems]


def _with(field: str) -> str:
    return BASE.replace("format: 1\n", f"format: 1\nzz: {field}\n")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9" * 5000, "2:5: '9999999999999999999999999999999999999...' is not a valid int"),
        ("1.0e+400", "2:5: number '1.0e+400' is out of range (beyond 1.8e308)"),
        ("2001-02-30", "2:5: '2001-02-30' is not a valid timestamp"),
        ("!!float abc", "2:5: 'abc' is not a valid float"),
        ("!!int 1.5", "2:5: '1.5' is not a valid int"),
        ("!custom x", "2:5: tag '!custom' is not allowed (only plain YAML is read; nothing is executed)"),
    ],
    ids=["int-5000-digits", "float-overflow", "date-feb-30", "float-abc", "int-1.5", "custom-tag"],
)
def test_unreadable_scalars_are_one_located_problem(
    tmp_path: Path, value: str, expected: str
) -> None:
    problems = [p for p in _problems(tmp_path, _with(value)) if "unknown field 'zz'" not in p]
    assert problems == [expected]


def test_deep_nesting_is_refused_before_the_recursive_composer(tmp_path: Path) -> None:
    problems = _problems(tmp_path, _with("[" * 5000 + "]" * 5000))[:1]
    assert problems == [f"2:{4 + MAX_DEPTH}: nested more than {MAX_DEPTH} levels deep"]


def test_alias_bomb_under_format_is_refused(tmp_path: Path) -> None:
    text = "format:\n" + BOMB + BASE.replace("format: 1\n", "")
    problems = _problems(tmp_path, text)
    assert len(problems) == 1
    assert "once aliases are expanded (an alias bomb?)" in problems[0]


def test_recursive_alias_is_refused() -> None:
    limit = scan_limits("a: &x [1, *x]\n")
    assert limit is not None
    assert (limit.line, limit.column) == (1, 11)
    assert "recursive" in limit.message


def test_file_size_is_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"a" * 101)
    with pytest.raises(ValueError, match="larger than"):
        read_bounded(str(big), limit=100)
    assert read_bounded(str(big), limit=101) == b"a" * 101


def test_dev_zero_read_is_bounded() -> None:
    with pytest.raises(ValueError, match="larger than"):
        read_bounded("/dev/zero", limit=1024)


def test_cause_repeated_through_an_alias_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("causes:\n  - id: c1\n", "causes:\n  - &c\n    id: c1\n") + "  - *c\n"
    problems = _problems(tmp_path, text)
    assert problems == [
        "8:5: 'c1' is repeated through a YAML alias; an entity is written once "
        "(give the copy its own id)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"Stop\\e[8m hidden"', "U+001B"),
        ('"Isolate \\u202Eevlav"', "U+202E"),
        ('{en: "ok", fr: "x\\u2066y"}', "U+2066"),
    ],
)
def test_control_and_bidi_characters_are_refused(tmp_path: Path, text: str, expected: str) -> None:
    problems = _problems(tmp_path, BASE.replace("name: S1", f"name: {text}"))
    assert len(problems) == 1
    assert f"contains the control character {expected}" in problems[0]
    assert "\x1b" not in problems[0] and "\u202e" not in problems[0]


def test_empty_lockout_step_is_refused(tmp_path: Path) -> None:
    text = BASE + (
        "procedures:\n"
        "  - {id: p1, kind: lockout, name: Lock, steps: [\"Open Q1\", \"  \"]}\n"
    )
    problems = _problems(tmp_path, text)
    assert problems == ["15:60: procedure 'p1': steps: text is empty"]


def test_unit_longer_than_the_store_column_is_refused(tmp_path: Path) -> None:
    problems = _problems(tmp_path, BASE.replace("unit: bar", "unit: " + "u" * 41))
    assert problems == ["6:45: measurement 'm1': unit: longer than 40 characters (41)"]


TREE = """format: 1
fault_tree:
  id: ft1
  top: g1
  gates:
    - {{id: g1, type: atleast, {k}inputs: [e1, e2]}}
  events:
    - {{id: e1, probability: 0.1}}
    - {{id: e2, probability: 0.2}}
"""


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        ("", "6:7: gate 'g1': an atleast gate needs 'k'"),
        ("k: '2', ", "6:34: gate 'g1': k: expected a number, got a string"),
        ("k: 3, ", "6:34: gate 'g1': k=3 is not in 1..2 (its inputs)"),
    ],
)
def test_atleast_k_missing_or_string_is_a_problem(tmp_path: Path, k: str, expected: str) -> None:
    assert _problems(tmp_path, BASE, TREE.format(k=k)) == [expected]


def test_kb_check_applies_the_analysis_validator(tmp_path: Path) -> None:
    """What ``ft analyze`` refuses (an input listed twice), ``kb check`` refuses too."""
    tree = TREE.format(k="k: 1, ").replace("[e1, e2]", "[e1, e1]")
    assert _problems(tmp_path, BASE, tree) == ["6:0: gate 'g1': an input is listed twice"]
    (tmp_path / "one.yaml").write_text(tree, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="an input is listed twice"):
        load_fault_tree_file(tmp_path / "one.yaml")


def test_empty_why_template_link_is_refused(tmp_path: Path) -> None:
    """An empty 5-Why link would fail the record at the end of a scripted run."""
    text = BASE.replace("    prior: 0.1\n", "    prior: 0.1\n    why: [\"melt too cold\", \"\"]\n")
    problems = _problems(tmp_path, text)
    assert problems == ["12:28: cause 'c1': why: text is empty"]


def test_an_unreadable_equipment_file_is_one_message_not_a_cascade(tmp_path: Path) -> None:
    """Fault trees naming the equipment of an unreadable file add no 'unknown' messages."""
    tree = TREE.format(k="k: 1, ").replace("  top: g1\n", "  top: g1\n  equipment: eq\n")
    tree = tree.replace("{id: e1, probability: 0.1}", "{id: e1, probability: 0.1, cause: c1}")
    assert _problems(tmp_path, "format: 1\nequipment: [oops\n", tree) == [
        "3:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"
    ]
