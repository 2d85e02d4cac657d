"""Learning: priors and effect probabilities move the right way; patch review and apply."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from diagnosis.cli import main
from diagnosis.kb import load_kb
from diagnosis.kpi.learn import SessionFacts, learn

ROOT = Path(__file__).parents[3]
EQ = "cv-line-01"
T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def facts(k: int, cause: str, symptoms: tuple[str, ...], readings: dict[str, str],
          confirmed: bool = True) -> SessionFacts:
    return SessionFacts(
        id=f"s{k}", equipment=EQ, started_at=T0 + timedelta(days=k), status="done",
        symptoms=symptoms,
        readings={m: {"value": 1.0, "unit": None, "state": st, "available": True, "raw": "1"}
                  for m, st in readings.items()},
        root_cause=cause, confirmed=confirmed,
    )


def history() -> list[SessionFacts]:
    # 20 confirmed diagnoses: 15 x belt tension low (KB prior 0.05), 5 x coupling misaligned.
    # Belt tension: the slip symptom always reported (KB 0.9), speed always low (KB 0.85),
    # belt drift never reported (KB 0.2).
    out = [
        facts(k, "cv-belt-tension-low", ("cv-belt-slip",), {"cv-belt-speed": "low"})
        for k in range(15)
    ]
    out += [facts(20 + k, "cv-coupling-misaligned", (), {}) for k in range(5)]
    out.append(facts(40, "cv-belt-tension-low", (), {}, confirmed=False))  # not confirmed
    out.append(facts(41, "_unknown", ("cv-belt-slip",), {"cv-belt-speed": "normal"}, False))
    return out


def test_priors_and_effects_move_the_right_way() -> None:
    kb = load_kb()
    patch = learn(kb, history(), strength=20.0)
    assert patch["confirmed"] == 20
    section = patch["equipment"][EQ]
    priors = {p["cause"]: p for p in section["priors"]}
    belt = priors["cv-belt-tension-low"]
    # (20 x 0.05 + 15) / (20 + 20) = 0.4
    assert (belt["old"], belt["new"], belt["cases"], belt["of"]) == (0.05, 0.4, 15, 20)
    assert priors["cv-coupling-misaligned"]["new"] == round((20 * 0.03 + 5) / 40, 4)
    bearing = priors["cv-motor-bearing-de-worn"]  # never found: goes down
    assert bearing["new"] == round(20 * 0.04 / 40, 4) and bearing["cases"] == 0
    effects = {(e["cause"], e.get("symptom") or e.get("measurement")): e for e in section["effects"]}
    slip = effects[("cv-belt-tension-low", "cv-belt-slip")]
    assert slip["new"] == round((20 * 0.9 + 15) / 35, 4) and slip["new"] > slip["old"]
    drift = effects[("cv-belt-tension-low", "cv-belt-drift")]
    assert drift["new"] == round(20 * 0.2 / 35, 4) and (drift["cases"], drift["of"]) == (0, 15)
    speed = effects[("cv-belt-tension-low", "cv-belt-speed")]
    assert speed["state"] == "low" and speed["new"] > speed["old"]
    # unobserved measurement effects are left alone
    assert ("cv-belt-tension-low", "cv-belt-tension") not in effects
    (candidate,) = patch["candidates"]
    assert candidate["readings"] == {"cv-belt-speed": "1 (normal)"}


def test_more_strength_moves_less() -> None:
    kb = load_kb()
    weak = learn(kb, history(), strength=5.0)["equipment"][EQ]["priors"]
    strong = learn(kb, history(), strength=200.0)["equipment"][EQ]["priors"]
    w = next(p for p in weak if p["cause"] == "cv-belt-tension-low")["new"]
    s = next(p for p in strong if p["cause"] == "cv-belt-tension-low")["new"]
    assert 0.05 < s < w < 0.75


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("demo")
    assert main(["demo", "--days", "90", "--out", str(folder), "--seed", "3",
                 "--format", "json"]) == 0
    return str(folder / "demo.db")


def test_learn_from_store_then_apply_reviewed_patch(
    demo_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kb_dir = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge_base", kb_dir)
    ft_dir = tmp_path / "ft"
    shutil.copytree(ROOT / "fault_trees", ft_dir)
    out = tmp_path / "learned.yaml"
    args = ["--db", demo_db, "--kb", str(kb_dir), "--fault-trees", str(ft_dir)]
    assert main(["kb", "learn", *args, "--equipment", "pp-cell-01", "-o", str(out)]) == 0
    assert "written to" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Proposed by 'diagnosis kb learn'")
    patch = yaml.safe_load(text)
    assert list(patch["equipment"]) == ["pp-cell-01"]
    priors = patch["equipment"]["pp-cell-01"]["priors"]
    cup = next(p for p in priors if p["cause"] == "pp-cup-worn")
    assert cup["cases"] >= 2 and cup["new"] > cup["old"]  # the demo's recurrent cause
    before = (kb_dir / "pp-cell-01.yaml").read_text(encoding="utf-8")
    # the reviewer rejects the last prior change
    priors[-1]["apply"] = False
    assert priors[-1]["cause"] != "pp-cup-worn"
    out.write_text(yaml.safe_dump(patch, sort_keys=False), encoding="utf-8")
    assert main(["kb", "learn", "--apply", str(out), "--kb", str(kb_dir),
                 "--fault-trees", str(ft_dir), "--format", "json"]) == 0
    import json

    counts = json.loads(capsys.readouterr().out)
    total = len(priors) + len(patch["equipment"]["pp-cell-01"]["effects"])
    assert counts == {"applied": total - 1, "skipped": 1, "stale": 0}
    kb = load_kb(kb_dir, ft_dir)
    assert kb.causes["pp-cup-worn"].prior == cup["new"]
    assert kb.causes[priors[-1]["cause"]].prior == priors[-1]["old"]
    after = (kb_dir / "pp-cell-01.yaml").read_text(encoding="utf-8")
    assert len(after.splitlines()) == len(before.splitlines())  # layout and comments kept
    # applying again: every value changed already, nothing applied (stale)
    assert main(["kb", "learn", "--apply", str(out), "--kb", str(kb_dir),
                 "--fault-trees", str(ft_dir), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["applied"] == 0


def test_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["kb", "learn"]) == 2
    assert "give -o FILE" in capsys.readouterr().err
    assert main(["kb", "learn", "--apply", str(tmp_path / "none.yaml")]) == 2
    assert "none.yaml: file not found" in capsys.readouterr().err
