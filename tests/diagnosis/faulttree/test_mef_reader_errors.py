"""Broken Open-PSA MEF inputs: one clear error naming file, line and element."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from diagnosis.errors import KnowledgeBaseError
from diagnosis.faulttree.opsa_mef_reader import read_mef

HEAD = '<?xml version="1.0"?>\n<opsa-mef>\n<define-fault-tree name="ft">\n'
TAIL = "</define-fault-tree>\n</opsa-mef>\n"


def _read(tmp_path: Path, body: str, whole: bool = False) -> str:
    path = tmp_path / "model.xml"
    path.write_text(body if whole else HEAD + body + TAIL, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        read_mef([path])
    return str(info.value).replace(str(tmp_path) + "/", "")


BROKEN = Path(__file__).with_name("data") / "broken"
_EXPECT = re.compile(r"<!-- expect: (\d+): (.*?) -->")


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.xml")), ids=lambda p: p.stem)
def test_broken_inputs(path: Path) -> None:
    """Each file of data/broken states, in its first line, the line and the error it gives."""
    found = _EXPECT.match(path.read_text(encoding="utf-8"))
    assert found, f"{path.name}: first line must be <!-- expect: LINE: message -->"
    line, message = found.groups()
    with pytest.raises(KnowledgeBaseError) as info:
        read_mef([path])
    problem = info.value.problems[0]
    assert (Path(problem.file).name, problem.line) == (path.name, int(line))
    assert message in problem.message


def test_wrong_root(tmp_path: Path) -> None:
    assert _read(tmp_path, "<model/>", whole=True) == (
        "model.xml:1:0: <model>: expected <opsa-mef> as the root element"
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError, match=r"nope\.xml:0:0: cannot read"):
        read_mef([tmp_path / "nope.xml"])


def test_nested_formulas_and_dotted_private_references(tmp_path: Path) -> None:
    path = tmp_path / "ok.xml"
    path.write_text(
        HEAD + '<define-gate name="top"><and><event name="c.g"/>'
        '<or><basic-event name="a"/><not><basic-event name="b"/></not></or></and></define-gate>\n'
        '<define-component name="c" role="private">\n'
        '<define-gate name="g"><event name="a"/></define-gate>\n</define-component>\n'
        '<define-basic-event name="a"><float value="0.5"/></define-basic-event>\n'
        '<define-parameter name="lam"><mul><float value="1e-4"/><int value="2"/></mul>'
        "</define-parameter>\n"
        '<define-basic-event name="b"><exponential><parameter name="lam"/>'
        "<system-mission-time/></exponential></define-basic-event>\n" + TAIL,
        encoding="utf-8",
    )
    tree = read_mef([path], mission_time=1000.0)
    assert tree.top == "top"
    # Nested formulas are numbered under their gate in document order (flat names:
    # a name does not grow with the nesting depth).
    assert {g.id for g in tree.gates} == {"top", "top.1", "top.2", "c.g"}
    assert tree.gate("top.1").inputs == ("a", "top.2")
    b = tree.basic_event("b")
    assert (b.rate, b.time) == (2e-4, 1000.0)
    assert b.probability == pytest.approx(1 - 2.718281828459045**-0.2)
