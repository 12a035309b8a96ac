"""PostgreSQL connections are pinged only after sitting idle (storage.db._ping_if_idle): an idle
connection the server dropped is replaced unseen, and one dropped under steady use costs a single
failed statement, after which the pool has reconnected."""

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from storage import db

pytestmark = pytest.mark.postgres


def drop_connections(url: str) -> None:
    """What a restart of the database server does to every client connection."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/test"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s"
                     " AND pid <> pg_backend_pid()", (name,))


async def one(engine: db.AsyncEngine) -> int:
    async with engine.connect() as conn:
        return int((await conn.execute(text("SELECT 1"))).scalar_one())


async def test_an_idle_connection_the_server_dropped_is_replaced_unseen(
        postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = db.make_engine(postgres_url)
    try:
        assert await one(engine) == 1
        drop_connections(postgres_url)
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # as if it had sat idle for a while
        assert await one(engine) == 1
    finally:
        await engine.dispose()


async def test_a_connection_dropped_while_in_steady_use_fails_one_statement_then_reconnects(
        postgres_url: str) -> None:
    engine = db.make_engine(postgres_url)
    try:
        assert await one(engine) == 1
        drop_connections(postgres_url)
        with pytest.raises(DBAPIError) as failed:
            await one(engine)
        assert failed.value.connection_invalidated
        assert await one(engine) == 1
    finally:
        await engine.dispose()
