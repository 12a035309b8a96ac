"""Unknown addresses and refusals over HTTP: a Chinese page that leads home (the chat for residents, the
member's own start page for staff, the login only for a visitor not signed in); the Open311 API keeps JSON."""

import re

import httpx
import pytest

from tests.fakes.web_stack import WebStack
from tests.integration.test_staff_pages import BASE, sign_in, stack  # noqa: F401 - stack: this module's app

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
CONSOLE_FRAME, WORK_FRAME = "民声 · 热线坐席工作台", "民声 · 部门办理"


def way_home(page: httpx.Response) -> tuple[str, str]:
    """The page's one link onward: (address, wording)."""
    found = re.search(r'<a class="button" id="home" href="([^"]+)">([^<]+)</a>', page.text)
    assert found, page.text
    return found[1], found[2]


async def test_unknown_addresses_answer_in_the_frame_they_belong_to(stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as visitor:
        public = await visitor.get("/no-such-page")
        staff = await visitor.get("/console/work/no-such-page")
        api = await visitor.get("/open311/v2/no-such-thing.json")
    assert public.status_code == 404 and public.headers["content-type"].startswith("text/html")
    assert "页面不存在" in public.text and '<a id="home" href="/">返回在线受理</a>' in public.text
    assert staff.status_code == 404 and "页面不存在" in staff.text
    assert way_home(staff) == (BASE, "返回工作台") and "前往登录" not in staff.text
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    assert api.json() == {"detail": "Not Found"}


async def test_a_signed_in_clerk_is_refused_with_a_way_back_to_the_queue(stack: WebStack) -> None:
    clerk = await sign_in(stack, "clerk", "clerk", "C-T01-C01")
    for path, lacking in (("/console", "没有使用坐席工作台的权限"), (f"{BASE}/dispatch", "没有统一分拨的权限")):
        refused = await clerk.client.get(path)
        assert refused.status_code == 403 and lacking in refused.text
        assert way_home(refused) == (f"{BASE}/queue", "返回待办队列"), path
        assert WORK_FRAME in refused.text and CONSOLE_FRAME not in refused.text and "前往登录" not in refused.text
    missing = await clerk.get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.text and way_home(missing)[0] == f"{BASE}/queue"
    action = await clerk.get("/cases/MS-20990101-9999/accept")  # an action's address, opened as a page
    assert action.status_code == 405 and action.headers["allow"] == "POST" and "页面不存在" in action.text
    forged = await clerk.client.post(f"{BASE}/cases/MS-20990101-9999/accept", data={"csrf_token": "guess"})
    assert forged.status_code == 403 and "页面已过期" in forged.text and "前往登录" not in forged.text


async def test_an_operator_goes_home_to_the_console_or_to_dispatch(stack: WebStack) -> None:
    operator = await sign_in(stack, "operator", "operator")
    missing = await operator.client.get("/console/no-such-page")
    assert missing.status_code == 404 and CONSOLE_FRAME in missing.text
    assert way_home(missing) == ("/console", "返回受理来电") and "operator" in missing.text
    refused = await operator.get("/supervise")
    assert refused.status_code == 403 and "没有督办的权限" in refused.text and WORK_FRAME in refused.text
    assert way_home(refused) == (f"{BASE}/dispatch", "返回统一分拨")


async def test_only_a_visitor_not_signed_in_is_sent_to_the_login(stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as visitor:
        page = await visitor.get(f"{BASE}/queue")
        posted = await visitor.post(f"{BASE}/cases/MS-20990101-9999/accept", data={"csrf_token": "x"})
    assert page.status_code == 303 and page.headers["location"] == f"/console/login?next={BASE}/queue"
    assert posted.status_code == 401 and "请先登录" in posted.text
    assert way_home(posted) == (f"/console/login?next={BASE}/cases/MS-20990101-9999/accept", "前往登录")
