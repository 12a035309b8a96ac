"""无人值守: a supervisor sees every department that holds cases to 签收 or 办理 but has no active
clerk account, with how many cases wait there and a link to them; on SQLite and PostgreSQL."""

import re
from dataclasses import replace

from sqlalchemy import update

from bot.web.accounts import add_staff
from handlers import commands as c
from storage.staff_models import StaffRow
from tests.fakes.web_stack import PASSWORD, WebStack
from tests.integration.test_staff_pages import filing, numbers_in, sign_in, stack  # noqa: F401 - stack: fixture


def unstaffed(html: str) -> dict[str, str]:
    """Department code → the text of its row in the 无人值守 card."""
    card = re.search(r'id="unstaffed".*?</section>', html, re.S).group()  # type: ignore[union-attr]
    return dict(re.findall(r'data-department="([^"]+)">(.*?)</tr>', card, re.S))


async def test_departments_with_open_cases_and_no_active_clerk_are_shown_with_a_link(stack: WebStack) -> None:
    bus = stack.app.bus

    def dispute(text: str, grid: str) -> c.FileCase:
        return replace(filing(text), category="dispute", topic="邻里纠纷", grid_code=grid)

    waiting = [(await bus.handle(dispute(text, "T01-C01-G02"))).number for text in ("楼上漏水", "广场舞噪音")]
    await bus.handle(filing())  # 试验社区居委会: the stack's clerk works there
    done = (await bus.handle(dispute("门口堆杂物", "T01-C01-G01"))).number  # 一网格, answered already
    for command in (c.AcceptCase("w", done), c.ResolveCase("w", done, "已清理")):
        await bus.handle(command)
    await bus.handle(replace(filing("不知道归谁管"), category_confidence=0.2))  # 待人工分拨: the 分拨 list's
    chief = await sign_in(stack, "chief", "supervisor")

    rows = unstaffed((await chief.get("/supervise")).text)
    assert list(rows) == ["W-T01-C01-G02"]
    assert "试验社区二网格" in rows["W-T01-C01-G02"] and "2 件" in rows["W-T01-C01-G02"]
    assert 'href="/console/work/queue?dept=W-T01-C01-G02"' in rows["W-T01-C01-G02"]
    assert sorted(numbers_in((await chief.get("/queue", dept="W-T01-C01-G02")).text)) == sorted(waiting)

    now = stack.app.policies.clock.now()
    await add_staff(stack.app.sessions, "grid2", PASSWORD, "clerk", "W-T01-C01-G02", now)
    await add_staff(stack.app.sessions, "grid2-chief", PASSWORD, "supervisor", "W-T01-C01-G02", now)
    assert unstaffed((await chief.get("/supervise")).text) == {}
    async with stack.app.sessions() as session:  # the clerk leaves; a supervisor does not work the queue
        await session.execute(update(StaffRow).where(StaffRow.username == "grid2").values(active=False))
        await session.commit()
    assert list(unstaffed((await chief.get("/supervise")).text)) == ["W-T01-C01-G02"]
