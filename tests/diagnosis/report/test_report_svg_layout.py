"""Issue 10: the fishbone's labels never overlap (longest names of the bundled KB), and
the two leading lines of the hypotheses chart are clearly different."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest

from diagnosis.kb import load_kb
from diagnosis.report.data import Hypothesis, Named, Ranked, RankingPoint
from diagnosis.report.svg import DASHES, fishbone_svg, ranking_svg, text_width

NS = "{http://www.w3.org/2000/svg}"


def _boxes(svg: str) -> tuple[list[tuple[str, float, float, float, float]], float, float]:
    root = ET.fromstring(svg)
    width, height = float(root.get("width", 0)), float(root.get("height", 0))
    boxes = []
    for el in root.iter(f"{NS}text"):
        text = "".join(el.itertext())
        size = float(el.get("font-size") or root.get("font-size") or 11)
        x, y = float(el.get("x", 0)), float(el.get("y", 0))
        w = text_width(text, size)
        anchor = el.get("text-anchor", "start")
        left = x - w if anchor == "end" else x - w / 2 if anchor == "middle" else x
        boxes.append((text, left, left + w, y - 0.8 * size, y + 0.2 * size))
    return boxes, width, height


def _longest_hypotheses(lang: str) -> list[Hypothesis]:
    """Per 5M family, the six longest cause names of the bundled KB (so "+N" shows)."""
    causes = [c for eq in load_kb().equipments for c in eq.causes]
    out: list[Hypothesis] = []
    for family in {c.category_5m for c in causes}:
        ranked = sorted(
            (c for c in causes if c.category_5m == family),
            key=lambda c: -len(c.name.get(lang)),
        )[:6]
        for k, c in enumerate(ranked):
            out.append(
                Hypothesis(
                    c.id,
                    c.name.get(lang),
                    family,
                    0.999 - k * 0.1,
                    "rule-x" if k == 2 else None,
                    root=k == 0 and family == "machine",
                )
            )
    return out


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_fishbone_labels_never_overlap(lang: str) -> None:
    hypotheses = _longest_hypotheses(lang)
    assert max(len(h.name) for h in hypotheses) > 80  # the test is about long names
    effect = max((s.name.get(lang) for s in load_kb().symptoms.values()), key=len)
    boxes, width, height = _boxes(fishbone_svg(hypotheses, effect, lang))
    assert len(boxes) > 30
    for text, left, right, top, bottom in boxes:
        assert left >= 0 and right <= width and top >= 0 and bottom <= height, text
    overlaps = [
        (a[0], b[0])
        for a, b in itertools.combinations(boxes, 2)
        if a[1] < b[2] and b[1] < a[2] and a[3] < b[4] and b[3] < a[4]
    ]
    assert overlaps == []
    # long names are shortened, with an ellipsis, never dropped
    assert any(t.endswith("…") or "… " in t for t, *_ in boxes)


def test_two_leading_chart_lines_are_clearly_different() -> None:
    """Two causes whose probabilities run together are told apart by dash and marker."""
    at = datetime(2026, 11, 28, tzinfo=UTC)
    points = [
        RankingPoint(i, at, None, (Ranked("a", p), Ranked("b", p + 0.01), Ranked("_unknown", 0.02)))
        for i, p in enumerate((0.2, 0.4, 0.45))
    ]
    causes = [Named("b", "Cause B"), Named("a", "Cause A"), Named("_unknown", "Unknown")]
    root = ET.fromstring(ranking_svg(points, causes, "en"))
    lines = {el.get("data-series"): el for el in root.iter(f"{NS}polyline")}
    first, second = lines["0"], lines["1"]
    assert first.get("stroke") != second.get("stroke")
    assert (first.get("stroke-dasharray") or "") != (second.get("stroke-dasharray") or "")
    assert second.get("stroke-dasharray") == DASHES[1]
    # distinct markers on every point: circles for the first, squares for the second
    circles = [c for c in root.iter(f"{NS}circle") if c.get("fill") == first.get("stroke")]
    squares = [r for r in root.iter(f"{NS}rect") if r.get("fill") == second.get("stroke")]
    assert len(circles) == 3 + 1 and len(squares) == 3 + 1  # the points and the legend
