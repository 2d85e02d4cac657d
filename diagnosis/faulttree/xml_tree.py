"""A tiny XML element tree that remembers the line of every element.

The standard ``xml.etree`` forgets source lines, yet every MEF error must
name the file and line. Built on :mod:`xml.parsers.expat` (no external
entity resolution, so no XXE); expat errors become :class:`KnowledgeBaseError`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from diagnosis.errors import KnowledgeBaseError, Problem

__all__ = ["Element", "parse_xml"]


@dataclass
class Element:
    """One XML element: tag, attributes, children, and where it starts."""

    tag: str
    attrib: dict[str, str]
    file: str
    line: int
    children: list[Element] = field(default_factory=list)
    text: str = ""

    def get(self, key: str, default: str | None = None) -> str | None:
        return self.attrib.get(key, default)

    def where(self) -> str:
        return f"{self.file}:{self.line}"


def parse_xml(path: str | Path, data: bytes | None = None) -> Element:
    """Parse ``path`` (or ``data`` attributed to it) into an :class:`Element` tree.

    Raises:
        KnowledgeBaseError: the file cannot be read or is not well-formed XML.
    """
    name = str(path)
    if data is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise KnowledgeBaseError([Problem(name, 0, 0, f"cannot read: {exc.strerror}")]) from exc
    parser = expat.ParserCreate()
    stack: list[Element] = []
    root: list[Element] = []

    def start(tag: str, attrib: dict[str, str]) -> None:
        el = Element(tag, dict(attrib), name, parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(tag: str) -> None:
        stack.pop()

    def chars(text: str) -> None:
        if stack:
            stack[-1].text += text

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        message = (
            f"malformed XML: {expat.errors.messages.get(exc.code, str(exc))}"
            if exc.code
            else str(exc)
        )
        raise KnowledgeBaseError([Problem(name, exc.lineno, exc.offset + 1, message)]) from exc
    if not root:
        raise KnowledgeBaseError([Problem(name, 0, 0, "empty XML document")])
    return root[0]
