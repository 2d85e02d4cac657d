"""The user's cache folder for things the program can rebuild (a checked KB, catalogs).

``DIAGNOSIS_CACHE=off`` (or ``0``, ``no``) turns every cache off; any other
value names the folder; by default it is the user's cache folder.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["cache_folder"]


def cache_folder() -> Path | None:
    """Where rebuildable files are kept between runs (None: caching is off)."""
    setting = os.environ.get("DIAGNOSIS_CACHE", "")
    if setting.lower() in ("off", "0", "no"):
        return None
    if setting:
        return Path(setting)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("diagnosis", appauthor=False))
