"""The operator console over a real server: login, CSRF, anonymous refusal, escaping, filing a hotline case."""

import re
from collections.abc import AsyncIterator
from html import unescape

import httpx
import pytest
import pytest_asyncio

from bot.web.auth import STAFF_COOKIE
from tests.fakes.analyzer import FakeTranscriptAnalyzer
from tests.fakes.web_stack import PASSWORD, WebStack, scratch_database, web_stack

pytestmark = pytest.mark.asyncio(loop_scope="module")
TRANSCRIPT = """[00:00:03] 坐席：您好，12345 热线，请讲。
[00:00:06] 市民：我住幸福里3号楼，楼上漏水已经10天了，物业一直不管。
[00:00:15] 坐席：请留一个联系电话。
[00:00:18] 市民：13812345678。"""
SCRIPT = "<script>document.title='pwned'</script>"


@pytest_asyncio.fixture(loop_scope="module", scope="module")
async def stack(sqlite_template, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[WebStack]:  # type: ignore[no-untyped-def]
    url = await scratch_database("sqlite", tmp_path_factory.mktemp("console"), sqlite_template, None)
    async with web_stack(url, FakeTranscriptAnalyzer()) as running:
        yield running


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


async def login(stack: WebStack, username: str = "operator", password: str = PASSWORD) -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=stack.url)
    page = await client.get("/console/login")
    response = await client.post("/console/login", data={"username": username, "password": password,
                                                          "csrf_token": csrf(page.text), "next": "/console"})
    assert response.status_code == 303, response.text
    return client


STAFF_PAGES = [("GET", "/console"), ("GET", "/console/cases/MS-20261127-0001"), ("GET", "/console/route"),
               ("POST", "/console/review"), ("POST", "/console/cases"), ("POST", "/console/logout")]


@pytest.mark.parametrize(("method", "path"), STAFF_PAGES)
async def test_staff_pages_refuse_anonymous_access(stack: WebStack, method: str, path: str) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        client.cookies.set(STAFF_COOKIE, "forged-or-expired")
        response = await client.request(method, path, data={"transcript": TRANSCRIPT, "text": "x"})
    if method == "GET":
        assert response.status_code == 303 and response.headers["location"].startswith("/console/login?next=")
    else:
        assert response.status_code == 401 and "请先登录" in response.text
    async with stack.app.uow() as uow:
        assert await uow.cases.find(channel="hotline") == []  # nothing was filed anonymously


async def test_login_needs_the_right_password_and_lands_by_role(stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        page = await client.get("/console/login")
        assert "HttpOnly" in page.headers["set-cookie"]
        wrong = await client.post("/console/login", data={"username": "operator", "password": "wrong password!",
                                                           "csrf_token": csrf(page.text)})
        assert wrong.status_code == 401 and "不正确" in wrong.text and STAFF_COOKIE not in wrong.cookies
        page = await client.get("/console/login")
        clerk = await client.post("/console/login", data={"username": "clerk", "password": PASSWORD,
                                                           "csrf_token": csrf(page.text)})
        assert clerk.status_code == 303 and clerk.headers["location"] == "/console/work/queue"
        refused = await client.get("/console")
        assert refused.status_code == 403 and "权限" in refused.text  # a clerk has no call console
        forged = await client.post("/console/login", data={"username": "operator", "password": PASSWORD,
                                                            "csrf_token": "not-the-cookie"})
        assert forged.status_code == 403
        page = await client.get("/console/login?next=/console/cases/MS-1")
        right = await client.post("/console/login", data={"username": "operator", "password": PASSWORD,
                                                           "csrf_token": csrf(page.text), "next": "//evil.example"})
        assert right.status_code == 303 and right.headers["location"] == "/console"  # no open redirect
        cookie = next(v for k, v in right.headers.multi_items() if k == "set-cookie" and STAFF_COOKIE in v)
        assert "HttpOnly" in cookie and "SameSite=strict" in cookie
        home = await client.get("/console")
    assert home.status_code == 200 and "受理来电" in home.text and "operator" in home.text


async def test_repeated_wrong_passwords_are_slowed_down(stack: WebStack) -> None:
    async with httpx.AsyncClient(base_url=stack.url) as client:
        statuses = []
        for _ in range(7):
            page = await client.get("/console/login")
            response = await client.post("/console/login", data={"username": "nobody", "password": "guess-guess",
                                                                  "csrf_token": csrf(page.text)})
            statuses.append(response.status_code)
    assert statuses[:5] == [401] * 5 and statuses[-1] == 429


async def test_staff_forms_need_the_sessions_csrf_token(stack: WebStack) -> None:
    client = await login(stack, "operator")
    response = await client.post("/console/review", data={"transcript": TRANSCRIPT, "csrf_token": "guess"})
    assert response.status_code == 403 and "页面已过期" in response.text
    response = await client.post("/console/review", data={"transcript": TRANSCRIPT})
    assert response.status_code == 403
    await client.aclose()


async def test_an_operator_reviews_a_transcript_corrects_the_topic_and_files_the_case(stack: WebStack) -> None:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    review = await client.post("/console/review", data={"transcript": TRANSCRIPT, "csrf_token": token})
    assert review.status_code == 200
    html = review.text
    assert '<mark class="grid" title="网格：试验街道试验社区一网格">幸福里</mark>' in html
    assert '<mark class="phone"' in html and "13812345678</mark>" in html
    assert "（建议，置信度 71%）" in html and "（建议，置信度 64%）" in html
    assert 'value="13812345678"' in html and "试验社区居委会" in html  # the routing preview
    assert '<input type="hidden" name="model_version" value="0007-fake">' in html
    form = {"csrf_token": token, "transcript": TRANSCRIPT, "text": "幸福里3号楼楼上漏水十天，物业不管。",
            "category": "service", "topic": "劳动和社会保障", "grid": "T01-C01-G01", "address": "幸福里3号楼",
            "phone": "138 1234 5678", "department": "", "suggested_category": "service",
            "category_confidence": "0.64", "suggested_topic": "城乡建设", "topic_confidence": "0.71",
            "model_version": "0007-fake"}
    created = await client.post("/console/cases", data=form)
    assert created.status_code == 303
    page = await client.get(created.headers["location"])
    number = re.search(r'id="case-number">([^<]+)<', page.text).group(1)  # type: ignore[union-attr]
    async with stack.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.user_ref, case.phone) == ("hotline", "hotline:13812345678", "13812345678")
    assert (case.category, case.topic, case.classification_confirmed) == ("service", "劳动和社会保障", True)
    assert (case.category_confidence, case.topic_confidence) == (0.64, None)  # the corrected one is a person's call
    assert case.department == "B-HRSS"  # routed by the corrected topic
    assert case.events[0].changes["model_version"] == "0007-fake"  # the dashboard scores models on hotline cases too
    assert case.events[0].actor == "staff:operator"
    assert "138****5678" in page.text and "13812345678" not in page.text
    await client.aclose()


async def test_a_bad_phone_number_is_sent_back_with_the_form_kept(stack: WebStack) -> None:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    response = await client.post("/console/cases", data={
        "csrf_token": token, "transcript": TRANSCRIPT, "text": "漏水", "category": "service", "topic": "城乡建设",
        "grid": "", "phone": "12345", "address": ""})
    assert response.status_code == 422 and "联系电话格式不正确" in response.text and 'value="12345"' in response.text
    await client.aclose()


async def test_a_script_in_what_a_caller_said_is_shown_as_text_on_every_staff_page(stack: WebStack) -> None:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    transcript = f"市民：幸福里漏水 {SCRIPT} 13812345678"
    review = await client.post("/console/review", data={"transcript": transcript, "csrf_token": token})
    assert SCRIPT not in review.text and "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in review.text
    created = await client.post("/console/cases", data={
        "csrf_token": token, "transcript": transcript, "text": f"漏水 {SCRIPT}", "category": "service",
        "topic": "城乡建设", "grid": "T01-C01-G01", "phone": "", "address": SCRIPT})
    case_page = await client.get(created.headers["location"])
    home = await client.get("/console")
    for page in (case_page, home):
        assert SCRIPT not in page.text and "&lt;script&gt;" in page.text
    await client.aclose()


FIRE = """坐席：您好，12345 热线，请讲。
市民：幸福里3号楼楼道里起火了，烟很大，我已经下楼了。我的电话13812345678。"""


def emergency_choice(html: str) -> str:
    """The review form's 紧急情况 as chosen: the selected option's line, or "" for 不紧急."""
    box = re.search(r'<select name="emergency".*?</select>', html, re.S).group()  # type: ignore[union-attr]
    chosen = re.search(r'<option value="(\d*)" selected>', box)
    return chosen.group(1) if chosen else ""


async def test_a_call_told_with_an_emergency_goes_to_a_dispatcher_unless_the_operator_says_otherwise(
        stack: WebStack) -> None:
    """The line the warning names is chosen on the form: a dispatcher checks and routes the case first,
    as for one told in the chat. Chosen away (a false alarm), it is routed by the rules and the file
    says the operator judged it so; any call may be marked by hand."""
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    review = (await client.post("/console/review", data={"transcript": FIRE, "csrf_token": token})).text
    assert emergency_choice(review) == "119" and "（建议）" in review and "已提示拨打 119）" in review  # the preview says why
    ordinary = (await client.post("/console/review", data={"transcript": TRANSCRIPT, "csrf_token": token})).text
    assert emergency_choice(ordinary) == "" and '<option value="120">' in ordinary  # offered on every call
    route = {"category": "service", "topic": "城乡建设", "grid": "T01-C01-G01"}
    plain = (await client.get("/console/route", params=route)).json()
    marked = (await client.get("/console/route", params={**route, "emergency": "119"})).json()
    forged = (await client.get("/console/route", params={**route, "emergency": "<b>"})).json()
    assert plain == forged and plain["reason"] == "按分拨规则" and "已提示拨打 119" in marked["reason"]
    form = {"csrf_token": token, "transcript": FIRE, "text": "幸福里3号楼楼道里起火", **route, "address": "",
            "phone": "13812345678", "department": "", "suggested_emergency": "119"}
    kept = await client.post("/console/cases", data={**form, "phone": "12345", "emergency": ""})
    assert kept.status_code == 422 and emergency_choice(kept.text) == ""  # refused: the choice is kept
    numbers = []
    for chosen in ("119", "", "120"):
        created = await client.post("/console/cases", data={**form, "emergency": chosen})
        page = (await client.get(created.headers["location"])).text
        numbers.append(re.search(r'id="case-number">([^<]+)<', page).group(1))  # type: ignore[union-attr]
        assert ('id="case-emergency"' in page) == bool(chosen)
        assert ('id="case-emergency-judged"' in page) != bool(chosen)
    async with stack.app.uow() as uow:
        urgent, ordinary_case, by_hand = [await uow.cases.get(n) for n in numbers]
    assert (urgent.emergency, urgent.department) == ("119", stack.app.policies.routing.dispatcher)
    assert ordinary_case.emergency is None and ordinary_case.department == "C-T01-C01"
    assert ordinary_case.events[0].changes["suggested_emergency"] == "119"  # the operator's judgement is on file
    assert by_hand.emergency == "120" and "suggested_emergency" not in by_hand.events[0].changes
    await client.aclose()


async def test_logging_out_ends_the_session(stack: WebStack) -> None:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    old = client.cookies[STAFF_COOKIE]
    assert (await client.post("/console/logout", data={"csrf_token": token})).status_code == 303
    client.cookies.set(STAFF_COOKIE, old)  # even a copied cookie no longer opens the console
    assert (await client.get("/console")).status_code == 303
    await client.aclose()


TWO_MATTERS = """[00:00:03] 坐席：您好，12345 热线，请讲。
[00:00:06] 市民：我住幸福里3号楼，楼上漏水已经10天了，物业一直不管。还有一件事，我家楼下的路灯也坏了好几天了。
[00:00:15] 坐席：请留一个联系电话。
[00:00:18] 市民：13912345678。"""


def field(html: str, name: str) -> str:
    """The value an input or textarea of the review form holds, as the browser would submit it."""
    found = re.search(rf'<input[^>]* name="{name}"[^>]*? value="([^"]*)"', html) or re.search(
        rf'<textarea name="{name}"[^>]*>([^<]*)</textarea>', html)
    assert found, name
    return unescape(found.group(1))


async def _split(client: httpx.AsyncClient, token: str) -> tuple[str, str]:
    """The whole call's review (asked about two matters), then the first matter's: (call key, its page)."""
    whole = (await client.post("/console/review", data={"transcript": TWO_MATTERS, "csrf_token": token})).text
    assert 'id="matters"' in whole and "这通来电像是反映了 2 件事" in whole and "我家楼下的路灯也坏了好几天了</li>" in whole
    call = field(whole, "call")
    first = (await client.post("/console/review", data={"transcript": TWO_MATTERS, "csrf_token": token,
                                                          "call": call, "matter": "1"})).text
    return call, first


async def test_a_call_raising_two_matters_is_filed_as_two_cases_one_after_the_other(stack: WebStack) -> None:
    """一事一单 at the hotline: asked, then each matter reviewed on its own with the caller's phone and
    name carried over, and the place when the later matter names none; a form sent twice files once."""
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    call, first = await _split(client, token)
    assert "核对并登记（第 1 / 2 件）" in first and 'id="matters"' not in first and "接着核对第 2 件" in first
    assert "漏水" in field(first, "text") and "路灯" not in field(first, "text")
    assert field(first, "phone") == "13912345678" and 'value="T01-C01-G01" selected' in first.replace("\n", "")
    form = {"csrf_token": token, "transcript": TWO_MATTERS, "call": call, "matter": "1", "text": field(first, "text"),
            "said": field(first, "said"), "category": "dispute", "topic": "城乡建设", "grid": "T01-C01-G01",
            "address": "幸福里3号楼", "phone": "13912345678", "contact_name": "王先生", "department": ""}
    filed = await client.post("/console/cases", data=form)
    again = await client.post("/console/cases", data=form)  # the button pressed twice
    assert filed.status_code == again.status_code == 200
    banner = re.search(r'id="filed">本次来电已登记 <a[^>]*>([^<]+)</a>。请核对第 2 件。', filed.text)
    assert banner is not None
    number = banner.group(1)
    assert f">{number}</a>。请核对第 2 件" in again.text
    second = filed.text
    assert "核对并登记（第 2 / 2 件）" in second and "接着核对" not in second and 'id="skip"' not in second
    assert "路灯" in field(second, "text") and "漏水" not in field(second, "text")
    assert (field(second, "phone"), field(second, "contact_name")) == ("13912345678", "王先生")
    assert 'value="T01-C01-G01" selected' in second.replace("\n", "") and field(second, "address") == "幸福里3号楼"
    assert (field(second, "call"), field(second, "matter"), field(second, "filed")) == (call, "2", number)
    done = await client.post("/console/cases", data={
        **form, "matter": "2", "filed": number, "text": field(second, "text"), "said": field(second, "said"),
        "category": "service"})
    assert done.status_code == 303
    last = await client.get(done.headers["location"])
    assert f"本次来电共登记 2 件，另外 1 件是 <a class=\"case-number\" href=\"/console/cases/{number}\">" in last.text
    async with stack.app.uow() as uow:
        cases = [c for c in await uow.cases.find(channel="hotline", limit=100) if c.phone == "13912345678"]
    assert sorted((c.category, c.contact_name, c.grid_code) for c in cases) == [
        ("dispute", "王先生", "T01-C01-G01"), ("service", "王先生", "T01-C01-G01")]
    assert {c.number for c in cases} >= {number} and len({c.text for c in cases}) == 2
    await client.aclose()


async def test_a_matter_the_operator_passes_by_files_nothing(stack: WebStack) -> None:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    call, first = await _split(client, token)
    assert "这件不登记，核对第 2 件" in first
    async with stack.app.uow() as uow:
        before = len(await uow.cases.find(channel="hotline", limit=100))
    skipped = await client.post("/console/review", data={
        "csrf_token": token, "transcript": TWO_MATTERS, "call": call, "matter": "1", "skip": "1",
        "phone": "13900000000", "text": field(first, "text")})
    assert "核对并登记（第 2 / 2 件）" in skipped.text and "路灯" in field(skipped.text, "text")
    assert field(skipped.text, "phone") == "13900000000"  # what the operator typed stays
    async with stack.app.uow() as uow:
        assert len(await uow.cases.find(channel="hotline", limit=100)) == before
    await client.aclose()


async def test_a_call_about_one_matter_is_not_asked_about(stack: WebStack) -> None:
    client = await login(stack)
    token = csrf((await client.get("/console")).text)
    review = (await client.post("/console/review", data={"transcript": TRANSCRIPT, "csrf_token": token})).text
    assert 'id="matters"' not in review and "核对并登记（第" not in review
    await client.aclose()
