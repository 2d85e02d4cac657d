"""``diagnosis train``: list, new, schema, play (JSON contract, exit codes), debrief, results."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from diagnosis.cli import main
from diagnosis.training import load_exercise

PERFECT = """\
- hypothesis: cv-belt-tension-low
- measure: cv-take-up-travel
- measure: cv-vsd-fault-code
- measure: cv-belt-speed
- measure: cv-belt-load
- lockout: cv-lockout
- measure: cv-belt-tension
- conclude: cv-belt-tension-low
  category_5m: methode
  why:
    - {text: "The belt slips, speed low", evidence: cv-belt-speed}
    - {text: "No tension value in the instructions", evidence: cv-belt-tension}
"""

CARELESS = """\
- hypothesis: cv-belt-stretched
- measure: cv-belt-tension
- measure: cv-oil-level
- conclude: cv-belt-stretched
  category_5m: machine
  why: ["the belt is old"]
"""


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_and_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "train", "list", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert len(items) >= 12
    assert set(items[0]) >= {"id", "equipment", "level", "title"}
    code, out, _ = _run(capsys, "train", "list", "--lang", "fr")
    assert code == 0 and "Moteur de convoyeur chaud" in out


def test_schema_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "train", "schema")
    assert code == 0 and json.loads(out)["title"] == "diagnosis training exercise"


def test_new_writes_a_loadable_exercise(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "ex.yaml"
    code, _, _ = _run(
        capsys, "train", "new", "--equipment", "pp-cell-01", "--cause", "pp-cup-worn",
        "--seed", "4", "-o", str(target),
    )
    assert code == 0
    ex = load_exercise(target)
    assert (ex.id, ex.causes, ex.seed, ex.level) == (
        "pp-cell-01-pp-cup-worn-4", ("pp-cup-worn",), 4, "easy",
    )
    code, _, err = _run(capsys, "train", "new", "-e", "pp-cell-01", "-c", "nope", "-o", str(tmp_path / "x.yaml"))
    assert code == 2 and "unknown cause 'nope'" in err
    code, _, err = _run(capsys, "train", "new", "-e", "pp-cell-01", "-c", "pp-cup-worn", "-o", str(target))
    assert code == 2 and "already exists" in err


def _play(capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, script: str, db: str, group: str = "A") -> dict[str, Any]:
    actions = tmp_path / f"{name}.yaml"
    actions.write_text(script, encoding="utf-8")
    code, out, err = _run(
        capsys, "train", "play", "cv-02-belt-tension-lockout", "--trainee", name,
        "--actions", str(actions), "--db", db, "--group", group, "--format", "json",
    )
    assert code == 0, err
    data: dict[str, Any] = json.loads(out)
    return data


def test_play_json_contract_debrief_and_results(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'class.db'}"
    good = _play(capsys, tmp_path, "alice", PERFECT, db)
    assert set(good) >= {
        "exercise", "trainee", "root_cause_correct", "score", "competences", "deductions",
        "path", "engine_path", "minutes", "engine_minutes", "session",
    }
    assert good["score"] == {"total": 100, "max": 100} and good["deductions"] == []
    assert good["minutes"] == good["engine_minutes"] == 30.0
    assert set(good["competences"]) == {"measure", "safety", "diagnose", "justify"}
    assert all(set(c) >= {"score", "max", "reasons"} for c in good["competences"].values())
    bad = _play(capsys, tmp_path, "bob", CARELESS, db)
    assert [d["code"] for d in bad["deductions"]] == [
        "safety-lockout-skipped", "redundant-measurement", "wrong-root-cause",
        "why-unsupported", "wrong-5m",
    ]
    assert bad["score"]["total"] == 49
    code, out, _ = _run(capsys, "train", "debrief", bad["session"][:8], "--db", db)
    assert code == 0
    assert "| 1 | cv-belt-tension |" in out and "safety-lockout-skipped" in out
    assert "cv-take-up-travel" in out  # the engine's path beside the trainee's
    html_file = tmp_path / "debrief.html"
    code, _, _ = _run(capsys, "train", "debrief", bad["session"], "--db", db, "--to", "html", "-o", str(html_file))
    assert code == 0 and "<table>" in html_file.read_text(encoding="utf-8")
    code, out, _ = _run(capsys, "train", "results", "--db", db, "--to", "json")
    results = json.loads(out)
    assert [(r["trainee"], r["score"]) for r in results["rows"]] == [("alice", 100), ("bob", 49)]
    assert results["averages"]["safety"] == pytest.approx((1.0 + 0.5) / 2)
    assert results["missed_steps"][0] == {
        "exercise": "cv-02-belt-tension-lockout", "measurement": "cv-belt-load", "count": 1,
    }
    code, out, _ = _run(capsys, "train", "results", "--db", db, "--to", "csv", "--group", "B")
    assert code == 0 and out.count("\n") == 1  # header only
    code, out, _ = _run(capsys, "train", "results", "--db", db, "--to", "html", "--lang", "fr")
    assert code == 0 and "Moyennes de la classe par compétence" in out


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("- measure: cv-belt-speed\n- jump: high\n", ":2: unknown action"),
        ("- measure: cv-belt-speed\n", ":2: the actions end without a conclude action"),
        ("- measure: cv-nothing\n- conclude: cv-belt-tension-low\n", ":1: unknown measurement 'cv-nothing'"),
        ("- acknowledge: cv-alert\n- conclude: cv-belt-tension-low\n", ":1: no pending alert"),
        ("- lockout: cv-alert\n- conclude: cv-belt-tension-low\n", ":1: 'cv-alert' is not a lockout procedure"),
        ("{measure: x}\n", ":1: the actions file must be a list"),
    ],
)
def test_bad_actions_file_is_a_usage_error_with_file_and_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, script: str, message: str
) -> None:
    actions = tmp_path / "a.yaml"
    actions.write_text(script, encoding="utf-8")
    code, out, err = _run(
        capsys, "train", "play", "cv-02-belt-tension-lockout", "--trainee", "x",
        "--actions", str(actions), "--db", f"sqlite:///{tmp_path / 'x.db'}",
    )
    assert code == 2 and out == ""
    assert err.startswith(f"diagnosis: error: {actions}{message}") and "Traceback" not in err


def test_play_unknown_exercise(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    actions = tmp_path / "a.yaml"
    actions.write_text(PERFECT, encoding="utf-8")
    code, _, err = _run(capsys, "train", "play", "nope", "--trainee", "x", "--actions", str(actions), "--no-save")
    assert code == 2 and "no exercise with id 'nope'" in err


def test_generated_exercise_file_is_valid_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "g.yaml"
    assert main(["train", "new", "-e", "cv-line-01", "-c", "cv-belt-tension-low", "-o", str(target)]) == 0
    capsys.readouterr()
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["causes"] == ["cv-belt-tension-low"] and data["trainee"]["habilitations"] == []


def test_results_keep_one_row_per_trainee_and_exercise(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = f"sqlite:///{tmp_path / 'class.db'}"
    _play(capsys, tmp_path, "alice", CARELESS, db, group="B")
    _play(capsys, tmp_path, "alice", PERFECT, db, group="B")
    code, out, _ = _run(capsys, "train", "results", "--db", db, "--group", "B")
    assert code == 0
    rows = json.loads(out)["rows"]
    assert [(r["trainee"], r["score"], r["attempts"], r["best"]) for r in rows] == [
        ("alice", 100, 2, 100)
    ]


def test_play_taken_by_colleague_and_refused_reading(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    exercise = load_exercise(
        Path(__file__).resolve().parents[3] / "exercises" / "cv-03-bearing-critical.yaml"
    )
    data = yaml.safe_load(Path(exercise.path).read_text(encoding="utf-8"))
    data["id"], data["trainee"] = "cv-03-no-br", {"habilitations": []}
    ex_file = tmp_path / "ex.yaml"
    ex_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    actions = tmp_path / "a.yaml"
    for taker, expected in (
        ("  taken_by: {name: Marc Petit, habilitation: BR}\n", []),
        ("", ["habilitation-missing"]),
    ):
        actions.write_text(
            "- hypothesis: cv-motor-bearing-de-worn\n- measure: cv-motor-current\n" + taker
            + "- conclude: cv-motor-bearing-de-worn\n  category_5m: machine\n",
            encoding="utf-8",
        )
        code, out, err = _run(
            capsys, "train", "play", str(ex_file), "--trainee", "x", "--actions", str(actions),
            "--no-save", "--format", "json",
        )
        assert code == 0, err
        result = json.loads(out)
        codes = [d["code"] for d in result["deductions"] if d["competence"] == "safety"]
        assert codes == expected
        assert [s["measurement"] for s in result["path"]] == (["cv-motor-current"] if taker else [])
    actions.write_text(
        "- measure: cv-motor-current\n  taken_by: Marc\n- conclude: cv-motor-bearing-de-worn\n",
        encoding="utf-8",
    )
    code, out, err = _run(
        capsys, "train", "play", str(ex_file), "--trainee", "x", "--actions", str(actions), "--no-save",
    )
    assert code == 2 and err.startswith(f"diagnosis: error: {actions}:1: taken_by must give the name")
