"""Early-warning flags on the staff pages: the supervisor sees and acknowledges them (CSRF like every
staff form), the community office they are pushed to sees them in its menu, others do not; the
dashboard map marks the flagged grid; the weekly 排查 report per street as a page and CSV."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from bot.web.staff.access import AREA_LEVELS
from handlers import commands as c
from handlers.warning import SURGE, Flag, week_start
from storage.models import GridRow
from storage.warning_queries import save_flags
from tests.fakes.web_stack import SQUARE, WebStack
from tests.integration.test_staff_pages import sign_in, stack  # noqa: F401 - the stack fixture

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
EAST = [[[x + 0.02, y] for x, y in SQUARE[0]]]  # 二网格, beside 一网格


async def a_surge(stack: WebStack) -> None:
    """Seven disputes in 一网格 this week and the flag the scan keeps for them; 二网格 gets a boundary
    first (the registry is cached once a command has read it)."""
    async with stack.app.sessions() as session:
        await session.execute(update(GridRow).where(GridRow.code == "T01-C01-G02").values(polygon=EAST))
        await session.commit()
    for i in range(7):
        await stack.app.bus.handle(c.FileCase(
            actor="resident", text="楼上漏水", channel="web", user_ref=f"web:r{i}", category="dispute",
            topic="城乡建设", category_confidence=0.9, topic_confidence=0.9, grid_code="T01-C01-G01"))
    now = datetime.now(UTC)
    week = week_start(now.astimezone(stack.app.policies.calendar.tz).date())
    flag = Flag(SURGE, week, "T01-C01-G01", "dispute/城乡建设", 7, "dispute", "城乡建设", 1.5, 7)
    async with stack.app.sessions() as session:
        await save_flags(session, [flag], {"T01-C01-G01": ("T01-C01", "T01")}, now)
        await session.commit()


async def test_a_supervisor_acknowledges_a_flag_with_a_note(stack: WebStack) -> None:
    await a_surge(stack)
    chief = await sign_in(stack, "chief", "supervisor")
    page = (await chief.get("/supervise")).text
    assert "排查预警（1）" in page and "一网格 本周矛盾纠纷·城乡建设 7 件，近 12 周加权平均 1.5 件，达到预警线 7 件" in page
    flag_id = page.split('data-flag="', 1)[1].split('"', 1)[0]

    refused = await chief.client.post(f"/console/work/warnings/{flag_id}/acknowledge", data={"note": "已知悉"})
    assert refused.status_code == 403
    done = await chief.post(f"/warnings/{flag_id}/acknowledge", note="已交社区约谈施工方", back="/console/work/supervise")
    assert done.status_code == 303 and done.headers["location"].startswith("/console/work/supervise?acknowledged=")
    page = (await chief.get("/supervise")).text
    assert "目前没有待确认的预警" in page and "排查预警（" not in page
    listed = (await chief.get("/warnings")).text
    waiting, done_list = listed.split("近 8 周已确认", 1)
    assert "目前没有待确认的预警" in waiting and "已交社区约谈施工方" in done_list


async def test_the_community_office_receives_the_flag_and_a_grid_clerk_does_not(stack: WebStack) -> None:
    await a_surge(stack)
    community = await sign_in(stack, "community", "clerk", "C-T01-C01")
    queue = (await community.get("/queue")).text
    assert "排查预警（1）" in queue
    listed = (await community.get("/warnings")).text
    assert "达到预警线 7 件" in listed and "待督办确认" in listed and "确认预警" not in listed
    flag_id = listed.split('data-flag="', 1)[1].split('"', 1)[0]
    assert (await community.post(f"/warnings/{flag_id}/acknowledge", note="看过了")).status_code == 403

    grid_clerk = await sign_in(stack, "gridclerk", "clerk", "W-T01-C01-G01")
    assert "排查预警" not in (await grid_clerk.get("/queue")).text
    assert (await grid_clerk.get("/warnings")).status_code == 403
    assert AREA_LEVELS == ("community", "street")


async def test_the_dashboard_map_marks_the_flagged_grid(stack: WebStack) -> None:
    await a_surge(stack)
    chief = await sign_in(stack, "chief", "supervisor")
    page = (await chief.get("/dashboard", category="dispute")).text
    assert 'data-grid="T01-C01-G01" data-count="7"' in page and 'data-grid="T01-C01-G02" data-count="0"' in page
    assert 'data-flagged="1" data-grid="T01-C01-G01"' in page and "网格诉求分布（矛盾纠纷" in page
    other = (await chief.get("/dashboard", category="petition")).text
    assert 'data-grid="T01-C01-G01" data-count="0"' in other


async def test_the_weekly_report_per_street(stack: WebStack) -> None:
    await a_surge(stack)
    chief = await sign_in(stack, "chief", "supervisor")
    page = (await chief.get("/report", street="T01")).text
    assert "试验街道 排查周报" in page and 'data-grid="T01-C01-G01"' in page and "达到预警线 7 件" in page
    sheet = await chief.get("/report.csv", street="T01")
    lines = sheet.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "网格代码,网格,矛盾纠纷,便民服务,信访事项,本周合计,上周合计,预警"
    assert lines[1].startswith("T01-C01-G01,试验街道试验社区一网格,7,0,0,7,0,")
