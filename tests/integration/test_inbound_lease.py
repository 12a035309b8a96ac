"""A claimed message is a lease (issue 12): a turn whose process died is run again by the next
delivery after `[dialogue] turn_lease_seconds`, never sooner, and what it did before dying
(a case filed, cancelled, rated, words added) happens once; a finished turn answers again."""

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import func, select

from bot.bootstrap import App, build_app
from bot.dialogue_root import build_dialogue
from bot.settings import Settings
from flows.dialogue import GAVE_UP, Dialogue
from flows.messages import Inbound
from handlers import commands as c
from handlers.ports import SystemClock
from handlers.status import Status
from storage.conversation_store import SqlConversationStore
from storage.db import make_engine, session_factory
from storage.migrate import alembic_config, upgrade
from storage.models import CaseEventRow, OutboxRow
from tests.conversations.kit import load_sample_district
from tests.support import FakeClock, seed_registry

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=20)
INTAKE = ["对门邻居把鞋柜杂物堆在公共楼道，说了不听，两家为这事吵了好几回", "对", "幸福里小区", "不留电话"]


async def test_an_unfinished_claim_is_taken_over_after_the_lease_and_not_before(db_url: str) -> None:
    engine = make_engine(db_url)
    store = SqlConversationStore(session_factory(engine))
    assert (await store.begin("web", "m1", "w-1", NOW, LEASE)).attempt == 1
    assert (await store.begin("web", "m1", "w-1", NOW + LEASE - timedelta(seconds=1), LEASE)).replies is None
    taken = await store.begin("web", "m1", "w-1", NOW + LEASE, LEASE)
    assert (taken.attempt, taken.state, taken.version) == (2, None, 0)
    # the takeover renewed the lease, and the dead attempt's late failure does not drop it
    await store.release("web", "m1", 1)
    assert (await store.begin("web", "m1", "w-1", NOW + LEASE + timedelta(seconds=5), LEASE)).attempt == 0
    replies = [{"text": "您好", "choices": []}]
    await store.finish(channel="web", user_ref="w-1", message_id="m1", state={"step": "idle"}, version=0,
                       said="你好", replies=replies, at=NOW + LEASE)
    later = await store.begin("web", "m1", "w-1", NOW + 10 * LEASE, LEASE)
    assert (later.attempt, later.replies) == (0, replies)
    await engine.dispose()


async def test_claims_stored_before_leases_keep_their_replies_or_are_run_again(db_url: str) -> None:
    old = sa.table("processed_inbound", sa.column("channel"), sa.column("message_id"), sa.column("user_ref"),
                   sa.column("replies", sa.JSON), sa.column("created_at", sa.DateTime(timezone=True)))
    try:
        await asyncio.to_thread(command.downgrade, alembic_config(db_url), "0006")
        engine = make_engine(db_url)
        async with engine.begin() as conn:
            await conn.execute(sa.insert(old), [
                {"channel": "web", "message_id": "answered", "user_ref": "w-1", "replies": [{"text": "好的"}],
                 "created_at": NOW},
                {"channel": "web", "message_id": "died", "user_ref": "w-1", "replies": [], "created_at": NOW},
            ])
        await engine.dispose()
    finally:
        upgrade(db_url)  # the database is shared with later tests: leave it at head whatever happens
    engine = make_engine(db_url)
    store = SqlConversationStore(session_factory(engine))
    assert (await store.begin("web", "answered", "w-1", NOW + LEASE, LEASE)).replies == [{"text": "好的"}]
    assert (await store.begin("web", "died", "w-1", NOW + LEASE, LEASE)).attempt == 2
    await engine.dispose()


class FrozenAtFinish(SqlConversationStore):
    """A process that stops for good once its turn's commands have run: it never saves the turn."""

    async def finish(self, **turn: Any) -> bool:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


class SlowSecondLook(SqlConversationStore):
    """A database under load: the second look at a claim answers a second after the time it was
    asked with, past the end of a one-second wait."""

    looks = 0

    async def begin(self, *args: Any, **kwargs: Any) -> Any:
        self.looks += 1
        if self.looks == 2:
            await asyncio.sleep(1.0)
        return await super().begin(*args, **kwargs)


async def _count(app: App, model: Any, *where: Any) -> int:
    async with app.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


async def _until_case(app: App, user_ref: str, status: Status | None = None) -> str:
    for _ in range(200):
        async with app.uow() as uow:
            found = await uow.cases.find(channel="test", user_ref=user_ref)
        if found and (status is None or found[0].status is status):
            return found[0].number
        await asyncio.sleep(0.05)
    raise AssertionError("the first run never got as far as the command")


async def _dies_after_the_command(dying: Dialogue, alive: Dialogue, clock: FakeClock, inbound: Inbound,
                                  app: App, status: Status | None) -> tuple[str, list[str]]:
    """Run `inbound` in a process that dies before saving, then deliver it again to another one
    once the lease has lapsed: (the case number, what the second delivery answered)."""
    first = asyncio.create_task(dying.handle(inbound))
    number = await _until_case(app, inbound.user_ref, status)
    early = await alive.handle(inbound)  # the lease is live: waits a lease, then says so
    assert "正在处理" in early[0].text
    clock.advance(seconds=alive.config.turn_lease_seconds)
    again = await alive.handle(inbound)
    first.cancel()
    with pytest.raises(asyncio.CancelledError):
        await first
    assert [r.text for r in await alive.handle(inbound)] == [r.text for r in again]  # finished: replayed
    return number, [r.text for r in again]


@pytest.fixture
async def two_processes(db_url: str, script_settings: Settings, analyzer: Any) -> Any:
    """Two dialogues on one database, as two server processes: the first dies mid-turn."""
    await load_sample_district(db_url)
    clock = FakeClock()
    settings = replace(script_settings, database_url=db_url)
    apps = [build_app(settings, clock=clock) for _ in range(2)]
    dialogues = [await build_dialogue(a, analyzer) for a in apps]
    fast = replace(dialogues[1].config, turn_lease_seconds=0.4)  # how long the early redelivery waits
    dying = replace(dialogues[0], store=FrozenAtFinish(apps[0].sessions), config=fast)
    yield dying, replace(dialogues[1], config=fast), clock, apps[1]
    for a in apps:
        await a.close()


async def test_a_crash_after_filing_files_once_and_the_redelivery_tells_the_number(two_processes: Any) -> None:
    dying, alive, clock, app = two_processes
    for index, text in enumerate(INTAKE):
        await alive.handle(Inbound("test", "r1", f"m{index}", text=text))
    number, said = await _dies_after_the_command(dying, alive, clock, Inbound("test", "r1", "m-ok", text="确认提交"),
                                                 app, None)
    assert f"诉求编号 {number}" in said[0]
    assert await _count(app, OutboxRow, OutboxRow.case_number == number, OutboxRow.status == "pending") == 0
    async with app.uow() as uow:
        assert len(await uow.cases.find(channel="test", user_ref="r1")) == 1


async def test_a_crash_after_cancelling_cancels_once_and_the_redelivery_says_so(two_processes: Any) -> None:
    dying, alive, clock, app = two_processes
    for index, text in enumerate([*INTAKE, "确认提交", "问题已经解决了，我要撤销"]):
        await alive.handle(Inbound("test", "r2", f"m{index}", text=text))
    number, said = await _dies_after_the_command(dying, alive, clock, Inbound("test", "r2", "m-yes", text="确定撤销"),
                                                 app, Status.CANCELLED)
    assert said[0] == f"诉求 {number} 已撤销。如有需要，欢迎随时再次反映。"
    assert await _count(app, CaseEventRow, CaseEventRow.kind == "cancelled") == 1


@pytest.fixture
async def district(app: App) -> App:
    await seed_registry(app.sessions)
    return app


async def test_a_resident_command_sent_twice_with_one_request_has_its_effect_once(district: App) -> None:
    bus = district.bus
    case = await bus.handle(c.FileCase(actor="resident", text="楼道灯坏了", channel="test", user_ref="r3",
                                       category="service", topic="城乡建设", category_confidence=0.9,
                                       topic_confidence=0.9, grid_code="T01-C01-G01"))
    for _ in range(2):
        await bus.handle(c.AddInfo("resident", case.number, "晚上完全看不见", request="test/r3/m1#0"))
    await bus.handle(c.AddInfo("resident", case.number, "晚上完全看不见", request="test/r3/m2#0"))
    await bus.handle(c.AcceptCase("grid", case.number))
    await bus.handle(c.ResolveCase("grid", case.number, "已更换灯泡"))
    for _ in range(2):
        rated = await bus.handle(c.RateCase("resident", case.number, 5, "很快", request="test/r3/m3#0"))
    assert rated.status is Status.CLOSED
    async with district.uow() as uow:
        kinds = [e.kind for e in (await uow.cases.get(case.number)).events]
    assert kinds.count("info_added") == 2 and kinds.count("rated") == 1 and kinds.count("closed") == 1


async def test_a_look_that_straddles_the_end_of_the_lease_looks_again_and_takes_the_turn_over(
    two_processes: Any,
) -> None:
    """The fault campaign's lost message: a restart answered a resend while the dead turn's lease
    still had a moment to run, and the look that ran past the wait's end had asked before it."""
    _, alive, _, app = two_processes
    clock = SystemClock()
    patient = replace(alive, store=SlowSecondLook(app.sessions), clock=clock,
                      config=replace(alive.config, turn_lease_seconds=1.0))
    died = await SqlConversationStore(app.sessions).begin("test", "m-died", "r4", clock.now(), timedelta(seconds=1))
    assert died.attempt == 1
    said = await patient.handle(Inbound("test", "r4", "m-died", text=INTAKE[0]))
    assert "正在处理" not in said[0].text
    assert (await patient.handle(Inbound("test", "r4", "m-died", text=INTAKE[0]))) == said


async def test_a_message_whose_turn_keeps_dying_is_answered_and_not_run_again(two_processes: Any) -> None:
    """A message that kills its process would otherwise be run again, and kill again, at every
    redelivery: after `max_turn_attempts` dead turns it is answered with an apology instead."""
    _, alive, clock, app = two_processes
    await alive.handle(Inbound("test", "r5", "m-before", text=INTAKE[0]))
    state_before = (await SqlConversationStore(app.sessions).begin("test", "m-look", "r5", clock.now(), LEASE)).state

    async def poison(text: str) -> Any:
        raise AssertionError("a message given up on must not be understood again")

    patient = replace(alive, understand=poison, config=replace(alive.config, max_turn_attempts=3))
    store = SqlConversationStore(app.sessions)
    lease = timedelta(seconds=patient.config.turn_lease_seconds)
    for dead in range(3):  # run, then taken over twice, each time dying with its process
        clock.advance(seconds=lease.total_seconds())
        assert (await store.begin("test", "m-poison", "r5", clock.now(), lease)).attempt == dead + 1
    clock.advance(seconds=lease.total_seconds())
    said = await patient.handle(Inbound("test", "r5", "m-poison", text="某条总让进程崩溃的消息"))
    assert [r.text for r in said] == [GAVE_UP]
    assert await patient.handle(Inbound("test", "r5", "m-poison", text="某条总让进程崩溃的消息")) == said
    history = await store.history("test", "r5")
    assert [(h.direction, h.text) for h in history[-2:]] == [("in", "某条总让进程崩溃的消息"), ("out", GAVE_UP)]
    after = await store.begin("test", "m-look-again", "r5", clock.now(), LEASE)
    assert after.state == state_before  # the intake in progress is where it was
