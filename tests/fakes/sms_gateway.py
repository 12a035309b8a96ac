"""A fake SMS gateway on 127.0.0.1 that records what it is asked to send and can fail on cue."""

from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from tests.fakes.servers import start_fake


@dataclass
class FakeSmsGateway:
    received: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # queued non-200 answers
    port: int = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/sms", self._handle)
        self._runner, self.port = await start_fake(app)

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
