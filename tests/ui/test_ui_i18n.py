"""Every UI string comes from the catalogs, in English and French."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from ui_pilot import screen_text

from diagnosis import ui

UI = Path(ui.__file__).parent
LOCALES = Path(__file__).parents[2] / "diagnosis" / "locales"


def _keys(lang: str, pattern: str = "ui*.yaml") -> set[str]:
    out: set[str] = set()
    for path in sorted((LOCALES / lang).glob(pattern)):  # ui.yaml, ui_i10.yaml
        _walk(yaml.safe_load(path.read_text(encoding="utf-8")), out)
    return out


def _walk(data: dict, out: set[str]) -> None:
    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out.add(f"{prefix}{key}")

    walk(data, "")


def test_catalogs_have_the_same_keys() -> None:
    assert _keys("en") == _keys("fr")


def test_every_literal_key_used_by_the_ui_exists() -> None:
    keys = _keys("en") | _keys("en", "training.yaml")  # trainer-mode screens use training.*
    used: set[str] = set()
    for path in UI.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt(?:r)?\(\s*"([a-z0-9_]+(?:\.[a-z0-9_]+)+)\"""", text))
        used |= set(re.findall(r'"(key\.[a-z_]+)"', text))
    assert used, "the scan found no key"
    assert sorted(used - keys) == []


async def test_french_ui(make_app) -> None:
    app = make_app(lang="fr")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Qui fait le diagnostic ?" in text
        assert "Continuer" in text  # the footer's key descriptions are translated too
        await pilot.press("f1")
        await pilot.pause()
        assert "Déroulement d'un diagnostic" in screen_text(app)


async def test_theme_toggle_is_remembered(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
    again = make_app()
    async with again.run_test(size=(80, 24)):
        assert again.theme == "textual-light"


async def test_no_untranslated_key_label_in_footers(make_app) -> None:
    from ui_pilot import pick_equipment, sign_in

    app = make_app(lang="fr")
    async with app.run_test(size=(120, 30)) as pilot:
        await sign_in(pilot)
        await pick_equipment(pilot, "press")
        await pilot.press("enter")  # from the symptom search to the checklist
        await pilot.pause()
        text = screen_text(app)
        assert "key." not in text
        assert "Non constaté" in text  # the checklist's own binding, in French
