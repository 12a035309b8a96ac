"""On a SQLite file every transaction takes the write lock, so the server keeps one connection and
queues its transactions in the event loop rather than in SQLite's sleeping busy handler (issue 16)."""

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.pool import NullPool

from storage.conversation_store import SqlConversationStore
from storage.db import make_engine, session_factory
from storage.migrate import upgrade

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)


async def test_concurrent_turns_on_a_sqlite_file_share_one_connection_in_turn(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    await asyncio.to_thread(upgrade, url)
    engine = make_engine(url)
    opened: list[object] = []
    event.listen(engine.sync_engine, "connect", lambda connection, _record: opened.append(connection))
    store = SqlConversationStore(session_factory(engine))
    claims = await asyncio.gather(*(store.begin("web", f"m{i}", f"r{i % 7}", NOW, timedelta(seconds=20))
                                    for i in range(40)))
    assert [c.attempt for c in claims] == [1] * 40
    assert len(opened) == 1
    await engine.dispose()


def test_memory_databases_and_engines_with_their_own_pool_keep_it(tmp_path: Path) -> None:
    assert type(make_engine("sqlite:///:memory:").pool).__name__ == "StaticPool"
    assert isinstance(make_engine(f"sqlite:///{tmp_path / 'lease.db'}", poolclass=NullPool).pool, NullPool)
