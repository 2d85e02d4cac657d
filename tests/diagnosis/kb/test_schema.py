"""The JSON Schema accepts valid files and flags the mistakes editors should underline."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import yaml

from diagnosis.kb import bundled_fault_tree_dir, bundled_kb_dir
from diagnosis.kb.schema import json_schema

FOREIGN = Path(__file__).parent / "data" / "foreign"


def _files() -> list[Path]:
    folders = [
        FOREIGN / "knowledge_base",
        FOREIGN / "fault_trees",
        bundled_kb_dir(),
        bundled_fault_tree_dir(),
    ]
    return [p for f in folders if f.is_dir() for p in sorted(f.glob("*.yaml"))]


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_valid_files_pass_the_schema() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    for path in _files():
        errors = list(validator.iter_errors(yaml.safe_load(path.read_text(encoding="utf-8"))))
        assert errors == [], f"{path}: {errors[0].message if errors else ''}"


def test_schema_flags_unknown_field_and_range() -> None:
    validator = jsonschema.Draft202012Validator(json_schema())
    doc = {
        "format": 1,
        "equipment": {"id": "e", "name": "E"},
        "causes": [
            {
                "id": "c",
                "name": "C",
                "category_5m": "machine",
                "prior": 1.5,
                "effects": [{"symptom": "s", "p": 0.5}],
                "colour": "red",
            }
        ],
    }
    assert not validator.is_valid(doc)
    doc["causes"][0]["prior"] = 0.5
    del doc["causes"][0]["colour"]
    assert validator.is_valid(doc)
