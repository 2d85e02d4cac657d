"""Who may take a measurement: NF C18-510 electrical habilitations and prerequisites.

A habilitation symbol has up to three characters and, for ``E``, an attribute:

* domain: ``B`` (low / extra-low voltage) or ``H`` (high voltage);
* level: ``0`` non-electrical work, ``1`` executant, ``2`` chargé de travaux,
  ``C`` chargé de consignation, ``R`` general LV interventions, ``S`` elementary
  LV interventions, ``E`` specific operations, ``P`` photovoltaic;
* suffix: ``V`` near live parts, ``T`` live working, ``N`` live cleaning,
  ``X`` special;
* attribute (``E``, sometimes ``1``/``2``): Essai, Vérification, Mesurage, Manoeuvre.

Coverage rules applied here (``/work/shared/domain.md`` §5.3), written as
"a held habilitation covers a required one":

* the domain must match: ``B`` never gives ``H`` and ``H`` never gives ``B``;
* ``2`` covers ``1`` (the chargé de travaux may execute) and both cover ``0``;
  ``R`` covers ``S`` (BR includes BS), ``0`` and ``E Mesurage`` (BR is the
  habilitation for fault search by measurement under voltage); ``C`` covers
  nothing else; every other level covers only itself;
* an ``E`` habilitation covers only ``E`` with the same attribute
  (BE Mesurage measures, BE Manoeuvre switches: neither does the other);
  a bare ``BE`` requirement is covered by any ``BE`` attribute;
* a required suffix must be held (``B1V`` does not cover ``B1T``);
  a held suffix covers the bare symbol (``B1V`` covers ``B1``);
* a required attribute on ``1``/``2`` (``B2V Essai``) must be held as such.

A code that cannot be parsed (a site-specific title) is covered only by the
same code, compared without case, spaces or accents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from diagnosis.i18n import Text
from diagnosis.kb.model import Measurement

__all__ = ["Habilitation", "Prerequisites", "covers", "parse_habilitation", "prerequisites"]

_ATTRIBUTES = {
    "mesurage": "mesurage",
    "mesure": "mesurage",
    "measurement": "mesurage",
    "measure": "mesurage",
    "essai": "essai",
    "essais": "essai",
    "test": "essai",
    "verification": "verification",
    "verif": "verification",
    "check": "verification",
    "manoeuvre": "manoeuvre",
    "manouvre": "manoeuvre",
    "switching": "manoeuvre",
}
_SYMBOL = re.compile(
    r"^(?P<domain>[bh])(?P<level>[012crsep])(?P<suffix>[vtnx]*)(?P<attr>"
    + "|".join(sorted(_ATTRIBUTES, key=len, reverse=True))
    + r")?$"
)
# What a held level covers besides itself (same domain).
_COVERS: dict[str, frozenset[str]] = {
    "0": frozenset(),
    "1": frozenset({"0"}),
    "2": frozenset({"1", "0"}),
    "r": frozenset({"s", "0", "e:mesurage"}),
}


@dataclass(frozen=True)
class Habilitation:
    """A parsed NF C18-510 symbol, e.g. ``B2V`` or ``BE Mesurage``."""

    domain: str  # "b" | "h"
    level: str  # "0" "1" "2" "c" "r" "s" "e" "p"
    suffix: str = ""  # "v", "t", "n", "x" (possibly several)
    attribute: str = ""  # "mesurage" | "essai" | "verification" | "manoeuvre" | ""

    @property
    def key(self) -> str:
        return f"{self.level}:{self.attribute}" if self.attribute else self.level


def _fold(code: str) -> str:
    text = code.lower().replace("œ", "oe")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[\s\-_./]+", "", text)


def parse_habilitation(code: str) -> Habilitation | None:
    """Parse ``"B2V"``, ``"BR"``, ``"BE Mesurage"``, ``"H0V"``…; None if not a symbol."""
    match = _SYMBOL.match(_fold(code))
    if match is None:
        return None
    attribute = _ATTRIBUTES.get(match.group("attr") or "", "")
    return Habilitation(
        match.group("domain"), match.group("level"), match.group("suffix"), attribute
    )


def _covers_one(held: Habilitation, need: Habilitation) -> bool:
    if held.domain != need.domain:
        return False
    any_e = need.level == "e" and not need.attribute and held.level == "e"
    if held.key != need.key and not any_e and need.key not in _COVERS.get(held.level, frozenset()):
        return False
    if need.attribute and need.level != "e" and held.attribute != need.attribute:
        return False
    return set(need.suffix) <= set(held.suffix)


def covers(held: Iterable[str], required: str | None) -> bool:
    """Whether the habilitations ``held`` allow an operation that requires ``required``.

    Args:
        held: the technician's habilitation symbols (as written on the titre).
        required: the KB's ``requires.habilitation`` (None or "" = no requirement).

    Returns:
        True when at least one held habilitation covers the requirement.
    """
    if not required:
        return True
    need = parse_habilitation(required)
    for code in held:
        if need is None:
            if _fold(code) == _fold(required):
                return True
            continue
        have = parse_habilitation(code)
        if have is not None and _covers_one(have, need):
            return True
    return False


@dataclass(frozen=True)
class Prerequisites:
    """What must be in place before a measurement is taken.

    Attributes:
        lockout: energy isolation (consignation / LOTO) is needed first.
        lockout_procedure: the KB procedure to follow for it, when given.
        habilitation: the habilitation the KB requires, if any.
        habilitation_ok: the technician's habilitations cover it.
        ppe: personal protective equipment to wear.
    """

    lockout: bool = False
    lockout_procedure: str | None = None
    habilitation: str | None = None
    habilitation_ok: bool = True
    ppe: tuple[Text, ...] = ()

    @property
    def free(self) -> bool:
        """Nothing to prepare: no lockout, no habilitation, no PPE."""
        return not (self.lockout or self.habilitation or self.ppe)


def prerequisites(measurement: Measurement, habilitations: Iterable[str]) -> Prerequisites:
    """The prerequisites of ``measurement`` for a technician holding ``habilitations``."""
    req = measurement.requires
    return Prerequisites(
        lockout=req.lockout,
        lockout_procedure=req.procedure,
        habilitation=req.habilitation or None,
        habilitation_ok=covers(habilitations, req.habilitation),
        ppe=req.ppe,
    )
