"""并单 on a real database (SQLite and PostgreSQL): which open cases are offered as duplicates, and a
merged resident hearing the main case's pushes, each once, on their own channel."""

import asyncio
from collections.abc import Sequence

import pytest
from typer.testing import CliRunner

from bot.bootstrap import App, build_app
from bot.cli.main import app as cli
from bot.settings import load_settings
from handlers import commands as c
from handlers.case import Case
from handlers.errors import DomainError
from handlers.status import Status
from storage.duplicate_queries import Candidate, duplicate_candidates
from storage.models import GridRow
from tests.conftest import ROOT
from tests.support import FakeClock, RecordingNotifier, outbox_rows, seed_registry

LEAK = "试验小区5栋1单元楼道水管爆裂，水一直往外冒，楼梯都淹了"
SAME_LEAK = "试验小区5栋1单元的水管爆了，楼道里全是水，楼梯淹了没法走"


@pytest.fixture
async def district(app: App) -> App:
    await seed_registry(app.sessions)
    return app


def report(text: str = LEAK, user: str = "tg:1001", channel: str = "telegram", **overrides: object) -> c.FileCase:
    values: dict[str, object] = dict(
        actor="resident", text=text, channel=channel, user_ref=user, category="service", topic="城乡建设",
        category_confidence=0.9, topic_confidence=0.8, grid_code="T01-C01-G01",
    )
    values.update(overrides)
    return c.FileCase(**values)  # type: ignore[arg-type]


async def candidates(app: App, number: str) -> list[Candidate]:
    async with app.uow() as uow:
        case = await uow.cases.get(number)
        grids = {g.code: g for g in await uow.directory.grids()}
    async with app.sessions() as session:
        return await duplicate_candidates(session, case, grids, app.policies.duplicates, app.policies.clock.now(),
                                          app.duplicate_index)


def numbers(found: Sequence[Candidate]) -> list[str]:
    return [candidate.case.number for candidate in found]


async def stored(app: App, number: str) -> Case:
    async with app.uow() as uow:
        return await uow.cases.get(number)


async def test_the_same_leak_nearby_is_offered_and_other_cases_are_not(district: App, clock: FakeClock) -> None:
    bus = district.bus
    old = (await bus.handle(report())).number
    clock.advance(days=31)
    main = (await bus.handle(report())).number  # the same words, but the first is too old now
    other_topic = (await bus.handle(report(topic="环境保护", text="试验小区5栋门口垃圾桶满了没人清运"))).number
    far = (await bus.handle(report(grid_code=None))).number  # no grid: nothing is near it
    closed = (await bus.handle(report(text=SAME_LEAK))).number
    await bus.handle(c.CancelCase("resident", closed))
    clock.advance(hours=2)
    second = (await bus.handle(report(SAME_LEAK, user="web:r2", channel="web"))).number

    found = await candidates(district, second)
    assert numbers(found) == [main] and 0.2 <= found[0].similarity < 1
    assert numbers(await candidates(district, main)) == [second]
    assert numbers(await candidates(district, far)) == []
    assert old not in numbers(await candidates(district, main)) and other_topic not in numbers(found)


async def test_a_far_grid_is_not_near(district: App) -> None:
    """The test registry's two grids share a community; a grid of another community is not near."""
    district.directory_cache = None  # the registry changes mid-test
    first = (await district.bus.handle(report())).number
    second = (await district.bus.handle(report(SAME_LEAK, grid_code="T01-C01-G02"))).number
    assert numbers(await candidates(district, second)) == [first]
    async with district.sessions() as session:
        row = await session.get(GridRow, "T01-C01-G02")
        assert row is not None
        row.community_code = "T01-C02"
        await session.commit()
    assert numbers(await candidates(district, second)) == []


async def test_a_merged_resident_hears_the_main_case_until_it_closes(district: App) -> None:
    bus = district.bus
    main = (await bus.handle(report())).number
    second = (await bus.handle(report(SAME_LEAK, user="web:r2", channel="web"))).number

    merged = await bus.handle(c.MergeCases("staff:disp", second, other=main))  # from the newer case's page
    assert merged.number == main and merged.reporters == 2 and merged.duplicates == (second,)
    duplicate = await stored(district, second)
    assert duplicate.status is Status.MERGED and duplicate.duplicate_of == main
    assert numbers(await candidates(district, main)) == []  # a duplicate is no longer offered
    with pytest.raises(DomainError, match=f"已并入 {main}"):
        await bus.handle(c.MergeCases("staff:disp", second, other=main))

    await bus.handle(c.AcceptCase("staff:clerk", main))
    await bus.handle(c.ResolveCase("staff:clerk", main, reply="已关阀抢修，水管已更换"))
    telegram, web = RecordingNotifier(), RecordingNotifier()
    district.notifiers.update({"telegram": telegram, "web": web})
    deliverer = district.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass
    told = [n.text for n in web.sent]
    assert told[-3].startswith(f"您反映的问题与诉求 {main} 是同一件事") and f"您的编号 {second}" in told[-3]
    assert [t for t in told if "已办结" in t] == [f"您反映的问题（已并入诉求 {main} 办理）已办结。"
                                                  "办理结果：已关阀抢修，水管已更换"]
    assert all(not n.choices for n in web.sent) and any(n.choices for n in telegram.sent)
    assert sum("已办结" in n.text for n in telegram.sent) == 1  # the main case's resident, asked to rate
    assert len({r.key for r in await outbox_rows(district)}) == len(await outbox_rows(district))

    await bus.handle(c.RateCase("resident", main, rating=5))
    with pytest.raises(DomainError, match="已归档，不能再撤销并单"):
        await bus.handle(c.UnmergeCase("staff:disp", second))


async def test_undo_sends_the_duplicate_back_to_the_dispatcher(district: App) -> None:
    bus = district.bus
    main = (await bus.handle(report())).number
    second = (await bus.handle(report(SAME_LEAK, user="tg:2002"))).number
    await bus.handle(c.MergeCases("staff:disp", main, other=second))  # from the main case's page
    undone = await bus.handle(c.UnmergeCase("staff:disp", second))
    assert undone.status is Status.PENDING_REVIEW and undone.duplicate_of is None
    assert undone.department == district.policies.routing.dispatcher
    restored = await stored(district, main)
    assert restored.reporters == 1 and restored.duplicates == ()
    assert [e.kind for e in restored.events][-2:] == ["duplicate_linked", "duplicate_unlinked"]
    texts = [r.text for r in await outbox_rows(district) if r.recipient == "tg:2002"]
    assert texts[-1] == f"您的诉求 {second} 已恢复单独办理，后续进展会继续通知您。"


async def test_a_withdrawn_main_case_still_lets_its_duplicates_go(district: App) -> None:
    bus = district.bus
    main = (await bus.handle(report())).number
    second = (await bus.handle(report(SAME_LEAK, user="tg:2002"))).number
    await bus.handle(c.MergeCases("staff:disp", second, other=main))
    await bus.handle(c.CancelCase("resident", main, "已自行解决"))
    assert (await bus.handle(c.UnmergeCase("staff:disp", second))).status is Status.PENDING_REVIEW


async def _file_two(url: str) -> tuple[str, str]:
    app = build_app(load_settings(ROOT / "config.toml"))
    await seed_registry(app.sessions)
    first = (await app.bus.handle(report())).number
    second = (await app.bus.handle(report(SAME_LEAK, user="web:r2", channel="web"))).number
    await app.close()
    return first, second


def test_staff_find_merge_and_undo_from_the_command_line(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MINSHENG_DATABASE_URL", db_url)
    main, second = asyncio.run(_file_two(db_url))
    runner = CliRunner()
    found = runner.invoke(cli, ["case", "duplicates", second])
    assert found.exit_code == 0 and f"可能重复：{main}（相似度 0." in found.output
    merged = runner.invoke(cli, ["case", "merge", second, main])
    assert merged.exit_code == 0 and f"已并单，主件：{main}" in merged.output
    assert "没有可能重复的诉求" in runner.invoke(cli, ["case", "duplicates", main]).output
    undone = runner.invoke(cli, ["case", "unmerge", second])
    assert undone.exit_code == 0 and f"已撤销并单：{second}，当前状态：待人工分拨" in undone.output
