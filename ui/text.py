"""Translation helpers for the UI: catalog strings, KB texts, key labels.

Every user-facing string comes from ``diagnosis/locales/<lang>/ui.yaml``
through :func:`diagnosis.i18n.tr`. Textual reads key bindings from class
attributes, so binding descriptions are written as catalog keys
(``"key.help"``) and translated per instance by :func:`translate_bindings`.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from textual.dom import DOMNode
from textual.markup import escape

from diagnosis.i18n import Text, format_number, tr

if TYPE_CHECKING:
    from diagnosis.kb.model import EquipmentKB, Measurement

__all__ = ["error_text", "esc", "kb_text", "num", "rule_text", "state_text", "tr", "translate_bindings"]

esc = escape  # KB texts may hold "[": escape them inside markup


def kb_text(text: Text | str | None, lang: str) -> str:
    """A KB text in the user's language (English, then any, as a fallback)."""
    if text is None:
        return ""
    if isinstance(text, str):
        return text
    return text.get(lang)


def num(value: float | None, lang: str, digits: int = 4) -> str:
    """A number as the user writes it (``4,2`` in French); empty for None."""
    return "" if value is None else format_number(value, lang, digits)


def translate_bindings(node: DOMNode, lang: str, prefix: str = "key.") -> None:
    """Replace the descriptions of ``node``'s bindings that are catalog keys under
    ``prefix`` (``key.*``, the trainer's ``training.*``) by their translation."""
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=tr(b.description, lang))
            if b.description.startswith(prefix)
            else b
            for b in bindings
        ]


def state_text(m: Measurement | None, state: str, lang: str) -> str:
    """A measurement state in words: ``bas``, ``oui``, a choice by its label."""
    if m is None:
        return state
    if m.kind == "numeric":
        return tr(f"state.{state}", lang)
    if m.kind == "boolean":
        return tr(f"bool.{state}", lang)
    return str(m.choice_label(state, lang))


def rule_text(eq: EquipmentKB, rule_id: str, lang: str) -> str:
    """A KB rule in words, from its conditions (the engine's wording, as in the report)."""
    from diagnosis.rules.describe import describe_rule

    return describe_rule(eq, rule_id, lang)


def error_text(exc: BaseException, lang: str) -> str:
    """An error for the user: the engine's coded errors in ``lang``, others as they are."""
    from diagnosis.errors import DiagnosisError

    return exc.message(lang) if isinstance(exc, DiagnosisError) else str(exc)
