"""Choices answered by number, prefix, label or id, in any language (issue 10, item 6)."""

from __future__ import annotations

import pytest

from diagnosis.errors import SessionError
from diagnosis.i18n import Text
from diagnosis.kb.model import Measurement
from diagnosis.rules import interpret
from diagnosis.rules.interpret import match_choice

OIL = Measurement(
    "oil",
    Text.of({"en": "Gearbox oil", "fr": "Huile du réducteur"}),
    "choice",
    choices=("clear", "dark", "milky", "metal-particles"),
    normal="clear",
    choice_labels=(
        ("clear", Text.of({"en": "clear", "fr": "claire"})),
        ("dark", Text.of({"en": "dark", "fr": "foncée"})),
        ("milky", Text.of({"en": "milky (water)", "fr": "laiteuse (eau)"})),
        ("metal-particles", Text.of({"en": "metal particles", "fr": "particules métalliques"})),
    ),
)


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("3", "milky"),  # its number in the list
        (" 4 ", "metal-particles"),
        ("milky", "milky"),  # the id
        ("MILKY", "milky"),
        ("laiteuse (eau)", "milky"),  # the French label
        ("Laiteuse", "milky"),  # a unique prefix of a label
        ("lait", "milky"),
        ("foncee", "dark"),  # accents ignored
        ("Particules", "metal-particles"),
        ("metal particles", "metal-particles"),
        ("cl", "clear"),
    ],
)
def test_a_choice_by_number_prefix_label_or_id(raw: str, state: str) -> None:
    assert interpret(OIL, raw, "fr").state == state


def test_an_ambiguous_prefix_is_refused_with_the_candidates() -> None:
    both = Measurement(
        "seal", Text.of("Seal"), "choice", choices=("input-seal", "input-shaft"), normal="input-seal"
    )
    with pytest.raises(SessionError, match=r"'input' may be any of: 1 Input seal, 2 Input shaft"):
        interpret(both, "input")


@pytest.mark.parametrize("raw", ["0", "5", "water", ""])
def test_no_match_lists_the_numbered_choices_in_the_language(raw: str) -> None:
    with pytest.raises(SessionError) as err:
        interpret(OIL, raw, "fr")
    assert "1 claire, 2 foncée, 3 laiteuse (eau), 4 particules métalliques" in str(err.value)


def test_an_exact_id_wins_over_a_number_and_a_prefix() -> None:
    numbered = Measurement("n", Text.of("N"), "choice", choices=("2", "1"), normal="2")
    assert match_choice("1", numbered.choices) == ["1"]
    assert match_choice("dark", ("dark", "dark-red")) == ["dark"]
