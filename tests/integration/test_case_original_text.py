"""cases.original_text (migration 0005) on SQLite and PostgreSQL: cases filed before it keep their words,
hotline cases filed after it keep the caller's words beside the operator's write-up."""

import asyncio
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.bootstrap import build_app
from bot.scheduler import JOBS_TABLE
from bot.settings import Settings
from handlers import commands as c
from handlers.case import replay
from storage.db import make_engine
from storage.migrate import alembic_config, upgrade
from storage.schema import Base
from tests.support import FakeClock, seed_registry

BEFORE = "0004"
OLD_CASE = sa.table(
    "cases", *(sa.column(name) for name in ("number", "text", "channel", "user_ref", "anonymous",
                                            "classification_confirmed", "status", "return_count",
                                            "escalation_count", "reopen_count", "version")),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True)),
)


async def _columns(url: str) -> set[str]:
    engine = make_engine(url)
    async with engine.connect() as conn:
        names = await conn.run_sync(lambda sync: {col["name"] for col in sa.inspect(sync).get_columns("cases")})
    await engine.dispose()
    return names


async def test_the_migrations_build_the_tables_the_models_describe(db_url: str) -> None:
    engine = make_engine(db_url)
    async with engine.connect() as conn:
        diff = await conn.run_sync(lambda sync: compare_metadata(
            MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata))
    await engine.dispose()
    assert [d for d in diff if not (d[0] == "remove_table" and d[1].name == JOBS_TABLE)] == []


async def test_an_older_case_survives_the_migration_and_a_new_one_keeps_both_texts(
    db_url: str, settings: Settings
) -> None:
    at = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    try:
        await asyncio.to_thread(command.downgrade, alembic_config(db_url), BEFORE)
        assert "original_text" not in await _columns(db_url)
        engine = make_engine(db_url)
        async with engine.begin() as conn:
            await conn.execute(sa.insert(OLD_CASE).values(
                number="MS-20261120-0001", text="幸福里路灯不亮", channel="hotline", user_ref="", anonymous=True,
                classification_confirmed=False, status="received", return_count=0, escalation_count=0,
                reopen_count=0, version=1, created_at=at, updated_at=at))
        await engine.dispose()
    finally:
        upgrade(db_url)  # the database is shared with later tests: leave it at head whatever happens
    assert "original_text" in await _columns(db_url)
    app = build_app(settings, clock=FakeClock())
    try:
        await seed_registry(app.sessions)
        filed = await app.bus.handle(c.FileCase(
            actor="staff:operator", text="幸福里3号楼地下车库入口积水一周。", channel="hotline",
            user_ref="hotline:15901234567", phone="15901234567", grid_code="T01-C01-G01",
            original_text="喂，你好，我们幸福里3号楼地下车库入口积水一个星期了。159****4567。好，谢谢啊。"))
        async with app.uow() as uow:
            old = await uow.cases.get("MS-20261120-0001")
            new = await uow.cases.get(filed.number)
    finally:
        await app.close()
    assert (old.text, old.original_text, old.created_at) == ("幸福里路灯不亮", None, at)
    assert new.text == "幸福里3号楼地下车库入口积水一周。" and new.original_text.startswith("喂，你好")  # type: ignore[union-attr]
    assert replay(new.number, new.events).snapshot() == new.snapshot()  # the filing event carries it too
