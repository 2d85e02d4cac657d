"""Loading knowledge bases: one we do not ship, the bundled one, positions, lookups."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from diagnosis.errors import UsageError
from diagnosis.kb import bundled_kb_dir, check_kb, kb_digest, load_fault_tree_file, load_kb

FOREIGN = Path(__file__).parent / "data" / "foreign"


def test_foreign_kb_written_to_the_format_doc_loads() -> None:
    kb = load_kb(FOREIGN / "knowledge_base")
    assert kb.summary() == {
        "equipment": 1,
        "components": 2,
        "symptoms": 2,
        "measurements": 3,
        "causes": 2,
        "rules": 3,
        "procedures": 1,
        "fmea": 1,
        "fault_trees": 1,
    }
    press = kb.equipment("injection-press-01")
    melt = press.measurement("melt-temp")
    assert melt.thresholds.low_critical == 190 and melt.thresholds.high_critical == 270
    assert melt.on_critical == "stop-and-alert"
    assert melt.instrument.get("fr") == "Sonde pyrométrique"
    assert melt.requires.ppe[0].get("fr") == "heat-resistant gloves"  # plain text: any language
    assert press.measurement("heater-z2-current").states == ("true", "false")
    assert press.measurement("granule-aspect").normal_state == "dry"
    cause = press.cause("heater-z2-burnt")
    assert cause.effects[2].state == "false"  # YAML boolean -> state name
    assert cause.why[1].get("fr") == "La zone 2 ne chauffe pas"
    assert cause.name.get("de") == "Heater band zone 2 burnt out"  # falls back to English
    assert cause.pos.line == 46 and cause.pos.file.endswith("press.yaml")
    assert press.equipment.component_path("heater-z2")[0].id == "barrel"
    tree = kb.fault_tree("ft-no-injection")
    assert tree.event("ev-screw-broken").p == pytest.approx(0.0838727457, abs=1e-9)
    assert tree.event("ev-maint-mode").p == 0.0
    assert kb.trees_for("injection-press-01") == (tree,)
    rule = next(r for r in press.rules if r.id == "cold-melt-note")
    assert rule.when[0].below == 200 and rule.when[1].present is False


def test_fault_tree_folder_defaults_to_sibling_and_can_be_given(tmp_path: Path) -> None:
    assert load_kb(FOREIGN / "knowledge_base").fault_tree_root is not None
    alone = tmp_path / "kb"
    alone.mkdir()
    (alone / "p.yaml").write_text((FOREIGN / "knowledge_base" / "press.yaml").read_text())
    assert load_kb(alone).fault_trees == ()
    assert len(load_kb(alone, FOREIGN / "fault_trees").fault_trees) == 1


def test_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_kb(tmp_path / "nope")


def test_single_fault_tree_file_loads_without_kb() -> None:
    tree = load_fault_tree_file(FOREIGN / "fault_trees" / "no-injection.yaml")
    assert tree.top == "g-top" and tree.gate("g-vote").k == 2


def test_digest_changes_with_content(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "p.yaml").write_text((FOREIGN / "knowledge_base" / "press.yaml").read_text())
    before = kb_digest(kb)
    (kb / "p.yaml").write_text((kb / "p.yaml").read_text() + "\n# edited\n")
    assert kb_digest(kb) != before


def test_bundled_kb_checks_clean() -> None:
    assert any(bundled_kb_dir().glob("*.yaml"))
    kb, problems = check_kb()
    assert problems == []
    assert kb is not None and len(kb.equipments) >= 1


def test_a_valid_kb_is_kept_on_disk_between_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diagnosis.kb import loader

    monkeypatch.setenv("DIAGNOSIS_CACHE", str(tmp_path / "cache"))
    kb_dir = tmp_path / "kb"
    shutil.copytree(bundled_kb_dir(), kb_dir)
    first = load_kb(kb_dir)
    assert len(list((tmp_path / "cache" / "kb").glob("*.pickle"))) == 1
    loader._CACHE.clear()

    def no_check(*args: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(loader, "_load_equipment_file", no_check)
    assert check_kb(kb_dir) == (first, [])  # kb check too
    again = load_kb(kb_dir)  # from the disk cache
    assert again == first and again is not first
    monkeypatch.undo()
    monkeypatch.setenv("DIAGNOSIS_CACHE", str(tmp_path / "cache"))
    loader._CACHE.clear()
    path = next(kb_dir.glob("*.yaml"))
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert load_kb(kb_dir) == first  # a miss: validated and kept again
    assert len(list((tmp_path / "cache" / "kb").glob("*.pickle"))) == 2
    (tmp_path / "cache" / "kb").joinpath("x.pickle").write_bytes(b"garbage")
    monkeypatch.setenv("DIAGNOSIS_CACHE", "off")
    loader._CACHE.clear()
    assert load_kb(kb_dir) == first
    assert len(list((tmp_path / "cache" / "kb").glob("*.pickle"))) == 3  # nothing written


def test_a_damaged_cache_file_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from diagnosis.kb import loader

    monkeypatch.setenv("DIAGNOSIS_CACHE", str(tmp_path / "cache"))
    kb_dir = tmp_path / "kb"
    shutil.copytree(bundled_kb_dir(), kb_dir)
    first = load_kb(kb_dir)
    (path,) = (tmp_path / "cache" / "kb").glob("*.pickle")
    path.write_bytes(b"not a pickle")
    loader._CACHE.clear()
    assert load_kb(kb_dir) == first
