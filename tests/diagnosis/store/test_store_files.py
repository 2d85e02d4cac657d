"""write_atomic: a failed write (full disk) keeps the previous file whole and leaves no debris."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from diagnosis.errors import UsageError
from diagnosis.store.files import write_atomic


def test_full_disk_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.html"
    target.write_text("previous", encoding="utf-8")

    def full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UsageError, match="No space left on device"):
        write_atomic(target, "new " * 1000, force=True)
    assert target.read_text(encoding="utf-8") == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_new_file_bytes_and_text(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a.pdf", b"%PDF-1.7")
    write_atomic(tmp_path / "b.md", "é\n")
    assert (tmp_path / "a.pdf").read_bytes() == b"%PDF-1.7"
    assert (tmp_path / "b.md").read_bytes() == "é\n".encode()


def test_a_folder_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    with pytest.raises(UsageError, match="is a folder"):
        write_atomic(tmp_path / "out", "x", force=True)
