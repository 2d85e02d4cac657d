"""Base classes giving every screen and dialog the app's state, its language and translated keys."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from textual.binding import ActiveBinding, Binding, BindingType
from textual.screen import ModalScreen, Screen

from diagnosis.i18n import tr
from diagnosis.ui.text import translate_bindings

if TYPE_CHECKING:
    from diagnosis.ui.engine import AppState

__all__ = ["BaseDialog", "BaseScreen"]

ResultT = TypeVar("ResultT")

# Key descriptions that Textual's own widgets show in the footer, as catalog keys.
WIDGET_KEYS = {"Dismiss menu": "key.dismiss_menu", "Open link": "key.open_link"}
HELP_KEY = "f1"
# Keys the footer drops first when it is wider than the screen (they still work; F1 lists them).
FOOTER_SPARE = ("ctrl+t", "ctrl+q")


class _Helpers:
    """What every screen and dialog of the app shares: the app, its language, ``t()``.

    Binding descriptions are catalog keys, translated when the screen is built.
    """

    app: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(cast("Screen[Any]", self), self.lang)

    @property
    def dapp(self) -> AppState:
        """The app's state, typed (the app is never imported: screens post messages to it)."""
        return cast("AppState", self.app)

    @property
    def lang(self) -> str:
        try:
            return self.dapp.lang
        except Exception:  # no active app (constructed outside one)
            return "en"

    def t(self, key: str, **kwargs: object) -> str:
        return tr(key, self.lang, **kwargs)

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        """The footer's keys: F1 (help) first, so that a narrow footer never cuts it off,
        and the keys of Textual's own widgets in the user's language."""
        bindings: dict[str, ActiveBinding] = super().active_bindings  # type: ignore[misc]
        ordered = {k: v for k, v in bindings.items() if k == HELP_KEY}
        for key, active in bindings.items():
            if key == HELP_KEY:
                continue
            desc = active.binding.description
            catalog = WIDGET_KEYS.get(desc) or (desc if desc.startswith("key.") else "")
            if catalog:
                active = active._replace(binding=replace(active.binding, description=self.t(catalog)))
            ordered[key] = active
        return self._fit_footer(ordered)

    def _fit_footer(self, ordered: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
        """Hide the least needed keys from the footer (Theme, then Quit: they still
        work, and F1 lists them) while the footer is wider than the screen (80×24)."""
        try:
            width = self.app.size.width
            display = self.app.get_key_display
        except Exception:  # no running app
            return ordered

        def used() -> int:
            shown = [a for a in ordered.values() if a.binding.show]
            return sum(len(display(a.binding)) + 1 + len(a.binding.description) + 1 for a in shown)

        for key in FOOTER_SPARE:
            if used() <= width:
                break
            active = ordered.get(key)
            if active is not None and active.binding.show:
                ordered[key] = active._replace(binding=replace(active.binding, show=False))
        return ordered


class BaseScreen(_Helpers, Screen[ResultT]):
    """A workflow screen."""


class BaseDialog(_Helpers, ModalScreen[ResultT]):
    """A modal dialog (F1 opens the help here too: a modal screen hides the app's keys)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding(HELP_KEY, "app.help", "key.help")]
