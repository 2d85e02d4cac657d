"""A hand-over in words, shared by the Markdown and HTML writers (issue 10).

``Heater current (0.71 bits) needs habilitation BR, which nobody at hand held;
nothing within reach was informative any more. Ranking then: ...`` Plain
text: each writer escapes it its own way.
"""

from __future__ import annotations

from diagnosis.report.data import HandoverLine
from diagnosis.report.fmt import Fmt

__all__ = ["handover_text"]


def handover_text(h: HandoverLine, f: Fmt) -> str:
    """What could not be measured, why, the best within reach, and the ranking then."""
    sep = f.t("handover.sep")
    reasons = []
    if h.habilitation:
        reasons.append(f.t("handover.needs_habilitation", habilitation=h.habilitation))
    what = [n.name for n in (*h.tools, *h.parts)]
    if what:
        reasons.append(f.t("handover.needs_what", what=", ".join(what)))
    if h.best_allowed is not None:
        best = f.t("handover.best", name=h.best_allowed.name, gain=f.num(h.best_allowed_gain, 2))
    else:
        best = f.t("handover.best_none")
    text = f"{h.name} ({f.t('handover.bits', gain=f.num(h.gain, 2))}) "
    text += sep.join([*reasons, best]) + "."
    if h.ranking:
        ranking = ", ".join(f"{r.name} {f.pct(r.probability)}" for r in h.ranking)
        text += f" {f.t('handover.ranking')}{f.colon}{ranking}."
    return text
