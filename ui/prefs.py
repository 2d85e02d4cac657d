"""Small user preferences remembered between runs (last technician, theme).

A JSON file in the user's configuration folder
(``platformdirs.user_config_dir("diagnosis")/ui.json``). It never holds
anything a report depends on: the technician's habilitations live in the
store. A missing or unreadable file simply means "no preference".
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["Prefs", "default_config_dir", "load_prefs", "save_prefs"]


@dataclass
class Prefs:
    """What the UI remembers: the last technician, their habilitations, the theme."""

    technician: str = ""
    habilitations: list[str] = field(default_factory=list)
    theme: str = ""


def default_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("diagnosis"))


def _path(folder: Path) -> Path:
    return folder / "ui.json"


def load_prefs(folder: Path) -> Prefs:
    """The saved preferences, or defaults when none can be read."""
    try:
        data = json.loads(_path(folder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return Prefs()
    if not isinstance(data, dict):
        return Prefs()
    habs = data.get("habilitations")
    return Prefs(
        technician=str(data.get("technician") or ""),
        habilitations=[str(h) for h in habs] if isinstance(habs, list) else [],
        theme=str(data.get("theme") or ""),
    )


def save_prefs(folder: Path, prefs: Prefs) -> None:
    """Write the preferences; a read-only home is not an error worth showing."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _path(folder).write_text(json.dumps(asdict(prefs), indent=2), encoding="utf-8")
    except OSError:
        pass
