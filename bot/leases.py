"""Who may run a one-per-deployment job (the scheduler, Telegram polling): a lease that dies with its
holder, so a standby can take over.

PostgreSQL: a session-level advisory lock on a connection of its own; when the holder's process
dies, its session ends and the lock is free. SQLite serves one process: an flock on a file beside
the database keeps a second process (a stray `minsheng` command) from running jobs twice.
"""

import asyncio
import fcntl
import hashlib
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from storage.db import make_engine

def lock_key(name: str) -> int:
    """One fixed 64-bit advisory-lock key per job, derived from its name so it is easy to recognise."""
    return int.from_bytes(hashlib.sha256(f"minsheng:{name}".encode()).digest()[:8], "big", signed=True)



class Lease(Protocol):
    async def acquire(self) -> bool: ...

    async def held(self) -> bool: ...

    async def release(self) -> None: ...


class AdvisoryLease:
    def __init__(self, database_url: str, key: int) -> None:
        self.engine = make_engine(database_url, poolclass=NullPool)
        self.connection: AsyncConnection | None = None
        self.key = key

    async def acquire(self) -> bool:
        try:
            self.connection = self.connection or await self.engine.connect()
            got = (await self.connection.execute(select(func.pg_try_advisory_lock(self.key)))).scalar_one()
            await self.connection.commit()
        except Exception:  # noqa: BLE001 - an unreachable database means "not the leader", retried later
            await self._drop()
            return False
        if not got:
            await self._drop()
        return bool(got)

    async def held(self) -> bool:
        """True while our session (and so the lock) is alive; a lost connection means a lost lease."""
        if self.connection is None:
            return False
        try:
            await self.connection.execute(text("SELECT 1"))
            await self.connection.commit()
            return True
        except Exception:  # noqa: BLE001 - whatever broke the session also released the lock
            await self._drop()
            return False

    async def release(self) -> None:
        if self.connection is not None:
            try:
                await self.connection.execute(select(func.pg_advisory_unlock(self.key)))
                await self.connection.commit()
            except Exception:  # noqa: BLE001 - closing the session below releases it anyway
                pass
        await self._drop()
        await self.engine.dispose()

    async def _drop(self) -> None:
        if self.connection is not None:
            try:
                await self.connection.close()
            except Exception:  # noqa: BLE001 - the connection is already gone
                pass
            self.connection = None


class FileLease:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    async def acquire(self) -> bool:
        if self.fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    async def held(self) -> bool:
        return self.fd is not None

    async def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def open_lease(database_url: str, name: str = "scheduler") -> Lease:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return AdvisoryLease(database_url, lock_key(name))
    if not url.database or url.database == ":memory:":
        raise ValueError("调度器需要持久化的数据库文件（内存数据库无法保存定时任务）")
    return FileLease(Path(url.database).with_suffix(f".{name}.lock"))


async def while_leading(lease: Lease, stop: asyncio.Event, run: Callable[[asyncio.Event], Awaitable[None]],
                        standby_seconds: float = 5, check_seconds: float = 5) -> None:
    """Stand by until this process holds `lease`, then `run` until `stop` or the lease is lost (then
    stand by again); a worker that dies releases it and a standby takes over."""
    try:
        while not stop.is_set():
            if not await lease.acquire():
                await pause(stop, standby_seconds)
                continue
            leading = asyncio.Event()
            running = asyncio.create_task(run(leading))
            while not stop.is_set() and not running.done() and await lease.held():
                await pause(stop, check_seconds)
            leading.set()
            await asyncio.gather(running, return_exceptions=True)
    finally:
        await lease.release()


async def pause(stop: asyncio.Event, seconds: float) -> None:
    """Sleep `seconds`, or less if `stop` is set meanwhile (every background loop waits this way)."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
