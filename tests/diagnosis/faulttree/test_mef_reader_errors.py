"""Broken Open-PSA MEF inputs: one clear error naming file, line and element."""

from __future__ import annotations

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


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            '<define-gate name="g">\n<cardinality min="1" max="2"><basic-event name="a"/>'
            "</cardinality>\n</define-gate>\n",
            "model.xml:5:0: <cardinality>: unsupported formula in gate 'g'",
        ),
        (
            '<define-gate name="g">\n<or><gate name="missing"/><basic-event name="a"/></or>\n'
            '</define-gate>\n<define-basic-event name="a"><float value="0.1"/></define-basic-event>\n',
            "model.xml:5:0: <gate>: event 'missing' is not defined",
        ),
        (
            '<define-gate name="g">\n<atleast><basic-event name="a"/></atleast>\n</define-gate>\n',
            "model.xml:5:0: <atleast>: atleast needs an integer 'min' attribute",
        ),
        (
            '<define-gate name="g"><or><basic-event name="a"/><basic-event name="b"/></or>'
            '</define-gate>\n<define-basic-event name="a">\n<float value="1.5"/>\n'
            '</define-basic-event>\n<define-basic-event name="b"><float value="0.1"/>'
            "</define-basic-event>\n",
            "model.xml:6:0: <float>: basic event 'a': probability 1.5 is not in [0, 1]",
        ),
        (
            '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>\n'
            '<define-basic-event name="a"><histogram/></define-basic-event>\n',
            "model.xml:5:0: <histogram>: unsupported expression",
        ),
        (
            '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>\n'
            '<define-basic-event name="a"><exponential><parameter name="lam"/>'
            "<system-mission-time/></exponential></define-basic-event>\n",
            "model.xml:5:0: <parameter>: parameter 'lam' is not defined",
        ),
        (
            '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>\n'
            '<define-gate name="g"><or><basic-event name="a"/></or></define-gate>\n',
            "model.xml:5:0: <define-gate>: 'g' is defined twice (first at",
        ),
        (
            '<define-CCF-group name="ccf" model="beta-factor"/>\n',
            "model.xml:4:0: <define-CCF-group>: unsupported element",
        ),
        (
            '<define-gate name="g"><or><gate name="a"/></or></define-gate>\n'
            '<define-basic-event name="a"><float value="0.1"/></define-basic-event>\n',
            "model.xml:4:0: <gate>: 'a' is a basic event, not a gate",
        ),
    ],
)
def test_unsupported_or_wrong_constructs(tmp_path: Path, body: str, expected: str) -> None:
    assert _read(tmp_path, body).startswith(expected)


def test_malformed_xml_names_line(tmp_path: Path) -> None:
    message = _read(tmp_path, HEAD + '<define-gate name="g">\n<or>\n</define-gate>\n', whole=True)
    assert message.startswith("model.xml:6:")
    assert "malformed XML: mismatched tag" in message


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
    assert {g.id for g in tree.gates} == {"top", "top.1", "top.1.2", "c.g"}
    b = tree.basic_event("b")
    assert (b.rate, b.time) == (2e-4, 1000.0)
    assert b.probability == pytest.approx(1 - 2.718281828459045**-0.2)
