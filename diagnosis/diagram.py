"""The project's one graphviz adapter: DOT text in, SVG or PNG bytes out.

Everything that draws (fault trees, Ishikawa and 5-Why diagrams in reports)
writes DOT source with the escaping helpers below and calls :func:`render`.
The ``dot`` program may be missing (graphviz is a system package): callers
check :func:`have_dot` to fall back to the DOT or text form, and
:func:`render` raises :class:`~diagnosis.errors.ExportError` with one line.
"""

from __future__ import annotations

import shutil
import subprocess

from diagnosis.errors import ExportError

__all__ = ["FORMATS", "dot_html", "dot_id", "dot_string", "have_dot", "render"]

FORMATS = ("svg", "png")
_TIMEOUT_S = 60


def have_dot() -> bool:
    """True when graphviz's ``dot`` program is on the PATH."""
    return shutil.which("dot") is not None


def render(dot_source: str, fmt: str) -> bytes:
    """Lay out ``dot_source`` with ``dot`` and return the ``fmt`` image.

    Args:
        dot_source: a complete DOT graph.
        fmt: ``"svg"`` or ``"png"``.

    Raises:
        ExportError: unknown format, ``dot`` missing, failing or too slow.
    """
    if fmt not in FORMATS:
        raise ExportError(f"unknown image format '{fmt}' (expected one of {', '.join(FORMATS)})")
    exe = shutil.which("dot")
    if exe is None:
        raise ExportError(
            f"cannot draw {fmt}: graphviz 'dot' is not installed "
            "(apt-get install graphviz); use --to dot or --to text"
        )
    try:
        done = subprocess.run(
            [exe, f"-T{fmt}"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExportError(f"graphviz 'dot' failed: {exc}") from exc
    if done.returncode != 0:
        first = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"graphviz 'dot' failed: {first[0] if first else done.returncode}")
    return done.stdout


def dot_string(text: str) -> str:
    """``text`` as a quoted DOT string (quotes and backslashes escaped, newlines kept)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = escaped.replace("\r\n", "\n").replace("\n", "\\n")
    return f'"{escaped}"'


def dot_id(text: str) -> str:
    """A node id usable anywhere in DOT (always quoted, so any characters work)."""
    return dot_string(text)


def dot_html(text: str) -> str:
    """``text`` escaped for a DOT HTML-like label (``<...>``)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "<BR/>")
    )
