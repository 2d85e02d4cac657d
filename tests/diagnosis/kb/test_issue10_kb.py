"""Issue 10, KB format: ``quantity: difference`` and 5-Why links naming their evidence
(optional fields: a KB without them loads the same), in the loader, the checks and the
JSON Schema (``diagnosis kb schema``)."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from diagnosis.errors import KnowledgeBaseError
from diagnosis.kb import load_kb
from diagnosis.kb.loader import inspect_kb
from diagnosis.kb.model import WhyEvidence
from diagnosis.kb.schema import json_schema

KB = """\
format: 1
equipment: {id: oven, name: Oven}
symptoms:
  - {id: burnt, name: Burnt parts, category: quality}
measurements:
  - id: zone-dev
    name: Zone deviation actual - setpoint
    kind: numeric
    unit: "°C"
    quantity: difference
    nominal: 0
    thresholds: {low_alarm: -8, high_alarm: 8, high_critical: 25}
  - id: fan
    name: Fan running
    kind: boolean
causes:
  - id: ssr-shorted
    name: Solid-state relay shorted
    category_5m: machine
    prior: 0.05
    effects:
      - {symptom: burnt, p: 0.8}
      - {measurement: zone-dev, state: high, p: 0.9}
    why:
      - {text: {en: Parts burnt, fr: Pièces brûlées}, symptom: burnt}
      - {text: "Zone is {value} above setpoint", measurement: zone-dev, state: high}
      - {en: The relay is shorted, fr: Le relais est en court-circuit}
"""


def _write(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "kb"
    folder.mkdir()
    (folder / "oven.yaml").write_text(text, encoding="utf-8")
    return folder


def test_optional_fields_load(tmp_path: Path) -> None:
    kb = load_kb(_write(tmp_path, KB), None)
    eq = kb.equipment("oven")
    assert eq.measurement("zone-dev").quantity == "difference"
    assert eq.measurement("fan").quantity is None
    cause = eq.cause("ssr-shorted")
    assert [t.get("fr") for t in cause.why] == [
        "Pièces brûlées",
        "Zone is {value} above setpoint",
        "Le relais est en court-circuit",
    ]
    ev = cause.why_evidence
    assert ev[0] == WhyEvidence(symptom="burnt", pos=ev[0].pos)
    assert (ev[1].measurement, ev[1].state) == ("zone-dev", "high") and ev[2] is None


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("measurement: zone-dev, state: high}", "measurement: zone-x, state: high}",
         "why 2: unknown measurement 'zone-x'"),
        ("measurement: zone-dev, state: high}", "measurement: zone-dev, state: hot}",
         "why 2: unknown state 'hot'"),
        ("symptom: burnt}", "symptom: smoke}", "why 1: unknown symptom 'smoke'"),
        ("quantity: difference", "quantity: delta", "'delta' is not one of absolute, difference"),
    ],
)  # fmt: skip
def test_checks_name_the_bad_why_link_or_quantity(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in KB
    folder = _write(tmp_path, KB.replace(old, new))
    _, problems = inspect_kb(folder, None)
    assert any(message in str(p) for p in problems), [str(p) for p in problems]
    with pytest.raises(KnowledgeBaseError):
        load_kb(folder, None)


def test_json_schema_documents_both_fields() -> None:
    import yaml

    schema = json_schema()
    measurement = schema["$defs"]["measurement"]["properties"]
    assert measurement["quantity"]["enum"] == ["absolute", "difference"]
    assert "difference" in measurement["quantity"]["description"]
    link = schema["$defs"]["why_link"]["properties"]
    assert set(link) == {"text", "measurement", "state", "symptom"}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(yaml.safe_load(KB))
    bad = yaml.safe_load(KB.replace("symptom: burnt}", "symptom: burnt, colour: red}"))
    assert not validator.is_valid(bad)
