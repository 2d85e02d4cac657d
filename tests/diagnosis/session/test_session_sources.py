"""Reading sources: the answers file (errors name file:line) and the simulated machine."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from session_kb import make_kb

from diagnosis.errors import UsageError
from diagnosis.rules import interpret
from diagnosis.session import AnswersFile, PersonSource, SimulatedMachine, value_for_state

KB = make_kb()
EQ = KB.equipment("test-press")


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_answers_file_reads_every_kind(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "# readings of 28/11\nmelt-temp: 205\nhyd-pressure: '4,2 MPa'\n"
        "oil-level: true\nheater-current: non\ngranule-aspect: Wet\n",
    )
    answers = AnswersFile(path, EQ)
    assert answers.read(EQ.measurement("melt-temp")) == 205.0
    assert answers.read(EQ.measurement("hyd-pressure")) == "4,2 MPa"
    assert answers.read(EQ.measurement("oil-level")) is True
    assert answers.read(EQ.measurement("heater-current")) == "non"
    assert answers.lines == {
        "melt-temp": 2,
        "hyd-pressure": 3,
        "oil-level": 4,
        "heater-current": 5,
        "granule-aspect": 6,
    }


def test_missing_and_null_answers_are_not_available(tmp_path: Path) -> None:
    answers = AnswersFile(write(tmp_path, "melt-temp: null\noil-level: n/a\n"), EQ)
    for mid in ("melt-temp", "oil-level", "granule-aspect"):
        raw = answers.read(EQ.measurement(mid))
        assert not interpret(EQ.measurement(mid), raw).available


def test_empty_file_is_no_answer(tmp_path: Path) -> None:
    assert AnswersFile(write(tmp_path, "# nothing measured\n"), EQ).values == {}


@pytest.mark.parametrize(
    ("text", "where", "fragment"),
    [
        ("melt-temp: 205\nmelt-temp: [1\n", ":2:", "YAML error"),
        ("melt-temp: 205\n  oil-level: true\n", ":2:", "YAML error"),
        ("- melt-temp\n", ":1:", "must be a mapping"),
        ("melt-temp: 205\nfoo-bar: 3\n", ":2:", "unknown measurement 'foo-bar'"),
        ("melt-temp: 205\noil-level: maybe\n", ":2:", "answer yes or no"),
        ("melt-temp: hot\n", ":1:", "is not a number"),
        ("melt-temp: 205 bar\n", ":1:", "unit 'bar'"),
        ("granule-aspect: damp\n", ":1:", "not one of"),
        ("oil-level: true\nmelt-temp: 1\nmelt-temp: 2\n", ":3:", "twice (first on line 2)"),
        ("melt-temp: [1, 2]\n", ":1:", "single value"),
    ],
)
def test_bad_answers_file_names_file_and_line(
    tmp_path: Path, text: str, where: str, fragment: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(UsageError) as info:
        AnswersFile(path, EQ)
    message = str(info.value)
    assert message.startswith(f"{path}{where}"), message
    assert fragment in message and "\n" not in message


def test_unreadable_answers_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        AnswersFile(tmp_path / "missing.yaml", EQ)


def test_french_messages(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as info:
        AnswersFile(write(tmp_path, "foo: 1\n"), EQ, lang="fr")
    assert "mesure inconnue" in info.value.message("fr")  # the edge translates


@pytest.mark.parametrize("mid", [m.id for m in EQ.measurements])
def test_simulated_values_fall_inside_their_state(mid: str) -> None:
    m = EQ.measurement(mid)
    for state in m.states:
        it = interpret(m, value_for_state(m, state))
        assert it.state == state and not it.critical
    if m.thresholds.low_critical is not None:
        it = interpret(m, value_for_state(m, "low", critical=True))
        assert (it.state, it.critical) == ("low", True)


def test_simulated_machine_produces_its_cause_signature() -> None:
    machine = SimulatedMachine(EQ, "heater-burnt")
    assert machine.symptoms == ("short-shot",)
    states = {m.id: interpret(m, machine.read(m)).state for m in EQ.measurements}
    assert states == {
        "oil-level": "true",
        "granule-aspect": "dry",
        "melt-temp": "low",
        "heater-current": "false",
        "hyd-pressure": "normal",
    }
    assert machine.asked == [m.id for m in EQ.measurements]


def test_simulated_machine_overrides_unavailable_and_several_causes() -> None:
    machine = SimulatedMachine(
        EQ,
        ["pump-worn", "oil-leak"],
        overrides={"melt-temp": "999"},
        unavailable=["granule-aspect"],
    )
    assert machine.symptoms == ("short-shot", "noise")
    assert machine.read(EQ.measurement("melt-temp")) == "999"
    assert machine.read(EQ.measurement("granule-aspect")) is None
    assert machine.read(EQ.measurement("oil-level")) is False
    healthy = SimulatedMachine(EQ)
    assert healthy.symptoms == () and healthy.read(EQ.measurement("oil-level")) is True


def test_noisy_machine_is_reproducible() -> None:
    def draw(seed: int) -> list[object]:
        machine = SimulatedMachine(EQ, "oil-leak", rng=random.Random(seed))
        return [machine.read(m) for m in EQ.measurements for _ in range(5)]

    assert draw(3) == draw(3)


def test_person_source_wraps_a_prompt() -> None:
    source = PersonSource(lambda m: f"{m.id}?")
    assert source.read(EQ.measurement("oil-level")) == "oil-level?"
