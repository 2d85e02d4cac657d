"""Characters that must never reach a terminal raw: control codes and bidi overrides.

An ``ESC`` sequence in a KB text can recolour, move the cursor or clear the
screen; a right-to-left override (``U+202E``) can make a safety alert's name
read as something else. The KB loader refuses such characters in every text
(:func:`find_unsafe`); whatever is printed from elsewhere (a technician's
name, a value echoed in an error message) goes through :func:`printable`,
which shows them escaped (``\\x1b``, ``\\u202e``).
"""

from __future__ import annotations

import re

__all__ = ["find_unsafe", "printable"]

# C0 controls except tab and newline, DEL, C1 controls, and the Unicode bidi
# embeddings/overrides/isolates and marks (LRM, RLM, ALM).
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]"
)


def find_unsafe(text: str) -> str | None:
    """The first unsafe character of ``text``, as ``U+XXXX``, or None."""
    match = _UNSAFE.search(text)
    return None if match is None else f"U+{ord(match.group()):04X}"


def printable(text: str) -> str:
    """``text`` with every unsafe character escaped (``\\x1b``, ``\\u202e``)."""
    return _UNSAFE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
