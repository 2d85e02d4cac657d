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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "DiagnosisError",
    "ExportError",
    "InferenceError",
    "KnowledgeBaseError",
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
        message: what is wrong, in one line.
    """

    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        }


class DiagnosisError(Exception):
    """Base of every error the engine raises on purpose."""

    exit_code = 1


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
