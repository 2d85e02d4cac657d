"""Hostile answers files and wrong-but-parsable readings: one located error, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from session_kb import make_kb

from diagnosis.errors import SessionError, UsageError
from diagnosis.rules import interpret
from diagnosis.session import AnswersFile

KB = make_kb()
EQ = KB.equipment("test-press")
TEMP = EQ.measurement("melt-temp")  # °C

BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10)
)


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UsageError) as info:
        AnswersFile(path, EQ)
    return str(info.value).replace(str(path), "F")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BOMB, "F:6:10: YAML error: more than 100,000 values once aliases are expanded "
         "(an alias bomb?); write the values out"),
        ("melt-temp: " + "[" * 3000 + "]" * 3000 + "\n",
         "F:1:19: YAML error: nested more than 8 levels deep"),
        ("melt-temp: !custom 12\n",
         "F:1:12: YAML tag !custom is not allowed in an answers file (plain values only)"),
        ("melt-temp: !!python/object/apply:os.system ['true']\n",
         "F:1:12: each answer must be 'measurement-id: value' with a single value"),
        ("melt-temp: !!float abc\n", "F:1:12: Melt temperature at nozzle: 'abc' is not a number"),
        ("melt-temp: 2001-02-30\n", "F:1:12: Melt temperature at nozzle: unit '-02-30' cannot be read as °C"),
        ("melt-temp: " + "9" * 5000 + "\n",
         "F:1:12: an answer is longer than 200 characters"),
        ("melt-temp: 1.0e+999\n", "F:1:12: Melt temperature at nozzle: 'inf' is not a number"),
        ('melt-temp: "\\e[2J205"\n', "F:1:12: an answer contains the control character U+001B "
         "(terminal escape or bidirectional override)"),
        ("melt-temp: -300\n", "F:1:12: Melt temperature at nozzle: '-300' is below the physical limit, "
         "absolute zero (-273.15 °C): check the reading and its unit"),
        ("melt-temp: '-5 K'\n", "F:1:12: Melt temperature at nozzle: '-5 K' is below the physical limit, "
         "absolute zero (-273.15 °C): check the reading and its unit"),
        ("melt-temp: -1.0e+308\n", "F:1:12: Melt temperature at nozzle: '-1e+308' is below the physical "
         "limit, absolute zero (-273.15 °C): check the reading and its unit"),
        ("melt-temp: '1,500'\n", "F:1:12: Melt temperature at nozzle: '1,500' is ambiguous (a thousands "
         "separator or a decimal comma?): write 1500 or 1.5"),
    ],
    ids=["alias-bomb", "deep", "custom-tag", "python-tag", "float-abc", "date",
         "huge-int", "float-overflow", "escape", "below-0K-celsius", "negative-kelvin",
         "minus-1e308", "thousands-comma"],
)
def test_hostile_answers_are_one_located_error(tmp_path: Path, text: str, expected: str) -> None:
    assert _error(tmp_path, text) == expected


def test_a_tag_that_cannot_construct_keeps_the_text_as_typed(tmp_path: Path) -> None:
    path = tmp_path / "answers.yaml"
    path.write_text("melt-temp: !!int 1.5\n", encoding="utf-8")
    assert AnswersFile(path, EQ).read(TEMP) == "1.5"


def test_dev_zero_is_read_bounded() -> None:
    with pytest.raises(UsageError, match="larger than 8 MB"):
        AnswersFile("/dev/zero", EQ)


def test_not_utf8_is_one_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("melt-temp: '205 °C'\n".encode("latin-1"))
    with pytest.raises(UsageError, match="cannot read the answers file"):
        AnswersFile(path, EQ)


def test_comma_is_a_decimal_comma_in_french() -> None:
    assert interpret(TEMP, "1,500", "fr").value == 1.5
    assert interpret(TEMP, "12,5", "en").value == 12.5  # not three digits: a decimal comma
    assert interpret(TEMP, "1 500", "en").value == 1500.0
    with pytest.raises(SessionError, match=r"write 1500 or 1\.5"):
        interpret(TEMP, "-1,500 °C", "en")


def test_physical_limit_in_the_measurement_unit_and_at_the_limit() -> None:
    assert interpret(TEMP, "0 K", "en").value == pytest.approx(-273.15)
    assert interpret(TEMP, "-273.15", "en").state == "low"
    with pytest.raises(SessionError) as info:
        interpret(TEMP, "-459.68 °F", "fr")
    assert "limite physique, le zéro absolu" in info.value.message("fr")


def test_ascii_terminal_gets_no_traceback(tmp_path: Path) -> None:
    """``LANG=C`` without UTF-8 coercion: accents are escaped, nothing crashes."""
    path = tmp_path / "answers.yaml"
    path.write_text('melt-temp: "\\u202Eevil"\n', encoding="utf-8")
    env = dict(os.environ, LC_ALL="C", LANG="C", PYTHONCOERCECLOCALE="0", PYTHONUTF8="0")
    env.pop("PYTHONIOENCODING", None)
    result = subprocess.run(
        [sys.executable, "-m", "diagnosis", "--lang", "fr", "kb", "check"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "diagnosis", "--lang", "fr", "run", "-e", "cv-line-01",
         "-s", "cv-belt-slip", "--answers", str(path), "--no-save"],
        capture_output=True, env=env, timeout=120, check=False,
    )
    assert result.returncode == 2
    assert b"Traceback" not in result.stderr and b"\xe2\x80\xae" not in result.stderr
    assert b"caract\\xe8re de contr\\xf4le U+202E" in result.stderr
