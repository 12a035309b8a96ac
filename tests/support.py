"""Test doubles and seed data shared by the test layers (all fictional, written for these tests)."""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.ports import DeliveryError, Notification
from storage.db import make_engine
from storage.models import DepartmentRow, GridRow, OutboxRow
from storage.schema import Base

if TYPE_CHECKING:
    from bot.bootstrap import App


class FakeClock:
    def __init__(self, start: datetime = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def advance(self, **kwargs: float) -> None:
        self.current += timedelta(**kwargs)


class RecordingNotifier:
    """A channel that records what it delivers, dedupes on the idempotency key, and can fail on cue."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.attempts = 0
        self.sent: list[Notification] = []

    async def send(self, notification: Notification) -> None:
        self.attempts += 1
        if self.failures > 0:
            self.failures -= 1
            raise DeliveryError("渠道暂时不可用")
        if all(n.key != notification.key for n in self.sent):
            self.sent.append(notification)


def _grid(code: str, name: str, worker: str) -> dict[str, object]:
    return {"code": code, "name": name, "community_code": "T01-C01", "community": "试验社区",
            "street_code": "T01", "street": "试验街道", "polygon": [], "worker": worker}


def _dept(code: str, name: str, level: str, area: str, **extra: object) -> dict[str, object]:
    return {"code": code, "name": name, "level": level, "area": area, "parent": "", "topics": [],
            "window": "", **extra}


GRIDS = [_grid("T01-C01-G01", "一网格", "张网格"), _grid("T01-C01-G02", "二网格", "李网格")]
DEPARTMENTS = [
    _dept("W-T01-C01-G01", "试验社区一网格", "grid", "T01-C01-G01"),
    _dept("W-T01-C01-G02", "试验社区二网格", "grid", "T01-C01-G02"),
    _dept("C-T01-C01", "试验社区居委会", "community", "T01-C01"),
    _dept("S-T01-DISPUTE", "试验街道矛盾纠纷调处窗口", "street", "T01", window="矛盾纠纷"),
    _dept("S-T01-GENERAL", "试验街道综合受理窗口", "street", "T01", window="综合受理"),
    _dept("B-HOUSING", "区住房和城乡建设局", "district", "QH", topics=["城乡建设"]),
    _dept("B-HRSS", "区人力资源和社会保障局", "district", "QH", topics=["劳动和社会保障"]),
    _dept("QH-DISPATCH", "区综治中心统一分拨", "district", "QH", window="统一分拨"),
]


async def seed_registry(sessions: async_sessionmaker[AsyncSession]) -> None:
    """A two-grid test registry, independent of the sample district files."""
    async with sessions() as session:
        session.add_all([GridRow(**g) for g in GRIDS])
        await session.flush()
        session.add_all([DepartmentRow(**d) for d in DEPARTMENTS])
        await session.commit()


async def enqueue(app: "App", *notifications: Notification) -> None:
    """Queue pushes in the SQL outbox as the lifecycle would, in one transaction."""
    async with app.uow() as uow:
        for n in notifications:
            await uow.outbox.add(n, app.policies.clock.now())
        await uow.commit()


async def outbox_rows(app: "App") -> list[OutboxRow]:
    async with app.sessions() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


_OWNED_SEQUENCES = text(
    "SELECT s.seqrelid::regclass::text, s.seqstart FROM pg_sequence s"
    " JOIN pg_depend d ON d.objid = s.seqrelid AND d.classid = 'pg_class'::regclass"
    " AND d.refclassid = 'pg_class'::regclass JOIN pg_class t ON t.oid = d.refobjid"
    " WHERE t.relname IN :tables"
).bindparams(bindparam("tables", expanding=True))


async def empty_postgres(url: str) -> None:
    """The database as the migrations left it: tables a test added (the scheduler's job store) gone,
    every table empty and every id sequence back at its start. DELETE rather than TRUNCATE, which
    writes new files for every table and waits for their fsync: about 0.3 s before each PostgreSQL
    test on this machine against 0.05 s."""
    engine = make_engine(url)
    tables = Base.metadata.sorted_tables
    known = {t.name for t in tables} | {"alembic_version"}
    try:
        async with engine.begin() as conn:
            present = await conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
            for name in sorted(set(present.scalars()) - known):
                await conn.execute(text(f'DROP TABLE "{name}" CASCADE'))
            for table in reversed(tables):
                await conn.execute(table.delete())
            sequences = await conn.execute(_OWNED_SEQUENCES, {"tables": [t.name for t in tables]})
            for name, start in sequences.all():
                await conn.execute(text("SELECT setval(CAST(:name AS regclass), :start, false)"),
                                   {"name": name, "start": start})
    finally:
        await engine.dispose()
