"""Errors carry codes; the CLI translates them into the user's language (issue 11 §3).

The engine raises ``DiagnosisError(code=..., **params)``; ``str(err)`` is English
(logs, tests) and ``diagnosis`` prints ``err.message(lang)`` for ``--lang`` (at any
level of the command line), else the locale.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from diagnosis.cli import main
from diagnosis.errors import DiagnosisError, Phrase, SessionError, StoreError, UsageError


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


@pytest.fixture(autouse=True)
def _english_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DIAGNOSIS_LANG", raising=False)
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.setenv(var, "C.UTF-8")


@pytest.mark.parametrize(
    "args",
    [
        ("history", "--db", "nosuch://x", "--lang", "fr"),
        ("--lang", "fr", "history", "--db", "nosuch://x"),
        ("history", "--db", "nosuch://x", "--lang=fr"),
    ],
)
def test_a_store_error_follows_lang_fr(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...]
) -> None:
    # The store raised its errors in the locale's language, whatever --lang said.
    code, err = _run(capsys, *args)
    assert code == 1
    assert err == (
        "diagnosis: error: URL de base de données incorrecte « nosuch://x » : "
        "Can't load plugin: sqlalchemy.dialects:nosuch\n"
    )


def test_a_store_error_in_english_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    code, err = _run(capsys, "history", "--db", "nosuch://x")
    assert code == 1
    assert err == (
        "diagnosis: error: bad database URL 'nosuch://x': "
        "Can't load plugin: sqlalchemy.dialects:nosuch\n"
    )


def test_a_missing_database_in_french(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = _run(capsys, "history", "--db", str(tmp_path / "none.db"), "--lang", "fr")
    assert code == 2
    assert err == (
        f"diagnosis: error: aucune base de données à {tmp_path / 'none.db'} "
        "(une commande de lecture n'en crée jamais ; vérifier --db)\n"
    )


def test_a_session_error_quoted_by_the_answers_file_in_french(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # interpret's coded error, inside the answers file's coded error: both in French
    answers = tmp_path / "answers.yaml"
    answers.write_text("im-oil-level: low\n", encoding="utf-8")
    args = ("run", "-e", "injection-press-01", "-s", "im-short-shot", "-a", str(answers))
    code, err = _run(capsys, *args, "--no-save", "--lang", "fr")
    assert code == 2
    assert err == (
        f"diagnosis: error: {answers}:1:15: Niveau d'huile au voyant entre MIN et MAX : "
        "répondre oui ou non, pas « low »\n"
    )
    code, err = _run(capsys, *args, "--no-save")
    assert err == (
        f"diagnosis: error: {answers}:1:15: Oil level in sight glass between MIN and MAX: "
        "answer yes or no, not 'low'\n"
    )


def test_a_coded_error_carries_its_code_and_params() -> None:
    err = SessionError(code="session.error.closed", session="abc")
    assert (err.code, dict(err.params), err.where) == (
        "session.error.closed",
        {"session": "abc"},
        "",
    )
    assert str(err) == err.message("en") == "session abc is closed"
    assert err.message("fr") == "la session abc est clôturée"
    where = UsageError(code="session.answers.too_large", where="a.yaml: ", mb=4)
    assert where.message("fr").startswith("a.yaml: ")
    # a plain message (a library's text) is kept as is, in every language
    plain = StoreError("disk full")
    assert (plain.code, str(plain), plain.message("fr")) == ("", "disk full", "disk full")


def test_params_are_rendered_in_the_language_shown() -> None:
    from diagnosis.i18n import Text

    inner = SessionError(
        code="rules.error.not_a_number", measurement=Text.of({"en": "Oil", "fr": "Huile"}), raw="x"
    )
    outer = UsageError(code="session.answers.bad_value", where="f:1: ", problem=inner)
    assert outer.message("fr") == "f:1: " + inner.message("fr")
    assert inner.message("fr") == "Huile : « x » n'est pas un nombre"
    floor = SessionError(
        code="rules.error.below_floor",
        measurement="T",
        raw="-500",
        limit="0 K",
        what=Phrase("rules.floor.temperature"),
    )
    assert "zéro absolu" in floor.message("fr") and "absolute zero" in str(floor)


def test_like_keeps_the_code() -> None:
    usage = UsageError.like(StoreError(code="store.unknown_session", id="42"))
    assert isinstance(usage, UsageError) and usage.exit_code == 2
    assert (usage.code, dict(usage.params)) == ("store.unknown_session", {"id": "42"})
    assert isinstance(UsageError.like(DiagnosisError("plain")), UsageError)


def test_csv_problems_are_translated_at_the_edge(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # the KPI readers raise coded problems; the summary line follows --lang
    missing = tmp_path / "none.csv"
    code, err = _run(capsys, "kpi", "oee", str(missing), "--lang", "fr")
    assert code == 2
    assert err == f"diagnosis: error: {missing}: fichier introuvable\n"
    code, err = _run(capsys, "kpi", "oee", str(missing))
    assert err == f"diagnosis: error: {missing}: file not found\n"


def test_like_prefixes_the_place() -> None:
    inner = SessionError(code="session.error.empty_reason")
    outer = UsageError.like(inner, where="actions.yaml:3: ")
    assert outer.message("fr") == "actions.yaml:3: " + inner.message("fr")
    assert str(outer) == "actions.yaml:3: " + str(inner)
