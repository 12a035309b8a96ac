"""Issue 6 acceptance: one case walks every path of department work, and the resident hears about
each step that concerns them, in order, exactly once (SQLite and PostgreSQL)."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.bootstrap import App
from handlers import commands as c
from handlers.case import Case
from handlers.deadlines import Duration
from handlers.errors import DomainError
from handlers.outbox import OutboxDeliverer, RetryPolicy
from handlers.ports import Notification
from handlers.status import Status
from handlers.supervision import SupervisionPolicy, timed_jobs
from tests.support import FakeClock, seed_registry

POLICY = SupervisionPolicy(remind_at=0.75, return_visit_days=3)


class Inbox:
    """The resident's phone: every push that arrives, duplicates included."""

    def __init__(self) -> None:
        self.received: list[Notification] = []

    async def send(self, notification: Notification) -> None:
        self.received.append(notification)


class Resident:
    def __init__(self, app: App, clock: FakeClock) -> None:
        self.inbox = Inbox()
        self.deliverer = OutboxDeliverer(app.uow, {"telegram": self.inbox}, clock, RetryPolicy())
        self.seen = 0

    async def new_pushes(self) -> list[str]:
        """Deliver everything due (twice over, to catch doubles) and return what arrived since last time."""
        for _ in range(2):
            while (await self.deliverer.deliver_due()).sent:
                pass
        fresh = self.inbox.received[self.seen :]
        self.seen = len(self.inbox.received)
        return [n.text for n in fresh]


@pytest.fixture
async def district(app: App) -> App:
    await seed_registry(app.sessions)
    return app


async def stored(app: App, number: str) -> Case:
    async with app.uow() as uow:
        return await uow.cases.get(number)


async def run_due_jobs(app: App, number: str) -> list[str]:
    """What the scheduler does at the fake clock's time: every timed job that is due, once."""
    case = await stored(app, number)
    ran = []
    for job in timed_jobs(case, POLICY):
        if job.at <= app.policies.clock.now():
            await app.bus.handle(job.command())
            ran.append(job.kind)
    return ran


def filing(user_ref: str = "tg:1001") -> c.FileCase:
    return c.FileCase(
        actor="resident", text="楼上邻居装修天天噪音，沟通无果", channel="telegram", user_ref=user_ref,
        category="dispute", topic="城乡建设", category_confidence=0.9, topic_confidence=0.8,
        grid_code="T01-C01-G01",
    )


async def test_a_case_walks_every_path_and_the_resident_hears_each_step_once(
    district: App, clock: FakeClock
) -> None:
    bus, resident = district.bus, Resident(district, clock)

    async def step(command: c.Command | None, *expected: str) -> None:
        if command is not None:
            clock.advance(minutes=10)
            await bus.handle(command)
        pushes = await resident.new_pushes()
        assert len(pushes) == len(expected), (command, pushes)
        for text, fragment in zip(pushes, expected, strict=True):
            assert fragment in text, (command, text)

    number = (await bus.handle(filing())).number
    await step(None, "已受理", "已派至 试验社区一网格")
    await step(c.ReturnCase("网格员张", number, "属地不符", "实为二网格"))
    await step(c.DispatchCase("分拨员", number, "W-T01-C01-G02"), "已派至 试验社区二网格")
    await step(c.AcceptCase("网格员李", number), "已由 试验社区二网格 签收")
    await step(c.AddNote("网格员李", number, "已上门了解情况"), "正在办理中：已上门了解情况")
    await step(c.RequestExtension("网格员李", number, Duration(5, False), "需协调物业"))
    await step(c.DecideExtension("督办员", number, approve=False, note="理由不充分"))
    await step(c.RequestExtension("网格员李", number, Duration(10, False), "物业负责人出差"))
    await step(c.DecideExtension("督办员", number, approve=True), "经审批延期 10 天，新的办理时限为 2026年12月22日")
    await step(c.TransferCase("网格员李", number, "W-T01-C01-G01", "经核实属一网格"), "已转至 试验社区一网格")

    # Nobody signs: 75% of the time → a reminder for the department only; past the deadline → 督办 + up.
    case = await stored(district, number)
    assert case.status is Status.DISPATCHED
    sign_by = case.sign_deadline
    assert sign_by is not None
    clock.current = sign_by - timedelta(hours=12)
    assert await run_due_jobs(district, number) == ["remind"]
    assert await run_due_jobs(district, number) == []
    await step(None)
    clock.current = sign_by + timedelta(minutes=1)
    assert await run_due_jobs(district, number) == ["overdue"]
    await step(None, "已升级至 试验社区居委会 督办")
    clock.current = (await stored(district, number)).sign_deadline + timedelta(minutes=1)  # type: ignore[operator]
    assert set(await run_due_jobs(district, number)) == {"remind", "overdue"}
    await step(None, "已升级至 试验街道矛盾纠纷调处窗口 督办")

    await step(c.AcceptCase("调处员王", number), "已由 试验街道矛盾纠纷调处窗口 签收")
    await step(c.ResolveCase("调处员王", number, "双方达成协议，装修避开午休"), "已办结。办理结果：双方达成协议")
    await step(c.RateCase("resident", number, 1, "还是吵"), "已重新交办 试验街道矛盾纠纷调处窗口")
    await step(c.AcceptCase("调处员王", number), "签收")
    await step(c.ResolveCase("调处员王", number, "再次上门，施工时间已公示"), "已办结")
    await step(c.RateCase("resident", number, 5), "已归档，感谢您的反映")

    case = await stored(district, number)
    assert case.status is Status.CLOSED and case.rating == 5
    assert case.escalation_count == 2 and case.return_count == 1 and case.reopen_count == 1
    assert [e.kind for e in case.events] == [
        "filed", "dispatched", "returned", "dispatched", "accepted", "started",
        "extension_requested", "extension_refused", "extension_requested", "extended", "transferred",
        "reminded", "overdue", "escalated", "reminded", "overdue", "escalated",
        "accepted", "resolved", "rated", "reopened", "accepted", "resolved", "rated", "closed",
    ]
    keys = [n.key for n in resident.inbox.received]
    assert len(keys) == len(set(keys)) == 15

    # The same resident's second case is never rated: 回访 times out and it is archived as 未评价.
    other = (await bus.handle(filing())).number
    await step(None, "已受理", "已派至")
    await step(c.AcceptCase("网格员张", other), "签收")
    await step(c.ResolveCase("网格员张", other, "已调解"), "已办结")
    clock.advance(days=2)
    assert await run_due_jobs(district, other) == []
    clock.advance(days=1, minutes=1)
    assert await run_due_jobs(district, other) == ["return_visit"]
    await step(None, "已归档，感谢您的反映")
    unrated = await stored(district, other)
    assert unrated.status is Status.CLOSED and unrated.rating is None
    assert "未评价" in unrated.events[-1].note
    assert await run_due_jobs(district, other) == []


async def test_timed_jobs_follow_the_case(district: App, clock: FakeClock) -> None:
    number = (await district.bus.handle(filing())).number
    case = await stored(district, number)
    jobs = {job.kind: job for job in timed_jobs(case, POLICY)}
    assert set(jobs) == {"remind", "overdue"} and jobs["overdue"].due == case.sign_deadline
    start = case.events[-1].at
    assert jobs["remind"].at == start + (case.sign_deadline - start) * 0.75  # type: ignore[operator]
    case = await district.bus.handle(c.AcceptCase("w", number))
    [due] = {job.due for job in timed_jobs(await stored(district, number), POLICY)}
    assert due == case.resolve_deadline
    await district.bus.handle(c.ResolveCase("w", number, "已处理"))
    [visit] = timed_jobs(await stored(district, number), POLICY)
    assert visit.kind == "return_visit" and visit.at == clock.now() + timedelta(days=3)
    await district.bus.handle(c.RateCase("r", number, 4))
    assert timed_jobs(await stored(district, number), POLICY) == []


async def test_stale_early_and_repeated_timed_commands_write_nothing(district: App, clock: FakeClock) -> None:
    number = (await district.bus.handle(filing())).number
    case = await stored(district, number)
    due = case.sign_deadline
    assert due is not None
    for command in (
        c.MarkOverdue("system", number, due),  # not due yet
        c.MarkOverdue("system", number, due + timedelta(days=1)),  # some other deadline
        c.RemindCase("system", number, due - timedelta(days=1)),
        c.CloseUnrated("system", number, clock.now()),  # not resolved
    ):
        assert len((await district.bus.handle(command)).events) == len(case.events)
    clock.current = due + timedelta(seconds=1)
    await district.bus.handle(c.MarkOverdue("system", number, due))
    again = await district.bus.handle(c.MarkOverdue("system", number, due))
    assert [e.kind for e in again.events].count("overdue") == 1


async def test_overdue_at_the_top_of_the_ladder_is_marked_once(district: App, clock: FakeClock) -> None:
    petition = c.FileCase(
        actor="r", text="社保局推诿不办", channel="telegram", user_ref="tg:7", category="petition",
        topic="劳动和社会保障", category_confidence=0.9, topic_confidence=0.9, grid_code="T01-C01-G01",
    )
    number = (await district.bus.handle(petition)).number
    case = await district.bus.handle(c.AcceptCase("w", number))
    assert case.level == "district"
    clock.current = case.resolve_deadline + timedelta(minutes=1)  # type: ignore[operator]
    assert set(await run_due_jobs(district, number)) == {"remind", "overdue"}
    case = await stored(district, number)
    assert case.status is Status.ACCEPTED and case.escalation_count == 0
    assert "最高层级" in case.events[-1].note and case.events[-1].kind == "overdue"
    assert await run_due_jobs(district, number) == []


async def test_a_reminder_that_fires_after_the_deadline_says_it_has_passed(district: App, clock: FakeClock) -> None:
    """One that fires in time asks to hurry; one that fires late (a scheduler that was down) asked the same
    of a time already past, beside the 超期 entry."""
    on_time, late = [(await district.bus.handle(filing())).number for _ in range(2)]
    for number in (on_time, late):
        case = await stored(district, number)
        due = case.sign_deadline
        assert due is not None
        clock.current = due - timedelta(hours=2) if number == on_time else due + timedelta(hours=2)
        await district.bus.handle(c.RemindCase("system", number, due))
    notes = [[e.note for e in (await stored(district, n)).events if e.kind == "reminded"] for n in (on_time, late)]
    assert "签收时限将于" in notes[0][0] and "请抓紧签收" in notes[0][0]
    assert "签收时限已于" in notes[1][0] and "将于" not in notes[1][0]


async def test_petition_extensions_stop_at_thirty_days(district: App) -> None:
    petition = c.FileCase(
        actor="r", text="社保局推诿不办", channel="telegram", user_ref="tg:8", category="petition",
        topic="劳动和社会保障", category_confidence=0.9, topic_confidence=0.9, grid_code="T01-C01-G01",
    )
    number = (await district.bus.handle(petition)).number
    accepted = await district.bus.handle(c.AcceptCase("w", number))
    with pytest.raises(DomainError, match="最长延期 30 天"):
        await district.bus.handle(c.RequestExtension("w", number, Duration(31, False), "案情复杂"))
    await district.bus.handle(c.RequestExtension("w", number, Duration(20, False), "需调取档案"))
    with pytest.raises(DomainError, match="已有待审批的延期申请"):
        await district.bus.handle(c.RequestExtension("w", number, Duration(5, False), "再延"))
    extended = await district.bus.handle(c.DecideExtension("s", number, approve=True))
    assert extended.resolve_deadline == accepted.resolve_deadline + timedelta(days=20)  # type: ignore[operator]
    with pytest.raises(DomainError, match="最长延期 30 天"):
        await district.bus.handle(c.RequestExtension("w", number, Duration(15, False), "仍需时间"))
    await district.bus.handle(c.RequestExtension("w", number, Duration(10, False), "最后一次"))
    with pytest.raises(DomainError, match="最长延期 30 天"):
        await district.bus.handle(c.DecideExtension("s", number, approve=True, duration=Duration(11, False)))
    with pytest.raises(DomainError, match="驳回延期必须说明理由"):
        await district.bus.handle(c.DecideExtension("s", number, approve=False))
    await district.bus.handle(c.DecideExtension("s", number, approve=False, note="已够用"))
    with pytest.raises(DomainError, match="没有待审批的延期申请"):
        await district.bus.handle(c.DecideExtension("s", number, approve=True))


async def test_supervision_notes_go_into_the_file(district: App) -> None:
    number = (await district.bus.handle(filing())).number
    case = await district.bus.handle(c.SuperviseCase("督办员", number, "请今日内联系当事人"))
    assert (case.events[-1].kind, case.events[-1].note) == ("supervised", "请今日内联系当事人")
    with pytest.raises(DomainError, match="督办意见不能为空"):
        await district.bus.handle(c.SuperviseCase("督办员", number, " "))


async def test_a_deadline_in_an_unannounced_year_is_marked_as_estimated(district: App, clock: FakeClock) -> None:
    clock.current = datetime(2026, 12, 30, 2, 0, tzinfo=UTC)
    service = c.FileCase(
        actor="r", text="小区路灯坏了", channel="telegram", user_ref="tg:9", category="service",
        topic="城乡建设", category_confidence=0.9, topic_confidence=0.9, grid_code="T01-C01-G01",
    )
    number = (await district.bus.handle(service)).number
    case = await district.bus.handle(c.AcceptCase("w", number))
    assert case.resolve_deadline == datetime(2027, 1, 7, 15, 59, 59, tzinfo=UTC)
    assert "备用节假日表" in case.events[-1].note
