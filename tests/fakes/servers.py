"""Servers on a loopback port for tests and benches: the real web app, and the aiohttp fakes of
the services it talks to (Telegram's Bot API, an SMS gateway, Rasa)."""

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import uvicorn
from aiohttp import web
from fastapi import FastAPI

from bot.web.serving import uvicorn_options


class _Server(uvicorn.Server):
    """uvicorn's server, stopped as soon as it is told rather than on its next tenth-of-a-second tick,
    and waiting for its connections to close only until they have, not the tenth of a second uvicorn
    always gives them: a run starts and stops hundreds of these, and those pauses added up."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._told = asyncio.Event()

    def stop(self) -> None:
        self.should_exit = True
        self._told.set()

    async def main_loop(self) -> None:
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            counter = (counter + 1) % 864000
            with suppress(TimeoutError):
                await asyncio.wait_for(self._told.wait(), 0.1)
            should_exit = await self.on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        if self.server_state.connections or self.server_state.tasks:  # as uvicorn: stop listening, ask
            for server in self.servers:                                # each connection to close, and give
                server.close()                                         # them up to 0.1 s, but only until
            for connection in list(self.server_state.connections):    # they have (idle keep-alives at once)
                connection.shutdown()
            for _ in range(20):
                if not (self.server_state.connections or self.server_state.tasks):
                    break
                await asyncio.sleep(0.005)
        if self.server_state.connections or self.server_state.tasks or sockets:
            await super().shutdown(sockets)
            return
        for server in self.servers:
            server.close()
        for server in self.servers:
            await server.wait_closed()
        if not self.force_exit:
            await self.lifespan.shutdown()


@asynccontextmanager
async def serving(web: FastAPI, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run uvicorn in this event loop on a free port; yields the base URL."""
    config = uvicorn.Config(web, host=host, port=0, log_level="warning", lifespan="on", access_log=False,
                            **uvicorn_options())
    server = _Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()
        await task


async def start_fake(app: web.Application, host: str = "127.0.0.1") -> tuple[web.AppRunner, int]:
    """Serve an aiohttp fake on a free port; returns its runner (to clean up) and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
