"""``diagnosis ft``: analyze, export, import, render; exit codes and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from diagnosis import diagram
from diagnosis.cli import main
from diagnosis.kb.loader import load_fault_tree_file

REPO = Path(__file__).resolve().parents[3]
OPSA = REPO / "tests" / "diagnosis" / "faulttree" / "data" / "opsa"
TWO_TRAIN = OPSA / "scram_two_train_probs.xml"

YAML_TREE = """format: 1
fault_tree:
  id: ft-pump
  name: {en: No flow, fr: Pas de débit}
  top: g-top
  gates:
    - {id: g-top, type: or, inputs: [g-both, ev-valve]}
    - {id: g-both, type: and, inputs: [ev-pump-a, ev-pump-b]}
  events:
    - {id: ev-pump-a, probability: 0.1, cause: pump-a-worn}
    - {id: ev-pump-b, probability: 0.2}
    - {id: ev-valve, rate: 1.0e-5, time: 1000}
"""


@pytest.fixture
def yaml_tree(tmp_path: Path) -> Path:
    path = tmp_path / "ft-pump.yaml"
    path.write_text(YAML_TREE, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages are asserted in English whatever the machine's locale."""
    monkeypatch.setenv("DIAGNOSIS_LANG", "en")


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_analyze_yaml_json(yaml_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ft", "analyze", str(yaml_tree), "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    p_valve = 1 - 2.718281828459045**-0.01
    assert doc["top"] == "g-top"
    assert doc["probability"] == pytest.approx(p_valve + (1 - p_valve) * 0.02)
    assert doc["cut_sets"] == [["ev-valve"], ["ev-pump-a", "ev-pump-b"]]
    assert set(doc["importance"]["ev-pump-a"]) >= {"birnbaum", "fussell_vesely", "raw", "rrw"}
    assert doc["importance"]["ev-pump-a"]["birnbaum"] == pytest.approx(0.2 * (1 - p_valve))


def test_analyze_mef_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ft", "analyze", str(TWO_TRAIN), "--lang", "en"], capsys)
    assert code == 0
    assert out.splitlines()[0] == "Fault tree TwoTrains, top event TopEvent"
    assert "Top-event probability (exact, BDD)  0.646" in out
    assert "PumpOne . PumpTwo" in out


def test_analyze_limits(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        ["ft", "analyze", str(TWO_TRAIN), "--max-order", "1", "--format", "json"], capsys
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["cut_sets"] == [] and doc["probability"] == pytest.approx(0.646)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["ft", "analyze", "missing.xml"], 2, "diagnosis: error: missing.xml: no such file"),
        (["ft", "analyze", "{bad}", "--max-order", "-1"], 2, "--max-order must be >= 0"),
        (["ft", "analyze", "{bad}", "--format", "csv"], 2, "'csv' is not one of"),
        (["ft", "render", "{bad}", "--to", "gif"], 2, "'gif' is not one of"),
        (["ft", "export", "{bad}", "--to", "bif"], 2, "'bif' is not one of"),
        (["ft", "analyze", "{xml}"], 1, "broken.xml:3:0: <atleast>: atleast needs an integer"),
    ],
)
def test_errors_are_one_line(
    args: list[str],
    code: int,
    message: str,
    yaml_tree: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    xml = tmp_path / "broken.xml"
    xml.write_text(
        '<opsa-mef><define-fault-tree name="x">\n<define-gate name="g">\n'
        "<and><atleast/></and></define-gate></define-fault-tree></opsa-mef>",
        encoding="utf-8",
    )
    args = [a.replace("{bad}", str(yaml_tree)).replace("{xml}", str(xml)) for a in args]
    got, _out, err = run(args, capsys)
    assert got == code
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert message.replace("broken.xml", str(xml)) in err or message in err


def test_export_then_analyze_round_trip(
    yaml_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_xml = tmp_path / "out.xml"
    assert (
        run(["ft", "export", str(yaml_tree), "--to", "opsa-mef", "-o", str(out_xml)], capsys)[0]
        == 0
    )
    _, a, _ = run(["ft", "analyze", str(yaml_tree), "--format", "json"], capsys)
    _, b, _ = run(["ft", "analyze", str(out_xml), "--format", "json"], capsys)
    ja, jb = json.loads(a), json.loads(b)
    assert ja["probability"] == pytest.approx(jb["probability"], rel=1e-12)
    assert ja["cut_sets"] == jb["cut_sets"]


def test_import_writes_valid_kb_yaml(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "two-train.yaml"
    code, _, _ = run(
        ["ft", "import", str(TWO_TRAIN), "-o", str(out), "--equipment", "eq-1"], capsys
    )
    assert code == 0
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert data["fault_tree"]["top"] == "topevent"
    tree = load_fault_tree_file(out)  # valid for the KB loader
    assert tree.equipment == "eq-1"
    _, js, _ = run(["ft", "analyze", str(out), "--format", "json"], capsys)
    assert json.loads(js)["probability"] == pytest.approx(0.646)


def test_render_text_with_cause(yaml_tree: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["ft", "render", str(yaml_tree), "--cause", "pump-a-worn"], capsys)
    assert code == 0
    assert out.splitlines()[0].startswith("* g-top  [OR]")
    assert "* ev-pump-a" in out
    code, _, err = run(["ft", "render", str(yaml_tree), "--cause", "nope"], capsys)
    assert code == 2 and "not linked to cause 'nope'" in err.replace("is linked", "not linked")


def test_render_dot_and_svg(
    yaml_tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["ft", "render", str(yaml_tree), "--to", "dot"], capsys)
    assert code == 0 and out.startswith('digraph "ft-pump"')
    if diagram.have_dot():
        svg = tmp_path / "t.svg"
        assert run(["ft", "render", str(yaml_tree), "--to", "svg", "-o", str(svg)], capsys)[0] == 0
        assert "<svg" in svg.read_text(encoding="utf-8")


def test_render_without_dot_writes_nothing(
    yaml_tree: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(diagram.shutil, "which", lambda name: None)
    target = tmp_path / "tree.png"
    code, _, err = run(["ft", "render", str(yaml_tree), "--to", "png", "-o", str(target)], capsys)
    assert code == 1
    assert "graphviz 'dot' is not installed" in err and "--to text" in err
    assert err.strip().splitlines()[-1].startswith("diagnosis: error: cannot draw png")
    # no stray file (issue 10): neither the image nor a .dot beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        p.name for p in tmp_path.iterdir() if p.suffix not in (".dot", ".png")
    )
    assert not (tmp_path / "tree.dot").exists() and not target.exists()
    svg = tmp_path / "tree.svg"
    code, _, err = run(["ft", "render", str(yaml_tree), "--to", "svg", "-o", str(svg)], capsys)
    assert code == 1 and not svg.exists() and not (tmp_path / "tree.dot").exists()


def test_render_kb_tree_by_id(capsys: pytest.CaptureFixture[str]) -> None:
    trees = sorted((REPO / "fault_trees").glob("*.yaml"))
    assert trees
    tree_id = load_fault_tree_file(trees[0]).id
    code, out, _ = run(["ft", "render", tree_id], capsys)
    assert code == 0 and "[" in out.splitlines()[0]
    code, _, err = run(["ft", "render", "no-such-tree"], capsys)
    assert code == 2 and "no-such-tree" in err
