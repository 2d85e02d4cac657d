"""The readable text report of a fault-tree analysis, and its JSON form.

Formats an :class:`~diagnosis.faulttree.analysis.Analysis`; computes nothing.
"""

from __future__ import annotations

import math
from typing import Any

from diagnosis.faulttree.analysis import Analysis
from diagnosis.i18n import DEFAULT_LANG, format_number, tr

__all__ = ["analysis_json", "analysis_text"]

_LIST_LIMIT = 50
_IMPORTANCE_LIMIT = 20


def _num(x: float) -> float | None:
    """JSON has no infinity or NaN: those become null."""
    return x if math.isfinite(x) else None


def analysis_json(a: Analysis) -> dict[str, Any]:
    """The ``--format json`` document of ``diagnosis ft analyze`` (cli-contract.md)."""
    return {
        "tree": a.tree,
        "top": a.top,
        "probability": a.probability,
        "rare_event": a.rare_event,
        "mcub": a.mcub,
        "max_order": a.max_order,
        "cutoff": a.cutoff,
        "cut_set_count": len(a.cut_sets),
        "by_order": a.by_order(),
        "cut_sets": [list(c.events) for c in a.cut_sets],
        "importance": {
            i.event: {
                "probability": i.probability,
                "birnbaum": _num(i.birnbaum),
                "fussell_vesely": _num(i.fussell_vesely),
                "raw": _num(i.raw),
                "rrw": _num(i.rrw),
                "dif": _num(i.dif),
            }
            for i in a.importance
        },
        "bdd_nodes": a.bdd_nodes,
    }


def _g(x: float, lang: str) -> str:
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "inf"
    return format_number(x, lang, digits=4)


def analysis_text(a: Analysis, lang: str = DEFAULT_LANG, all_cut_sets: bool = False) -> str:
    """A report for a reliability engineer: results, cut sets, importance.

    Args:
        a: the analysis.
        lang: ``en`` or ``fr``.
        all_cut_sets: list every cut set (default: the 50 most probable).
    """

    def t(key: str, **kw: object) -> str:
        return tr(f"ft.report.{key}", lang, **kw)

    rows = [
        (t("probability"), _g(a.probability, lang)),
        (t("rare_event"), _g(a.rare_event, lang)),
        (t("mcub"), _g(a.mcub, lang)),
        (
            t("cut_sets"),
            f"{len(a.cut_sets)}  ({t('by_order')}: "
            + ", ".join(f"{o}:{n}" for o, n in enumerate(a.by_order()) if n)
            + ")",
        ),
        (t("limits"), f"max-order {a.max_order}, cutoff {_g(a.cutoff, lang)}"),
        (t("bdd"), str(a.bdd_nodes)),
    ]
    width = max(len(k) for k, _v in rows) + 2
    out = [t("title", tree=a.tree, top=a.top), ""]
    out += [f"  {k:<{width}}{v}" for k, v in rows]
    out.append("")
    ranked = sorted(a.cut_sets, key=lambda c: (-c.probability, c.order, c.events))
    shown = ranked if all_cut_sets else ranked[:_LIST_LIMIT]
    total = a.rare_event if a.rare_event > 0 else 1.0
    out.append(t("cut_sets_header", shown=len(shown), total=len(a.cut_sets)))
    out.append(f"  {'#':>4}  {t('col_p'):>11}  {t('col_share'):>7}  {t('col_events')}")
    for n, c in enumerate(shown, 1):
        share = format_number(100.0 * c.probability / total, lang, digits=3) + " %"
        out.append(f"  {n:>4}  {_g(c.probability, lang):>11}  {share:>7}  {' . '.join(c.events)}")
    out.append("")
    imp = sorted(a.importance, key=lambda i: (-abs(i.birnbaum * i.probability), i.event))
    out.append(t("importance_header", shown=min(len(imp), _IMPORTANCE_LIMIT), total=len(imp)))
    out.append(
        f"  {t('col_event'):<24} {'p':>10} {'Birnbaum':>10} {'F-V':>10} {'DIF':>10} "
        f"{'RAW':>10} {'RRW':>10}"
    )
    for i in imp[:_IMPORTANCE_LIMIT]:
        out.append(
            f"  {i.event[:24]:<24} {_g(i.probability, lang):>10} {_g(i.birnbaum, lang):>10} "
            f"{_g(i.fussell_vesely, lang):>10} {_g(i.dif, lang):>10} {_g(i.raw, lang):>10} "
            f"{_g(i.rrw, lang):>10}"
        )
    out.append("")
    out.append(t("legend"))
    return "\n".join(out) + "\n"
