"""Languages: the message catalogs, multilingual KB text, numbers and dates.

User-facing strings live in one catalog per language,
``diagnosis/locales/<lang>/*.yaml`` (one file per area: ``core``, ``ui``,
``report``…, merged into one flat mapping of dotted keys). Code asks for a
string with :func:`tr`; nothing user-facing is written inline in widgets.

French users type decimal commas (``4,2 bar``) and read dates as
``28/11/2026``: :func:`parse_number` accepts both conventions and
:func:`format_number` / :func:`format_datetime` show the user's one.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import datetime

__all__ = [
    "DEFAULT_LANG",
    "LANGS",
    "Text",
    "catalog",
    "detect_lang",
    "format_datetime",
    "format_number",
    "format_percent",
    "link_in",
    "parse_number",
    "split_value_unit",
    "tr",
]

LANGS = ("en", "fr")
DEFAULT_LANG = "en"
_LOCALES = Path(__file__).with_name("locales")


@dataclass(frozen=True)
class Text:
    """A human-readable text, plain or in several languages.

    ``get(lang)`` returns the user's language, else English, else any.
    """

    values: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, value: str | Mapping[str, str] | Text | None) -> Text:
        if isinstance(value, Text):
            return value
        if value is None:
            return cls(())
        if isinstance(value, str):
            return cls((("", value),))
        return cls(tuple((str(k), str(v)) for k, v in value.items()))

    def get(self, lang: str = DEFAULT_LANG) -> str:
        d = dict(self.values)
        for key in (lang, DEFAULT_LANG, ""):
            if key in d:
                return d[key]
        return next(iter(d.values()), "")

    def __bool__(self) -> bool:
        return bool(self.values)

    def __str__(self) -> str:
        return self.get()


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The merged message catalog of one language (English for unknown ones).

    The YAML files are read at each start; their merged form is kept as JSON in
    the user's cache folder (keyed by the files' contents), so a start that
    prints one message needs no YAML parser (PyYAML's import alone is 10 ms).
    """
    folder = _LOCALES / (lang if lang in LANGS else DEFAULT_LANG)
    sources = [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.yaml"))]
    cached = _catalog_cache(sources)
    if cached is not None:
        try:
            data = json.loads(cached.read_bytes())
        except (OSError, ValueError):
            data = None
        if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
            return data
    import yaml

    merged: dict[str, str] = {}
    # libyaml's C loader when PyYAML has it
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    for _, text in sources:
        _flatten(yaml.load(text.decode("utf-8"), Loader=loader) or {}, "", merged)
    if cached is not None:
        _write_quietly(cached, json.dumps(merged, ensure_ascii=False).encode("utf-8"))
    return merged


def _catalog_cache(sources: list[tuple[str, bytes]]) -> Path | None:
    """The JSON file for catalogs made of exactly these files (None: caching is off)."""
    from diagnosis._cache import cache_folder

    folder = cache_folder()
    if folder is None:
        return None
    digest = _sha256(_CATALOG_FORMAT)
    for name, text in sources:
        digest.update(b"\0%s\0%d\0" % (name.encode("utf-8"), len(text)))
        digest.update(text)
    key: str = digest.hexdigest()
    return folder / "catalogs" / (key + ".json")


_CATALOG_FORMAT = b"diagnosis catalog 1"


def _sha256(data: bytes) -> Any:
    """A SHA-256 hash of ``data`` (``update``, ``hexdigest``) from the interpreter's own
    module when it has one, as :mod:`random` does: :mod:`hashlib` loads OpenSSL, a few
    ms of a short command's start (issue 16). The digests are the same."""
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:
        try:
            from _sha2 import sha256  # Python 3.12+
        except ImportError:
            from hashlib import sha256
    return sha256(data)


def _write_quietly(path: Path, data: bytes) -> None:
    """Write ``path`` atomically; a cache that cannot be written is only slower."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.replace(tmp, path)
    except OSError:
        return


def _flatten(data: Mapping[str, object], prefix: str, out: dict[str, str]) -> None:
    for key, value in data.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            _flatten(value, full + ".", out)
        else:
            out[full] = str(value)


def tr(key: str, lang: str = DEFAULT_LANG, **kwargs: object) -> str:
    """Translate ``key`` (a dotted catalog key), formatting ``{name}`` fields.

    Falls back to English, then to the key itself, so a missing string shows
    as its key rather than crashing.
    """
    text = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key) or key
    return text.format(**kwargs) if kwargs else text


def detect_lang(explicit: str | None = None) -> str:
    """The language to use: ``explicit``, else ``DIAGNOSIS_LANG``, else the locale."""
    for candidate in (explicit, os.environ.get("DIAGNOSIS_LANG")):
        if candidate:
            code = candidate.lower()[:2]
            return code if code in LANGS else DEFAULT_LANG
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            code = value.lower()[:2]
            return code if code in LANGS else DEFAULT_LANG
    import locale

    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "fr" if loc.lower().startswith("fr") else DEFAULT_LANG


_NUMBER = re.compile(
    r"^\s*(?P<num>[-+−]?(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)?(?:[.,]\d+)?(?:[eE][-+]?\d+)?)"
    r"\s*(?P<unit>.*?)\s*$"
)


def split_value_unit(text: str) -> tuple[float, str] | None:
    """Split ``"4,2 bar"`` into ``(4.2, "bar")``; None when no number leads.

    Accepts a decimal point or a decimal comma, thin/no-break spaces as
    thousands separators (``1 500``), a Unicode minus, and an exponent.
    """
    match = _NUMBER.match(text)
    if not match or not match.group("num") or not re.search(r"\d", match.group("num")):
        return None
    num = match.group("num").replace("−", "-")
    num = re.sub(r"[ \u00a0\u202f]", "", num).replace(",", ".")
    try:
        return float(num), match.group("unit")
    except ValueError:
        return None


def parse_number(text: str) -> float | None:
    """The number in ``text`` (``"4,2"``, ``"4.2"``, ``"4,2 bar"``), or None."""
    parsed = split_value_unit(text)
    return None if parsed is None else parsed[0]


def format_number(value: float, lang: str = DEFAULT_LANG, digits: int = 6) -> str:
    """Show a number as the user writes it: ``4.2`` in English, ``4,2`` in French."""
    text = f"{value:.{digits}g}"
    if "e" not in text and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "fr" else text


def format_percent(p: float, lang: str = DEFAULT_LANG, digits: int = 1) -> str:
    """A probability as a percentage with fixed decimals: ``95.2%``, French ``95,2 %``."""
    text = f"{p * 100:.{digits}f}"
    return text.replace(".", ",") + " %" if lang == "fr" else text + "%"


def format_datetime(moment: datetime, lang: str = DEFAULT_LANG, seconds: bool = False) -> str:
    """``28/11/2026 14:05`` in French, ``2026-11-28 14:05`` in English (ISO-like)."""
    clock = "%H:%M:%S" if seconds else "%H:%M"
    pattern = f"%d/%m/%Y {clock}" if lang == "fr" else f"%Y-%m-%d {clock}"
    return moment.strftime(pattern)


def link_in(text: str, templates: Iterable[Text], lang: str) -> str:
    """A recorded 5-Why link ``text`` in ``lang`` when it is one of the ``templates``
    (in any language), its ``{value}`` filled as recorded; else ``text`` as written."""
    for template in templates:
        for _, written in template.values:
            if "{value}" not in written:
                if written == text:
                    return template.get(lang) or text
                continue
            head, _, tail = written.partition("{value}")
            pattern = re.escape(head) + "(.+?)" + re.escape(tail)
            match = re.fullmatch(pattern, text)
            if match:
                return (template.get(lang) or written).replace("{value}", match.group(1))
    return text


def readable_id(ident: str, lang: str = DEFAULT_LANG) -> str:
    """A KB id a person can read, when the KB names it nowhere (issue 10).

    A common word has a translation (``rules.choice_word.<id>``: ``milky`` ->
    ``Laiteux``); any other id is made readable (``scf3-earth-fault`` ->
    ``Scf3 earth fault``). Never the raw kebab id.
    """
    key = f"rules.choice_word.{ident.lower()}"
    text = catalog(lang).get(key) or catalog(DEFAULT_LANG).get(key)
    if text:
        return text
    words = re.sub(r"[-_]+", " ", ident).strip()
    return (words[:1].upper() + words[1:]) if words else ident
