"""The user's cache folder for things the program can rebuild (a checked KB, catalogs).

``DIAGNOSIS_CACHE=off`` (or ``0``, ``no``) turns every cache off; any other
value names the folder; by default it is the user's cache folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["cache_folder"]


def cache_folder() -> Path | None:
    """Where rebuildable files are kept between runs (None: caching is off)."""
    setting = os.environ.get("DIAGNOSIS_CACHE", "")
    if setting.lower() in ("off", "0", "no"):
        return None
    if setting:
        return Path(setting)
    linux = _linux_cache_folder()
    if linux is not None:
        return linux
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("diagnosis", appauthor=False))


def _linux_cache_folder() -> Path | None:
    """platformdirs' ``user_cache_dir("diagnosis")`` on Linux in the usual cases
    (``$XDG_CACHE_HOME`` or ``$HOME`` absolute), without importing platformdirs
    (about 10 ms of a short command's start, issue 16); None: ask platformdirs."""
    if sys.platform != "linux" or "ANDROID_DATA" in os.environ:
        return None
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    if os.path.isabs(xdg):
        return Path(xdg, "diagnosis")
    home = os.environ.get("HOME", "")
    if not os.path.isabs(home):
        return None
    return Path(os.path.expanduser("~/.cache"), "diagnosis")
