"""One tiny broken file per validation rule: the message and its file:line:column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from diagnosis.errors import KnowledgeBaseError
from diagnosis.kb import check_kb, load_kb

BROKEN = Path(__file__).parent / "data" / "broken"

# file, expected (line, column, message) of every problem, in order
CASES: dict[str, list[tuple[int, int, str]]] = {
    "yaml_syntax.yaml": [(3, 1, "YAML syntax error: expected ',' or ']', but got '<stream end>'")],
    "empty.yaml": [(1, 1, "file is empty")],
    "binary.yaml": [(1, 1, "not a text file")],
    "python_tag.yaml": [
        (
            2,
            12,
            "tag 'tag:yaml.org,2002:python/object/apply:os.system' is not "
            "allowed (only plain YAML is read; nothing is executed)",
        )
    ],
    "unknown_field.yaml": [
        (4, 5, "symptom 's1': missing required field 'category'"),
        (4, 24, "symptom 's1': unknown field 'categry' (did you mean 'category'?)"),
    ],
    "wrong_type.yaml": [(11, 12, "cause 'c1': prior: expected a number, got a string")],
    "probability_out_of_range.yaml": [(11, 12, "cause 'c1': prior 1.5 is not in (0, 1)")],
    "sod_out_of_range.yaml": [(15, 35, "fmea line 'f1': severity 11 is not in 1..10")],
    "thresholds_not_increasing.yaml": [
        (
            6,
            101,
            "measurement 'm1': thresholds must be strictly increasing: "
            "low_alarm 5 is not below high_alarm 4",
        )
    ],
    "unknown_state_effect.yaml": [
        (
            14,
            9,
            "cause 'c1': unknown state 'middle' of measurement 'm1' (states: low, normal, high)",
        )
    ],
    "unknown_state_rule.yaml": [
        (16, 12, "rule 'r1': unknown state 'on' of measurement 'm1' (states: low, normal, high)")
    ],
    "duplicate_id.yaml": [(14, 5, "duplicate cause id 'c1' (first defined at {file}:8:5)")],
    "dangling_reference.yaml": [(14, 9, "cause 'c1': unknown symptom 's9'")],
    "reserved_id.yaml": [
        (8, 9, "cause: id '_c1' is reserved for the engine (ids starting with _)")
    ],
    "missing_required.yaml": [(8, 5, "cause 'c1': missing required field 'prior'")],
    "format_missing.yaml": [(1, 1, "file: missing required field 'format'")],
    "format_unsupported.yaml": [(1, 9, "unsupported format 2 (this program reads format 1)")],
    "ft_cycle.yaml": [(6, 7, "fault tree 'ft1': cycle g1 -> g2 -> g1")],
    "ft_atleast_k.yaml": [(6, 34, "gate 'g1': k=4 is not in 1..3 (its inputs)")],
    "ft_unknown_gate_type.yaml": [
        (6, 22, "gate 'g1': type: 'orr' is not one of and, or, atleast, not, xor, nand, nor")
    ],
    "ft_dangling_input.yaml": [(6, 7, "gate 'g1': unknown input 'e2'")],
    "many_errors.yaml": [
        (
            4,
            34,
            "symptom 's1': category: 'noise' is not one of quality, safety, productivity, "
            "environment",
        ),
        (6, 5, "measurement 'm1': a numeric measurement needs 'nominal'"),
        (
            10,
            18,
            "cause 'c1': category_5m: 'machines' is not one of matiere, machine, methode, "
            "main_oeuvre, milieu, mesure",
        ),
        (11, 12, "cause 'c1': prior 0 is not in (0, 1)"),
    ],
}


def _kb_with(tmp_path: Path, name: str) -> tuple[Path, Path]:
    kb, ft = tmp_path / "knowledge_base", tmp_path / "fault_trees"
    kb.mkdir()
    ft.mkdir()
    if name.startswith("ft_"):
        shutil.copy(BROKEN / "_base.yaml", kb / "base.yaml")
        shutil.copy(BROKEN / name, ft / name)
    else:
        shutil.copy(BROKEN / name, kb / name)
    return kb, ft


def test_every_broken_file_has_a_case() -> None:
    files = {p.name for p in BROKEN.glob("*.yaml")} - {"_base.yaml"}
    assert files == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_broken_file_reports_message_and_position(tmp_path: Path, name: str) -> None:
    kb_dir, ft_dir = _kb_with(tmp_path, name)
    kb, problems = check_kb(kb_dir, ft_dir)
    assert kb is None
    folder = ft_dir if name.startswith("ft_") else kb_dir
    assert {p.file for p in problems} == {str(folder / name)}
    expected = [
        (line, col, msg.replace("{file}", str(folder / name))) for line, col, msg in CASES[name]
    ]
    assert [(p.line, p.column, p.message) for p in problems] == expected


def test_problem_prints_as_file_line_column(tmp_path: Path) -> None:
    kb_dir, _ = _kb_with(tmp_path, "probability_out_of_range.yaml")
    _, problems = check_kb(kb_dir)
    assert str(problems[0]) == (
        f"{kb_dir / 'probability_out_of_range.yaml'}:11:12: cause 'c1': prior 1.5 is not in (0, 1)"
    )


def test_duplicate_id_across_files(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    shutil.copy(BROKEN / "_base.yaml", kb / "a.yaml")
    text = (BROKEN / "_base.yaml").read_text().replace("id: eq,", "id: eq2,")
    text = text.replace("id: s1,", "id: s2,").replace("symptom: s1", "symptom: s2")
    text = text.replace("id: m1,", "id: m2,")
    (kb / "b.yaml").write_text(text)
    _, problems = check_kb(kb)
    assert [(Path(p.file).name, p.line, p.message) for p in problems] == [
        ("b.yaml", 8, f"duplicate cause id 'c1' (first defined at {kb / 'a.yaml'}:8:5)")
    ]


def test_python_tag_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "x.yaml").write_text(
        f'format: 1\nequipment: !!python/object/apply:os.system ["touch {marker}"]\n'
    )
    _, problems = check_kb(kb)
    assert problems and not marker.exists()


def test_load_kb_raises_with_every_problem(tmp_path: Path) -> None:
    kb_dir, _ = _kb_with(tmp_path, "many_errors.yaml")
    with pytest.raises(KnowledgeBaseError) as info:
        load_kb(kb_dir)
    assert len(info.value.problems) == 4
    assert "(and 3 more)" in str(info.value)


def test_shared_procedures_file_extension(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    base = (BROKEN / "_base.yaml").read_text()
    (kb / "eq.yaml").write_text(
        base + "rules:\n  - {id: r1, when: [{symptom: s1}], then: {alert: shared-stop}}\n"
    )
    (kb / "shared.yaml").write_text(
        "format: 1\nprocedures:\n  - id: shared-stop\n"
        "    kind: alert\n    name: Stop\n    steps: [Stop it]\n"
    )
    loaded = load_kb(kb)
    assert loaded.procedure("shared-stop").equipment == ""
    (kb / "bad.yaml").write_text("format: 1\nsymptoms: []\n")
    _, problems = check_kb(kb)
    assert [p.message for p in problems] == [
        "missing required field 'equipment' (only a file of shared procedures may go without it)"
    ]


def test_a_refused_entity_is_not_reported_again_as_dangling(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    text = (BROKEN / "_base.yaml").read_text().replace("prior: 0.1", "prior: 2")
    (kb / "eq.yaml").write_text(
        text + "fmea:\n  - {id: f1, cause: c1, severity: 5, occurrence: 3, detection: 4}\n"
    )
    _, problems = check_kb(kb)
    assert [p.message for p in problems] == ["cause 'c1': prior 2 is not in (0, 1)"]
