"""Servers on a loopback port for tests and benches: the real web app, and the aiohttp fakes of
the services it talks to (Telegram's Bot API, an SMS gateway, Rasa)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from aiohttp import web
from fastapi import FastAPI

from bot.web.resident import WS_OPTIONS


@asynccontextmanager
async def serving(web: FastAPI, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run uvicorn in this event loop on a free port; yields the base URL."""
    config = uvicorn.Config(web, host=host, port=0, log_level="warning", lifespan="on", access_log=False,
                            **WS_OPTIONS)
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        await task


async def start_fake(app: web.Application, host: str = "127.0.0.1") -> tuple[web.AppRunner, int]:
    """Serve an aiohttp fake on a free port; returns its runner (to clean up) and the port."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    return runner, site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
