"""The one exception tree of the engine.

Every error a user can cause (bad knowledge base, bad answer file, unknown
session, unreachable database…) is one of these; the CLI turns it into a
one-line message and an exit code, never a traceback::

    DiagnosisError                      base; ``exit_code`` 1 (a domain failure)
    ├── KnowledgeBaseError              the KB or a fault-tree file is invalid
    │                                   (carries every ``Problem`` found)
    ├── InferenceError                  a network cannot be compiled or queried
    ├── SessionError                    an impossible step in a guided session
    ├── StoreError                      the database cannot be reached or is corrupt
    ├── ExportError                     a report or export cannot be written
    └── UsageError                      bad command-line input (``exit_code`` 2)

Library exceptions (PyYAML, pgmpy, SQLAlchemy…) are translated at the
adapter that calls the library: ``raise StoreError(...) from exc``.

Errors carry codes; the edges translate. The engine raises an error with
the message-catalog key and its parameters, never a translated text::

    raise SessionError(code="session.error.closed", session=session_id)
    raise UsageError(code="session.answers.yaml_error", where=f"{path}:{line}: ", problem=p)

``str(err)`` is the English text (logs, tests); the CLI and the UI show
``err.message(lang)`` in the user's language. A parameter may itself be a
:class:`Phrase` (a catalog text not yet translated) or a multilingual
:class:`~diagnosis.i18n.Text`: both are rendered in the same language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Self

__all__ = [
    "DiagnosisError",
    "ExportError",
    "InferenceError",
    "KnowledgeBaseError",
    "Phrase",
    "Problem",
    "SessionError",
    "StoreError",
    "UsageError",
]


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, located in a source file.

    Attributes:
        file: path of the file, as given to the loader.
        line: 1-based line (0 when the whole file is concerned).
        column: 1-based column (0 when unknown).
        message: what is wrong, in one line (English when ``phrase`` is set).
        phrase: the catalog text of ``message`` when the problem is coded
            (:meth:`coded`): ``text(lang)`` translates it at the edge.
    """

    file: str
    line: int
    column: int
    message: str
    phrase: Phrase | None = field(default=None, compare=False, repr=False)

    @classmethod
    def coded(cls, file: str, line: int, column: int, code: str, /, **params: Any) -> Problem:
        """A problem whose message is the catalog text ``code`` (English in ``message``)."""
        phrase = Phrase(code, **params)
        return cls(file, line, column, phrase.render(), phrase)

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (as written when the problem is not coded)."""
        return self.phrase.render(lang) if self.phrase is not None else self.message

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class Phrase:
    """A catalog text not yet translated: a key and its parameters.

    ``Phrase("rules.floor.zero")`` as an error parameter is rendered in the
    language the error is shown in.
    """

    __slots__ = ("code", "params")

    def __init__(self, code: str, /, **params: object) -> None:
        self.code = code
        self.params: Mapping[str, object] = params

    def render(self, lang: str = "en") -> str:
        from diagnosis.i18n import tr  # the catalogs load only when a message is shown

        return tr(self.code, lang, **{k: _render(v, lang) for k, v in self.params.items()})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Phrase):
            return NotImplemented
        return (self.code, dict(self.params)) == (other.code, dict(other.params))

    def __hash__(self) -> int:
        return hash(self.code)

    def __repr__(self) -> str:
        return f"Phrase({self.code!r}, **{dict(self.params)!r})"

    def __str__(self) -> str:
        return self.render()


def _render(value: object, lang: str) -> object:
    """A parameter in ``lang``: phrases, errors and multilingual texts are translated."""
    if isinstance(value, Phrase):
        return value.render(lang)
    if isinstance(value, DiagnosisError):  # an error quoted by another one
        return value.message(lang)
    from diagnosis.i18n import Text

    if isinstance(value, Text):
        return value.get(lang)
    return value


class DiagnosisError(Exception):
    """Base of every error the engine raises on purpose.

    Args:
        message: a text that needs no translation (a library's own message…);
            empty when ``code`` is given.
        code: the message-catalog key (``session.error.closed``).
        where: a location prefix kept as is (``answers.yaml:3: ``).
        params: the ``{name}`` fields of the catalog text (a :class:`Phrase`, a
            multilingual ``Text`` or another error is rendered in the
            language of the message).
    """

    exit_code = 1

    def __init__(
        self, message: str = "", /, *, code: str = "", where: str = "", **params: Any
    ) -> None:
        super().__init__(message or code)
        self.code = code
        self.where = where
        self.params: Mapping[str, object] = params

    @classmethod
    def like(cls, other: DiagnosisError, where: str = "") -> Self:
        """This kind of error with ``other``'s message (code, parameters, place),
        its place prefixed with ``where`` (``actions.yaml:3: ``)."""
        if not other.code:
            return cls(str(other.args[0]) if other.args else "", where=where + other.where)
        return cls(code=other.code, where=where + other.where, **other.params)

    def message(self, lang: str = "en") -> str:
        """The message in ``lang`` (English, then the key, when a text is missing)."""
        if not self.code:
            return self.where + (str(self.args[0]) if self.args else "")
        return self.where + Phrase(self.code, **self.params).render(lang)

    def __str__(self) -> str:
        return self.message()


class KnowledgeBaseError(DiagnosisError):
    """The knowledge base (or a fault-tree file) is invalid.

    Args:
        problems: every problem found, in file/line order.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(problems))
        first = str(self.problems[0]) if self.problems else "invalid knowledge base"
        more = len(self.problems) - 1
        super().__init__(first + (f" (and {more} more)" if more > 0 else ""))


class InferenceError(DiagnosisError):
    """A Bayesian network cannot be built or queried."""


class SessionError(DiagnosisError):
    """A guided session was asked something impossible (unknown id, bad value…)."""


class StoreError(DiagnosisError):
    """The database cannot be reached, migrated, or holds inconsistent data."""


class ExportError(DiagnosisError):
    """A report or export cannot be produced."""


class UsageError(DiagnosisError):
    """Bad command-line input: unknown option value, missing file…"""

    exit_code = 2
