"""Hostile Open-PSA MEF input: entity bombs and oversized files are one located error."""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnosis.errors import KnowledgeBaseError
from diagnosis.faulttree.xml_tree import parse_xml

LAUGHS = "".join(
    f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10)
)
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE opsa-mef [\n <!ENTITY lol0 "lol">\n'
    + LAUGHS
    + ']>\n<opsa-mef><define-fault-tree name="ft"><label>&lol9;</label>'
    "</define-fault-tree></opsa-mef>\n"
)


def test_internal_entity_bomb_is_refused_at_its_declaration(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(BOMB, encoding="utf-8")
    with pytest.raises(KnowledgeBaseError) as info:
        parse_xml(path)
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == (str(path), 3)
    assert problem.message == "entity declarations are not allowed (<!ENTITY lol0 ...>)"


def test_external_entity_is_refused_too(tmp_path: Path) -> None:
    data = (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        b"<opsa-mef>&e;</opsa-mef>\n"
    )
    with pytest.raises(KnowledgeBaseError, match="entity declarations are not allowed"):
        parse_xml(tmp_path / "x.xml", data)


def test_dev_zero_is_read_bounded() -> None:
    with pytest.raises(KnowledgeBaseError, match="larger than 64 MB"):
        parse_xml("/dev/zero")


def test_a_plain_model_still_parses(tmp_path: Path) -> None:
    root = parse_xml(tmp_path / "ok.xml", b'<?xml version="1.0"?>\n<opsa-mef><a x="1"/></opsa-mef>')
    assert root.tag == "opsa-mef" and root.children[0].get("x") == "1"
