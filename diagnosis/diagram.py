"""The project's one graphviz adapter: graphs built with the ``graphviz`` package, drawn by ``dot``.

Everything that draws (fault trees, the 5-Why chain and the fault-tree path
in reports) builds a :class:`graphviz.Digraph` (:func:`digraph`) whose labels
go through :func:`text_label` or :func:`html_label`; the ``graphviz`` package
writes the DOT source (quoting node names and attribute values) and
:func:`render` lays it out with the ``dot`` program. ``dot`` may be missing
(graphviz is a system package): callers check :func:`have_dot` to fall back
to the DOT or text form, and :func:`render` raises
:class:`~diagnosis.errors.ExportError` with one line.
"""

from __future__ import annotations

import hashlib
import html
import re
import shutil
from collections.abc import Iterable
from typing import TYPE_CHECKING

from diagnosis.errors import ExportError

if TYPE_CHECKING:
    import graphviz

__all__ = ["FORMATS", "digraph", "have_dot", "html_label", "node_name", "render", "text_label"]

FORMATS = ("svg", "png")

_PLAIN_NAME = re.compile(r"[\w.\- ()]+")


def have_dot() -> bool:
    """True when graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def digraph(name: str, **attrs: str) -> graphviz.Digraph:
    """A directed graph named ``name``; ``attrs`` are graph attributes (``rankdir="TB"``…)."""
    import graphviz  # here, not at import: a report without diagrams does not need it

    return graphviz.Digraph(node_name(name), graph_attr=attrs)


def node_name(text: str) -> str:
    """A node name the ``graphviz`` package writes safely for any id.

    The package quotes names and escapes quotes, but reads ``a:b`` in an edge
    as node ``a``, port ``b``: an id holding anything but word characters,
    ``.``, ``-``, spaces and parentheses gets a stable stand-in name.
    """
    if _PLAIN_NAME.fullmatch(text):
        return text
    return "id_" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def text_label(text: str) -> str:
    """``text`` as a plain DOT label: backslashes kept literal, line breaks centred.

    The ``graphviz`` package quotes the value and escapes its double quotes;
    :func:`graphviz.escape` makes backslashes literal and stops a ``<...>``
    text being read as an HTML-like label.
    """
    import graphviz

    escaped = graphviz.escape(text.replace("\r\n", "\n"))
    label: str = graphviz.nohtml(escaped.replace("\n", "\\n"))  # a str, marked "not HTML"
    return label


def html_label(rows: Iterable[str], bold: Iterable[int] = ()) -> str:
    """An HTML-like DOT label: ``rows`` (plain text, escaped here) one under another.

    Args:
        rows: the lines, empty ones left out; a row may itself hold line breaks.
        bold: indexes (in ``rows``) of the rows set in bold.
    """
    strong = set(bold)
    out = []
    for i, row in enumerate(rows):
        if not row:
            continue
        text = html.escape(row, quote=True).replace("\n", "<BR/>")
        out.append(f"<B>{text}</B>" if i in strong else text)
    return "<" + "<BR/>".join(out) + ">"


def render(source: str | graphviz.Digraph, fmt: str) -> bytes:
    """Lay out ``source`` (a graph or DOT text) with ``dot`` and return the ``fmt`` image.

    Args:
        source: a :class:`graphviz.Digraph` or a complete DOT graph.
        fmt: ``"svg"`` or ``"png"``.

    Raises:
        ExportError: unknown format, ``dot`` missing or failing.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown image format '{fmt}' (expected one of {', '.join(FORMATS)})")
    missing = (
        f"cannot draw {fmt}: graphviz 'dot' is not installed "
        "(apt-get install graphviz); use --to dot or --to text"
    )
    if not have_dot():
        raise ExportError(missing)
    import graphviz

    text = source.source if isinstance(source, graphviz.Digraph) else source
    try:
        image: bytes = graphviz.pipe("dot", fmt, text.encode("utf-8"), quiet=True)
        return image
    except graphviz.ExecutableNotFound as exc:
        raise ExportError(missing) from exc
    except graphviz.CalledProcessError as exc:
        stderr = exc.stderr.decode("utf-8", "replace") if isinstance(exc.stderr, bytes) else ""
        first = stderr.strip().splitlines()
        raise ExportError(f"graphviz 'dot' failed: {first[0] if first else exc.returncode}") from exc
    except OSError as exc:
        raise ExportError(f"graphviz 'dot' failed: {exc}") from exc
