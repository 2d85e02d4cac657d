"""The readable text report of a fault-tree analysis, and its JSON form.

Formats an :class:`~diagnosis.faulttree.analysis.Analysis`; computes nothing.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Iterable
from typing import Any, TextIO

from diagnosis.faulttree.analysis import Analysis, CutSet
from diagnosis.i18n import DEFAULT_LANG, format_number, tr

__all__ = ["analysis_json", "analysis_text", "write_json", "write_lines", "write_text"]

_LIST_LIMIT = 50
_IMPORTANCE_LIMIT = 20


def _num(x: float) -> float | None:
    """JSON has no infinity or NaN: those become null."""
    return x if math.isfinite(x) else None


def _header(a: Analysis) -> dict[str, Any]:
    if not a.cut_sets_computed:  # conditioning: no cut sets, nor what is summed over them
        doc = _header_all(a)
        doc.update(rare_event=None, mcub=None, cut_set_count=None, by_order=None, bdd_nodes=None)
        doc["cut_sets_not_computed"] = tr("ft.report.no_cut_sets_error", "en", tree=a.tree)
        return doc
    return _header_all(a)


def _header_all(a: Analysis) -> dict[str, Any]:
    return {
        "tree": a.tree,
        "top": a.top,
        "probability": a.probability,
        "rare_event": a.rare_event,
        "mcub": a.mcub,
        "max_order": a.max_order,
        "cutoff": a.cutoff,
        "cut_set_count": a.cut_set_count,
        "by_order": a.by_order(),
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


def analysis_json(a: Analysis) -> dict[str, Any]:
    """The ``--format json`` document of ``diagnosis ft analyze`` (cli-contract.md), in memory."""
    doc = _header(a)
    doc["cut_sets"] = (
        [list(c.events) for c in a.iter_cut_sets("size")] if a.cut_sets_computed else None
    )
    return doc


def write_json(a: Analysis, out: TextIO) -> None:
    """Write the JSON document to ``out``, streaming ``cut_sets`` last (any number of them).

    Everything else (probability, counts, importance) is written, and flushed,
    before the first cut set; the cut sets come one per line, sorted by size
    then names, in bounded memory.
    """
    head = json.dumps(_header(a), indent=2, ensure_ascii=False)
    if not a.cut_sets_computed:
        out.write(head[: head.rfind("}")].rstrip() + ',\n  "cut_sets": null\n}\n')
        return
    out.write(head[: head.rfind("}")].rstrip() + ',\n  "cut_sets": [')
    out.flush()
    written = a.write_cut_sets(out, "json")
    out.write("\n  ]\n}\n" if written else "]\n}\n")


def write_lines(a: Analysis, out: TextIO) -> None:
    """One minimal cut set per line, its events separated by spaces, sorted by size then names."""
    a.write_cut_sets(out, "lines")


def _g(x: float, lang: str) -> str:
    if math.isnan(x):
        return "-"
    if math.isinf(x):
        return "inf"
    return format_number(x, lang, digits=4)


def analysis_text(a: Analysis, lang: str = DEFAULT_LANG, all_cut_sets: bool = False) -> str:
    """A report for a reliability engineer: results, importance, cut sets (as a string)."""
    buf = io.StringIO()
    write_text(a, buf, lang, all_cut_sets)
    return buf.getvalue()


def write_text(
    a: Analysis, out: TextIO, lang: str = DEFAULT_LANG, all_cut_sets: bool = False
) -> None:
    """Write the text report: results and importance first (flushed), then the cut sets.

    Args:
        a: the analysis.
        out: where to write.
        lang: ``en`` or ``fr``.
        all_cut_sets: list every cut set, most probable first (streamed in
            bounded memory); default the 50 most probable.
    """

    def t(key: str, **kw: object) -> str:
        return tr(f"ft.report.{key}", lang, **kw)

    rows = [
        (t("probability"), _g(a.probability, lang)),
        (t("rare_event"), _g(a.rare_event, lang)),
        (t("mcub"), _g(a.mcub, lang)),
        (
            t("cut_sets"),
            f"{a.cut_set_count}  ({t('by_order')}: "
            + ", ".join(f"{o}:{n}" for o, n in enumerate(a.by_order()) if n)
            + ")",
        ),
        (t("limits"), f"max-order {a.max_order}, cutoff {_g(a.cutoff, lang)}"),
        (t("bdd"), str(a.bdd_nodes)),
    ]
    if a.method.startswith("conditioning"):  # the BDD was over its budget
        from diagnosis.faulttree.analysis import BDD_MEMORY_BUDGET

        rows[0] = (t("probability_conditioned"), rows[0][1])
        rows[5] = (t("method"), t("conditioned", width=a.width, budget=BDD_MEMORY_BUDGET >> 20))
    if not a.cut_sets_computed:
        rows[3] = (t("cut_sets"), t("no_cut_sets"))
    width = max(len(k) for k, _v in rows) + 2
    lines = [t("title", tree=a.tree, top=a.top), ""]
    lines += [f"  {k:<{width}}{v}" for k, v in rows]
    lines.append("")
    imp = sorted(a.importance, key=lambda i: (-abs(i.birnbaum * i.probability), i.event))
    lines.append(t("importance_header", shown=min(len(imp), _IMPORTANCE_LIMIT), total=len(imp)))
    lines.append(
        f"  {t('col_event'):<24} {'p':>10} {'Birnbaum':>10} {'F-V':>10} {'DIF':>10} "
        f"{'RAW':>10} {'RRW':>10}"
    )
    for i in imp[:_IMPORTANCE_LIMIT]:
        lines.append(
            f"  {i.event[:24]:<24} {_g(i.probability, lang):>10} {_g(i.birnbaum, lang):>10} "
            f"{_g(i.fussell_vesely, lang):>10} {_g(i.dif, lang):>10} {_g(i.raw, lang):>10} "
            f"{_g(i.rrw, lang):>10}"
        )
    lines.append("")
    lines.append(t("legend"))
    lines.append("")
    if not a.cut_sets_computed:
        out.write("\n".join(lines) + "\n")
        return
    shown = a.cut_set_count if all_cut_sets else min(a.cut_set_count, _LIST_LIMIT)
    lines.append(t("cut_sets_header", shown=shown, total=a.cut_set_count))
    lines.append(f"  {'#':>4}  {t('col_p'):>11}  {t('col_share'):>7}  {t('col_events')}")
    out.write("\n".join(lines) + "\n")
    out.flush()
    total = a.rare_event if a.rare_event > 0 else 1.0
    # --all streams every cut set; the default finds the 50 without listing the others.
    ranked: Iterable[CutSet] = (
        a.iter_cut_sets("probability") if all_cut_sets else a.top_cut_sets(_LIST_LIMIT)
    )
    for n, c in enumerate(ranked, 1):
        share = format_number(100.0 * c.probability / total, lang, digits=3) + " %"
        out.write(f"  {n:>4}  {_g(c.probability, lang):>11}  {share:>7}  {' . '.join(c.events)}\n")
