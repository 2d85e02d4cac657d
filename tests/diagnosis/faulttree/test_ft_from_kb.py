"""KB fault trees <-> the analysis model, and the KB YAML writer."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from diagnosis.faulttree.analysis import analyze
from diagnosis.faulttree.from_kb import from_kb, kb_id, to_kb_yaml
from diagnosis.faulttree.model import BasicEvent, FaultTree, GateNode, HouseEvent
from diagnosis.kb.loader import load_fault_tree_file

REPO = Path(__file__).resolve().parents[3]


def test_kb_id() -> None:
    assert kb_id("TopEvent") == "topevent"
    assert kb_id("t.E1") == "t-e1"
    assert kb_id("__true__") == "true"
    assert kb_id("...") == "x"


def test_yaml_writer_round_trip(tmp_path: Path) -> None:
    tree = FaultTree(
        "My Tree",
        "Top",
        (GateNode("Top", "atleast", ("a.1", "a-1", "H"), k=2, name="Vote"),),
        (
            BasicEvent("a.1", 0.25, cause="c-1"),
            BasicEvent("a-1", 1 - math.exp(-0.6931), rate=1e-3, time=693.1),
        ),
        (HouseEvent("H", True),),
    )
    path = tmp_path / "t.yaml"
    path.write_text(to_kb_yaml(tree, "eq-1"), encoding="utf-8")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))["fault_tree"]
    assert data["gates"][0]["inputs"] == ["a-1", "a-1-2", "h"]  # ids made unique and valid
    assert data["events"][1] == {"id": "a-1-2", "name": "a-1", "rate": 1e-3, "time": 693.1}
    back = from_kb(load_fault_tree_file(path))
    assert back.basic_event("a-1").cause == "c-1"
    assert analyze(back).probability == pytest.approx(analyze(tree).probability, rel=1e-12)


@pytest.mark.parametrize("path", sorted((REPO / "fault_trees").glob("*.yaml")), ids=str)
def test_bundled_trees_convert_and_analyse(path: Path) -> None:
    definition = load_fault_tree_file(path)
    tree = from_kb(definition, "fr")
    assert tree.top == definition.top
    result = analyze(tree)
    assert 0.0 < result.probability <= result.mcub + 1e-12 or not result.cut_sets
    assert result.cut_sets
