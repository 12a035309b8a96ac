"""`minsheng serve` as a process that can be SIGKILLed and started again quickly.

Each life is a fresh process forked from a fork server that has the server's modules imported
already (tests/faults/preload.py), and it runs the CLI exactly as `minsheng serve --port N` does;
only the seconds of imports are shared between lives.
"""

import asyncio
import multiprocessing
import os
import socket
from multiprocessing.process import BaseProcess
from pathlib import Path

import httpx

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["tests.faults.preload"])


def _serve(config: Path, port: int, env: dict[str, str], log: Path) -> None:
    """The child: the environment a deployment sets, output to the log, then the real CLI."""
    os.environ.update(env)
    out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    os.dup2(out, 1)
    os.dup2(out, 2)
    from bot.cli.main import app

    app(args=["--config", str(config), "serve", "--port", str(port)], prog_name="minsheng")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One server at a time on a fixed port; `kill` is SIGKILL, as the OOM killer or a power cut."""

    def __init__(self, config: Path, env: dict[str, str], log: Path) -> None:
        self.config, self.env, self.log = config, env, log
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.lives = 0
        self._process: BaseProcess | None = None

    def start(self) -> None:
        self._process = _CONTEXT.Process(target=_serve, args=(self.config, self.port, self.env, self.log))
        self._process.start()
        self.lives += 1

    def kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self._process.join()
            self._process = None

    async def ready(self, timeout: float = 60) -> None:
        """Until /healthz answers; a process that exits instead is a failure with its log."""
        async with httpx.AsyncClient(base_url=self.base, trust_env=False, timeout=2) as client:
            for _ in range(int(timeout / 0.02)):
                if self._process is None or not self._process.is_alive():
                    raise RuntimeError(f"minsheng serve exited; see {self.log}")
                try:
                    if (await client.get("/healthz")).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.02)
        raise TimeoutError(f"minsheng serve not ready in {timeout} s; see {self.log}")
