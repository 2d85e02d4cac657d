"""Smoke test: the real ``diagnosis`` command in a real terminal (tmux), read from the screen."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
KB = Path(__file__).parent / "kb"

pytestmark = pytest.mark.tmux


def _tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, timeout=30).stdout


def _wait_for(session: str, text: str, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = _tmux("capture-pane", "-t", session, "-p")
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared; last screen:\n{screen}")


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_real_app_in_tmux(tmp_path: Path) -> None:
    session = f"diag-ui-{uuid.uuid4().hex[:8]}"
    db = f"sqlite:///{tmp_path / 'tmux.db'}"
    env = (
        f"HOME={tmp_path} XDG_CONFIG_HOME={tmp_path / 'config'} "
        f"XDG_DATA_HOME={tmp_path / 'data'} XDG_DOCUMENTS_DIR={tmp_path / 'docs'} "
        "TERM=xterm-256color"
    )
    command = (
        f"cd {ROOT} && env {env} {sys.executable} -m diagnosis "
        f"--kb {KB} --db {db} --lang en; sleep 5"
    )
    _tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", command)
    try:
        _wait_for(session, "Who is diagnosing?")
        _tmux("send-keys", "-t", session, "Ada Martin", "Enter")
        _wait_for(session, "Which equipment?")
        _tmux("send-keys", "-t", session, "press")
        _wait_for(session, "Test press 80 t")
        _tmux("send-keys", "-t", session, "Enter")
        _wait_for(session, "Problem statement")
        _tmux("send-keys", "-t", session, "short")
        _wait_for(session, "Short shot")
        _tmux("send-keys", "-t", session, "Enter")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "Space")
        time.sleep(0.3)
        _tmux("send-keys", "-t", session, "C-s")
        screen = _wait_for(session, "Proposed measurement")
        assert "Hypotheses" in screen and "Heater band zone 2 burnt out" in screen
        assert "Granule aspect in hopper" in screen
        _tmux("send-keys", "-t", session, "wet", "Enter")
        _wait_for(session, "Step 2")
        screen = _wait_for(session, "Wet")  # the reading is listed, by its name (issue 10: no raw id)
        _tmux("send-keys", "-t", session, "C-q")
        deadline = time.monotonic() + 15
        while "Hypotheses" in _tmux("capture-pane", "-t", session, "-p"):
            assert time.monotonic() < deadline, "the app did not quit on Ctrl+Q"
            time.sleep(0.3)
    finally:
        _tmux("kill-session", "-t", session)
