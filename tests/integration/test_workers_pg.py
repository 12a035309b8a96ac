"""Several workers on PostgreSQL: outbox claims never overlap, and the scheduler fails over."""

import asyncio
import json
import signal
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.bootstrap import App
from handlers import commands as c
from handlers.ports import Notification
from handlers.status import Status
from storage.models import OutboxRow
from tests.integration.processes import drop_jobs_table, fast_config, start, start_scheduler, stop, until
from tests.support import FakeClock, seed_registry

pytestmark = [pytest.mark.postgres, pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)]

WORKER = """
import asyncio, json, sys, time
from pathlib import Path
from sqlalchemy import func, select
from bot.bootstrap import build_app
from bot.settings import load_settings
from storage.models import OutboxRow

class Record:
    def __init__(self, path):
        self.out = open(path, "a", buffering=1)

    async def send(self, n):
        self.out.write(json.dumps([n.key, n.recipient, time.time_ns()]) + "\\n")

async def main():
    out, go = sys.argv[1], Path(sys.argv[2])
    app = build_app(load_settings(), notifiers={"telegram": Record(out)})
    deliverer = app.deliverer()
    async with app.sessions() as s:  # connected, as well as imported, before it says it is ready
        await s.execute(select(func.count()).select_from(OutboxRow))
    Path(out + ".ready").touch()
    while not go.exists():
        await asyncio.sleep(0.01)
    while True:
        if (await deliverer.deliver_due(limit=20)).sent == 0:
            async with app.sessions() as s:
                left = (await s.execute(select(func.count()).where(OutboxRow.status == "pending"))).scalar_one()
            if not left:
                break
            await asyncio.sleep(0.01)
    await app.close()

asyncio.run(main())
"""
RECIPIENTS, PER_RECIPIENT = 200, 5


async def test_two_worker_processes_deliver_a_thousand_pushes_once_each_in_order(
    app: App, db_url: str, tmp_path: Path
) -> None:
    async with app.uow() as uow:
        for seq in range(1, PER_RECIPIENT + 1):
            for r in range(RECIPIENTS):
                key = f"MS-{r:04d}/{seq}"
                await uow.outbox.add(Notification(key, f"MS-{r:04d}", "telegram", f"tg:{r}", "进展"), datetime.now(UTC))
        await uow.commit()
    config, go = fast_config(tmp_path), tmp_path / "go"
    outputs = [tmp_path / f"worker{i}.jsonl" for i in range(2)]
    workers = [start(["-c", WORKER, str(out), str(go)], db_url, config) for out in outputs]
    try:
        async def both_ready() -> bool:  # both processes have imported and built the app: they start together
            return all(Path(f"{out}.ready").exists() for out in outputs)

        await until(both_ready, timeout=60)
        go.touch()
        for worker in workers:
            assert await asyncio.to_thread(worker.wait, 60) == 0
    finally:
        for worker in workers:
            stop(worker, signal.SIGKILL)

    sent = [[json.loads(line) for line in out.read_text().splitlines()] for out in outputs]
    keys = [key for lines in sent for key, _, _ in lines]
    assert len(keys) == len(set(keys)) == RECIPIENTS * PER_RECIPIENT
    assert all(len(lines) > 100 for lines in sent), [len(lines) for lines in sent]
    by_recipient: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for lines in sent:
        for key, recipient, at in lines:
            by_recipient[recipient].append((at, key))
    for recipient, pushes in by_recipient.items():
        assert [key for _, key in sorted(pushes)] == sorted(key for _, key in pushes), recipient
    async with app.sessions() as session:
        states = (await session.execute(
            select(OutboxRow.status, OutboxRow.attempts, func.count()).group_by(OutboxRow.status, OutboxRow.attempts)
        )).all()
    assert states == [("sent", 1, RECIPIENTS * PER_RECIPIENT)]


async def test_a_killed_scheduler_is_replaced(app: App, db_url: str, clock: FakeClock, tmp_path: Path) -> None:
    drop_jobs_table(db_url)
    await seed_registry(app.sessions)
    config = fast_config(tmp_path)
    first = start_scheduler(db_url, config)
    second = None
    try:
        await until(lambda: _advisory_locks(app, 1))
        second = start_scheduler(db_url, config)
        await asyncio.sleep(1.5)  # the second process is up, tries the lock, and stands by
        assert await _advisory_locks(app, 1)
        stop(first, signal.SIGKILL)

        # Work that falls due only now must be done by the survivor.
        clock.current = datetime.now(UTC) - timedelta(days=4)
        filed = await app.bus.handle(c.FileCase(
            actor="r", text="楼道灯坏了", channel="telegram", user_ref="tg:5", category="dispute",
            topic="城乡建设", category_confidence=0.9, topic_confidence=0.9, grid_code="T01-C01-G01",
        ))
        for command in (c.AcceptCase("w", filed.number), c.ResolveCase("w", filed.number, "已修好")):
            await app.bus.handle(command)
        clock.current = datetime.now(UTC)
        await until(lambda: _closed(app, filed.number))
        assert await _advisory_locks(app, 1)
    finally:
        stop(first, signal.SIGKILL)
        if second is not None:
            assert stop(second) == 0


async def _advisory_locks(app: App, expected: int) -> bool:
    query = text(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    async with app.engine.connect() as conn:
        return (await conn.execute(query)).scalar_one() == expected


async def _closed(app: App, number: str) -> bool:
    async with app.uow() as uow:
        return (await uow.cases.get(number)).status is Status.CLOSED
