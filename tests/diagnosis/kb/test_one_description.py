"""One description of a KB file (issue 11): the model's field metadata is what the
loader validates, what ``diagnosis kb schema`` exports and what the builder copies."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from diagnosis.i18n import Text
from diagnosis.kb import load_kb
from diagnosis.kb import model as m
from diagnosis.kb.fields import kb_fields, obj_of
from diagnosis.kb.schema import EQUIPMENT_FILE, json_schema

ENTITIES = [
    c
    for c in vars(m).values()
    if isinstance(c, type) and dataclasses.is_dataclass(c) and "KB_NAME" in vars(c)
]


def test_every_kb_field_of_the_model_is_in_the_json_schema() -> None:
    defs = json_schema()["$defs"]
    # every mapping a KB file writes is a model class (the fault-tree file aside)
    assert {obj_of(c).name.replace(" ", "_") for c in ENTITIES} | {"fault_tree_file"} == set(defs)
    for cls in ENTITIES:
        obj = obj_of(cls)
        written = [key for _, key, _ in kb_fields(cls)]
        assert list(obj.fields) == [*getattr(cls, "KB_LEAD", {}), *written], cls.__name__
        assert list(defs[obj.name.replace(" ", "_")]["properties"]) == list(obj.fields)


def test_the_validated_shape_is_the_model_description() -> None:
    assert EQUIPMENT_FILE is obj_of(m.EquipmentKB)
    measurement = EQUIPMENT_FILE.fields["measurements"].item
    assert measurement is obj_of(m.Measurement)
    assert list(obj_of(m.Equipment).fields) == [
        "id", "name", "class", "tag", "location", "description", "components",
    ]  # fmt: skip


KB = """\
format: 1
equipment:
  id: press
  name: Press
  description: The 80 t press
  components: [{id: heater, name: Heater, description: Band heater}]
symptoms: [{id: short, name: Short shot, category: quality}]
causes:
  - {id: burnt, name: Burnt heater, category_5m: machine, prior: 0.1,
     effects: [{symptom: short, p: 0.8}]}
rules:
  - id: r1
    description: Short shots point to the heater
    when: [{symptom: short}]
    then:
      derive: [{id: cold, name: Mould cold, description: The melt cools early}]
procedures:
  - {id: loto, kind: lockout, name: Lockout, steps: [Isolate], description: Cabinet LOTO}
"""

TREE = """\
format: 1
fault_tree:
  id: ft
  top: g
  description: Why shots are short
  gates: [{id: g, type: or, inputs: [e]}]
  events: [{id: e, probability: 0.1}]
"""


def test_descriptions_the_files_give_are_kept(tmp_path: Path) -> None:
    (tmp_path / "kb").mkdir()
    (tmp_path / "ft").mkdir()
    (tmp_path / "kb" / "press.yaml").write_text(KB, encoding="utf-8")
    (tmp_path / "ft" / "ft.yaml").write_text(TREE, encoding="utf-8")
    kb = load_kb(tmp_path / "kb", tmp_path / "ft")
    eq = kb.equipment("press")
    assert eq.equipment.description == Text.of("The 80 t press")
    assert eq.equipment.components[0].description == Text.of("Band heater")
    assert eq.rules[0].description == Text.of("Short shots point to the heater")
    assert eq.rules[0].then.derive[0].description == Text.of("The melt cools early")
    assert kb.procedure("loto").description == Text.of("Cabinet LOTO")
    assert kb.fault_tree("ft").description == Text.of("Why shots are short")
    assert eq.symptom("short").description == Text(())  # not given: empty
