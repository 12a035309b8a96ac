"""Engines for the two supported databases, from plain SQLAlchemy URLs.

Operators write `sqlite:///var/x.db` or `postgresql://host/db`; the app picks the async driver
so that the same URL also works for Alembic and for the sync tools people already use.
"""

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, overload

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage import sqlite_driver

_ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+asyncpg"}
BUSY_TIMEOUT_SECONDS = 30  # how long a SQLite statement waits for another process's write lock


_UNMIGRATED_SQLITE = ("no such table", "no such column", "has no column named")
_UNMIGRATED_POSTGRESQL = {"42P01", "42703"}  # undefined_table, undefined_column


class DatabaseUrlError(ValueError):
    pass


def unmigrated(exc: BaseException) -> bool:
    """Does a database error say that a table or column the code uses is missing? Then the database
    was never created or is behind the code's migrations, which `minsheng db upgrade` mends; it is
    not down."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _UNMIGRATED_POSTGRESQL:
        return True
    return type(orig).__module__ == "sqlite3" and any(words in str(orig) for words in _UNMIGRATED_SQLITE)


def async_url(url: str | URL) -> URL:
    """Map a plain or sync URL to its async driver; refuse backends we do not support."""
    try:
        parsed = make_url(url) if isinstance(url, str) else url
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy raises several types for a bad URL
        raise DatabaseUrlError(f"数据库地址格式不正确：{url}") from exc
    backend = parsed.get_backend_name()
    if backend not in _ASYNC_DRIVERS:
        raise DatabaseUrlError(f"不支持的数据库类型：{backend}（支持 sqlite 与 postgresql）")
    return parsed.set(drivername=_ASYNC_DRIVERS[backend])


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | URL, **kwargs: object) -> AsyncEngine:
    """An async engine; SQLite files get their folder, WAL mode, foreign keys, a busy timeout (for
    other processes: the CLI, the scheduler's job store), one connection per process and the
    one-trip driver (storage/sqlite_driver.py)."""
    target = async_url(url)
    if target.get_backend_name() == "sqlite":
        database = target.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            if "poolclass" not in kwargs:
                # Every transaction takes the write lock (below), so a second connection would only
                # wait in SQLite's busy handler, which sleeps in steps and leaves the lock idle; one
                # connection queues the transactions in the event loop, first come first served.
                kwargs.update(pool_size=1, max_overflow=0)
        kwargs.setdefault("async_creator", lambda: sqlite_driver.connect(database or ":memory:", BUSY_TIMEOUT_SECONDS))
        engine = create_async_engine(target, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin_immediate)
        return engine
    engine = create_async_engine(target, **kwargs)
    event.listen(engine.sync_engine, "checkin", _checked_in)
    event.listen(engine.sync_engine, "checkout", _ping_if_idle)
    return engine


def make_sync_engine(url: str | URL) -> Engine:
    """A synchronous engine on the same database, for libraries that call it from their own threads
    (APScheduler's job store, wechatpy's token storage)."""
    target = async_url(url)
    if target.get_backend_name() == "postgresql":
        return create_engine(target.set(drivername="postgresql+psycopg"), pool_pre_ping=True)
    return create_engine(target.set(drivername="sqlite"), connect_args={"timeout": BUSY_TIMEOUT_SECONDS})


def conflict_dialect(name: str) -> Any:
    """The dialect module whose `insert` knows ON CONFLICT (upserts, insert-if-absent) on backend `name`."""
    return sqlite if name == "sqlite" else postgresql


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """An INSERT that knows ON CONFLICT on the session's backend."""
    return conflict_dialect(session.bind.dialect.name).insert(table)


def to_utc(value: datetime) -> datetime:
    """Times are stored in UTC: SQLite keeps no offset."""
    return value.astimezone(UTC)


@overload
def from_db(value: datetime) -> datetime: ...
@overload
def from_db(value: None) -> None: ...
def from_db(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


IDLE_PING_SECONDS = 10.0


def _checked_in(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
    record.info["checked_in"] = time.monotonic()


def _ping_if_idle(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
    """pool_pre_ping's round trip, only for a PostgreSQL connection that sat idle in the pool for
    IDLE_PING_SECONDS: pinging at every checkout was about a tenth of a turn's database calls and
    doubled the open-loop p95 (bench/web.py: 318-322 ms against 125-214 ms). A dropped idle
    connection is replaced unseen (DisconnectionError makes the pool take another); if the server
    restarts under steady load, the first statement on a dropped connection fails instead, which
    also discards the pool's other connections, and the turn it belonged to is answered as failed
    and handled afresh when the resident sends again."""
    idle_since = record.info.get("checked_in")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means this connection is gone
        raise DisconnectionError(f"an idle connection no longer answers: {exc}") from exc


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # We issue BEGIN ourselves (below), so the driver must not start transactions on its own.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin_immediate(connection) -> None:  # type: ignore[no-untyped-def]
    """Take the write lock up front: a read-then-write transaction that upgrades its lock later
    fails at once with "database is locked" instead of waiting its turn. The driver sends it with
    the transaction's first statement (storage/sqlite_driver.py)."""
    connection.connection.driver_connection.begin_immediate()
