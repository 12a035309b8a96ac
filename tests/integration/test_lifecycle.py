"""The case lifecycle through the bus on a real database (SQLite and PostgreSQL)."""

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from bot.bootstrap import App
from handlers import commands as c
from handlers.case import Case, replay
from handlers.casework import directory_index
from handlers.errors import DomainError, IllegalTransition, RoutingError
from handlers.routing import suggest
from handlers.status import TRANSITIONS, Status
from storage.models import CaseEventRow, OutboxRow
from tests.support import FakeClock, seed_registry

GRID = "T01-C01-G01"


@pytest.fixture
async def district(app: App) -> App:
    await seed_registry(app.sessions)
    return app


def filing(**overrides: object) -> c.FileCase:
    values: dict[str, object] = dict(
        actor="resident", text="楼上邻居装修天天噪音，沟通无果", channel="telegram", user_ref="tg:1001",
        category="dispute", topic="城乡建设", category_confidence=0.9, topic_confidence=0.8, grid_code=GRID,
    )
    values.update(overrides)
    return c.FileCase(**values)  # type: ignore[arg-type]


async def stored(app: App, number: str) -> Case:
    async with app.uow() as uow:
        return await uow.cases.get(number)


async def outbox_texts(app: App) -> list[str]:
    async with app.sessions() as session:
        return list((await session.execute(select(OutboxRow.text).order_by(OutboxRow.id))).scalars())


async def test_confident_dispute_goes_to_the_grid_worker(district: App) -> None:
    case = await district.bus.handle(filing())
    assert case.number == "MS-20261127-0001"
    assert case.status is Status.DISPATCHED and case.department == "W-T01-C01-G01" and case.level == "grid"
    assert case.community == "试验社区" and case.street == "试验街道"
    assert case.sign_deadline is not None
    texts = await outbox_texts(district)
    assert texts[0].startswith("您的诉求已受理，编号 MS-20261127-0001")
    assert "已派至 试验社区一网格" in texts[1] and "15 天" in texts[1]


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"category_confidence": 0.2}, "置信度较低"),
        ({"grid_code": None}, "网格位置未确定"),
        ({"category": None}, "分类信息不完整"),
    ],
)
async def test_unsure_cases_go_to_the_dispatcher(district: App, overrides: dict, reason: str) -> None:
    case = await district.bus.handle(filing(**overrides))
    assert case.status is Status.PENDING_REVIEW and case.department == "QH-DISPATCH"
    assert reason in case.events[-1].note
    if case.category is None:  # the limits the department works to come from the category
        with pytest.raises(DomainError, match="还没有类别：类别决定签收和办结时限"):
            await district.bus.handle(c.DispatchCase("dispatcher", case.number, "C-T01-C01"))
        await district.bus.handle(c.ReclassifyCase("dispatcher", case.number, category="service"))
    dispatched = await district.bus.handle(c.DispatchCase("dispatcher", case.number, "C-T01-C01"))
    assert dispatched.status is Status.DISPATCHED and dispatched.department == "C-T01-C01"
    assert dispatched.sign_deadline is not None


async def test_a_dispatcher_places_an_unplaced_case_and_routing_follows_the_grid(district: App) -> None:
    unplaced = await district.bus.handle(filing(grid_code=None))
    assert unplaced.status is Status.PENDING_REVIEW and unplaced.grid_code is None
    async with district.uow() as uow:
        index = await directory_index(uow)
    assert suggest(unplaced, district.policies.routing, index) is None

    placed = await district.bus.handle(c.LocateCase("dispatcher", unplaced.number, "T01-C01-G02"))
    assert (placed.grid_code, placed.community, placed.street) == ("T01-C01-G02", "试验社区", "试验街道")
    assert placed.status is Status.PENDING_REVIEW and placed.events[-1].note == "未定位 → 试验街道试验社区二网格"
    assert suggest(placed, district.policies.routing, index).code == "W-T01-C01-G02"
    assert (await stored(district, unplaced.number)).grid_code == "T01-C01-G02"
    assert len(await outbox_texts(district)) == 1  # the resident heard of the filing, not of the office's bookkeeping

    for grid, refusal in (("T01-C01-G02", "已在试验街道试验社区二网格"), ("T09-C09-G09", "没有编号为 T09-C09-G09 的网格")):
        with pytest.raises(DomainError, match=refusal):
            await district.bus.handle(c.LocateCase("dispatcher", unplaced.number, grid))
    assert len((await stored(district, unplaced.number)).events) == len(placed.events)


async def test_a_matter_told_with_an_emergency_waits_for_a_dispatcher_marked(district: App) -> None:
    case = await district.bus.handle(filing(text="楼下饭店后厨着火了，以前就反映过他们乱接电线", emergency="119",
                                            classification_confirmed=True))
    assert case.status is Status.PENDING_REVIEW and case.department == "QH-DISPATCH"
    assert "提到紧急情况（已提示拨打 119）" in case.events[-1].note
    assert (await stored(district, case.number)).emergency == "119"
    async with district.uow() as uow:
        index = await directory_index(uow)
    assert suggest(case, district.policies.routing, index).code == "W-T01-C01-G01"  # where its words would go
    plain = await district.bus.handle(filing())
    assert plain.emergency is None
    with pytest.raises(DomainError, match="请说明解除紧急标记的原因"):
        await district.bus.handle(c.ClearEmergency("分拨员", case.number, " "))
    with pytest.raises(DomainError, match="没有紧急标记"):
        await district.bus.handle(c.ClearEmergency("分拨员", plain.number, "误报"))
    cleared = await district.bus.handle(c.ClearEmergency("分拨员", case.number, "电话核实为误报"))
    assert cleared.status is Status.PENDING_REVIEW and cleared.events[-1].note == "原提示拨打 119：电话核实为误报"
    assert (await stored(district, case.number)).emergency is None


async def test_a_chase_is_in_the_file_as_one_for_the_department_to_read(district: App) -> None:
    number = (await district.bus.handle(filing())).number
    chased = await district.bus.handle(c.AddInfo("resident", number, "都一个星期了，能不能催一下", chase=True))
    told = await district.bus.handle(c.AddInfo("resident", number, "晚上十点以后也吵"))
    assert chased.events[-1].note == "群众催办：都一个星期了，能不能催一下"
    assert told.events[-1].note == "晚上十点以后也吵"


async def test_confirmed_classification_is_routed_despite_low_confidence(district: App) -> None:
    case = await district.bus.handle(filing(category_confidence=0.2, classification_confirmed=True))
    assert case.status is Status.DISPATCHED


async def test_service_and_petition_rules(district: App) -> None:
    service = await district.bus.handle(filing(category="service", text="小区路灯坏了"))
    assert service.department == "C-T01-C01"
    petition = await district.bus.handle(filing(category="petition", topic="劳动和社会保障", text="社保局推诿"))
    assert petition.department == "B-HRSS"


async def test_full_path_and_replay(district: App, clock: FakeClock) -> None:
    number = (await district.bus.handle(filing())).number
    for command in (
        c.AcceptCase("网格员张", number),
        c.AddNote("网格员张", number, "已上门调解"),
        c.AddNote("网格员张", number, "双方同意装修避开午休"),
        c.ResolveCase("网格员张", number, "经调解，邻居承诺12:00-14:00不施工"),
        c.RateCase("resident", number, 5, "满意"),
    ):
        clock.advance(hours=3)
        await district.bus.handle(command)
    case = await stored(district, number)
    assert case.status is Status.CLOSED and case.rating == 5 and case.closed_at == clock.now()
    assert [e.kind for e in case.events] == [
        "filed", "dispatched", "accepted", "started", "noted", "resolved", "rated", "closed"
    ]
    assert replay(number, case.events).snapshot() == case.snapshot()
    texts = await outbox_texts(district)
    assert any("已办结" in t and "邻居承诺" in t for t in texts)
    assert texts[-1].endswith("已归档，感谢您的反映！")


async def test_low_rating_reopens_to_the_same_department(district: App) -> None:
    number = (await district.bus.handle(filing())).number
    for command in (c.AcceptCase("w", number), c.ResolveCase("w", number, "已处理"), c.RateCase("r", number, 1)):
        await district.bus.handle(command)
    case = await stored(district, number)
    assert case.status is Status.REOPENED and case.department == "W-T01-C01-G01" and case.reopen_count == 1
    assert (await district.bus.handle(c.AcceptCase("w", number))).status is Status.ACCEPTED


async def test_returns_are_counted_and_redispatched(district: App) -> None:
    number = (await district.bus.handle(filing())).number
    for dept in ("C-T01-C01", "S-T01-DISPUTE"):
        returned = await district.bus.handle(c.ReturnCase("w", number, "属地不符", "不在本网格"))
        assert returned.status is Status.RETURNED and returned.department == "QH-DISPATCH"
        await district.bus.handle(c.DispatchCase("dispatcher", number, dept))
    case = await stored(district, number)
    assert case.return_count == 2 and case.department == "S-T01-DISPUTE"
    assert "属地不符：不在本网格" in [e.note for e in case.events if e.kind == "returned"]


async def test_escalation_climbs_the_ladder(district: App) -> None:
    number = (await district.bus.handle(filing())).number
    levels = []
    for _ in range(3):
        levels.append((await district.bus.handle(c.EscalateCase("supervisor", number, "逾期未办"))).department)
    assert levels == ["C-T01-C01", "S-T01-DISPUTE", "B-HOUSING"]
    with pytest.raises(RoutingError, match="最高层级"):
        await district.bus.handle(c.EscalateCase("supervisor", number, "逾期未办"))
    assert (await stored(district, number)).escalation_count == 3


async def test_refused_commands_write_nothing(district: App) -> None:
    number = (await district.bus.handle(filing())).number
    before = await _footprint(district)
    for command in (
        c.ResolveCase("w", number, "已处理"),  # not accepted yet
        c.ReopenCase("w", number, "不满意"),
        c.CloseCase("w", number),
        c.ReturnCase("w", number, ""),
        c.ReturnCase("w", number, "不想办"),
        c.DispatchCase("w", number, "NO-SUCH-DEPT"),
        c.RateCase("r", number, 9),
    ):
        with pytest.raises(DomainError):
            await district.bus.handle(command)
    with pytest.raises(DomainError, match="未找到诉求编号"):
        await district.bus.handle(c.AcceptCase("w", "MS-20990101-0001"))
    assert await _footprint(district) == before


# How to bring a case into each stored state, and a command for each action.
PATHS: dict[Status, list[Callable[[str], c.Command]]] = {
    Status.PENDING_REVIEW: [],
    Status.DISPATCHED: [],
    Status.ACCEPTED: [lambda n: c.AcceptCase("w", n)],
    Status.IN_PROGRESS: [lambda n: c.AcceptCase("w", n), lambda n: c.AddNote("w", n, "办理中")],
    Status.RESOLVED: [lambda n: c.AcceptCase("w", n), lambda n: c.ResolveCase("w", n, "已处理")],
    Status.CLOSED: [lambda n: c.AcceptCase("w", n), lambda n: c.ResolveCase("w", n, "好"),
                    lambda n: c.CloseCase("w", n)],
    Status.RETURNED: [lambda n: c.ReturnCase("w", n, "职能不符")],
    Status.ESCALATED: [lambda n: c.EscalateCase("w", n, "疑难")],
    Status.REOPENED: [lambda n: c.AcceptCase("w", n), lambda n: c.ResolveCase("w", n, "好"),
                      lambda n: c.ReopenCase("w", n, "没修好")],
    Status.CANCELLED: [lambda n: c.CancelCase("r", n, "已自行解决")],
}
ACTIONS: dict[str, Callable[[str], c.Command]] = {
    "dispatch": lambda n: c.DispatchCase("d", n, "C-T01-C01"),
    "accept": lambda n: c.AcceptCase("w", n),
    "return": lambda n: c.ReturnCase("w", n, "职能不符"),
    "escalate": lambda n: c.EscalateCase("w", n, "疑难"),
    "transfer": lambda n: c.TransferCase("w", n, "S-T01-GENERAL"),
    "resolve": lambda n: c.ResolveCase("w", n, "已处理"),
    "reopen": lambda n: c.ReopenCase("w", n, "没修好"),
    "close": lambda n: c.CloseCase("w", n),
    "cancel": lambda n: c.CancelCase("r", n, "不需要了"),
    "add_info": lambda n: c.AddInfo("r", n, "补充：晚上十点以后也有噪音"),
    "rate": lambda n: c.RateCase("r", n, 4),
    "reclassify": lambda n: c.ReclassifyCase("d", n, category="service"),
    "locate": lambda n: c.LocateCase("d", n, "T01-C01-G02"),
}


@pytest.mark.parametrize("status", list(PATHS), ids=str)
async def test_every_action_from_every_stored_state(district: App, status: Status) -> None:
    """Legal actions succeed through the handlers; illegal ones are refused and write nothing."""
    for action, make in ACTIONS.items():
        overrides = {"category_confidence": 0.1} if status is Status.PENDING_REVIEW else {}
        number = (await district.bus.handle(filing(**overrides))).number
        for step in PATHS[status]:
            await district.bus.handle(step(number))
        assert (await stored(district, number)).status is status
        allowed = status in TRANSITIONS[action][0]
        before = await _footprint(district)
        if allowed:
            case = await district.bus.handle(make(number))
            assert case.events[-1].from_status is status or case.events[-2].from_status is status
        else:
            with pytest.raises(IllegalTransition):
                await district.bus.handle(make(number))
            assert await _footprint(district) == before, action


async def test_case_numbers_are_distinct_under_concurrency(district: App) -> None:
    cases = await asyncio.gather(*(district.bus.handle(filing(user_ref=f"tg:{i}")) for i in range(100)))
    numbers = {case.number for case in cases}
    assert len(numbers) == 100
    assert numbers == {f"MS-20261127-{i:04d}" for i in range(1, 101)}


async def test_numbers_restart_each_local_day(district: App, clock: FakeClock) -> None:
    first = await district.bus.handle(filing())
    clock.advance(hours=16)  # 02:00 UTC + 16 h = next day 02:00 in Shanghai
    second = await district.bus.handle(filing())
    assert (first.number, second.number) == ("MS-20261127-0001", "MS-20261128-0001")


async def _footprint(app: App) -> tuple[int, int, list[tuple[str, int]]]:
    async with app.sessions() as session:
        events = (await session.execute(select(func.count()).select_from(CaseEventRow))).scalar_one()
        outbox = (await session.execute(select(func.count()).select_from(OutboxRow))).scalar_one()
    async with app.uow() as uow:
        cases = [(case.status.value, case.version) for case in await uow.cases.find(limit=10_000)]
    return events, outbox, cases


async def test_a_person_can_name_the_department_when_filing(district: App) -> None:
    case = await district.bus.handle(filing(department="S-T01-GENERAL", category_confidence=0.1))
    assert case.status is Status.DISPATCHED and case.department == "S-T01-GENERAL"
    assert case.events[-1].note == "受理人员指定责任部门"
    before = await _footprint(district)
    with pytest.raises(DomainError, match="未找到部门"):
        await district.bus.handle(filing(department="NOPE"))
    assert await _footprint(district) == before


async def test_a_draft_is_filed_once_even_if_confirmed_again(district: App) -> None:
    """A process that dies after filing but before saving the conversation sees the same case again."""
    first = await district.bus.handle(filing(intake_key="telegram/tg:1001/77"))
    before = await _footprint(district)
    again = await district.bus.handle(filing(intake_key="telegram/tg:1001/77"))
    assert again.number == first.number and await _footprint(district) == before
    other = await district.bus.handle(filing(intake_key="telegram/tg:1001/78"))
    assert other.number != first.number
