"""FMEA / AMDEC risk scoring: RPN, AIAG-VDA action priority, machine criticality.

Three views of one FMEA line (severity S, occurrence O, detection D, each 1-10):

* **RPN** = S × O × D (IEC 60812 / AIAG 4th edition), 1-1000.
* **AP**, the AIAG-VDA (2019) action priority ``H``/``M``/``L``, looked up on
  bands of S, then O, then D (``shared/domain.md`` §2.2, transcribed exactly;
  every combination not in the table is ``L``).
* **C** = F × G × N, the French machine-FMECA criticality (AMDEC moyen de
  production, §2.3) on F 1-4, G 1-5, N 1-4 grids (C in 1-80). The lines carry
  S/O/D on 1-10, so a :class:`CriticalityGrid` maps O→F, S→G and D→N. The
  default grid (override it per site, e.g. from a YAML file)::

      O 1-3 → F1, 4-6 → F2, 7-8 → F3, 9-10 → F4
      S 1-2 → G1, 3-4 → G2, 5-6 → G3, 7-8 → G4, 9-10 → G5
      D 1-2 → N1, 3-5 → N2, 6-8 → N3, 9-10 → N4
      act when C >= 12

  G is forced to 5 when people's safety is involved: S >= 9 (AIAG: 10 =
  safety, 9 = regulation), or, when the KB is given, the line's cause has an
  effect on a symptom of category ``safety``.

Lines sort by decreasing priority: AP H > M > L, then RPN, then S, then id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from diagnosis.errors import KnowledgeBaseError, Problem
from diagnosis.kb.model import FmeaLine, KnowledgeBase

__all__ = [
    "DEFAULT_GRID",
    "CriticalityGrid",
    "FmeaResult",
    "action_priority",
    "evaluate",
    "fmea_for_cause",
    "fmea_table",
    "rpn",
]

Priority = Literal["H", "M", "L"]
_AP_RANK = {"H": 0, "M": 1, "L": 2}


def rpn(severity: int, occurrence: int, detection: int) -> int:
    """The risk priority number S × O × D."""
    return severity * occurrence * detection


def _band(value: int, bands: Sequence[tuple[int, int]]) -> int:
    for idx, (lo, hi) in enumerate(bands):
        if lo <= value <= hi:
            return idx
    raise ValueError(f"rating {value} is not in 1..10")


_S_BANDS = ((9, 10), (7, 8), (4, 6), (2, 3), (1, 1))
_O_BANDS = ((8, 10), (6, 7), (4, 5), (2, 3), (1, 1))
_D_BANDS = ((7, 10), (5, 6), (2, 4), (1, 1))
# (S band, O band) -> AP for D bands 7-10, 5-6, 2-4, 1 (domain.md §2.2).
_AP_TABLE: dict[tuple[int, int], str] = {
    (0, 0): "HHHH",
    (0, 1): "HHHH",
    (0, 2): "HHHM",
    (0, 3): "HMLL",
    (1, 0): "HHHH",
    (1, 1): "HHHM",
    (1, 2): "HMMM",
    (1, 3): "MMLL",
    (2, 0): "HHMM",
    (2, 1): "MMML",
    (2, 2): "MLLL",
    (3, 0): "MMLL",
}


def action_priority(severity: int, occurrence: int, detection: int) -> Priority:
    """The AIAG-VDA action priority of S, O, D (each 1-10).

    Raises:
        ValueError: a rating outside 1..10.
    """
    s, o, d = _band(severity, _S_BANDS), _band(occurrence, _O_BANDS), _band(detection, _D_BANDS)
    row = _AP_TABLE.get((s, o))
    return "L" if row is None else row[d]  # type: ignore[return-value]


@dataclass(frozen=True)
class CriticalityGrid:
    """How 1-10 ratings map to the F, G, N grids, and when to act.

    Attributes:
        frequency: F for O = 1..10 (ten values, each 1..4).
        gravity: G for S = 1..10 (ten values, each 1..5).
        non_detection: N for D = 1..10 (ten values, each 1..4).
        threshold: act when C = F × G × N is at least this.
        safety_severity: S at or above which safety is involved (G forced to 5).
    """

    frequency: tuple[int, ...] = (1, 1, 1, 2, 2, 2, 3, 3, 4, 4)
    gravity: tuple[int, ...] = (1, 1, 2, 2, 3, 3, 4, 4, 5, 5)
    non_detection: tuple[int, ...] = (1, 1, 2, 2, 2, 3, 3, 3, 4, 4)
    threshold: int = 12
    safety_severity: int = 9

    def __post_init__(self) -> None:
        for name, values, top in (
            ("frequency", self.frequency, 4),
            ("gravity", self.gravity, 5),
            ("non_detection", self.non_detection, 4),
        ):
            if len(values) != 10 or not all(1 <= v <= top for v in values):
                raise ValueError(f"criticality grid: {name} needs ten values in 1..{top}")
            if list(values) != sorted(values):
                raise ValueError(f"criticality grid: {name} must not decrease")

    @classmethod
    def from_mapping(cls, data: Mapping[str, object], source: str = "<grid>") -> CriticalityGrid:
        """A grid from a mapping (e.g. a site's YAML file); missing keys keep the defaults.

        Raises:
            KnowledgeBaseError: an unknown key or a bad value, naming ``source``.
        """
        known = {"frequency", "gravity", "non_detection", "threshold", "safety_severity"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise KnowledgeBaseError([Problem(source, 0, 0, f"unknown grid key '{unknown[0]}'")])
        kwargs: dict[str, object] = {}
        try:
            for key, value in data.items():
                if key in ("threshold", "safety_severity"):
                    kwargs[key] = int(value)  # type: ignore[call-overload]
                else:
                    kwargs[key] = tuple(int(v) for v in value)  # type: ignore[attr-defined]
            return cls(**kwargs)  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise KnowledgeBaseError([Problem(source, 0, 0, str(exc))]) from exc


DEFAULT_GRID = CriticalityGrid()


@dataclass(frozen=True)
class FmeaResult:
    """One evaluated FMEA line.

    Attributes:
        line: the KB line (S, O, D, texts, recommended actions).
        equipment: its equipment id.
        rpn: S × O × D.
        ap: AIAG-VDA action priority.
        f, g, n: the machine-FMECA ratings from the grid.
        criticality: F × G × N.
        act: criticality at or above the grid's threshold.
        safety: safety is involved (G forced to 5).
    """

    line: FmeaLine
    equipment: str
    rpn: int
    ap: Priority
    f: int
    g: int
    n: int
    criticality: int
    act: bool
    safety: bool

    @property
    def severity(self) -> int:
        return self.line.severity

    def sort_key(self) -> tuple[int, int, int, str]:
        return (_AP_RANK[self.ap], -self.rpn, -self.line.severity, self.line.id)


def _safety(line: FmeaLine, kb: KnowledgeBase | None, grid: CriticalityGrid) -> bool:
    if line.severity >= grid.safety_severity:
        return True
    if kb is None:
        return False
    cause = kb.causes.get(line.cause)
    symptoms = kb.symptoms
    return cause is not None and any(
        e.symptom is not None and e.symptom in symptoms and symptoms[e.symptom].category == "safety"
        for e in cause.effects
    )


def evaluate(
    line: FmeaLine, kb: KnowledgeBase | None = None, grid: CriticalityGrid = DEFAULT_GRID
) -> FmeaResult:
    """RPN, action priority and criticality of one line."""
    s, o, d = line.severity, line.occurrence, line.detection
    safety = _safety(line, kb, grid)
    f = grid.frequency[o - 1]
    g = 5 if safety else grid.gravity[s - 1]
    n = grid.non_detection[d - 1]
    c = f * g * n
    return FmeaResult(
        line,
        line.equipment,
        rpn(s, o, d),
        action_priority(s, o, d),
        f,
        g,
        n,
        c,
        c >= grid.threshold,
        safety,
    )


def fmea_table(
    kb: KnowledgeBase, equipment: str | None = None, grid: CriticalityGrid = DEFAULT_GRID
) -> list[FmeaResult]:
    """Every FMEA line of the KB (or of one equipment), by decreasing priority.

    Raises:
        KeyError: ``equipment`` is not in the KB.
    """
    equipments = [kb.equipment(equipment)] if equipment else list(kb.equipments)
    out = [
        evaluate(line if line.equipment else _with_equipment(line, e.id), kb, grid)
        for e in equipments
        for line in e.fmea
    ]
    return sorted(out, key=FmeaResult.sort_key)


def _with_equipment(line: FmeaLine, equipment: str) -> FmeaLine:
    from dataclasses import replace

    return replace(line, equipment=equipment)


def fmea_for_cause(
    kb: KnowledgeBase, cause_id: str, grid: CriticalityGrid = DEFAULT_GRID
) -> list[FmeaResult]:
    """The evaluated FMEA line(s) of a cause, by decreasing priority (empty if none).

    For the session conclusion and the report: severity, criticality, RPN,
    AP and the recommended actions (``result.line.actions``).
    """
    return [r for r in fmea_table(kb, None, grid) if r.line.cause == cause_id]
