"""Helpers for tests that run the scheduler or delivery workers as separate processes."""

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import text

from bot.scheduler import JOBS_TABLE, jobstore_engine

ROOT = Path(__file__).resolve().parents[2]


def fast_config(folder: Path) -> Path:
    """config.toml with a quick standby and planning pass, so things happen within a test's patience."""
    text = (ROOT / "config.toml").read_text(encoding="utf-8")
    text = text.replace("standby_seconds = 5", "standby_seconds = 0.3").replace("sync_seconds = 30", "sync_seconds = 0.5")
    path = folder / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def start(args: list[str], db_url: str, config: Path) -> subprocess.Popen[bytes]:
    """A Python process on the test database; its output goes to a log beside the config."""
    env = {**os.environ, "MINSHENG_DATABASE_URL": db_url, "MINSHENG_CONFIG": str(config)}
    with (config.parent / "processes.log").open("ab") as log:
        return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, stdout=log, stderr=log)


def start_scheduler(db_url: str, config: Path) -> subprocess.Popen[bytes]:
    return start(["-m", "bot.scheduler"], db_url, config)


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(20)


async def until(check: Callable[[], Awaitable[bool]], timeout: float = 20) -> None:
    for _ in range(int(timeout / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not reached in time")


def drop_jobs_table(db_url: str) -> None:
    """Scheduler tests start without stored jobs (the PostgreSQL test database outlives a test)."""
    engine = jobstore_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP TABLE IF EXISTS {JOBS_TABLE}"))
    engine.dispose()
