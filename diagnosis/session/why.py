"""The evidence behind a conclusion and the prefilled 5-Why chain.

A cause's ``why`` template (kb-format.md) runs from the observed symptom down
to the cause. Each link is tied to the reading that verified it: every
current reading that *supports the cause* (its state is one the cause
produces, abnormal) is tied to the one link whose words it shares most with
its measurement's name (in any language of both texts; the earliest link on a
tie; the first reading when two compete for a link). A link no supporting
reading matches keeps ``evidence=None``: the technician must justify it (an
observation, the history), which is why the chain stays editable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence

from diagnosis.bayes.evidence import UNKNOWN
from diagnosis.i18n import Text
from diagnosis.kb.model import EquipmentKB, Measurement
from diagnosis.session.events import WhyLink
from diagnosis.session.types import Reading

__all__ = ["suggest_why", "supporting_readings"]

_STOP = frozenset(
    {
        "the",
        "and",
        "with",
        "from",
        "that",
        "this",
        "does",
        "not",
        "too",
        "than",
        "into",
        "les",
        "des",
        "une",
        "dans",
        "pas",
        "est",
        "sont",
        "par",
        "pour",
        "avec",
        "sur",
        "trop",
        "plus",
        "moins",
        "qui",
        "que",
        "ne",
        "la",
        "le",
        "du",
        "de",
        "en",
        "un",
        "au",
        "aux",
    }
)


def supporting_readings(
    equipment: EquipmentKB, root: str | None, readings: Iterable[Reading]
) -> tuple[str, ...]:
    """Measurement ids whose current reading supports ``root``.

    For a KB cause: available readings in a state the cause produces (an effect
    on that measurement and state) that is not the healthy state. For
    ``_unknown``: abnormal readings that no cause of the equipment names.
    """
    readings = [r for r in readings if r.available and r.state is not None]
    if root is None:
        return ()
    if root == UNKNOWN:
        named = {
            (e.measurement, e.state) for c in equipment.causes for e in c.effects if e.measurement
        }
        return tuple(
            r.measurement
            for r in readings
            if r.state != equipment.measurement(r.measurement).normal_state
            and (r.measurement, r.state) not in named
        )
    if not equipment.has("cause", root):
        return ()
    produced = {(e.measurement, e.state) for e in equipment.cause(root).effects if e.measurement}
    return tuple(
        r.measurement
        for r in readings
        if (r.measurement, r.state) in produced
        and r.state != equipment.measurement(r.measurement).normal_state
    )


def _words(texts: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for text in texts:
        folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
        for word in re.findall(r"[a-z0-9]+", folded):
            if len(word) >= 3 and word not in _STOP:
                out.add(word[:-1] if word.endswith("s") and len(word) > 4 else word)
    return out


def _text_words(text: Text) -> set[str]:
    return _words(v for _, v in text.values)


def _measurement_words(m: Measurement) -> set[str]:
    return _text_words(m.name) | _words([m.id.replace("-", " ")])


def suggest_why(
    equipment: EquipmentKB, root: str | None, readings: Sequence[Reading], lang: str = "en"
) -> list[WhyLink]:
    """The cause's 5-Why template in ``lang``, each link tied to its best reading."""
    if root is None or root == UNKNOWN or not equipment.has("cause", root):
        return []
    cause = equipment.cause(root)
    support = supporting_readings(equipment, root, readings)
    words = {mid: _measurement_words(equipment.measurement(mid)) for mid in support}
    link_words = [_text_words(text) for text in cause.why]
    # Each supporting reading verifies the one link it matches best (earliest on ties).
    tied: dict[int, str] = {}
    for mid in support:
        scores = [len(lw & words[mid]) for lw in link_words]
        if scores and max(scores) > 0:
            index = scores.index(max(scores))
            tied.setdefault(index, mid)
    return [WhyLink(text.get(lang), tied.get(i)) for i, text in enumerate(cause.why)]
