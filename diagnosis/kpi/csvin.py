"""Reading the indicator CSV files: whole file or nothing, every bad line named.

The KPI commands read CSV files written by people and by other programs
(production logs, failure lists, readings). They share these rules:

* a header line names the columns (any order; extra columns are ignored);
* the delimiter is ``,`` or, when the header holds ``;`` and no ``,``, ``;``
  (the French spreadsheet habit, which lets numbers use a decimal comma);
* numbers take a decimal point or comma (``4,2``), dates ISO 8601 with or
  without an offset; a time without offset is the machine's local time;
* every line is checked before anything is computed: a bad file raises
  :class:`CsvError` listing each problem as ``file:line: message``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from diagnosis.errors import Phrase, Problem, UsageError
from diagnosis.i18n import parse_number

__all__ = [
    "CsvError",
    "CsvRow",
    "parse_bool",
    "parse_day",
    "parse_float",
    "parse_moment",
    "read_csv",
]


class CsvError(UsageError):
    """A CSV input is unreadable or holds bad lines; nothing was computed from it.

    Args:
        problems: every problem found, in line order (coded: the summary is
            translated where it is shown, :meth:`message`).
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(sorted(problems))
        super().__init__("invalid CSV")

    def message(self, lang: str = "en") -> str:
        if not self.problems:
            return "invalid CSV"
        more = len(self.problems) - 1
        tail = Phrase("kpi.csv.more", n=more).render(lang) if more > 0 else ""
        return _short(self.problems[0], lang) + tail


def _short(problem: Problem, lang: str) -> str:
    where = f"{problem.file}:{problem.line}" if problem.line else problem.file
    return f"{where}: {problem.text(lang)}"


@dataclass(frozen=True)
class CsvRow:
    """One data line: its 1-based line number in the file and its cells by column."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return (self.cells.get(column) or "").strip()


def read_csv(path: str | Path, required: Sequence[str]) -> list[CsvRow]:
    """The data lines of ``path``, whose header must hold every ``required`` column.

    Raises:
        CsvError: missing file, undecodable text, missing columns.
    """
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CsvError([Problem.coded(name, 0, 0, "kpi.csv.no_file")]) from None
    except UnicodeDecodeError:
        raise CsvError([Problem.coded(name, 0, 0, "kpi.csv.not_utf8")]) from None
    except OSError as exc:
        raise CsvError([Problem(name, 0, 0, str(exc.strerror))]) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise CsvError([Problem.coded(name, 1, 0, "kpi.csv.no_header")])
    header = lines[0]
    delimiter = ";" if ";" in header and "," not in header else ","
    reader = csv.reader(lines, delimiter=delimiter)
    columns = [c.strip().lower() for c in next(reader)]
    missing = [c for c in required if c not in columns]
    if missing:
        raise CsvError(
            [Problem.coded(name, 1, 0, "kpi.csv.missing_columns", columns=", ".join(missing))]
        )
    rows: list[CsvRow] = []
    problems: list[Problem] = []
    for number, cells in enumerate(reader, start=2):
        if not cells or all(not c.strip() for c in cells):
            continue  # blank line
        if cells[0].lstrip().startswith("#"):
            continue  # comment line
        if len(cells) > len(columns):
            problems.append(
                Problem.coded(
                    name, number, 0, "kpi.csv.too_many_cells", n=len(cells), expected=len(columns)
                )
            )
            continue
        rows.append(CsvRow(number, dict(zip(columns, cells, strict=False))))
    if problems:
        raise CsvError(problems)
    return rows


_FR_DATE = re.compile(
    r"^(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"
)


def parse_moment(text: str) -> datetime:
    """An aware datetime from ISO 8601 (``Z``, offsets, naive = local) or ``28/11/2026 14:05``.

    Raises:
        ValueError: not a date.
    """
    value = text.strip()
    match = _FR_DATE.match(value)
    if match:
        moment = datetime(
            int(match["y"]),
            int(match["m"]),
            int(match["d"]),
            int(match["H"] or 0),
            int(match["M"] or 0),
            int(match["S"] or 0),
        )
    else:
        if value.endswith(("Z", "z")):
            value = value[:-1] + "+00:00"
        moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.astimezone()  # local time of this machine
    return moment


def parse_day(text: str, *, end: bool = False) -> datetime:
    """A ``--from`` / ``--to`` bound: a date (whole day; ``end`` = the next midnight) or a moment.

    Raises:
        ValueError: not a date.
    """
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) or re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
        moment = parse_moment(value)
        day = date(moment.year, moment.month, moment.day)
        if end:
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day).astimezone()
    return parse_moment(value)


def parse_float(text: str) -> float | None:
    """A number with a decimal point or comma; None when ``text`` is not exactly a number."""
    value = text.strip()
    if not re.fullmatch(r"[-+−]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?", value):
        return None
    return parse_number(value)


def parse_bool(text: str) -> bool | None:
    """``1/0``, ``true/false``, ``yes/no``, ``oui/non``, ``y/n``, ``o/n``; None otherwise."""
    value = text.strip().lower()
    if value in ("1", "true", "yes", "y", "oui", "o", "vrai", "censored", "c"):
        return True
    if value in ("0", "false", "no", "n", "non", "faux", "", "failure", "f"):
        return False
    return None
