"""Who may run the scheduler: a lease that dies with its holder, so a standby can take over.

PostgreSQL: a session-level advisory lock on a connection of its own; when the holder's process
dies, its session ends and the lock is free. SQLite serves one process: an flock on a file beside
the database keeps a second process (a stray `minsheng` command) from running jobs twice.
"""

import fcntl
import hashlib
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import NullPool

from storage.db import make_engine

# One fixed 64-bit key per deployment database, derived from a name so it is easy to recognise.
LOCK_KEY = int.from_bytes(hashlib.sha256(b"minsheng:scheduler").digest()[:8], "big", signed=True)


class Lease(Protocol):
    async def acquire(self) -> bool: ...

    async def held(self) -> bool: ...

    async def release(self) -> None: ...


class AdvisoryLease:
    def __init__(self, database_url: str) -> None:
        self.engine = make_engine(database_url, poolclass=NullPool)
        self.connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        try:
            self.connection = self.connection or await self.engine.connect()
            got = (await self.connection.execute(select(func.pg_try_advisory_lock(LOCK_KEY)))).scalar_one()
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
                await self.connection.execute(select(func.pg_advisory_unlock(LOCK_KEY)))
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


def open_lease(database_url: str) -> Lease:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return AdvisoryLease(database_url)
    if not url.database or url.database == ":memory:":
        raise ValueError("调度器需要持久化的数据库文件（内存数据库无法保存定时任务）")
    return FileLease(Path(url.database).with_suffix(".scheduler.lock"))
