"""``diagnosis serve`` in a real headless Chromium, driven through the DevTools protocol.

The page loads (with the access token), a trainee signs in, plays the easy
exercise pp-01-cup-worn to its conclusion with the keyboard, and the score
appears; the session is in the class's store. The browser's websocket
traffic (what the app draws) is captured to read the screen: the terminal
itself is a WebGL canvas. With ``DIAGNOSIS_UPDATE_SCREENSHOT=1`` the final
screen is saved as docs/screenshot-classroom.png.
Skipped only when Debian's ``chromium`` is not installed.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="needs the chromium browser (apt-get install chromium)")

FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1280,860",
]

# Keep what the app sends to the page: the terminal draws it on a canvas.
CAPTURE = """
(() => {
  window.__rx = [];
  const Native = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const ws = protocols ? new Native(url, protocols) : new Native(url);
    ws.addEventListener('message', (event) => {
      const data = event.data;
      if (typeof data === 'string') { window.__rx.push(data); }
      else { window.__rx.push(new TextDecoder('utf-8', {fatal: false}).decode(data)); }
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""

KEYS = {
    "Enter": ("Enter", 13, "\r"),
    "Tab": ("Tab", 9, "\t"),
    "ArrowDown": ("ArrowDown", 40, ""),
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on port {port}")


class Cdp:
    """A tiny DevTools-protocol client on one page target."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            msg = await asyncio.wait_for(self.ws.receive(), 60)
            data = json.loads(msg.data)
            if data.get("id") == ident:
                if "error" in data:
                    raise AssertionError(f"{method}: {data['error']}")
                result: dict[str, Any] = data.get("result", {})
                return result

    async def screen(self) -> str:
        result = await self.call(
            "Runtime.evaluate", expression="(window.__rx || []).join('')", returnByValue=True
        )
        return str(result["result"].get("value", ""))

    async def wait_text(self, text: str, timeout: float = 40.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in await self.screen():
                return
            await asyncio.sleep(0.3)
        debug = os.environ.get("DIAGNOSIS_CDP_DEBUG")
        if debug:
            png = await self.call("Page.captureScreenshot", format="png")
            Path(debug).write_bytes(base64.b64decode(png["data"]))
        raise AssertionError(f"{text!r} never appeared")

    async def clear(self) -> None:
        await self.call("Runtime.evaluate", expression="window.__rx = []")

    async def key(self, name: str) -> None:
        key, code, text = KEYS[name]
        base = {"key": key, "code": key, "windowsVirtualKeyCode": code, "nativeVirtualKeyCode": code}
        await self.call("Input.dispatchKeyEvent", type="keyDown", text=text, **base)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **base)
        await asyncio.sleep(0.25)

    async def type(self, text: str) -> None:
        for char in text:
            await self.call("Input.dispatchKeyEvent", type="keyDown", text=char, key=char)
            await self.call("Input.dispatchKeyEvent", type="keyUp", key=char)
        await asyncio.sleep(0.25)

    async def ctrl(self, letter: str) -> None:
        code = ord(letter.upper())
        base = {"key": letter, "code": f"Key{letter.upper()}", "windowsVirtualKeyCode": code, "modifiers": 2}
        await self.call("Input.dispatchKeyEvent", type="keyDown", **base)
        await self.call("Input.dispatchKeyEvent", type="keyUp", **base)
        await asyncio.sleep(0.25)

    async def down(self, times: int) -> None:
        for _ in range(times):
            await self.key("ArrowDown")


async def _drive(url: str, devtools_port: int, shot: Path, indexes: dict[str, int]) -> str:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{devtools_port}/json/list") as resp:
            targets = await resp.json()
        page = next(t for t in targets if t.get("type") == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = Cdp(ws)
            await cdp.call("Page.enable")
            await cdp.call("Runtime.enable")
            await cdp.call("Page.addScriptToEvaluateOnNewDocument", source=CAPTURE)
            await cdp.call("Page.navigate", url=url)
            await cdp.wait_text("Trainer mode")
            await asyncio.sleep(1.0)
            # focus the terminal: its hidden textarea takes the keys
            await cdp.call(
                "Runtime.evaluate",
                expression="document.querySelector('.xterm-helper-textarea').focus()",
            )
            await asyncio.sleep(0.5)
            await cdp.type("Alice")
            await cdp.key("Enter")  # -> group
            await cdp.type("BTS1")
            await cdp.key("Enter")  # -> the exercise list
            await cdp.down(indexes["exercise"])
            await cdp.clear()
            await cdp.key("Enter")
            await cdp.wait_text("Measurements")
            await cdp.type("h")  # hypothesis
            await cdp.wait_text("Your hypothesis")
            await cdp.down(indexes["cause"])
            await cdp.key("Enter")
            await cdp.down(indexes["measurement"])
            await cdp.clear()
            await cdp.key("Enter")  # measure the cup
            await cdp.wait_text("worn")
            await cdp.type("c")
            await cdp.wait_text("Root cause")
            await cdp.down(indexes["cause"])
            await cdp.key("Enter")
            await cdp.wait_text("5M family")
            await cdp.down(indexes["family"])
            await cdp.key("Enter")
            await cdp.wait_text("5-Why")
            await cdp.type("The suction cup lip is worn")
            await cdp.key("Enter")
            await cdp.type("pp-cup-condition")
            await cdp.clear()
            await cdp.key("Enter")  # the last evidence field submits... or move on
            await cdp.ctrl("s")
            await cdp.wait_text("Score: 70/70")
            await asyncio.sleep(1.0)
            png = await cdp.call("Page.captureScreenshot", format="png")
            shot.write_bytes(base64.b64decode(png["data"]))
            return await cdp.screen()


def test_classroom_in_headless_chromium(tmp_path: Path) -> None:
    from diagnosis.kb import load_kb
    from diagnosis.kb.model import CATEGORIES_5M
    from diagnosis.store import open_store
    from diagnosis.training import load_exercises

    kb = load_kb(None)
    eq = kb.equipment("pp-cell-01")
    indexes = {
        "exercise": [e.id for e in load_exercises(None, kb)].index("pp-01-cup-worn"),
        "cause": [c.id for c in eq.causes].index("pp-cup-worn"),
        "measurement": [m.id for m in eq.measurements].index("pp-cup-condition"),
        "family": list(CATEGORIES_5M).index("machine"),
    }
    port, devtools = _free_port(), _free_port()
    db = f"sqlite:///{tmp_path / 'class.db'}"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DIAGNOSIS_SERVE_TOKEN": "class-token-42"}
    server = subprocess.Popen(
        [sys.executable, "-m", "diagnosis", "serve", "--port", str(port), "--db", db, "--lang", "en"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    browser = None
    try:
        _wait_port(port)
        assert CHROMIUM is not None
        browser = subprocess.Popen(
            [CHROMIUM, *FLAGS, f"--remote-debugging-port={devtools}",
             f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        _wait_port(devtools)
        shot = tmp_path / "classroom.png"
        text = asyncio.run(
            _drive(f"http://127.0.0.1:{port}/?token=class-token-42", devtools, shot, indexes)
        )
        assert "root cause correct" in text
        assert shot.stat().st_size > 10_000
        docs = ROOT / "docs" / "screenshot-classroom.png"
        if os.environ.get("DIAGNOSIS_UPDATE_SCREENSHOT"):
            shutil.copy(shot, docs)
    finally:
        for proc in (browser, server):
            if proc is not None:
                proc.terminate()
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    with open_store(db) as store:
        sessions = store.sessions()
        assert [(s.technician, s.work_order, s.status) for s in sessions] == [
            ("Alice", "exercise:pp-01-cup-worn", "done")
        ]
        notes = [e.rule for e in store.events(sessions[0].id) if e.type == "note_added"]
    assert notes[0] == "training:exercise:pp-01-cup-worn|mode=learning|group=BTS1"
    assert notes[-1] == "training:score:70/70"


def test_serve_refuses_a_public_address_without_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    from diagnosis.cli import main

    os.environ.pop("DIAGNOSIS_SERVE_TOKEN", None)
    assert main(["serve", "--host", "0.0.0.0"]) == 2
    assert "without an access token" in capsys.readouterr().err
