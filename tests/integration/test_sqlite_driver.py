"""The SQLite driver makes one trip to aiosqlite's thread per statement, none to end a transaction
that is not open, and still behaves as a DB-API cursor for SQLAlchemy (issue 16)."""

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine, session_factory
from storage.sqlite_driver import OneTripConnection


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The name of every function sent to a connection's worker thread."""
    sent: list[str] = []
    original = OneTripConnection._execute

    async def counted(self: OneTripConnection, fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        sent.append(getattr(fn, "__name__", type(fn).__name__))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(OneTripConnection, "_execute", counted)
    return sent


async def test_a_read_costs_one_trip_per_statement_and_one_to_end_it(tmp_path: Path, trips: list[str]) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'trips.db'}")
    sessions = session_factory(engine)
    async with sessions() as session:  # the first checkout connects and sets the pragmas
        await session.execute(text("SELECT 1"))
    trips.clear()
    async with sessions() as session:
        assert (await session.execute(text("SELECT 40 + 2"))).scalar_one() == 42
        assert (await session.execute(text("SELECT 'a' UNION SELECT 'b'"))).scalars().all() == ["a", "b"]
    # two statements (the first carries BEGIN IMMEDIATE) and the session's rollback; the pool's
    # reset finds nothing open
    assert len(trips) == 3, trips
    trips.clear()
    async with sessions.begin():  # begun, nothing sent: nothing to commit
        pass
    async with engine.connect() as connection:
        await connection.rollback()  # never begun
    assert trips == []
    await engine.dispose()


async def test_the_write_lock_is_taken_with_the_first_statement_of_a_transaction(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    engine = make_engine(f"sqlite:///{path}")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    async with session_factory(engine)() as session:
        await session.execute(text("SELECT 1"))  # a read, and still BEGIN IMMEDIATE before it
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")  # released when the session ended
    other.execute("ROLLBACK")
    other.close()
    await engine.dispose()


async def test_rows_counts_ids_batches_and_errors_are_those_of_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'cursor.db'}")
    sessions = session_factory(engine)
    async with sessions.begin() as session:
        await session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
        inserted = await session.execute(text("INSERT INTO t (name) VALUES ('一')"))
        assert inserted.lastrowid == 1
        await session.execute(text("INSERT INTO t (name) VALUES (:name)"), [{"name": "二"}, {"name": "三"}])
        assert (await session.execute(text("UPDATE t SET name = name || '号' WHERE id > 1"))).rowcount == 2
    with pytest.raises(IntegrityError):
        async with sessions.begin() as session:
            await session.execute(text("INSERT INTO t (name) VALUES ('四')"))
            await session.execute(text("INSERT INTO t (name) VALUES ('一')"))
    async with sessions() as session:  # the failed transaction left nothing behind
        names = (await session.execute(text("SELECT name FROM t ORDER BY id"))).scalars().all()
    assert names == ["一", "二号", "三号"]
    async with engine.connect() as connection:
        streamed = await connection.stream(text("SELECT id FROM t ORDER BY id"))
        assert [row.id async for row in streamed] == [1, 2, 3]
    await engine.dispose()
