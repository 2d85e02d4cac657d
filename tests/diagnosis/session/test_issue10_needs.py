"""Issue 10, what was left: choices without labels never shown as raw ids (item 6/16),
and the hand-over for a tool or a part the technician lacks (item 3)."""

from __future__ import annotations

import pytest
from session_kb import make_equipment

from diagnosis.cli.run import render_text
from diagnosis.cli.run_json import run_json
from diagnosis.errors import SessionError
from diagnosis.i18n import readable_id
from diagnosis.kb.model import KnowledgeBase
from diagnosis.report import build_report, render
from diagnosis.session import Session

KB = KnowledgeBase((make_equipment(),))  # granule-aspect: dry / wet / contaminated, no labels


# --- choices without choice_labels ------------------------------------------------------------


def test_a_choice_without_label_has_a_readable_name() -> None:
    m = KB.equipment("test-press").measurement("granule-aspect")
    assert m.choice_labels == ()
    assert m.choice_label("wet", "en") == "Wet"
    assert readable_id("scf3-earth-fault", "fr") == "Scf3 earth fault"
    assert readable_id("milky", "fr") == "Laiteux" and readable_id("milky", "en") == "Milky"
    assert readable_id("worn_smooth", "en") == "Worn smooth"
    assert readable_id("none", "fr") == "Aucun"


@pytest.mark.parametrize("typed", ["wet", "WET", "2", "We"])
def test_the_id_the_number_and_the_shown_name_are_accepted(typed: str) -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"], lang="fr")
    assert s.answer("granule-aspect", typed).value == "wet"


def test_a_bad_choice_lists_names_not_ids() -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"], lang="fr")
    with pytest.raises(SessionError) as err:
        s.answer("granule-aspect", "zzz")
    assert "1 Dry" in str(err.value) and "3 Contaminated" in str(err.value)


def test_report_and_run_text_name_the_choice() -> None:
    s = Session.start(KB, "test-press", ["short-shot"], habilitations=["BR"], lang="fr")
    s.answer("granule-aspect", "contaminated")
    for fmt in ("md", "html"):
        text = str(render(build_report(KB, list(s.events), lang="fr"), fmt))
        assert "Contaminated" in text
        assert "| contaminated |" not in text and ">contaminated<" not in text
    out = render_text(s, KB.equipment("test-press"), "fr", saved=False)
    assert "Contaminated" in out and " contaminated" not in out


# --- hand over for a tool or a part the technician lacks ----------------------------------


def _bundled() -> KnowledgeBase:
    from diagnosis.kb.loader import load_kb

    return load_kb()


VIB = ["cv-vib-motor-de", "cv-env-motor-de", "cv-vib-gearbox"]


def test_the_bundled_kb_names_the_tools_of_its_measurements() -> None:
    eq = _bundled().equipment("cv-line-01")
    needs = {m.id: [(n.kind, n.id) for n in m.needs] for m in eq.measurements if m.needs}
    assert needs == {
        **{mid: [("tool", "vibration-meter")] for mid in VIB},
        "cv-insulation-resistance": [("tool", "insulation-tester")],
        "cv-winding-resistance-imbalance": [("tool", "micro-ohmmeter")],
    }
    tool = eq.measurement("cv-vib-motor-de").needs[0]
    assert tool.label("fr") == "Vibromètre avec mode enveloppe (gE)"


def _vibration_run(**kw: object) -> Session:
    from diagnosis.session import SimulatedMachine, run_session

    kb = _bundled()
    s = Session.start(
        kb, "cv-line-01", ["cv-noise-vibration"], technician="Ana", habilitations=["BR"], **kw
    )
    return run_session(s, SimulatedMachine(kb.equipment("cv-line-01"), "cv-motor-bearing-de-worn"))


def test_a_technician_with_every_tool_is_not_handed_over() -> None:
    s = _vibration_run()
    assert s.stop_reason == "confidence" and s.lacking_tools == ()
    assert s.readings[0].measurement == "cv-vib-motor-de"  # the engine's order, unchanged


def test_hand_over_when_the_decisive_measurement_needs_a_tool_he_lacks() -> None:
    """Before: nothing could say that the vibration meter was not there."""
    s = _vibration_run(lacking_tools=["Vibromètre avec mode enveloppe (gE)"])  # by its name
    assert s.lacking_tools == ("vibration-meter",)
    assert not {r.measurement for r in s.readings} & set(VIB)
    assert s.stop_reason == "handover"
    data = run_json(s)
    h = data["handover"]
    assert data["status"] == "open"
    assert (h["measurement"], h["habilitation"], h["tool"], h["part"]) == (
        "cv-vib-motor-de", "", "vibration-meter", None,
    )  # fmt: skip
    assert h["tools"] == ["vibration-meter"] and h["parts"] == []
    assert h["lacking"] == {"tools": ["vibration-meter"], "parts": []}
    assert h["ratio"] < h["threshold"] == 0.25 and h["gain"] >= 0.1
    assert [e.type for e in s.events].count("handed_over") == 1
    handed = next(e for e in s.events if e.type == "handed_over")
    assert handed.tools == ("vibration-meter",) and handed.habilitation == ""  # type: ignore[attr-defined]
    # the vibration meter is here now: a resume lifts it and the diagnosis goes on with it
    s.resume(technician="Marc Petit", habilitations=["BR"])
    assert s.lacking_tools == () and s.stop_reason is None
    p = s.proposal()
    assert p is not None and p.measurement.id == "cv-vib-motor-de" and p.takeable
    replayed = Session.replay(s.kb, list(s.events))
    assert replayed.lacking_tools == () and replayed.technician == "Marc Petit"


def test_lacking_said_at_the_measurement_is_not_n_a() -> None:
    kb = _bundled()
    s = Session.start(kb, "cv-line-01", ["cv-noise-vibration"], habilitations=["BR"], lang="fr")
    p = s.proposal()
    assert p is not None and p.measurement.id == "cv-vib-motor-de"
    assert s.lack_for("cv-vib-motor-de") == ("Vibromètre avec mode enveloppe (gE)",)
    assert s.readings == [] and s.lacking_tools == ("vibration-meter",)  # no reading recorded
    nxt = s.proposal()
    assert nxt is not None and nxt.measurement.id not in VIB
    replayed = Session.replay(kb, list(s.events))
    assert replayed.lacking_tools == ("vibration-meter",)
    with pytest.raises(SessionError) as refused:
        s.lack_for("cv-oil-level")
    assert "ni outil ni pièce" in refused.value.message("fr")  # translated at the edge


def test_an_unknown_tool_is_refused_with_the_known_ones() -> None:
    with pytest.raises(SessionError, match=r"'laser'.*vibration-meter \(Vibration meter"):
        Session.start(_bundled(), "cv-line-01", ["cv-noise-vibration"], lacking_tools=["laser"])


def test_answers_file_token_and_lacking_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from diagnosis.session import AnswersFile, SimulatedMachine, run_session

    kb = _bundled()
    eq = kb.equipment("cv-line-01")
    sim = SimulatedMachine(eq, "cv-motor-bearing-de-worn")
    values = {m.id: sim.read(m) for m in eq.measurements}
    values["cv-vib-motor-de"] = "lacking"  # "I don't have the instrument here"
    path = tmp_path / "a.yaml"
    path.write_text(yaml.safe_dump({k: v for k, v in values.items() if v is not None}))
    source = AnswersFile(path, eq)
    assert source.lacks(eq.measurement("cv-vib-motor-de"))
    s = Session.start(kb, "cv-line-01", ["cv-noise-vibration"], habilitations=["BR"])
    run_session(s, source)
    assert s.stop_reason == "handover" and s.lacking_tools == ("vibration-meter",)
    assert "cv-vib-motor-de" not in {r.measurement for r in s.readings}
    lacking = [e for e in s.events if e.type == "lacking_declared"]
    assert [e.measurement for e in lacking] == ["cv-vib-motor-de"]  # type: ignore[attr-defined]
    # the same from the start, with the _lacking key
    path.write_text("_lacking: {tools: [vibration-meter]}\ncv-oil-level: middle\n")
    source = AnswersFile(path, eq)
    assert (source.lacking_tools, source.lacking_parts) == (["vibration-meter"], [])
    path.write_text("_lacking: [vibration-meter]\n")
    with pytest.raises(Exception, match=r"a\.yaml:1:.*_lacking"):
        AnswersFile(path, eq)


def test_needs_is_in_the_json_schema() -> None:
    import json

    from diagnosis.kb.schema import json_schema

    text = json.dumps(json_schema())
    assert '"needs"' in text and "needed_tool" in text and "needed_part" in text


NEEDS_KB = """\
format: 1
equipment: {id: oven, name: Oven}
symptoms:
  - {id: burnt, name: Burnt parts, category: quality}
measurements:
  - id: ir
    name: Insulation resistance
    kind: numeric
    unit: MΩ
    nominal: 500
    needs:
      tools: [{id: megger, name: {en: Insulation tester, fr: Mégohmmètre}}, {id: probe-kit}]
      parts: [{ref: "FUSE-10A"}]
causes:
  - id: wet
    name: Wet winding
    category_5m: milieu
    prior: 0.05
    effects: [{symptom: burnt, p: 0.8}]
"""


def test_needs_loads_validates_and_is_checked(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import jsonschema
    import yaml

    from diagnosis.errors import KnowledgeBaseError
    from diagnosis.kb import load_kb
    from diagnosis.kb.loader import inspect_kb
    from diagnosis.kb.schema import json_schema

    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "oven.yaml").write_text(NEEDS_KB, encoding="utf-8")
    m = load_kb(folder, None).equipment("oven").measurement("ir")
    assert [(n.kind, n.id, n.label("fr")) for n in m.needs] == [
        ("tool", "megger", "Mégohmmètre"),
        ("tool", "probe-kit", "Probe kit"),  # no name: the id made readable
        ("part", "FUSE-10A", "FUSE 10A"),
    ]
    validator = jsonschema.Draft202012Validator(json_schema())
    assert validator.is_valid(yaml.safe_load(NEEDS_KB))
    bad = NEEDS_KB.replace("parts: [", "spares: [")
    assert not validator.is_valid(yaml.safe_load(bad))
    (folder / "oven.yaml").write_text(bad, encoding="utf-8")
    _, problems = inspect_kb(folder, None)
    assert any("spares" in str(p) for p in problems), [str(p) for p in problems]
    with pytest.raises(KnowledgeBaseError):
        load_kb(folder, None)
