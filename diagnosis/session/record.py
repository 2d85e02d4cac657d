"""The end of a guided diagnosis: conclusion, 5-Why, 5M, remedy, validation, closing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.errors import SessionError
from diagnosis.i18n import format_percent, tr
from diagnosis.kb.model import CATEGORIES_5M, Cause
from diagnosis.session.base import SessionBase
from diagnosis.session.events import (
    CategorySet,
    ConclusionReached,
    NoteAdded,
    PartUsed,
    RemedyRecorded,
    SessionClosed,
    ValidationRecorded,
    WhyChainSet,
    WhyLink,
)
from diagnosis.session.why import suggest_why, supporting_readings

__all__ = ["RecordMixin"]

_DEFAULT: Any = object()  # "no root cause given": use the engine's default conclusion
_STATUSES = ("done", "abandoned")


class RecordMixin(SessionBase):
    """Conclusion and intervention record of a session (mixed into Session)."""

    def conclude(
        self, root_cause: str | None = _DEFAULT, *, confirmed: bool = True
    ) -> ConclusionReached:
        """Record the root cause and the readings that support it.

        Args:
            root_cause: a cause id of the equipment, ``"_unknown"`` or None; by
                default :meth:`default_root_cause`.
            confirmed: the technician confirms it (False: the engine's proposal).

        Raises:
            SessionError: unknown or excluded cause, alert pending, session closed.
        """
        self._check_open()
        self._check_no_alert()
        root = self.default_root_cause() if root_cause is _DEFAULT else root_cause
        if root is not None and root != UNKNOWN:
            if not self.equipment.has("cause", root):
                raise SessionError(
                    code="session.error.unknown_cause", cause=root, equipment=self.equipment.id
                )
            if root in self._state.excluded:
                raise SessionError(
                    code="session.error.excluded_cause", cause=root, rule=self._state.excluded[root]
                )
        probs = dict(self.ranking())
        ruled_out: tuple[str, ...] = ()
        if root == UNKNOWN:
            ruled_out = tuple(
                sorted(
                    {c.id for c in self.equipment.causes if probs.get(c.id, 0.0) < 0.05}
                    | set(self._state.excluded)
                )
            )
        event = ConclusionReached(
            root_cause=root,
            probability=probs.get(root, 0.0) if root else 0.0,
            evidence=supporting_readings(self.equipment, root, self.readings),
            confirmed=confirmed,
            ruled_out=ruled_out,
            actor=self._actor() if confirmed else "engine",
        )
        self._emit(event)
        pair = self._verified_pair()
        if pair is not None and root in pair:
            other = pair[1] if root == pair[0] else pair[0]
            cause = self.equipment.cause(other)
            why = suggest_why(self.equipment, other, self.readings, self.lang)
            self._emit(
                NoteAdded(
                    text=tr(
                        "session.second_cause",
                        self.lang,
                        cause=f"{cause.name.get(self.lang)} ({other})",
                        p=format_percent(probs.get(other, 0.0), self.lang),
                        why=" / ".join(link.text for link in why) or "-",
                    ),
                    rule="two-causes",
                )
            )
        return event

    @property
    def validation_pending(self) -> bool:
        """A root cause was concluded but no validation test result is recorded yet.

        The record is then marked *validation pending* (report, ``history``)
        until :meth:`record_validation` (issue 10).
        """
        c = self.conclusion
        return c is not None and c.root_cause is not None and self.validation is None
    def suggested_why(self) -> list[WhyLink]:
        """The 5-Why chain prefilled from the concluded cause's ``why`` template."""
        root = self.conclusion.root_cause if self.conclusion else self.default_root_cause()
        return suggest_why(self.equipment, root, self.readings, self.lang, self.symptoms)

    def _root_cause_entity(self) -> Cause | None:
        root = self.conclusion.root_cause if self.conclusion else self.default_root_cause()
        if root is None or not self.equipment.has("cause", root):
            return None
        return self.equipment.cause(root)

    def suggested_remedy(self) -> tuple[str, tuple[PartUsed, ...]]:
        """The concluded cause's ``remedy`` text and spare ``parts``, prefilled for the record."""
        cause = self._root_cause_entity()
        if cause is None:
            return "", ()
        parts = tuple(PartUsed(p.ref, p.name.get(self.lang), p.qty) for p in cause.parts)
        return cause.remedy.get(self.lang), parts

    def suggested_validation(self) -> str:
        """The concluded cause's test after repair (its ``validation`` text), or ""."""
        cause = self._root_cause_entity()
        return cause.validation.get(self.lang) if cause is not None else ""

    def set_why(self, links: Sequence[WhyLink], *, actor: str | None = None) -> None:
        """Record (or replace) the 5-Why chain; links without text are refused."""
        self._check_open()
        chain = tuple(links)
        if any(not link.text.strip() for link in chain):
            raise SessionError(code="session.error.empty_why")
        self._emit(WhyChainSet(links=chain, actor=actor or self._actor()))

    def set_category(self, category_5m: str, *, actor: str | None = None) -> None:
        """Record the 5M family (``matiere``, ``machine``, ``methode``, ``main_oeuvre``…)."""
        self._check_open()
        category = _category(category_5m)
        if category is None:
            raise SessionError(
                code="session.error.bad_category",
                category=category_5m,
                choices=", ".join(CATEGORIES_5M),
            )
        self._emit(CategorySet(category_5m=category, actor=actor or self._actor()))

    def record_remedy(
        self,
        remedy: str,
        *,
        activity: str = "",
        parts: Sequence[PartUsed] = (),
        labour_min: float | None = None,
        downtime_min: float | None = None,
        lockout_done: bool = False,
    ) -> None:
        """Record what was done to repair."""
        self._check_open()
        if not remedy.strip():
            raise SessionError(code="session.error.empty_remedy")
        for value in (labour_min, downtime_min):
            if value is not None and value < 0:
                raise SessionError(code="session.error.negative_time", value=value)
        self._emit(
            RemedyRecorded(
                remedy=remedy,
                activity=activity,
                parts=tuple(parts),
                labour_min=labour_min,
                downtime_min=downtime_min,
                lockout_done=lockout_done,
                actor=self._actor(),
            )
        )

    def record_validation(self, test: str, passed: bool, result: str = "") -> None:
        """Record the test after repair and its outcome."""
        self._check_open()
        if not test.strip():
            raise SessionError(code="session.error.empty_test")
        self._emit(ValidationRecorded(test=test, passed=passed, result=result, actor=self._actor()))

    def close(self, status: str = "done") -> None:
        """Close the session (``done`` or ``abandoned``); nothing can be added afterwards."""
        self._check_open()
        if status not in _STATUSES:
            raise SessionError(code="session.error.bad_status", status=status)
        self._emit(SessionClosed(status=status, actor=self._actor()))


def _category(text: str) -> str | None:
    import unicodedata

    folded = unicodedata.normalize("NFKD", text.strip().lower()).encode("ascii", "ignore")
    key = folded.decode().replace("-", "_").replace(" ", "_").replace("'", "_")
    aliases = {
        "material": "matiere",
        "materiel": "machine",
        "method": "methode",
        "manpower": "main_oeuvre",
        "main_d_oeuvre": "main_oeuvre",
        "environment": "milieu",
        "measurement": "mesure",
        "measure": "mesure",
    }
    key = aliases.get(key, key)
    return key if key in CATEGORIES_5M else None
