"""Residents' personal information on the staff pages over HTTP: the phone and the caller's name stay
masked for every role whose work on the case does not need them (on the case file, in search, in the
queue's CSV, in the words themselves); 查看完整号码 is a POST with the CSRF token, only for the clerk
holding the case, its grid's worker or a dispatcher while it waits, and each one is in the audit log;
administrators decide erasure requests on 个人信息 and every admin action is on 操作日志, which filters
and exports CSV (BOM, no formula can start a cell)."""

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from bot.web import admin
from bot.web.accounts import add_staff, open_session
from bot.web.auth import STAFF_COOKIE
from handlers import commands as c
from handlers.case import Case
from storage.audit_log import AuditEntry, record
from storage.audit_models import AuditRow
from storage.models import OutboxRow
from tests.fakes.web_stack import PASSWORD, WebStack, web_stack
from tests.integration.test_staff_pages import Staff, sign_in
from tests.support import FakeClock

SQLITE = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BOTH = pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
                               indirect=True)  # the erasure rows and the audit log's JSON search differ by database
PHONE, OTHER_PHONE, NAME = "13812345678", "13987654321", "王建国"
PRIVACY, AUDIT = "/console/admin/privacy", "/console/admin/audit"
# Every POST an administrator can make under /console/admin, and the test that shows its audit entry.
ADMIN_ACTIONS = {
    "/console/admin/models/retrain": "tests/integration/test_admin_models.py (retrain_started, retrain_promoted)",
    "/console/admin/models/{version}/activate": "tests/integration/test_admin_models.py (promoted, rolled_back)",
    "/console/admin/accounts": "tests/integration/test_admin_accounts.py (created)",
    "/console/admin/accounts/{username}/assignment": "tests/integration/test_admin_accounts.py (role_changed)",
    "/console/admin/accounts/{username}/active": "tests/integration/test_admin_accounts.py (disabled, enabled)",
    "/console/admin/accounts/{username}/password": "tests/integration/test_admin_accounts.py (password_reset)",
    "/console/admin/registry/preview": "a dry run: nothing is written, nothing to log",
    "/console/admin/registry/apply": "tests/integration/test_admin_registry.py (loaded)",
    f"{PRIVACY}/{{request_id}}/execute": "this file (erasure_executed)",
    f"{PRIVACY}/{{request_id}}/reject": "this file (erasure_rejected)",
}


@pytest.fixture
async def stack(db_url: str) -> AsyncIterator[WebStack]:
    async with web_stack(db_url) as running:
        fake = FakeClock(datetime(2026, 11, 27, 2, 0, tzinfo=UTC))
        running.app.policies = replace(running.app.policies, clock=fake)
        running.app.bus.policies = running.app.policies
        yield running
        for client in running.__dict__.pop("clients", []):
            await client.aclose()


async def filed(stack: WebStack, **overrides: object) -> Case:
    """A resident's service case with their phone and name, the phone typed into the words too."""
    values: dict[str, object] = dict(
        actor="resident:web:web:r1", text=f"小区路灯坏了三盏，有事打我电话 {PHONE}", channel="web", user_ref="web:r1",
        category="service", topic="城乡建设", classification_confirmed=True, grid_code="T01-C01-G01", phone=PHONE,
        contact_name=NAME)
    values.update(overrides)
    return await stack.app.bus.handle(c.FileCase(**values))  # type: ignore[arg-type]


async def audit_rows(stack: WebStack, action: str | None = None) -> list[AuditRow]:
    async with stack.app.sessions() as session:
        query = select(AuditRow).order_by(AuditRow.id)
        return list((await session.execute(query.where(AuditRow.action == action) if action else query)).scalars())


async def grid_worker(stack: WebStack, username: str, grid: str) -> Staff:
    now = stack.app.policies.clock.now()
    member = await add_staff(stack.app.sessions, username, PASSWORD, "grid_worker", None, now, reset=True,
                             grids=(grid,))
    token, session = await open_session(stack.app.sessions, member, now, 24)
    client = httpx.AsyncClient(base_url=stack.url, cookies={STAFF_COOKIE: token})
    stack.__dict__.setdefault("clients", []).append(client)
    return Staff(client, session.csrf_token)


async def reveal(member: Staff, number: str, field: str = "phone") -> httpx.Response:
    return await member.post(f"/cases/{number}/reveal", field=field)


def assert_masked(text: str) -> None:
    assert PHONE not in text and NAME not in text
    assert "138****5678" in text


@SQLITE
async def test_a_phone_stays_masked_for_the_roles_that_may_not_see_it_on_pages_and_in_csv(stack: WebStack) -> None:
    case = await filed(stack)
    assert case.department == "C-T01-C01"
    for role in ("supervisor", "admin"):
        member = await sign_in(stack, role, role)
        page = (await member.get(f"/cases/{case.number}")).text
        assert_masked(page)
        assert "王**" in page and "查看完整号码" not in page and "查看完整姓名" not in page
        assert (await reveal(member, case.number)).status_code == 403
        assert_masked((await member.get("/search", q=PHONE[-4:])).text)
        exported = await member.get("/queue.csv", dept="C-T01-C01")
        assert exported.status_code == 200 and exported.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert rows[0][8:] == ["联系电话", "联系人", "诉求内容"]
        assert rows[1][0] == case.number and rows[1][8:10] == ["138****5678", "王**"]
        assert_masked(exported.content.decode("utf-8-sig"))
    dispatcher = await sign_in(stack, "dispatcher", "dispatcher")
    assert "查看完整号码" not in (await dispatcher.get(f"/cases/{case.number}")).text  # dispatched: not theirs now
    assert (await reveal(dispatcher, case.number)).status_code == 403
    other = await sign_in(stack, "other-clerk", "clerk", "B-HOUSING")
    assert (await reveal(other, case.number)).status_code == 403
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    mine = await clerk.get("/queue.csv")
    assert_masked(mine.text)  # exports are masked for the department holding the case too
    assert await audit_rows(stack) == []


@SQLITE
async def test_revealing_is_a_logged_post_for_the_clerk_the_grid_worker_and_the_waiting_dispatcher(
    stack: WebStack,
) -> None:
    case = await filed(stack)
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    page = (await clerk.get(f"/cases/{case.number}")).text
    assert_masked(page)
    assert "查看完整号码" in page and "查看完整姓名" in page
    forged = await clerk.client.post(f"/console/work/cases/{case.number}/reveal", data={"field": "phone"})
    assert forged.status_code == 403 and await audit_rows(stack) == []
    shown = await reveal(clerk, case.number)
    assert shown.status_code == 200 and shown.headers["cache-control"] == "no-store"
    assert f'<span class="revealed">{PHONE}</span>' in shown.text and NAME not in shown.text
    assert "138****5678" in shown.text  # the words keep the number masked: the field is what was asked for
    named = await reveal(clerk, case.number, "name")
    assert NAME in named.text and PHONE not in named.text
    assert_masked((await clerk.get(f"/cases/{case.number}")).text)  # masked again on the next visit
    assert PHONE in (await reveal(await grid_worker(stack, "wxh", "T01-C01-G01"), case.number)).text
    assert (await reveal(await grid_worker(stack, "lcm", "T01-C01-G02"), case.number)).status_code == 403
    waiting = await filed(stack, grid_code=None, intake_key="second")
    dispatcher = await sign_in(stack, "dispatcher", "dispatcher")
    assert PHONE in (await reveal(dispatcher, waiting.number)).text
    entries = [(r.actor, r.area, r.action, r.subject, r.details) for r in await audit_rows(stack)]
    assert entries == [
        ("clerk", "privacy", "revealed", case.number, {"fields": ["phone"], "via": "web"}),
        ("clerk", "privacy", "revealed", case.number, {"fields": ["name"], "via": "web"}),
        ("wxh", "privacy", "revealed", case.number, {"fields": ["phone"], "via": "web"}),
        ("dispatcher", "privacy", "revealed", waiting.number, {"fields": ["phone"], "via": "web"}),
    ]
    for command in (c.AcceptCase("staff:clerk", case.number), c.ResolveCase("staff:clerk", case.number, "已修好"),
                    c.CloseCase("staff:clerk", case.number)):
        await stack.app.bus.handle(command)
    assert "查看完整号码" not in (await clerk.get(f"/cases/{case.number}")).text  # finished: no longer needed
    assert (await reveal(clerk, case.number)).status_code == 403


@BOTH
async def test_an_administrator_decides_erasure_requests_and_the_resident_is_told(stack: WebStack) -> None:
    bus = stack.app.bus
    numbers = []
    for key in ("first", "second"):
        case = await filed(stack, intake_key=key, user_ref=f"web:{key}", actor=f"resident:web:web:{key}")
        for command in (c.AcceptCase("staff:clerk", case.number), c.ResolveCase("staff:clerk", case.number, "已修好"),
                        c.CloseCase("staff:clerk", case.number)):
            await bus.handle(command)
        await bus.handle(c.RequestErasure(f"resident:web:web:{key}", case.number, "web", f"web:{key}",
                                          (case.number,), request=f"web/web:{key}/m1#0"))
        numbers.append(case.number)
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    assert (await clerk.client.get(PRIVACY)).status_code == 403
    chief = await sign_in(stack, "chief", "admin")
    page = await chief.client.get(PRIVACY)
    assert page.status_code == 200 and "待处理 2 件" in page.text and all(n in page.text for n in numbers)
    assert PHONE not in page.text and "web:first" not in page.text  # the page never shows who asked

    unexplained = await chief.client.post(f"{PRIVACY}/2/reject", data={"csrf_token": chief.csrf, "reason": " "})
    assert unexplained.status_code == 422 and "请填写不予删除的原因" in unexplained.text
    executed = await chief.client.post(f"{PRIVACY}/1/execute", data={"csrf_token": chief.csrf})
    assert executed.status_code == 303
    refused = await chief.client.post(f"{PRIVACY}/2/reject",
                                      data={"csrf_token": chief.csrf, "reason": "=HYPERLINK(\"x\") 仍在回访"})
    assert refused.status_code == 303
    again = await chief.client.post(f"{PRIVACY}/1/execute", data={"csrf_token": chief.csrf})
    assert again.status_code == 422 and "已处理过（已删除）" in again.text

    async with stack.app.uow() as uow:
        erased, kept = await uow.cases.get(numbers[0]), await uow.cases.get(numbers[1])
    assert (erased.phone, erased.contact_name, erased.user_ref) == (None, None, "")
    assert erased.events[-1].kind == "personal_erased" and erased.events[-1].actor == "staff:chief"
    assert (kept.phone, kept.user_ref) == (PHONE, "web:second")
    async with stack.app.sessions() as session:
        pushes = {r.key: (r.recipient, r.text) for r in (await session.execute(
            select(OutboxRow).where(OutboxRow.key.like("erasure/%")))).scalars()}
    assert pushes["erasure/1"][0] == "web:first" and "已删除" in pushes["erasure/1"][1]
    assert pushes["erasure/2"][0] == "web:second" and "仍在回访" in pushes["erasure/2"][1]
    decided = [(r.actor, r.action, r.subject, r.details["erased"]) for r in await audit_rows(stack)]
    assert decided == [("chief", "erasure_executed", "第 1 号删除申请", [numbers[0]]),
                       ("chief", "erasure_rejected", "第 2 号删除申请", [])]
    listed = (await chief.client.get(PRIVACY)).text
    assert "待处理 0 件" in listed and "执行删除申请" in listed and "仍在回访" in listed


@BOTH
async def test_the_audit_page_filters_by_who_what_when_and_case_and_exports_csv(stack: WebStack) -> None:
    app = stack.app
    case = await filed(stack)
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    await reveal(clerk, case.number)
    now = app.policies.clock.now()
    await record(app.sessions, AuditEntry(now - timedelta(days=3), "chief", "models", "rolled_back",
                                          "0001-20261120T010000Z", "=cmd|' /C calc'!A0",
                                          {"from": "0002-20261125T010000Z"}))
    await record(app.sessions, AuditEntry(now, "chief", "privacy", "erasure_executed", "第 1 号删除申请", None,
                                          {"cases": [case.number], "erased": [case.number]}))
    chief = await sign_in(stack, "chief", "admin")
    assert (await clerk.client.get(AUDIT)).status_code == 403

    everything = (await chief.client.get(AUDIT)).text
    assert "共 3 条" in everything and "查看联系电话" in everything and "回滚到旧版本" in everything
    assert "第 1 版" in everything  # model versions as staff say them, never the stored code
    by_actor = (await chief.client.get(AUDIT, params={"actor": "clerk"})).text
    assert "共 1 条" in by_actor and "查看完整联系方式" in by_actor
    by_action = (await chief.client.get(AUDIT, params={"action": "rolled_back"})).text
    assert "共 1 条" in by_action
    by_case = (await chief.client.get(AUDIT, params={"case": case.number.lower()})).text
    assert "共 2 条" in by_case  # the reveal names it as its subject, the erasure in its details
    local_day = now.astimezone(app.policies.calendar.tz).date()
    by_days = (await chief.client.get(AUDIT, params={"since": str(local_day), "until": str(local_day)})).text
    assert "共 2 条" in by_days
    earlier = (await chief.client.get(AUDIT, params={"until": str(local_day - timedelta(days=1))})).text
    assert "共 1 条" in earlier
    wrong = await chief.client.get(AUDIT, params={"since": "2026-13-01"})
    assert wrong.status_code == 422 and "格式不对" in wrong.text

    exported = await chief.client.get(f"{AUDIT}.csv", params={"area": "models"})
    assert exported.status_code == 200 and exported.content.startswith("\ufeff".encode())
    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0] == ["时间", "操作人", "模块", "操作", "对象", "原因", "内容"]
    assert rows[1][1:5] == ["chief", "模型管理", "回滚到旧版本", "第 1 版（2026-11-20 09:00 训练）"]
    assert rows[1][5] == "'=cmd|' /C calc'!A0" and len(rows) == 2


def test_every_admin_action_has_an_audit_entry_shown_by_a_test() -> None:
    """A new administrators' POST without an audit entry (and a test for it) fails here."""
    posts = {route.path for included in admin.router().routes for route in included.original_router.routes
             if "POST" in getattr(route, "methods", ())}
    assert posts == set(ADMIN_ACTIONS)


@SQLITE
async def test_the_operator_notes_how_the_caller_is_called_and_pages_show_it_masked(stack: WebStack) -> None:
    operator = await sign_in(stack, "op2", "operator")
    created = await operator.client.post("/console/cases", data={
        "csrf_token": operator.csrf, "transcript": "市民：幸福里路灯坏了", "text": "幸福里路灯坏了", "category": "service",
        "topic": "城乡建设", "grid": "T01-C01-G01", "phone": PHONE, "contact_name": " 王建国 ", "address": ""})
    assert created.status_code == 303
    console_page = (await operator.client.get(created.headers["location"])).text
    assert "王**" in console_page and NAME not in console_page and PHONE not in console_page
    async with stack.app.uow() as uow:
        [case] = await uow.cases.find(channel="hotline")
    assert case.contact_name == NAME
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    assert NAME in (await reveal(clerk, case.number, "name")).text
