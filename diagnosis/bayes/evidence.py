"""What the Bayesian layer is told (evidence) and what it answers (posteriors).

These small value types are the contract between the network
(``diagnosis.bayes``), the planner, the session and the fault-tree mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["UNKNOWN", "CauseFactor", "Evidence", "Posteriors"]

UNKNOWN = "_unknown"
"""The hypothesis "a cause that is not in the knowledge base"."""


@dataclass(frozen=True)
class CauseFactor:
    """A likelihood over a few causes, from outside the noisy-OR links.

    Used for fault-tree observations (the classic fault-tree-to-BN mapping):
    ``table[i]`` is P(observation | assignment i), where bit ``j`` of ``i``
    (least significant bit = ``causes[0]``) says whether ``causes[j]`` is present.

    Attributes:
        causes: the cause ids involved (k of them, k <= 16).
        table: 2**k likelihoods.
        label: what was observed, for reports (e.g. ``"ft-no-injection: g-top = true"``).
    """

    causes: tuple[str, ...]
    table: tuple[float, ...]
    label: str = ""

    def __post_init__(self) -> None:
        if len(self.table) != 2 ** len(self.causes):
            raise ValueError(
                f"factor {self.label!r}: table has {len(self.table)} entries, "
                f"expected {2 ** len(self.causes)}"
            )


@dataclass(frozen=True)
class Evidence:
    """Everything known so far in a diagnosis.

    Attributes:
        symptoms: symptom id -> present (True) or reported absent (False).
        states: measurement id -> observed state (``low``/``normal``/``high``,
            ``true``/``false``, or a choice). Unanswered measurements are absent.
        excluded: cause ids made impossible by a rule (posterior 0).
        factors: extra likelihoods over causes (fault-tree observations).
        soft: measurement id -> {state: likelihood}: a doubted reading (the
            technician was not sure, or re-measures disagree) as soft evidence,
            P(what was read | the true state); states left out have likelihood 0.
            A measurement is in ``states`` or in ``soft``, not both.
    """

    symptoms: Mapping[str, bool] = field(default_factory=dict)
    states: Mapping[str, str] = field(default_factory=dict)
    excluded: frozenset[str] = frozenset()
    factors: tuple[CauseFactor, ...] = ()
    soft: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def with_state(self, measurement: str, state: str) -> Evidence:
        """A copy with one more observed measurement state."""
        soft = {m: v for m, v in self.soft.items() if m != measurement}
        return Evidence(
            self.symptoms, {**self.states, measurement: state}, self.excluded, self.factors, soft
        )

    def key(self) -> tuple[object, ...]:
        """A hashable key, for caches."""
        return (
            tuple(sorted(self.symptoms.items())),
            tuple(sorted(self.states.items())),
            tuple(sorted(self.excluded)),
            self.factors,
            tuple(sorted((m, tuple(sorted(v.items()))) for m, v in self.soft.items())),
        )


@dataclass(frozen=True)
class Posteriors:
    """Marginal posterior P(cause present | evidence) of every hypothesis.

    ``probabilities`` holds every non-excluded cause of the equipment and
    ``_unknown``. ``ranking()`` sorts them by decreasing probability (ties by id).
    """

    probabilities: Mapping[str, float]
    evidence_probability: float = 1.0  # P(evidence), for diagnostics and tests

    def __getitem__(self, cause: str) -> float:
        return self.probabilities[cause]

    def ranking(self) -> list[tuple[str, float]]:
        return sorted(self.probabilities.items(), key=lambda kv: (-kv[1], kv[0]))

    def top(self) -> tuple[str, float]:
        return self.ranking()[0]
