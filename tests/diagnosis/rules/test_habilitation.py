"""NF C18-510 habilitation coverage (domain.md §5.3) and measurement prerequisites."""

from __future__ import annotations

import pytest

from diagnosis.i18n import Text
from diagnosis.kb.model import Measurement, Requires
from diagnosis.rules import Habilitation, covers, parse_habilitation, prerequisites


@pytest.mark.parametrize(
    ("code", "parsed"),
    [
        ("B2V", Habilitation("b", "2", "v")),
        ("BR", Habilitation("b", "r")),
        ("H0V", Habilitation("h", "0", "v")),
        ("BE Mesurage", Habilitation("b", "e", "", "mesurage")),
        ("be mesure", Habilitation("b", "e", "", "mesurage")),
        ("BE Vérification", Habilitation("b", "e", "", "verification")),
        ("BE Manœuvre", Habilitation("b", "e", "", "manoeuvre")),
        ("B2V Essai", Habilitation("b", "2", "v", "essai")),
        ("CACES R489", None),
    ],
)
def test_parse(code: str, parsed: Habilitation | None) -> None:
    assert parse_habilitation(code) == parsed


@pytest.mark.parametrize(
    ("held", "required", "ok"),
    [
        (["BR"], "BS", True),  # BR includes BS
        (["BS"], "BR", False),
        (["B2V"], "B1V", True),  # 2 includes 1 in the same domain
        (["B1V"], "B2V", False),
        (["B2"], "B1V", False),  # the V (near live parts) must be held
        (["B1V"], "B1", True),
        (["B2V"], "B0", True),
        (["BR"], "BE Mesurage", True),  # BR: fault search by measurement
        (["BE Mesurage"], "BE Mesurage", True),
        (["BE Mesurage"], "BR", False),
        (["BE Manoeuvre"], "BE Mesurage", False),
        (["BE Essai"], "BE", True),
        (["H2V"], "B1V", False),  # H does not give B
        (["B2V"], "H0V", False),  # B does not give H
        (["H2V"], "H1V", True),
        (["BC"], "B1", False),  # BC gives nothing else
        (["BC"], "BC", True),
        (["B0", "BR"], "BS", True),
        ([], "B1V", False),
        ([], None, True),
        ([], "", True),
        (["cariste 3"], "Cariste 3", True),  # unparsed titles: same code only
        (["B2V Essai"], "B2V Essai", True),
        (["B2V"], "B2V Essai", False),
    ],
)
def test_covers(held: list[str], required: str | None, ok: bool) -> None:
    assert covers(held, required) is ok


def test_prerequisites_attached_to_a_measurement() -> None:
    m = Measurement(
        "u",
        Text.of("Motor voltage"),
        "numeric",
        unit="V",
        requires=Requires(
            lockout=True, habilitation="BR", ppe=(Text.of("Insulating gloves"),), procedure="loto"
        ),
    )
    pre = prerequisites(m, ["B1V"])
    assert (pre.lockout, pre.lockout_procedure, pre.habilitation, pre.habilitation_ok) == (
        True,
        "loto",
        "BR",
        False,
    )
    assert pre.ppe[0].get() == "Insulating gloves" and not pre.free
    assert prerequisites(m, ["BR"]).habilitation_ok
    assert prerequisites(Measurement("v", Text.of("Look"), "boolean"), []).free
