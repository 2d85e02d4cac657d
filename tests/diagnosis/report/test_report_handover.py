"""A hand-over (``HandedOver``, issue 10) is in the report: what, why, when, ranking then."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from report_samples import make_events, make_kb
from store_samples import T0

from diagnosis.report import build_report, render
from diagnosis.session.events import HandedOver

NOW = datetime(2026, 11, 28, 16, 0, tzinfo=UTC)


def _habilitation_events() -> list[Any]:
    """Melt temperature read, then the heater current needs BR, which nobody holds."""
    return [
        *make_events(closed=False)[:5],
        HandedOver(
            at=T0 + timedelta(minutes=5),
            actor="alice",
            measurement="heater-current",
            habilitation="BR",
            gain=0.714,
        ),
    ]


def _tool_events() -> list[Any]:
    return [
        *make_events(closed=False)[:5],
        HandedOver(
            at=T0 + timedelta(minutes=5),
            actor="alice",
            measurement="heater-current",
            gain=0.5,
            best_allowed="melt-temp",
            best_allowed_gain=0.05,
            tools=("clamp-meter",),
            part_refs=("HB-220",),
        ),
    ]


def _md(events: list[Any], lang: str) -> str:
    md = render(build_report(make_kb(), events, lang=lang, now=NOW, diagrams=False), "md")
    assert isinstance(md, str)
    return md


def test_markdown_english_habilitation() -> None:
    md = _md(_habilitation_events(), "en")
    assert (
        "## Hand-over to a colleague\n\n"
        "- 14:10:00: Heater current (0.71 bits) needs habilitation BR, which nobody at hand "
        "held; nothing within reach was informative any more. Ranking then: Heater band burnt "
        "80.0%, Nozzle blocked 15.0%, Unknown cause (outside the knowledge base) 5.0%.\n\n"
        "The session stays open: a colleague resumes it.\n\n"
        "## Root cause\n"
    ) in md


def test_markdown_french_tool_and_part() -> None:
    md = _md(_tool_events(), "fr")
    assert (
        "## Passage de relais à un collègue\n\n"
        "- 14:10:00 : Courant collier (0,5 bits) demande clamp-meter, HB-220, que le technicien "
        "n'avait pas sous la main ; meilleure mesure à sa portée : Température matière "
        "(0,05 bits). Classement à ce moment : Collier chauffant grillé 80,0 %, Buse bouchée "
        "15,0 %, Cause inconnue (hors base de connaissances) 5,0 %.\n\n"
        "La session reste ouverte : un collègue la reprend.\n"
    ) in md


def test_markdown_french_habilitation_and_no_section_without_hand_over() -> None:
    md = _md(_habilitation_events(), "fr")
    assert (
        "- 14:10:00 : Courant collier (0,71 bits) demande l'habilitation BR, que personne sur "
        "place ne détenait ; plus rien à sa portée n'était informatif. Classement à ce moment : "
        "Collier chauffant grillé 80,0 %, Buse bouchée 15,0 %, Cause inconnue (hors base de "
        "connaissances) 5,0 %.\n"
    ) in md
    assert "Passage de relais" not in _md(make_events(), "fr")
    assert "Hand-over" not in _md(make_events(), "en")


def test_times_are_local(monkeypatch: Any) -> None:
    import time

    monkeypatch.setenv("TZ", "Europe/Paris")
    time.tzset()
    assert "- 15:10:00: Heater current (0.71 bits)" in _md(_habilitation_events(), "en")


def test_json_english_and_french() -> None:
    for lang, name, best, unknown in (
        ("en", "Heater current", "Melt temperature", "Unknown cause (outside the knowledge base)"),
        (
            "fr",
            "Courant collier",
            "Température matière",
            "Cause inconnue (hors base de connaissances)",
        ),
    ):
        r = build_report(make_kb(), _tool_events(), lang=lang, now=NOW, diagrams=False)
        data = json.loads(render(r, "json"))
        assert data["handovers"] == [
            {
                "measurement": "heater-current",
                "name": name,
                "habilitation": "",
                "tools": [{"id": "clamp-meter", "name": "clamp-meter"}],
                "parts": [{"id": "HB-220", "name": "HB-220"}],
                "at": "2026-11-28T14:10:00+00:00",
                "actor": "alice",
                "gain": 0.5,
                "best_allowed": {"id": "melt-temp", "name": best},
                "best_allowed_gain": 0.05,
                "ranking": [
                    {
                        "cause": "heater",
                        "name": make_kb().causes["heater"].name.get(lang),
                        "probability": 0.8,
                    },
                    {
                        "cause": "nozzle",
                        "name": make_kb().causes["nozzle"].name.get(lang),
                        "probability": 0.15,
                    },
                    {"cause": "_unknown", "name": unknown, "probability": 0.05},
                ],
            }
        ]
    data = json.loads(render(build_report(make_kb(), _habilitation_events(), now=NOW), "json"))
    h = data["handovers"][0]
    assert (h["habilitation"], h["tools"], h["parts"], h["best_allowed"]) == ("BR", [], [], None)


def test_html_shows_the_hand_over() -> None:
    r = build_report(make_kb(), _habilitation_events(), lang="fr", now=NOW, diagrams=False)
    html = render(r, "html")
    assert isinstance(html, str)
    assert "<h2>Passage de relais à un collègue</h2>" in html
    assert (
        "<li>14:10:00 : Courant collier (0,71 bits) demande l&#39;habilitation BR, que "
        "personne sur place ne détenait ;"
    ) in html
