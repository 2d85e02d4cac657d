"""Catalogs in both languages, decimal commas, French dates."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
import yaml

from diagnosis.i18n import (
    Text,
    catalog,
    detect_lang,
    format_datetime,
    format_number,
    format_percent,
    parse_number,
    split_value_unit,
    tr,
)

LOCALES = Path(__file__).parents[2] / "diagnosis" / "locales"


def test_every_catalog_file_exists_in_both_languages_with_the_same_keys() -> None:
    en = {p.name for p in (LOCALES / "en").glob("*.yaml")}
    fr = {p.name for p in (LOCALES / "fr").glob("*.yaml")}
    assert en == fr
    assert set(catalog("en")) == set(catalog("fr"))


def test_catalog_files_are_mappings() -> None:
    for path in LOCALES.rglob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")) or {}, dict), path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4,2", (4.2, "")),
        ("4.2", (4.2, "")),
        ("4,2 bar", (4.2, "bar")),
        ("4.2bar", (4.2, "bar")),
        ("-3,5 °C", (-3.5, "°C")),
        ("−3,5", (-3.5, "")),
        ("1 500 rpm", (1500.0, "rpm")),
        ("1e-3 A", (0.001, "A")),
        ("12", (12.0, "")),
        (",5", (0.5, "")),
    ],
)
def test_split_value_unit_accepts_both_conventions(text: str, expected: tuple[float, str]) -> None:
    assert split_value_unit(text) == (pytest.approx(expected[0]), expected[1])


@pytest.mark.parametrize("text", ["", "bar", "abc 4", "--3", "."])
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_format_number_and_date_by_language() -> None:
    assert format_number(4.2, "fr") == "4,2" and format_number(4.2, "en") == "4.2"
    assert format_number(230.0, "fr") == "230"
    assert format_percent(0.952, "fr") == "95,2 %" and format_percent(0.05, "en") == "5.0%"
    assert format_percent(0.26, "fr", 0) == "26 %"
    moment = datetime(2026, 11, 28, 14, 5)
    assert format_datetime(moment, "fr") == "28/11/2026 14:05"
    assert format_datetime(moment, "en") == "2026-11-28 14:05"


def test_text_fallback_and_tr_fallback() -> None:
    text = Text.of({"en": "Short shot", "fr": "Manque matière"})
    assert text.get("fr") == "Manque matière" and text.get("de") == "Short shot"
    assert Text.of("plain").get("fr") == "plain"
    assert Text.of({"fr": "seulement"}).get("en") == "seulement"
    assert tr("no.such.key", "fr") == "no.such.key"


def test_detect_lang(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIAGNOSIS_LANG", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert detect_lang() == "fr"
    assert detect_lang("en") == "en"
    assert detect_lang("de") == "en"
