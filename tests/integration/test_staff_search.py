"""查询 over HTTP on SQLite and PostgreSQL: supervisors and dispatchers find any case by number, by the
resident's phone (whole or last 4 digits) or by words, and see the phone masked; a clerk finds only
the cases their department holds or once held."""

from dataclasses import replace

from handlers import commands as c
from tests.fakes.web_stack import WebStack
from tests.integration.test_staff_pages import Staff, filing, numbers_in, sign_in, stack  # noqa: F401 - stack: fixture


async def found(member: Staff, query: str) -> list[str]:
    page = await member.get("/search", q=query)
    assert page.status_code == 200
    return numbers_in(page.text)


async def test_search_finds_cases_by_phone_number_and_words_within_what_the_member_may_open(stack: WebStack) -> None:
    bus = stack.app.bus
    lamp = (await bus.handle(replace(filing("小区东门路灯坏了一周"), phone="13912345678"))).number  # → 试验社区居委会
    noise = (await bus.handle(replace(filing("楼上装修噪音，中午也不停"), category="dispute", topic="邻里纠纷",
                                      grid_code="T01-C01-G02", phone="+8613800005678"))).number  # → 二网格
    quiet = (await bus.handle(filing("路灯下的长椅坏了"))).number  # no phone
    chief = await sign_in(stack, "chief", "supervisor")
    dispatcher = await sign_in(stack, "disp", "dispatcher")

    for member in (chief, dispatcher):
        assert sorted(await found(member, "5678")) == sorted([lamp, noise])
        assert await found(member, "139-1234-5678") == [lamp]
        assert await found(member, "13800005678") == [noise]  # stored with +86
        assert await found(member, lamp.lower()) == [lamp]
        assert await found(member, "噪音") == [noise]
        assert await found(member, "东门 路灯") == [lamp]  # every word
        assert sorted(await found(member, "路灯")) == sorted([lamp, quiet])
    page = (await chief.get("/search", q="13912345678")).text
    assert "139****5678" in page and "13912345678" not in page.replace('value="13912345678"', "")
    assert "试验社区居委会" in page and "已派单" in page and f'href="/console/work/cases/{lamp}"' in page
    assert "没有找到" in (await chief.get("/search", q="无此内容")).text

    clerk = await sign_in(stack, "community", "clerk", "C-T01-C01")
    assert await found(clerk, "5678") == [lamp]
    assert await found(clerk, noise) == [] and await found(clerk, "噪音") == []
    assert 'action="/console/work/search"' in (await clerk.get("/queue")).text  # the box is on the clerk's page
    await bus.handle(c.TransferCase("staff:community", lamp, "W-T01-C01-G01", "网格员就近处理"))
    assert await found(clerk, "13912345678") == [lamp]  # transferred away, still in the file it may open
    grid_two = await sign_in(stack, "grid2", "clerk", "W-T01-C01-G02")
    assert await found(grid_two, "5678") == [noise]
