"""The department pages over HTTP on the real web app: queues by deadline with overdue marked, the
case file and its actions (each one an event), 分拨, 督办 and extensions, the dashboard and CSV."""

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import update

from bot.web.accounts import add_staff, open_session
from bot.web.auth import STAFF_COOKIE
from handlers import commands as c
from handlers.deadlines import Duration
from handlers.status import Status
from storage.models import OutboxRow
from tests.fakes.web_stack import PASSWORD, WebStack, web_stack
from tests.support import FakeClock

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BASE = "/console/work"


class Staff:
    """A signed-in browser without the browser: a client with the session cookie and its CSRF token."""

    def __init__(self, client: httpx.AsyncClient, csrf: str) -> None:
        self.client, self.csrf = client, csrf

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.client.get(BASE + path, params=params)

    async def post(self, path: str, **form: str) -> httpx.Response:
        return await self.client.post(BASE + path, data={"csrf_token": self.csrf, **form})


@pytest.fixture
async def stack(db_url: str) -> AsyncIterator[WebStack]:
    async with web_stack(db_url) as running:
        yield running
        for client in running.__dict__.pop("clients", []):
            await client.aclose()


@pytest.fixture
def clock(stack: WebStack) -> FakeClock:
    """The running app's clock, made controllable (the case starts on a Friday morning)."""
    fake = FakeClock(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
    stack.app.policies = replace(stack.app.policies, clock=fake)
    stack.app.bus.policies = stack.app.policies
    return fake


async def sign_in(stack: WebStack, username: str, role: str, department: str | None = None) -> Staff:
    now = stack.app.policies.clock.now()
    member = await add_staff(stack.app.sessions, username, PASSWORD, role, department, now, reset=True)
    token, session = await open_session(stack.app.sessions, member, now, 24 * 30)
    client = httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: token})
    stack.__dict__.setdefault("clients", []).append(client)
    return Staff(client, session.csrf_token)


def filing(text: str = "小区路灯坏了三盏，晚上看不清路") -> c.FileCase:
    return c.FileCase(actor="resident", text=text, channel="web", user_ref="web:r1", category="service",
                      topic="城乡建设", category_confidence=0.9, topic_confidence=0.8, grid_code="T01-C01-G01")


def numbers_in(html: str) -> list[str]:
    return re.findall(r'data-number="([^"]+)"', html)


async def test_a_clerk_works_the_queue_and_every_action_lands_in_the_file(stack: WebStack, clock: FakeClock) -> None:
    bus = stack.app.bus
    late = (await bus.handle(filing("楼道灯坏了"))).number  # to sign by Monday night
    clock.advance(days=4)
    fresh = (await bus.handle(filing("路面塌陷<script>alert(1)</script>"))).number
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")

    page = await clerk.get("/queue")
    assert page.status_code == 200
    assert numbers_in(page.text) == [late, fresh]
    assert re.search(rf'class="overdue" data-number="{late}"', page.text)
    assert "<script>alert(1)" not in (await clerk.get(f"/cases/{fresh}")).text

    accepted = await clerk.post(f"/cases/{fresh}/accept")
    assert accepted.status_code == 303 and accepted.headers["location"].endswith("?done=accept")
    refused = await clerk.post(f"/cases/{fresh}/return", reason="看着不顺眼")
    assert refused.status_code == 422 and "退回理由请从以下选择" in refused.text
    await clerk.post(f"/cases/{fresh}/note", note="已联系电工")
    assert (await clerk.post(f"/cases/{fresh}/return", reason="职能不符")).status_code == 403  # too late now
    await clerk.post(f"/cases/{fresh}/extension", amount="3", unit="working", reason="等配件")
    resolved = await clerk.post(f"/cases/{fresh}/resolve", reply="已更换灯泡")
    assert resolved.status_code == 303
    assert (await clerk.client.post(f"{BASE}/cases/{late}/accept", data={"csrf_token": "forged"})).status_code == 403

    file = (await clerk.get(f"/cases/{fresh}", done="resolve")).text
    assert "已办结，答复已发送给群众" in file and "已更换灯泡" in file and "工作人员 clerk" in file
    for label in ("签收", "开始办理", "申请延期", "办结"):
        assert f"<td>{label}</td>" in file
    async with stack.app.uow() as uow:
        case = await uow.cases.get(fresh)
    assert case.status is Status.RESOLVED and case.handler == "clerk"
    assert [e.kind for e in case.events][-4:] == ["accepted", "started", "extension_requested", "resolved"]

    other = await sign_in(stack, "grid2", "clerk", "W-T01-C01-G02")
    assert (await other.get(f"/cases/{fresh}")).status_code == 403
    assert (await other.post(f"/cases/{late}/accept")).status_code == 403
    assert (await other.get("/queue", dept="C-T01-C01")).status_code == 403
    assert (await other.get("/dashboard")).status_code == 403


async def test_dispatcher_and_supervisor_pages(stack: WebStack, clock: FakeClock) -> None:
    bus = stack.app.bus
    number = (await bus.handle(filing())).number
    await bus.handle(c.ReturnCase("staff:clerk", number, "属地不符", "在二网格"))
    operator = await sign_in(stack, "operator", "operator")
    listing = (await operator.get("/dispatch")).text
    assert numbers_in(listing) == [number] and "属地不符：在二网格" in listing
    assert (await operator.post(f"/cases/{number}/dispatch", department="W-T01-C01-G02")).status_code == 303

    supervisor = await sign_in(stack, "chief", "supervisor")
    assert numbers_in((await supervisor.get("/supervise")).text) == []
    clock.advance(days=6)
    overdue = (await supervisor.get("/supervise")).text
    assert numbers_in(overdue) == [number] and "超期" in overdue
    assert (await supervisor.post(f"/cases/{number}/supervise", note="请今日签收")).status_code == 303

    await bus.handle(c.AcceptCase("staff:grid2", number))
    await bus.handle(c.RequestExtension("staff:grid2", number, Duration(5, False), "等待物业"))
    requests = (await supervisor.get("/supervise")).text
    assert "申请延期 5 天：等待物业" in requests
    assert (await supervisor.post(f"/cases/{number}/approve", amount="", unit="days")).status_code == 303
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert [e.kind for e in case.events][-3:] == ["accepted", "extension_requested", "extended"]
    assert any(e.kind == "supervised" and e.note == "请今日签收" for e in case.events)
    assert (await operator.get("/supervise")).status_code == 403


async def test_a_case_told_with_an_emergency_heads_the_dispatch_list_marked(stack: WebStack, clock: FakeClock) -> None:
    bus = stack.app.bus
    unsure = (await bus.handle(replace(filing(), grid_code=None))).number
    clock.advance(minutes=5)
    urgent = (await bus.handle(replace(filing("楼道里着火了，烟很大"), emergency="119"))).number
    operator = await sign_in(stack, "operator", "operator")
    listing = (await operator.get("/dispatch")).text
    assert numbers_in(listing) == [urgent, unsure] and listing.count("紧急·已提示拨打 119") == 1
    assert "紧急·已提示拨打 119" in (await operator.get(f"/cases/{urgent}")).text
    assert "紧急" not in (await operator.get(f"/cases/{unsure}")).text


async def test_a_dispatcher_who_checked_an_emergency_takes_the_mark_off_saying_why(stack: WebStack) -> None:
    urgent = (await stack.app.bus.handle(replace(filing("楼道里着火了，烟很大"), emergency="119"))).number
    plain = (await stack.app.bus.handle(filing())).number
    operator = await sign_in(stack, "operator", "operator")
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    assert 'id="unmark-form"' in (await operator.get(f"/cases/{urgent}")).text
    assert 'id="unmark-form"' not in (await operator.get(f"/cases/{plain}")).text
    assert (await clerk.post(f"/cases/{urgent}/unmark", reason="误报")).status_code == 403
    refused = await operator.post(f"/cases/{urgent}/unmark", reason="  ")
    assert refused.status_code == 422 and "请说明解除紧急标记的原因" in refused.text
    assert (await operator.post(f"/cases/{urgent}/unmark", reason="电话核实为误报")).status_code == 303
    page = (await operator.get(f"/cases/{urgent}", done="unmark")).text
    assert "紧急标记已解除" in page and "紧急·已提示拨打" not in page and 'id="unmark-form"' not in page
    assert "原提示拨打 119：电话核实为误报" in page  # the file keeps what was checked, and by whom
    async with stack.app.uow() as uow:
        case = await uow.cases.get(urgent)
    assert case.emergency is None and case.events[-1].kind == "emergency_cleared"
    assert case.events[-1].actor == "staff:operator" and case.department == stack.app.policies.routing.dispatcher
    assert (await operator.post(f"/cases/{urgent}/unmark", reason="再解除一次")).status_code == 403


async def test_a_case_without_a_category_is_dispatched_only_once_it_has_one(stack: WebStack) -> None:
    number = (await stack.app.bus.handle(replace(filing(), category=None))).number
    operator = await sign_in(stack, "operator", "operator")
    assert 'id="dispatch-needs-category"' in (await operator.get(f"/cases/{number}")).text
    refused = await operator.post(f"/cases/{number}/dispatch", department="C-T01-C01")
    assert refused.status_code == 422 and "请先选定类别再派单" in refused.text
    assert (await operator.post(f"/cases/{number}/reclassify", category="service")).status_code == 303
    assert 'id="dispatch-needs-category"' not in (await operator.get(f"/cases/{number}")).text
    assert (await operator.post(f"/cases/{number}/dispatch", department="C-T01-C01")).status_code == 303


async def test_dashboard_and_csv(stack: WebStack, clock: FakeClock) -> None:
    bus = stack.app.bus
    for rating in (5, 4):
        number = (await bus.handle(filing())).number
        for command in (c.AcceptCase("w", number), c.ResolveCase("w", number, "已修好")):
            clock.advance(hours=2)
            await bus.handle(command)
        await bus.handle(c.RateCase("r", number, rating))
    await bus.handle(c.ReclassifyCase("d", number, topic="环境保护"))
    supervisor = await sign_in(stack, "chief", "supervisor")
    query = {"since": "2026-11-01", "until": "2026-11-30"}
    page = await supervisor.get("/dashboard", **query)
    assert page.status_code == 200
    assert "共 2 件" in page.text and "试验社区居委会" in page.text
    assert page.text.count("<svg") == 3  # two charts and the grid map
    assert "2.0 小时" in page.text  # 签收 → 办结
    assert "<td>50.0%</td>" in page.text  # the classifier's topic was corrected on one of two
    csv = await supervisor.get("/dashboard/departments.csv", **query)
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("\ufeff部门,")
    assert "试验社区居委会,2,0,0.0%,2," in csv.text
    satisfaction = (await supervisor.get("/dashboard/satisfaction.csv", **query)).text
    assert "11-27,2,4.50,2,0" in satisfaction
    assert (await supervisor.get("/dashboard/nothing.csv")).status_code == 400
    assert (await supervisor.get("/dashboard", since="2026-13-01")).status_code == 422


async def test_the_case_file_lists_the_residents_photos_and_links_only_web_addresses(stack: WebStack) -> None:
    photos = ("https://mmbiz.qpic.cn/light.jpg", "wechat-media:m-42", "javascript:alert(1)")
    case = await stack.app.bus.handle(replace(filing(), channel="wechat", user_ref="wx:o1", attachments=photos))
    clerk = await sign_in(stack, "photo_clerk", "clerk", "C-T01-C01")
    page = (await clerk.get(f"/cases/{case.number}")).text
    listed = page[page.index('id="case-attachments"'):].split("</ul>")[0]
    assert '<a href="https://mmbiz.qpic.cn/light.jpg"' in listed and "微信素材 m-42" in listed
    assert 'href="javascript' not in listed and "图片 3" in listed


async def test_a_push_that_cannot_reach_the_resident_says_why_on_the_case_file(stack: WebStack) -> None:
    case = await stack.app.bus.handle(replace(filing(), channel="wechat", user_ref="wx:o-gone"))
    async with stack.app.sessions() as session:
        await session.execute(update(OutboxRow).where(OutboxRow.case_number == case.number).values(
            status="unreachable", last_error="群众已取消关注公众号，无法推送"))
        await session.commit()
    clerk = await sign_in(stack, "reason_clerk", "clerk", "C-T01-C01")
    notices = (await clerk.get(f"/cases/{case.number}")).text.split('id="notices"')[1].split("</table>")[0]
    assert "无法送达" in notices and "群众已取消关注公众号，无法推送" in notices
