"""``diagnosis serve``: the terminal UI in a classroom's browsers, through textual-serve.

Each browser connection starts its own ``diagnosis`` process (the trainer
mode's exercise picker by default) in textual-serve's web driver. Bound to
loopback by default; on any other address an access token is required, and
every browser must present it: the page as ``/?token=T``, the terminal's
websocket as ``/ws/T`` (the page passes it on). Comparisons are constant-time.
"""

from __future__ import annotations

import hmac
import ipaddress
from typing import Any

__all__ = ["is_loopback", "make_server"]


def is_loopback(host: str) -> bool:
    """``127.0.0.1``, ``::1``, ``localhost``: reachable from this machine only."""
    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(command: str, host: str, port: int, token: str | None, title: str) -> Any:
    """A textual-serve server running ``command`` per browser, checking ``token`` when set."""
    import aiohttp_jinja2
    from aiohttp import web
    from textual_serve.server import Server

    class ClassroomServer(Server):  # type: ignore[misc]
        def _token_ok(self, given: str | None) -> bool:
            if not token:
                return True
            return given is not None and hmac.compare_digest(given.encode(), token.encode())

        async def _make_app(self) -> web.Application:
            app = web.Application()
            aiohttp_jinja2.setup(
                app, loader=__import__("jinja2").FileSystemLoader(self.templates_path)
            )
            app.add_routes(
                [
                    web.get("/", self._index, name="index"),
                    web.get("/ws", self._websocket, name="websocket"),
                    web.get("/ws/{token}", self._websocket, name="websocket-token"),
                    web.get("/download/{key}", self.handle_download, name="download"),
                    web.static("/static", self.statics_path, show_index=False, name="static"),
                ]
            )
            app.on_startup.append(self.on_startup)
            app.on_shutdown.append(self.on_shutdown)
            return app

        async def _index(self, request: web.Request) -> web.StreamResponse:
            given = request.query.get("token")
            if not self._token_ok(given):
                return web.Response(status=403, text="403: a valid ?token= is required\n")
            base = f"{request.scheme}://{request.host}"
            ws_scheme = "wss" if request.scheme == "https" else "ws"
            ws_url = f"{ws_scheme}://{request.host}/ws" + (f"/{given}" if token else "")
            try:
                font_size = int(request.query.get("fontsize", "16"))
            except ValueError:
                font_size = 16
            context = {
                "font_size": font_size,
                "app_websocket_url": ws_url,
                "config": {"static": {"url": f"{base}/static/"}},
                "application": {"name": self.title},
            }
            return aiohttp_jinja2.render_template("app_index.html", request, context)

        async def _websocket(self, request: web.Request) -> web.StreamResponse:
            if not self._token_ok(request.match_info.get("token")):
                return web.Response(status=403, text="403\n")
            response: web.StreamResponse = await self.handle_websocket(request)
            return response

    return ClassroomServer(command, host=host, port=port, title=title)
