"""The real web app on a loopback port, for tests and benches (one server per test module)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn
from fastapi import FastAPI


@asynccontextmanager
async def serving(web: FastAPI, host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run uvicorn in this event loop on a free port; yields the base URL."""
    config = uvicorn.Config(web, host=host, port=0, log_level="warning", ws="websockets-sansio",
                            ws_max_size=65_536, lifespan="on", access_log=False)
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
