"""Answer parsing and threshold interpretation (boundaries decided in interpret.py)."""

from __future__ import annotations

import pytest

from diagnosis.errors import SessionError
from diagnosis.i18n import Text
from diagnosis.kb.model import Measurement, Thresholds
from diagnosis.rules import classify, convert, interpret

TEMP = Measurement(
    "melt-temp",
    Text.of({"en": "Melt temperature", "fr": "Température matière"}),
    "numeric",
    unit="°C",
    nominal=230,
    thresholds=Thresholds(190, 215, 245, 270),
)
PRESSURE = Measurement(
    "p",
    Text.of("Air pressure"),
    "numeric",
    unit="bar",
    nominal=6,
    thresholds=Thresholds(None, 5.5, None, None),
)
LAMP = Measurement("lamp", Text.of("Lamp lit"), "boolean", normal="true")
ASPECT = Measurement(
    "aspect", Text.of("Aspect"), "choice", choices=("dry", "wet", "contaminated"), normal="dry"
)


@pytest.mark.parametrize(
    ("value", "state", "critical"),
    [
        (150.0, "low", True),
        (189.999, "low", True),
        (190.0, "low", False),  # exactly low_critical: alarm, not critical
        (200.0, "low", False),
        (214.999, "low", False),
        (215.0, "normal", False),  # exactly low_alarm: still normal
        (230.0, "normal", False),
        (245.0, "normal", False),  # exactly high_alarm: still normal
        (245.001, "high", False),
        (270.0, "high", False),  # exactly high_critical: alarm, not critical
        (270.001, "high", True),
    ],
)
def test_threshold_boundaries_are_strict(value: float, state: str, critical: bool) -> None:
    assert classify(TEMP, value) == (state, critical)


def test_omitted_thresholds_do_not_apply() -> None:
    assert classify(PRESSURE, 5.4) == ("low", False)
    assert classify(PRESSURE, 5.5) == ("normal", False)
    assert classify(PRESSURE, 1e6) == ("normal", False)
    only_critical = Measurement(
        "x", Text.of("x"), "numeric", unit="V", thresholds=Thresholds(low_critical=10)
    )
    assert classify(only_critical, 9.0) == ("low", True)
    assert classify(only_critical, 10.0) == ("normal", False)


@pytest.mark.parametrize("raw", ["4,2 bar", "4.2", "4,2", "4.2bar", " 4,2  bar ", 4.2, "420 kPa"])
def test_numbers_in_both_conventions_and_units(raw: object) -> None:
    it = interpret(PRESSURE, raw)  # type: ignore[arg-type]
    assert it.value == pytest.approx(4.2)
    assert (it.state, it.critical, it.available, it.unit) == ("low", False, True, "bar")


def test_converted_units() -> None:
    assert interpret(PRESSURE, "58 psi").value == pytest.approx(3.99896, abs=1e-5)
    assert interpret(TEMP, "446 °F").value == pytest.approx(230.0)
    assert interpret(TEMP, "503.15 K").value == pytest.approx(230.0)
    assert convert(2.0, "MΩ", "kΩ") == pytest.approx(2000.0)
    assert convert(1.0, "V", "bar") is None


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("oui", True),
        ("non", False),
        ("yes", True),
        ("no", False),
        ("O", True),
        ("n", False),
        ("true", True),
        ("FALSE", False),
        (True, True),
        (False, False),
        ("vrai", True),
        ("1", True),
    ],
)
def test_booleans(raw: object, value: bool) -> None:
    it = interpret(LAMP, raw)  # type: ignore[arg-type]
    assert it.value is value
    assert it.state == ("true" if value else "false")


def test_choices_ignore_case_and_separators() -> None:
    assert interpret(ASPECT, "Wet").state == "wet"
    assert interpret(ASPECT, " CONTAMINATED ").value == "contaminated"


@pytest.mark.parametrize("raw", [None, "n/a", "N/A", "nd", "non disponible", "not available", "?"])
def test_not_available(raw: object) -> None:
    it = interpret(TEMP, raw)  # type: ignore[arg-type]
    assert (it.available, it.value, it.state, it.critical) == (False, None, None, False)


@pytest.mark.parametrize(
    ("m", "raw", "fragment"),
    [
        (PRESSURE, "4,2 V", "unit 'V'"),
        (PRESSURE, "abc", "'abc' is not a number"),
        (PRESSURE, True, "is not a number"),
        (PRESSURE, "nan", "is not a number"),
        (LAMP, "maybe", "answer yes or no"),
        (ASPECT, "damp", "not one of: 1 Dry, 2 Wet, 3 Contaminated"),
        (ASPECT, "", "not one of"),
    ],
)
def test_bad_answers_raise_one_line_session_errors(
    m: Measurement, raw: object, fragment: str
) -> None:
    with pytest.raises(SessionError) as info:
        interpret(m, raw)  # type: ignore[arg-type]
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_error_messages_are_translated() -> None:
    # the engine raises a coded error; the edge (CLI, UI) shows it in the user's language
    with pytest.raises(SessionError) as info:
        interpret(TEMP, "chaud", "fr")
    assert info.value.code == "rules.error.not_a_number"
    assert "n'est pas un nombre" in info.value.message("fr")
    assert "Température matière" in info.value.message("fr")
    assert str(info.value) == "Melt temperature: 'chaud' is not a number"
