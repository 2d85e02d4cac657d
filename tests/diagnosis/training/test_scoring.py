"""Scoring: the perfect trainee scores full marks; each fault costs exactly its deduction."""

from __future__ import annotations

import pytest

from diagnosis.errors import SessionError
from diagnosis.kb import load_kb
from diagnosis.kb.model import KnowledgeBase
from diagnosis.training import find_exercise, load_exercises
from diagnosis.training.actions import Action, play
from diagnosis.training.generate import perfect_actions
from diagnosis.training.run import TrainingRun, Why
from diagnosis.training.scoring import assess

KB = load_kb(None)
SHIPPED = [e.id for e in load_exercises(None, KB)]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return KB


@pytest.mark.parametrize("exercise_id", SHIPPED)
def test_perfect_trainee_scores_full_marks(kb: KnowledgeBase, exercise_id: str) -> None:
    ex = find_exercise(exercise_id, kb)
    actions = perfect_actions(kb, ex)
    run = TrainingRun(kb, ex, "perfect")
    play(run, actions)
    result = assess(kb, ex, run.session.events).to_json()
    assert result["deductions"] == []
    assert result["root_cause_correct"] is True
    assert result["score"]["total"] == result["score"]["max"] > 0
    assert [s["measurement"] for s in result["path"]] == [
        s["measurement"] for s in result["engine_path"]
    ]
    assert result["minutes"] == result["engine_minutes"]
    assert {s["verdict"] for s in result["path"]} == {"best"}
    assert run.session.closed


def test_careless_trainee_gets_exactly_the_matching_deductions(kb: KnowledgeBase) -> None:
    ex = find_exercise("cv-02-belt-tension-lockout", kb)
    run = TrainingRun(kb, ex, "careless", lang="en")
    run.hypothesis("cv-belt-stretched")
    run.measure("cv-belt-tension")  # needs cv-lockout: skipped
    run.measure("cv-oil-level")  # after the tension reading nothing can change the head
    run.conclude("cv-belt-stretched", "machine", [Why("the belt is old")])
    run.finish()
    result = assess(kb, ex, run.session.events).to_json()
    codes = [(d["code"], d["points"], d["step"]) for d in result["deductions"]]
    assert codes == [
        ("safety-lockout-skipped", 15, 1),
        ("redundant-measurement", 3, 2),
        ("wrong-root-cause", 25, 3),
        ("why-unsupported", 3, 3),
        ("wrong-5m", 5, 3),
    ]
    assert result["score"] == {"total": 100 - 51, "max": 100}
    assert result["competences"]["safety"]["score"] == 15
    assert result["competences"]["measure"]["score"] == 17
    assert result["root_cause_correct"] is False
    critique = result["path"][1]["critique"]
    assert critique.startswith("this reading could not change the ranking:")
    assert "Belt tension too low" in critique and "already improbable" in critique


def test_alert_habilitation_hint_and_hypothesis_deductions(kb: KnowledgeBase) -> None:
    ex = find_exercise("cv-03-bearing-critical", kb)
    run = TrainingRun(kb, ex, "eve", habilitations=())
    run.measure("cv-vib-motor-de")  # critical: an alert is raised; no hypothesis stated yet
    assert run.session.pending_alerts
    run.hint()  # goes past the alert: the trainer acknowledges it, a deduction
    run.measure("cv-motor-current")  # BR required, the trainee holds none
    run.conclude("cv-motor-bearing-de-worn", "machine", [Why("vibration high", "cv-vib-motor-de")])
    run.finish()
    result = assess(kb, ex, run.session.events).to_json()
    codes = [(d["code"], d["step"]) for d in result["deductions"]]
    assert ("no-hypothesis", 1) in codes
    assert ("alert-not-acknowledged", 2) in codes
    assert ("hint", 2) in codes
    assert ("habilitation-missing", 2) in codes
    assert all(c != "wrong-root-cause" for c, _ in codes)
    acks = [e for e in run.session.events if e.type == "alert_acknowledged"]
    assert acks[0].actor == "trainer"


def test_exam_mode_refuses_hints_and_stays_recorded(kb: KnowledgeBase) -> None:
    ex = find_exercise("pp-04-regulator-exam", kb)
    run = TrainingRun(kb, ex, "sam")
    assert run.mode == "exam"
    with pytest.raises(SessionError, match="no hints in exam mode"):
        run.hint()


def test_session_is_stored_marked_as_exercise_with_a_valid_chain(
    kb: KnowledgeBase, tmp_path: object
) -> None:
    from pathlib import Path

    from diagnosis.store import open_store

    ex = find_exercise("pp-01-cup-worn", kb)
    url = f"sqlite:///{Path(str(tmp_path)) / 'train.db'}"
    with open_store(url, kb=kb) as store:
        run = TrainingRun(kb, ex, "alice", sink=store, group="G1")
        play(run, perfect_actions(kb, ex))
        sid = run.session.id
        summary = store.sessions()[0]
        assert summary.work_order == "exercise:pp-01-cup-worn"
        assert store.verify(sid).ok
        events = store.events(sid)
    rules = [e.rule for e in events if e.type == "note_added"]
    assert rules[0] == "training:exercise:pp-01-cup-worn|mode=learning|group=G1"
    assert rules[-1] == "training:score:70/70"
    again = assess(kb, ex, events)
    assert (again.total, again.maximum, again.group) == (70, 70, "G1")


def test_actions_round_trip(kb: KnowledgeBase) -> None:
    action = Action("conclude", "c", 3, "machine", (Why("a", "m"), Why("b")))
    assert action.to_yaml() == {
        "conclude": "c",
        "category_5m": "machine",
        "why": [{"text": "a", "evidence": "m"}, "b"],
    }


def test_right_but_unverified_conclusion_costs_points(kb: KnowledgeBase) -> None:
    ex = find_exercise("pp-05-outside-kb", kb)
    run = TrainingRun(kb, ex, "lucky")
    run.hypothesis("_unknown")
    run.measure("pp-feeder-amplitude")
    run.measure("pp-sample-parts")
    run.conclude(
        "_unknown",
        "machine",
        [Why("amplitude normal", "pp-feeder-amplitude"), Why("parts in tolerance", "pp-sample-parts")],
    )
    run.finish()
    result = assess(kb, ex, run.session.events).to_json()
    assert [(d["code"], d["points"], d["step"]) for d in result["deductions"]] == [
        ("conclusion-unverified", 10, 3)
    ]
    assert result["root_cause_correct"] is True
    assert result["score"]["total"] == result["score"]["max"] - 10


def test_reading_without_habilitation_is_refused_not_recorded(kb: KnowledgeBase) -> None:
    from diagnosis.training.debrief import debrief_md

    ex = find_exercise("cv-03-bearing-critical", kb)
    run = TrainingRun(kb, ex, "eve", habilitations=())
    run.hypothesis("cv-motor-bearing-de-worn")
    assert run.measure("cv-motor-current") is None  # BR required: refused
    assert [r.measurement for r in run.session.readings] == []
    notes = [e.rule for e in run.session.events if e.type == "note_added"]
    assert "training:habilitation-refused:cv-motor-current|BR" in notes
    run.measure("cv-vib-motor-de")
    run.acknowledge(run.session.pending_alerts[0].procedure)
    run.conclude("cv-motor-bearing-de-worn", "machine", [Why("vibration high", "cv-vib-motor-de")])
    run.finish()
    result = assess(kb, ex, run.session.events)
    data = result.to_json()
    assert [(d["code"], d["points"], d["step"]) for d in data["deductions"]] == [
        ("habilitation-missing", 10, 1),
        ("conclusion-unverified", 10, 2),  # one vibration reading does not verify the cause yet
    ]
    assert "the reading was refused" in data["deductions"][0]["reason"]
    assert data["refused"] == [{"step": 1, "measurement": "cv-motor-current", "habilitation": "BR"}]
    assert [s["measurement"] for s in data["path"]] == ["cv-vib-motor-de"]
    md = debrief_md(result)
    assert "the simulated value was not recorded as the trainee's" in md
    assert "step 1: cv-motor-current requires BR" in md


def test_a_named_habilitated_colleague_takes_the_reading_without_deduction(kb: KnowledgeBase) -> None:
    ex = find_exercise("cv-03-bearing-critical", kb)
    run = TrainingRun(kb, ex, "eve", habilitations=())
    run.hypothesis("cv-motor-bearing-de-worn")
    reading = run.measure("cv-motor-current", ("Marc Petit", "BR"))
    assert reading is not None and reading.taken_by == "Marc Petit"
    with pytest.raises(SessionError, match="requires habilitation BR"):
        run.session.check_habilitation(run.session.equipment.measurement("cv-motor-current"))
    # a colleague whose habilitation does not cover it: refused as well
    assert run.measure("cv-motor-current", ("Léa", "B0")) is None
    run.conclude("cv-motor-bearing-de-worn", "machine", [])
    run.finish()
    codes = [d["code"] for d in assess(kb, ex, run.session.events).to_json()["deductions"]]
    assert codes.count("habilitation-missing") == 1  # only Léa's attempt


def test_exercise_colleague_at_hand_keeps_full_marks(kb: KnowledgeBase, tmp_path: object) -> None:
    from pathlib import Path

    import yaml

    from diagnosis.training import load_exercise

    source = find_exercise("cv-01-motor-cooling", kb)
    data = yaml.safe_load(Path(source.path).read_text(encoding="utf-8"))
    data["id"] = "cv-01-with-colleague"
    data["trainee"] = {"habilitations": [], "colleagues": [{"name": "Marc Petit", "habilitations": ["BR"]}]}
    target = Path(str(tmp_path)) / "ex.yaml"
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    ex = load_exercise(target, kb)
    assert ex.colleagues[0].name == "Marc Petit" and ex.habilitations == ()
    run = TrainingRun(kb, ex, "perfect")
    play(run, perfect_actions(kb, ex))
    result = assess(kb, ex, run.session.events).to_json()
    assert result["deductions"] == [] and result["score"]["total"] == result["score"]["max"]
    bad = dict(data, trainee={"colleagues": [{"name": "Marc"}]})
    target.write_text(yaml.safe_dump(bad, allow_unicode=True), encoding="utf-8")
    from diagnosis.errors import UsageError

    with pytest.raises(UsageError, match=r"ex\.yaml:\d+:\d+: missing key 'habilitations'"):
        load_exercise(target, kb)


def test_lockout_is_applied_up_to_its_release_which_follows_the_measurement(kb: KnowledgeBase) -> None:
    ex = find_exercise("cv-02-belt-tension-lockout", kb)
    run = TrainingRun(kb, ex, "alice")
    run.hypothesis("cv-belt-tension-low")
    run.lockout("cv-lockout")
    proc = kb.procedures["cv-lockout"]
    release = proc.release_step
    assert release is not None and run.lockouts == ["cv-lockout"]
    steps = [e.step for e in run.session.events if e.type == "alert_step_acknowledged"]
    assert steps == [i for i in range(len(proc.steps)) if i != release]
    run.measure("cv-belt-tension")
    types = [e.type for e in run.session.events]
    assert types.index("lockout_released") > max(i for i, t in enumerate(types) if t == "reading_recorded")
    assert run.lockouts == [] and run.session.applied_lockouts == []
    run.measure("cv-belt-tension")  # again, after the release: the lockout was not applied
    run.conclude("cv-belt-tension-low", "methode", [])
    run.finish()
    codes = [(d["code"], d["step"]) for d in assess(kb, ex, run.session.events).to_json()["deductions"]]
    assert ("safety-lockout-skipped", 1) not in codes and ("safety-lockout-skipped", 2) in codes


def test_a_lockout_left_applied_is_released_at_the_conclusion(kb: KnowledgeBase) -> None:
    ex = find_exercise("cv-02-belt-tension-lockout", kb)
    run = TrainingRun(kb, ex, "alice")
    run.lockout("cv-lockout")
    run.lockout("cv-lockout")  # already applied: nothing more
    assert [e.type for e in run.session.events].count("alert_raised") == 1
    run.conclude("cv-belt-tension-low", "methode", [])
    assert run.lockouts == [] and run.session.events[-1].type != "lockout_released"
    assert [e.type for e in run.session.events].count("lockout_released") == 1
