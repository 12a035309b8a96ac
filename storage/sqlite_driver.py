"""aiosqlite with one trip to its thread per statement instead of four.

SQLAlchemy's aiosqlite adapter opens a cursor, executes, fetches and closes, each an await on
aiosqlite's worker thread; it ends every transaction twice (the session's rollback or commit, then
the pool's reset on return), and our BEGIN IMMEDIATE was a statement of its own. A turn ran about
eight statements in some fifty such trips, each a thread switch and an event-loop wake-up; under
load every trip also waits behind whatever else the loop has ready, so a flood of handshakes
stretched a resident's turn by the number of trips it made. Here a statement's cursor work runs in
one trip, the transaction's BEGIN IMMEDIATE rides with its first statement, and ending a
transaction that sent nothing, or is not open (SQLite's autocommit state, read on the
connection), makes none: about fifteen trips a turn. bench/web.py on SQLite, alternating runs on
7 Dec: steady closed loop 73–80 → 90–105 turns/s, a known resident's quiet p95 24–29 → 19–20 ms.
"""

import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import aiosqlite


class OneTripConnection(aiosqlite.Connection):
    """What SQLAlchemy's adapter expects of an aiosqlite connection, with cheaper cursors."""

    _begin_pending = False

    def cursor(self) -> "OneTripCursor":  # type: ignore[override]
        return OneTripCursor(self)

    def begin_immediate(self) -> None:
        """BEGIN IMMEDIATE, sent in the trip of the transaction's first statement."""
        self._begin_pending = True

    async def commit(self) -> None:
        if self._ended_unopened():
            return
        await super().commit()

    async def rollback(self) -> None:
        if self._ended_unopened():
            return
        await super().rollback()

    def _ended_unopened(self) -> bool:
        """Is this transaction's end a no-op: begun but no statement sent, or never begun?"""
        pending, self._begin_pending = self._begin_pending, False
        return pending or not self._conn.in_transaction

    async def in_thread(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run `work` on the connection in aiosqlite's worker thread (pinned aiosqlite: `_execute`),
        after a pending BEGIN IMMEDIATE."""
        begin, self._begin_pending = self._begin_pending, False
        return await self._execute(_begun, self._conn, work) if begin else await self._execute(work, self._conn)


class OneTripCursor:
    """Runs a statement and fetches all its rows in one trip; rows are then served from memory, as
    the adapter does for every cursor that is not server-side anyway."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> "OneTripCursor":
        return self

    async def __aexit__(self, *_: object) -> None:
        return None

    async def execute(self, sql: str, parameters: Any = ()) -> "OneTripCursor":
        self._take(await self._connection.in_thread(lambda conn: _execute(conn, "execute", sql, parameters)))
        return self

    async def executemany(self, sql: str, parameters: Sequence[Any]) -> "OneTripCursor":
        self._take(await self._connection.in_thread(lambda conn: _execute(conn, "executemany", sql, parameters)))
        return self

    def _take(self, outcome: tuple[Any, int, int | None, list[Any]]) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows = outcome

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def close(self) -> None:
        self._rows = []


def _begun(conn: sqlite3.Connection, work: Callable[[sqlite3.Connection], Any]) -> Any:
    conn.execute("BEGIN IMMEDIATE")
    return work(conn)


def _execute(conn: sqlite3.Connection, how: str, sql: str, parameters: Any) -> tuple[Any, int, int | None, list[Any]]:
    cursor = conn.cursor()
    try:
        getattr(cursor, how)(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def connect(database: str, timeout: float) -> OneTripConnection:
    """An awaitable connection, for create_async_engine's `async_creator`. The sqlite3 connection is
    used from the event loop's thread only to read whether a transaction is open, never while a
    statement runs (a pooled connection serves one session at a time)."""
    connection = OneTripConnection(lambda: sqlite3.connect(database, timeout=timeout, check_same_thread=False), 64)
    connection._thread.daemon = True  # as SQLAlchemy sets it for aiosqlite.connect: exiting never waits on it
    return connection
