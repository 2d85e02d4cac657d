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


MAX_XML_BYTES = 64 * 1024 * 1024
"""An XML model larger than this is refused (published Open-PSA models are < 10 MB)."""


class _Refused(Exception):
    """Raised from an expat handler to stop parsing at a refused construct."""


def parse_xml(path: str | Path, data: bytes | None = None) -> Element:
    """Parse ``path`` (or ``data`` attributed to it) into an :class:`Element` tree.

    Raises:
        KnowledgeBaseError: the file cannot be read or is not well-formed XML.
    """
    name = str(path)
    if data is None:
        try:
            with Path(path).open("rb") as handle:
                data = handle.read(MAX_XML_BYTES + 1)
        except OSError as exc:
            raise KnowledgeBaseError([Problem(name, 0, 0, f"cannot read: {exc.strerror}")]) from exc
    if len(data) > MAX_XML_BYTES:
        raise KnowledgeBaseError(
            [Problem(name, 0, 0, f"file is larger than {MAX_XML_BYTES >> 20} MB")]
        )
    parser = expat.ParserCreate()
    refused: list[Problem] = []

    def no_entities(entity: str, *_args: object) -> None:
        # Open-PSA MEF models declare no entities; an internal one ("billion laughs")
        # expands exponentially: refuse at the declaration, before any expansion.
        refused.append(
            Problem(
                name,
                parser.CurrentLineNumber,
                parser.CurrentColumnNumber + 1,
                f"entity declarations are not allowed (<!ENTITY {entity} ...>)",
            )
        )
        raise _Refused

    parser.EntityDeclHandler = no_entities
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
    except _Refused:
        raise KnowledgeBaseError(refused) from None
    except RecursionError:
        raise KnowledgeBaseError([Problem(name, 0, 0, "XML nested too deep")]) from None
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
