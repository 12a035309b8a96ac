"""A fake SMS gateway on 127.0.0.1 that records what it is asked to send and can fail on cue."""

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


@dataclass
class FakeSmsGateway:
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # queued non-200 answers
    port: int = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/sms", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sms"

    def answer_next(self, status: int, **headers: str) -> None:
        self.answers.append((status, headers))

    async def _handle(self, request: web.Request) -> web.Response:
        if self.answers:
            status, headers = self.answers.pop(0)
            return web.json_response({"error": "refused"}, status=status, headers=headers)
        self.received.append(await request.json())
        self.headers.append({k.lower(): v for k, v in request.headers.items()})
        return web.json_response({"ok": True})
