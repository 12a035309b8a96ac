"""账号管理 over HTTP on the real web app, on SQLite and PostgreSQL: only administrators open it and
every form needs the session's CSRF token; accounts are created with the CLI's rules and helpful
refusals; disabling one signs its member out everywhere (pages and an open patrol chat, which also
follows a change of grids at once); a password
reset ends the old sessions; roles, departments and grids change; the last administrator stays; and
every change is in the audit log with who, when and what, never a password."""

import asyncio
import json
import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import func, select
from websockets.asyncio.client import connect

from bot.account_admin import AREA
from bot.web.auth import STAFF_COOKIE
from bot.web.resident import TRY_LATER
from storage.audit_log import AuditEntry, recent
from storage.staff_models import StaffRow, StaffSessionRow, grids_of, staff_by_name
from tests.fakes.web_stack import PASSWORD, WebStack
from tests.integration.test_staff_pages import Staff, sign_in

pytestmark = pytest.mark.asyncio(loop_scope="module")
ACCOUNTS = "/console/admin/accounts"
NEW_PASSWORD = "another long password"


@pytest_asyncio.fixture(loop_scope="module", autouse=True)
async def closing(stack: WebStack) -> AsyncIterator[None]:
    """The test's signed-in clients are closed after it (the stack lives for the module)."""
    yield
    for client in stack.__dict__.pop("clients", []):
        await client.aclose()


class Admin(Staff):
    """A signed-in member on the admin pages (Staff's paths are the workbench's)."""

    async def get(self, path: str, **params: str) -> httpx.Response:
        return await self.client.get("/console/admin" + path, params=params)

    async def post(self, path: str, **form: str) -> httpx.Response:
        return await self.client.post("/console/admin" + path, data={"csrf_token": self.csrf, **form})


async def admin(stack: WebStack, name: str = "root") -> Admin:
    signed = await sign_in(stack, name, "admin")
    return Admin(signed.client, signed.csrf)


async def login(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    """Through the login form, as a person signs in."""
    page = (await client.get("/console/login")).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return await client.post("/console/login", data={"username": username, "password": password, "csrf_token": token})


async def logs_in(stack: WebStack, username: str, password: str) -> bool:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        return (await login(client, username, password)).status_code == 303


async def sign_in_as(stack: WebStack, username: str, password: str = NEW_PASSWORD) -> Staff:
    """A client signed in through the login form (its session is the one an admin's action must end)."""
    client = httpx.AsyncClient(base_url=stack.url)
    stack.__dict__.setdefault("clients", []).append(client)
    answer = await login(client, username, password)
    assert answer.status_code == 303, answer.text
    landed = (await client.get(answer.headers["location"])).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', landed).group(1)  # type: ignore[union-attr]
    return Staff(client, csrf)


async def entries(stack: WebStack, subject: str) -> list[AuditEntry]:
    """The account's audit entries, oldest first."""
    return [e for e in reversed(await recent(stack.app.sessions, AREA, 500)) if e.subject == subject]


async def sessions_of(stack: WebStack, username: str) -> int:
    async with stack.app.sessions() as session:
        row = await staff_by_name(session, username)
        assert row is not None
        query = select(func.count()).select_from(StaffSessionRow).where(StaffSessionRow.staff_id == row.id)
        return await session.scalar(query) or 0


def never_a_password(logged: list[AuditEntry], *passwords: str) -> None:
    said = json.dumps([(e.actor, e.action, e.subject, e.reason, e.details) for e in logged], ensure_ascii=False)
    assert not any(password in said for password in passwords)


async def test_only_administrators_open_the_accounts_and_registry_pages(stack: WebStack) -> None:
    for role, department in (("clerk", "C-T01-C01"), ("dispatcher", None), ("supervisor", None), ("operator", None)):
        member = await sign_in(stack, f"not-admin-{role}", role, department)
        other = Admin(member.client, member.csrf)
        for path in ("/accounts", "/accounts/clerk", "/registry"):
            refused = await other.get(path)
            assert refused.status_code == 403, (role, path)
        assert "没有管理账号的权限" in (await other.get("/accounts")).text
        assert "没有管理辖区名录的权限" in (await other.get("/registry")).text
        created = await other.post("/accounts", username=f"by-{role}", role="admin", password=NEW_PASSWORD)
        assert created.status_code == 403
        assert (await other.post("/accounts/clerk/active", active="0", confirm="1")).status_code == 403
        assert (await other.post("/accounts/clerk/password", password=NEW_PASSWORD)).status_code == 403
        assert (await other.post("/registry/preview")).status_code == 403
        assert (await other.post("/registry/apply", upload="x" * 43)).status_code == 403
        menu = (await member.get("/search")).text if role != "operator" else (await member.client.get("/console")).text
        assert "账号管理" not in menu and "辖区名录" not in menu
    assert not await logs_in(stack, "by-admin", NEW_PASSWORD) and await entries(stack, "by-clerk") == []
    async with httpx.AsyncClient(base_url=stack.url) as anonymous:
        for path in (ACCOUNTS, "/console/admin/registry"):
            answer = await anonymous.get(path, follow_redirects=False)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")

    page = await (await admin(stack)).get("/accounts")
    assert page.status_code == 200
    assert '<a href="/console/admin/accounts" aria-current="page">账号管理</a>' in page.text
    assert '<a href="/console/admin/registry">辖区名录</a>' in page.text


async def test_forms_without_the_session_token_are_refused(stack: WebStack) -> None:
    member = await admin(stack)
    forged = {"csrf_token": "forged", "username": "forged-wang", "role": "operator", "password": NEW_PASSWORD}
    refused = await member.client.post(ACCOUNTS, data=forged)
    assert refused.status_code == 403 and "页面已过期" in refused.text
    for action, form in (("active", {"active": "0", "confirm": "1"}), ("password", {"password": NEW_PASSWORD}),
                         ("assignment", {"role": "admin"})):
        answer = await member.client.post(f"{ACCOUNTS}/clerk/{action}", data={"csrf_token": "forged", **form})
        assert answer.status_code == 403
    assert await logs_in(stack, "clerk", PASSWORD)  # neither disabled nor given a new password
    assert await entries(stack, "forged-wang") == [] and await entries(stack, "clerk") == []


async def test_an_administrator_creates_accounts_and_is_told_what_is_wrong(stack: WebStack) -> None:
    member = await admin(stack)
    base = {"username": "wang", "role": "clerk", "department": "C-T01-C01", "grids": "", "password": NEW_PASSWORD}
    for change, status, said in (
        ({"password": "short"}, 422, "密码至少需要 10 个字符"),
        ({"department": ""}, 422, "部门办理人员需要指定所属部门"),
        ({"department": "NOPE"}, 422, "未找到部门 NOPE"),
        ({"role": "grid_worker", "department": "", "grids": "T01-C01-G01，NOPE-G9"}, 422, "未找到网格 NOPE-G9"),
        ({"role": "grid_worker", "department": ""}, 422, "网格员需要指定所负责的网格"),
        ({"role": "operator", "department": "", "grids": "T01-C01-G01"}, 422, "其他角色不能指定网格"),
        ({"username": "wang xh"}, 422, "用户名不能为空、不能含空格"),
        ({"role": "mayor"}, 422, "角色必须是"),
        ({"username": "clerk"}, 409, "用户名 clerk 已被使用"),
    ):
        refused = await member.post("/accounts", **(base | change))
        assert refused.status_code == status and said in refused.text, (change, refused.text[-2000:])
        assert 'value="C-T01-C01" selected' in refused.text or "department" in change  # what was chosen stays
        assert NEW_PASSWORD not in refused.text and "short" not in refused.text.split('id="create"')[1]
    assert await entries(stack, "wang") == []

    created = await member.post("/accounts", **base)
    assert created.status_code == 303 and created.headers["location"] == f"{ACCOUNTS}/wang?done=created"
    page = (await member.get("/accounts/wang", done="created")).text
    assert "账号已创建" in page and "部门办理人员" in page and "试验社区居委会（C-T01-C01）" in page
    listing = (await member.get("/accounts")).text
    assert 'data-username="wang"' in listing and "新建账号" in listing.split('id="audit"')[1]
    assert await logs_in(stack, "wang", NEW_PASSWORD)
    async with stack.app.sessions() as session:
        row = await staff_by_name(session, "wang")
    assert row is not None and row.password_hash.startswith("$argon2id$") and row.active

    worker = await member.post("/accounts", username="wxh-new", role="grid_worker", department="",
                               grids="T01-C01-G01、T01-C01-G02", password=NEW_PASSWORD)
    assert worker.status_code == 303
    [logged] = await entries(stack, "wang")
    assert (logged.actor, logged.action, logged.details) == (
        "root", "created", {"role": "clerk", "department": "C-T01-C01", "grids": []})
    assert (await entries(stack, "wxh-new"))[0].details["grids"] == ["T01-C01-G01", "T01-C01-G02"]
    never_a_password(await recent(stack.app.sessions, AREA, 500), NEW_PASSWORD, "short")


async def worker_socket(stack: WebStack, cookie: str) -> Any:
    return connect(stack.url.replace("http", "ws") + "/ws", additional_headers={"Cookie": f"{STAFF_COOKIE}={cookie}"})


async def send(ws: Any, n: int, text: str) -> list[dict[str, Any]]:
    """One turn: every frame until its ack, or until the server ends the chat."""
    await ws.send(json.dumps({"id": f"patrol-{n:04d}-{uuid.uuid4().hex}", "type": "text", "text": text}))
    frames = []
    while True:
        frames.append(json.loads(await asyncio.wait_for(ws.recv(), 10)))
        if frames[-1]["type"] in ("ack", "error"):
            return frames


async def test_disabling_an_account_signs_it_out_everywhere_and_enabling_lets_it_back(stack: WebStack) -> None:
    member = await admin(stack)
    assert (await member.post("/accounts", username="zhao", role="clerk", department="C-T01-C01",
                              password=NEW_PASSWORD)).status_code == 303
    zhao = await sign_in_as(stack, "zhao")
    assert (await zhao.get("/queue")).status_code == 200
    worker = await member.post("/accounts", username="li-patrol", role="grid_worker", grids="T01-C01-G01",
                               password=NEW_PASSWORD)
    assert worker.status_code == 303
    patrol = await sign_in_as(stack, "li-patrol")
    cookie = patrol.client.cookies[STAFF_COOKIE]
    assert "1 处已登录" in (await member.get("/accounts/zhao")).text

    async with await worker_socket(stack, cookie) as ws:
        json.loads(await ws.recv())  # the history
        assert (await send(ws, 1, "井盖破损"))[-1]["type"] == "ack"
        assert stack.dialogue.inbound[-1].reporter.grids == ("T01-C01-G01",)  # type: ignore[attr-defined]
        moved = await member.post("/accounts/li-patrol/assignment", role="grid_worker", grids="T01-C01-G02")
        assert moved.status_code == 303
        assert (await send(ws, 2, "井盖破损，在二网格"))[-1]["type"] == "ack"
        assert stack.dialogue.inbound[-1].reporter.grids == ("T01-C01-G02",)  # type: ignore[attr-defined]
        for username in ("zhao", "li-patrol"):
            unconfirmed = await member.post(f"/accounts/{username}/active", active="0")
            assert unconfirmed.status_code == 422 and f"停用前请勾选“确认停用 {username}”" in unconfirmed.text
            assert await sessions_of(stack, username) == 1  # nothing happened
            disabled = await member.post(f"/accounts/{username}/active", active="0", confirm="1")
            assert disabled.status_code == 303 and disabled.headers["location"].endswith("?done=disabled")
        ended = await send(ws, 3, "已经围挡")
        assert ended[-1]["type"] == "error" and "已被停用" in ended[-1]["text"]
        await asyncio.wait_for(ws.wait_closed(), 10)
        assert ws.close_code == TRY_LATER

    away = await zhao.client.get("/console/work/queue", follow_redirects=False)
    assert away.status_code == 303 and away.headers["location"].startswith("/console/login")
    assert await sessions_of(stack, "zhao") == 0 and await sessions_of(stack, "li-patrol") == 0
    assert not await logs_in(stack, "zhao", NEW_PASSWORD)
    async with httpx.AsyncClient(base_url=stack.url) as client:  # told why, with the right password only
        right, wrong = await login(client, "zhao", NEW_PASSWORD), await login(client, "zhao", "not-the-password")
    assert right.status_code == 403 and "该账号已停用，请联系系统管理员。" in right.text
    assert wrong.status_code == 401 and "已停用" not in wrong.text
    page = (await member.get("/accounts/zhao", done="disabled")).text
    assert "账号已停用，并已在所有设备上退出登录" in page and "已停用" in page and "启用账号" in page
    again = await member.post("/accounts/zhao/active", active="0", confirm="1")
    assert again.status_code == 303  # already: no new entry

    assert (await member.post("/accounts/zhao/active", active="1")).status_code == 303
    assert await logs_in(stack, "zhao", NEW_PASSWORD)
    assert [(e.actor, e.action) for e in await entries(stack, "zhao")] == [
        ("root", "created"), ("root", "disabled"), ("root", "enabled")]


async def test_a_password_reset_ends_the_members_sessions_but_not_the_admins_own(stack: WebStack) -> None:
    member = await admin(stack, "root-reset")
    assert (await member.post("/accounts", username="sun", role="operator", password=NEW_PASSWORD)).status_code == 303
    sun = await sign_in_as(stack, "sun")
    short = await member.post("/accounts/sun/password", password="tooshort")
    assert short.status_code == 422 and "密码至少需要 10 个字符" in short.text
    assert (await sun.client.get("/console")).status_code == 200

    reset = await member.post("/accounts/sun/password", password="a brand new password")
    assert reset.status_code == 303
    assert "密码已重设" in (await member.get("/accounts/sun", done="password")).text
    assert (await sun.client.get("/console", follow_redirects=False)).status_code == 303  # signed out
    assert not await logs_in(stack, "sun", NEW_PASSWORD) and await logs_in(stack, "sun", "a brand new password")

    own = await member.post("/accounts/root-reset/password", password="the admin's new password")
    assert own.status_code == 303 and (await member.get("/accounts")).status_code == 200  # still signed in here
    assert (await member.post("/accounts/nobody/password", password=NEW_PASSWORD)).status_code == 404
    logged = await entries(stack, "sun")
    assert [(e.actor, e.action, e.details) for e in logged][-1] == ("root-reset", "password_reset", {})
    never_a_password(await recent(stack.app.sessions, AREA, 500), "a brand new password", "the admin's new password",
                     "tooshort")


async def test_roles_departments_and_grids_change_and_the_last_administrator_stays(stack: WebStack) -> None:
    member = await admin(stack, "root-roles")
    assert (await member.post("/accounts", username="qian", role="clerk", department="C-T01-C01",
                              password=NEW_PASSWORD)).status_code == 303
    moved = await member.post("/accounts/qian/assignment", role="grid_worker", department="",
                              grids="T01-C01-G02 T01-C01-G01")
    assert moved.status_code == 303 and moved.headers["location"].endswith("?done=assigned")
    async with stack.app.sessions() as session:
        row = await staff_by_name(session, "qian")
        assert row is not None and row.role == "grid_worker" and row.department is None
        assert await grids_of(session, row.id) == ("T01-C01-G01", "T01-C01-G02")
    same = await member.post("/accounts/qian/assignment", role="grid_worker", grids="T01-C01-G01,T01-C01-G02")
    assert same.headers["location"].endswith("?done=unchanged")
    wrong = await member.post("/accounts/qian/assignment", role="clerk", department="NOPE")
    assert wrong.status_code == 422 and "未找到部门 NOPE" in wrong.text
    [created, changed] = await entries(stack, "qian")
    assert changed.action == "role_changed" and changed.details == {
        "from": {"role": "clerk", "department": "C-T01-C01", "grids": []},
        "to": {"role": "grid_worker", "department": None, "grids": ["T01-C01-G01", "T01-C01-G02"]}}
    audit = (await member.get("/accounts")).text.split('id="audit"')[1]
    assert "部门办理人员，部门 C-T01-C01 → 网格员，网格 T01-C01-G01、T01-C01-G02" in audit

    itself = await member.post("/accounts/root-roles/active", active="0")
    assert itself.status_code == 422 and "不能停用自己正在使用的账号" in itself.text
    async with stack.app.sessions() as session:
        query = select(StaffRow.username).where(StaffRow.role == "admin", StaffRow.active.is_(True))
        admins = list((await session.execute(query)).scalars())
    for other in admins:  # leave root-roles the only enabled administrator
        if other != "root-roles":
            assert (await member.post(f"/accounts/{other}/active", active="0", confirm="1")).status_code == 303
    demoted = await member.post("/accounts/root-roles/assignment", role="supervisor")
    assert demoted.status_code == 422 and "至少要保留一个启用的系统管理员账号" in demoted.text
    assert (await member.get("/accounts")).status_code == 200
    for other in admins:
        if other != "root-roles":
            assert (await member.post(f"/accounts/{other}/active", active="1")).status_code == 303



async def test_grids_are_ticked_under_their_community_and_one_gone_from_the_registry_stays_shown(
        stack: WebStack) -> None:
    member = await admin(stack)
    ticked = ["T01-C01-G01", "T01-C01-G02"]
    created = await member.client.post(f"{ACCOUNTS}", data={"csrf_token": member.csrf, "username": "sun-grid",
                                                            "role": "grid_worker", "password": NEW_PASSWORD,
                                                            "grids": ticked})
    assert created.status_code == 303, created.text
    async with stack.app.sessions() as session:
        row = await staff_by_name(session, "sun-grid")
        assert row is not None and await grids_of(session, row.id) == tuple(ticked)
    page = (await member.get("/accounts/sun-grid")).text
    for code in ticked:
        assert re.search(rf'<input type="checkbox" name="grids" value="{code}" checked>', page)
    assert "（已选 2 个）" in page and "<details open>" in page

    unknown = await member.client.post(f"{ACCOUNTS}/sun-grid/assignment", data={
        "csrf_token": member.csrf, "role": "grid_worker", "grids": [*ticked, "T09-C09-G09"]})
    assert unknown.status_code == 422 and "未找到网格 T09-C09-G09" in unknown.text
    assert re.search(r'value="T09-C09-G09" checked> T09-C09-G09 <span class="muted">（名录中已没有这个网格）', unknown.text)
    assert re.search(r'value="T01-C01-G02" checked>', unknown.text)  # what was ticked stays ticked
