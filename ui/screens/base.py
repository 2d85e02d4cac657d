"""Base classes giving every screen and dialog the app, its language and translated keys."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar, cast

from textual.screen import ModalScreen, Screen

from diagnosis.i18n import tr
from diagnosis.ui.text import translate_bindings

if TYPE_CHECKING:
    from diagnosis.ui.app import DiagnosisApp

__all__ = ["BaseDialog", "BaseScreen"]

ResultT = TypeVar("ResultT")


class _Helpers:
    """What every screen and dialog of the app shares: the app, its language, ``t()``.

    Binding descriptions are catalog keys, translated when the screen is built.
    """

    app: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(cast("Screen[Any]", self), self.lang)

    @property
    def dapp(self) -> DiagnosisApp:
        return cast("DiagnosisApp", self.app)

    @property
    def lang(self) -> str:
        try:
            return self.dapp.lang
        except Exception:  # no active app (constructed outside one)
            return "en"

    def t(self, key: str, **kwargs: object) -> str:
        return tr(key, self.lang, **kwargs)


class BaseScreen(_Helpers, Screen[ResultT]):
    """A workflow screen."""


class BaseDialog(_Helpers, ModalScreen[ResultT]):
    """A modal dialog."""
