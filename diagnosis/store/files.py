"""Writing an output file so that it cannot bite: atomic, no silent overwrite, no symlink.

``diagnosis report -o``, ``export -o`` and ``verify --export-manifest`` write
through :func:`write_atomic`: the data goes to a temporary file in the same
folder, is flushed to disk, then renamed over the target, so that a full
disk or a killed process leaves the previous file whole. An existing target
is refused unless ``force``; a symbolic link is never followed (with
``force`` the link itself is replaced, its target untouched).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from diagnosis.errors import UsageError

__all__ = ["write_atomic"]


def write_atomic(output: str | Path, data: str | bytes, *, force: bool = False) -> None:
    """Write ``data`` (text as UTF-8) to ``output`` atomically.

    Raises:
        UsageError: the file exists (without ``force``), is a folder, or
            cannot be written (the message names the path and the reason).
    """
    path = Path(output)
    blob = data.encode("utf-8") if isinstance(data, str) else data
    if path.is_symlink() or path.exists():
        if path.is_dir() and not path.is_symlink():
            raise UsageError(
                code="store.cli.cannot_write", path=str(output), reason="is a folder"
            )
        if not force:
            raise UsageError(code="store.cli.exists", path=str(output))
    folder = path.parent if str(path.parent) else Path(".")
    tmp_name = ""
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp_name, 0o666 & ~mask)  # as a plain open() would make it
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)  # replaces a symlink itself, never its target
        tmp_name = ""
    except OSError as exc:
        raise UsageError(
            code="store.cli.cannot_write", path=str(output), reason=exc.strerror or exc
        ) from exc
    finally:
        if tmp_name:
            with contextlib.suppress(OSError):
                os.unlink(tmp_name)
