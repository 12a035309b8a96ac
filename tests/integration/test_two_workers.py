"""Two `minsheng serve` processes on one PostgreSQL database: a resident's tab on worker A, a
clerk's action through worker B, whose outbox loop sends the push, and the push arrives in the
tab on A once (bot/web/relay.py carries it between them)."""

import asyncio
import json
import signal
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from websockets.asyncio.client import connect

from bot.web.accounts import add_staff, open_session
from bot.web.auth import STAFF_COOKIE
from bot.web.resident import user_ref_for
from handlers import commands as c
from tests.conversations.harness import config_for_tests
from tests.integration.processes import start, stop
from tests.support import seed_registry

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)]
SERVE = ["-c", "from bot.cli.main import run; run()"]


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def ready(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(600):
            if process.poll() is not None:
                raise AssertionError(f"worker exited:\n{log.read_text(encoding='utf-8')[-3000:]}")
            try:
                if (await client.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("worker never became ready")


async def test_a_push_sent_by_one_worker_reaches_the_tab_on_the_other_once(
    db_url: str, app, models: Path, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    await seed_registry(app.sessions)
    now = datetime.now(UTC)
    clerk = await add_staff(app.sessions, "clerk_b", "correct horse battery", "clerk", "C-T01-C01", now)
    token, session = await open_session(app.sessions, clerk, now, 1)
    config_b = config_for_tests(models, tmp_path)
    config_a = tmp_path / "a" / "config.toml"  # A never sends: the push must cross from B
    config_a.parent.mkdir()
    config_a.write_text(config_b.read_text(encoding="utf-8").replace("poll_seconds = 2", "poll_seconds = 3600")
                        .replace('data_dir = "var"', f'data_dir = "{(tmp_path / "var").as_posix()}"'), encoding="utf-8")
    ports = free_port(), free_port()
    workers = [start([*SERVE, "serve", "--port", str(port), "--no-telegram"], db_url, config)
               for port, config in zip(ports, (config_a, config_b), strict=True)]
    a, b = (f"http://127.0.0.1:{port}" for port in ports)
    try:
        for base, worker in zip((a, b), workers, strict=True):
            await ready(base, worker, tmp_path / "processes.log")
        async with httpx.AsyncClient(base_url=a) as page:
            cookie = (await page.get("/")).cookies["ms_resident"]
        async with connect(a.replace("http", "ws") + "/ws", additional_headers={"Cookie": f"ms_resident={cookie}"},
                           open_timeout=20) as tab:
            assert json.loads(await tab.recv())["type"] == "history"
            case = await app.bus.handle(c.FileCase(
                actor="resident:web", text="幸福里3号楼漏水", channel="web", user_ref=user_ref_for(cookie),
                category="service", topic="城乡建设", classification_confirmed=True, grid_code="T01-C01-G01"))
            async with httpx.AsyncClient(base_url=b, cookies={STAFF_COOKIE: token}) as staff:
                accepted = await staff.post(f"/console/work/cases/{case.number}/accept",
                                            data={"csrf_token": session.csrf_token})
            assert accepted.status_code == 303
            expected = f"您的诉求 {case.number} 已由 试验社区居委会 签收，正在安排办理。"
            pushes = await _pushes(tab, until=expected)
        assert [p["text"] for p in pushes].count(expected) == 1
    finally:
        for worker in workers:
            stop(worker, signal.SIGTERM)


async def _pushes(tab, until: str, patience: float = 20, after: float = 2.5) -> list[dict]:  # type: ignore[no-untyped-def]
    """The pushes the tab receives until the one saying `until`, and for `after` seconds more (two
    outbox polls), so a duplicate would show."""
    received: list[dict] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience
    while (left := deadline - loop.time()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(tab.recv(), left))
        except TimeoutError:
            break
        if frame.get("type") == "push":
            received.append(frame)
            if frame["text"] == until:
                deadline = min(deadline, loop.time() + after)
    return received
