"""Issue 10, CLI half: hand-over and colleagues end to end, unfinished runs, messages
and exit codes that scripts can trust, ``kb check`` reporting every problem in one run."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from diagnosis.cli import main

ROOT = Path(__file__).resolve().parents[3]
CV = "cv-line-01"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _answers(tmp_path: Path, equipment: str, cause: str, name: str, **extra: object) -> Path:
    from diagnosis.kb import load_kb
    from diagnosis.session import SimulatedMachine

    eq = load_kb().equipment(equipment)
    sim = SimulatedMachine(eq, cause)
    values: dict[str, object] = {m.id: sim.read(m) for m in eq.measurements}
    values.update(extra)
    path = tmp_path / name
    path.write_text(
        yaml.safe_dump({k: v for k, v in values.items() if v is not None}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'i10.db'}"


def test_hand_over_then_a_habilitated_colleague_resumes(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: a technician without BR was sent on through the near-useless checks."""
    answers = _answers(tmp_path, CV, "cv-vsd-fan-clogged", "fan.yaml")
    code, out, err = _cli(
        capsys, "run", "-e", CV, "-s", "cv-vsd-trip", "-a", str(answers), "--db", db,
        "--technician", "Ana", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["stop_reason"] == "handover" and data["status"] == "open"
    assert data["root_cause"] is None
    h = data["handover"]
    assert (h["measurement"], h["habilitation"]) == ("cv-cabinet-temp", "BR")
    assert h["ranking"][0]["cause"] == "cv-vsd-fan-clogged"
    assert {"excluded", "not_available", "best_allowed", "ratio", "threshold"} <= set(h)
    assert [s["measurement"] for s in data["steps"]] == [
        "cv-vsd-fault-code",
        "cv-motor-temp",
        "cv-vsd-thermal-state",
    ]
    sid = data["session"]
    code, out, _ = _cli(capsys, "history", "--db", db, "--unfinished", "--format", "json")
    assert [s["id"] for s in json.loads(out)["sessions"]] == [sid]
    # the colleague takes it over
    code, out, err = _cli(
        capsys, "resume", sid[:8], "--db", db, "--technician", "Marc Petit",
        "--habilitation", "BR", "--answers", str(answers), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    done = json.loads(out)
    assert done["root_cause"] == "cv-vsd-fan-clogged" and done["status"] == "done"
    # the colleague holds BR: the gated checks are now open to him
    assert done["steps"][3]["measurement"] in ("cv-cabinet-temp", "cv-vsd-fan-ok")
    code, out, _ = _cli(capsys, "history", "--db", db, "--unfinished", "--format", "json")
    assert json.loads(out)["sessions"] == []


def test_hand_over_text_in_french(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    answers = _answers(tmp_path, CV, "cv-vsd-fan-clogged", "fan.yaml")
    code, out, err = _cli(
        capsys, "run", "-e", CV, "-s", "cv-vsd-trip", "-a", str(answers), "--no-save",
        "--lang", "fr",
    )  # fmt: skip
    assert code == 0, err
    assert "PASSAGE DE RELAIS : Température de l'air dans l'armoire" in out
    assert "passage de relais à un collègue (habilitation, outil ou pièce manquant)" in out


def test_a_colleague_takes_the_readings_outside_the_habilitation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: the BR reading was accepted silently and no record said who took it."""
    answers = _answers(tmp_path, CV, "cv-vsd-fan-clogged", "fan.yaml")
    code, out, err = _cli(
        capsys, "run", "-e", CV, "-s", "cv-vsd-trip", "-a", str(answers), "--no-save",
        "--colleague", "Marc Petit:BR", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert data["root_cause"] == "cv-vsd-fan-clogged" and data["handover"] is None
    taken = {s["measurement"]: s.get("taken_by") for s in data["steps"]}
    assert taken["cv-cabinet-temp"] == {"name": "Marc Petit", "habilitation": "BR"}
    assert taken["cv-vsd-fault-code"] is None


def test_answers_file_names_the_colleague(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    taker = {"name": "Léa Roux", "habilitation": "BR"}
    answers = _answers(
        tmp_path, CV, "cv-vsd-fan-clogged", "fan.yaml",
        **{"cv-cabinet-temp": {"value": 31, "taken_by": taker}},
    )  # fmt: skip
    code, out, err = _cli(
        capsys, "run", "-e", CV, "-s", "cv-vsd-trip", "-a", str(answers), "--no-save",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    step = next(s for s in json.loads(out)["steps"] if s["measurement"] == "cv-cabinet-temp")
    assert (step["value"], step["taken_by"]) == (31, taker)
    bad = tmp_path / "bad.yaml"
    bad.write_text("cv-cabinet-temp: {value: 31, taken_by: {name: Léa}}\n", encoding="utf-8")
    code, _, err = _cli(capsys, "run", "-e", CV, "-s", "cv-vsd-trip", "-a", str(bad), "--no-save")
    assert code == 2 and f"{bad}:1:" in err and "habilitation" in err
    code, _, err = _cli(
        capsys, "run", "-e", CV, "-s", "cv-vsd-trip", "-a", str(answers), "--no-save",
        "--colleague", "Marc",
    )  # fmt: skip
    assert code == 2 and "--colleague" in err


def test_a_run_stopped_by_max_steps_stays_unfinished_and_resumes(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: the run was closed 'done' with no conclusion; resume refused it."""
    answers = _answers(tmp_path, "injection-press-01", "im-heater-z2-burnt", "heater.yaml")
    code, out, err = _cli(
        capsys, "run", "-e", "injection-press-01", "-s", "im-short-shot", "-a", str(answers),
        "--db", db, "--max-steps", "1", "--habilitation", "BR", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    data = json.loads(out)
    assert (data["stop_reason"], data["status"], data["root_cause"]) == ("max_steps", "open", None)
    code, out, _ = _cli(capsys, "history", "--db", db, "--unfinished")
    assert data["session"] in out
    code, out, err = _cli(
        capsys, "resume", data["session"], "--db", db, "--answers", str(answers), "--lang", "en"
    )
    assert code == 0, err
    assert "Root cause: Heater band zone 2 burnt out" in out
    assert "Validation pending" in out
    code, out, _ = _cli(capsys, "history", "--db", db, "--unfinished")
    assert "no saved session matches these filters" in out
    code, out, _ = _cli(capsys, "history", "--db", db, "--format", "json")
    (row,) = json.loads(out)["sessions"]
    assert row["status"] == "done" and row["validation_pending"] is True
    code, out, _ = _cli(capsys, "history", "--db", db, "--lang", "fr")
    assert "terminée, validation en attente" in out


def test_verify_unknown_session_is_a_usage_error(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: exit 1, the code of a tampered record."""
    answers = _answers(tmp_path, "injection-press-01", "im-heater-z2-burnt", "heater.yaml")
    _cli(capsys, "run", "-e", "injection-press-01", "-s", "im-short-shot", "-a", str(answers),
         "--db", db)  # fmt: skip
    code, _, err = _cli(capsys, "verify", "no-such-session", "--db", db)
    assert code == 2 and "no session 'no-such-session'" in err
    code, _, err = _cli(capsys, "verify", "x", "--db", "nosuch://nowhere")
    assert code == 2 and "bad database URL" in err


def test_history_filter_matching_nothing_says_so(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from diagnosis.store import open_store

    open_store(db).close()  # an empty database (read commands refuse a missing one)
    _code, out, _ = _cli(capsys, "history", "--db", db)
    assert "no saved session in" in out
    _code, out, _ = _cli(capsys, "history", "--db", db, "-e", CV, "--lang", "fr")
    assert "aucune session enregistrée ne correspond à ces filtres" in out


def _broken_kb(tmp_path: Path) -> Path:
    """The bundled press with a bad threshold order, a bad prior and a dangling reference
    in that same cause, and a fault tree naming an unknown cause."""
    kb = tmp_path / "knowledge_base"
    kb.mkdir()
    trees = tmp_path / "fault_trees"
    trees.mkdir()
    for tree in (ROOT / "fault_trees").glob("im-*.yaml"):
        shutil.copy(tree, trees)
    text = (ROOT / "knowledge_base" / "injection-press-01.yaml").read_text(encoding="utf-8")
    old = "thresholds: {low_critical: 200, low_alarm: 225, high_alarm: 255, high_critical: 275}"
    assert old in text
    text = text.replace(old, old.replace("200", "230"), 1)  # im-nozzle-temp: out of order
    start = text.index("  - id: im-granules-humid")
    prior = text.index("    prior: ", start)
    text = text[:prior] + "    prior: 1.5" + text[text.index("\n", prior) :]
    ref = text.index("measurement: im-raw-moisture", start)
    text = text[:ref] + text[ref:].replace("im-raw-moisture", "im-no-such-measurement", 1)
    (kb / "injection-press-01.yaml").write_text(text, encoding="utf-8")
    tree = trees / "im-ft-short-shot.yaml"
    tree_text = tree.read_text(encoding="utf-8")
    tree.write_text(re.sub(r"cause: im-[a-z0-9-]+", "cause: im-no-such-cause", tree_text, count=1))
    return kb


def test_kb_check_reports_every_problem_in_one_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: the bad prior hid the dangling reference of its cause, and the threshold
    order produced 'unknown measurement' at three correct references."""
    kb = _broken_kb(tmp_path)
    code, out, _ = _cli(capsys, "kb", "check", "--kb", str(kb), "--format", "json")
    assert code == 1
    messages = [e["message"] for e in json.loads(out)["errors"]]
    assert any("thresholds must be strictly increasing" in m for m in messages)
    assert any("prior 1.5 is not in (0, 1)" in m for m in messages)
    assert any("unknown measurement 'im-no-such-measurement'" in m for m in messages)
    assert not any("unknown measurement 'im-nozzle-temp'" in m for m in messages)
    # the fault trees beside the KB folder are checked without --fault-trees
    assert any("unknown cause 'im-no-such-cause'" in m for m in messages)
    assert len(messages) == 4


def test_csv_export_is_in_one_language(
    tmp_path: Path, db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: a French export held the English 5-Why chain and remedy of an English session."""
    from diagnosis.kb import load_kb

    answers = _answers(tmp_path, "injection-press-01", "im-heater-z2-burnt", "heater.yaml")
    code, _, err = _cli(capsys, "run", "-e", "injection-press-01", "-s", "im-short-shot", "-a",
                        str(answers), "--db", db, "--lang", "en", "--habilitation", "BR")  # fmt: skip
    assert code == 0, err
    code, out, err = _cli(capsys, "export", "interventions", "--db", db, "--lang", "fr")
    assert code == 0, err
    cause = load_kb().equipment("injection-press-01").cause("im-heater-z2-burnt")
    first = cause.why[0]
    assert first.get("fr") in out and first.get("en") not in out
