"""Staff login under guessing, over HTTP on the real app and the app's clock: the member is told when
to try again (429 with Retry-After), and guesses from another address do not lock them out."""

import re

import httpx
import pytest

from tests.fakes.web_stack import PASSWORD, WebStack
from tests.integration.test_staff_pages import clock, stack  # noqa: F401 - this module's app and clock
from tests.support import FakeClock

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def from_address(stack: WebStack, host: str) -> httpx.AsyncClient:
    """A browser on another machine: loopback answers from any 127.x address."""
    return httpx.AsyncClient(base_url=stack.url, transport=httpx.AsyncHTTPTransport(local_address=host))


async def log_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    page = await client.get("/console/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, page.text
    return await client.post("/console/login", data={"username": username, "password": password,
                                                      "csrf_token": token[1]})


async def test_the_member_is_told_when_the_next_try_is_allowed(stack: WebStack, clock: FakeClock) -> None:
    async with from_address(stack, "127.0.0.1") as browser:
        for _ in range(5):
            assert (await log_in(browser, "operator", "wrong password")).status_code == 401
        held = await log_in(browser, "operator", PASSWORD)
        assert held.status_code == 429 and held.headers["retry-after"] == "12"
        assert "登录尝试过多，请在 12 秒后再试。" in held.text
        clock.advance(seconds=5)
        assert "请在 7 秒后再试" in (await log_in(browser, "operator", PASSWORD)).text
        clock.advance(seconds=7)
        assert (await log_in(browser, "operator", PASSWORD)).status_code == 303


async def test_guesses_from_another_address_do_not_lock_the_member_out(stack: WebStack, clock: FakeClock) -> None:
    async with from_address(stack, "127.0.0.1") as office, from_address(stack, "127.0.0.2") as stranger:
        assert (await log_in(office, "operator", PASSWORD)).status_code == 303
        statuses = [(await log_in(stranger, "operator", "guess")).status_code for _ in range(8)]
        assert statuses == [401] * 5 + [429] * 3
        clock.advance(seconds=12)
        assert (await log_in(stranger, "OPERATOR", "guess")).status_code == 401  # one more, then held again
        assert (await log_in(stranger, "operator", "guess")).status_code == 429
        assert (await log_in(office, "operator", PASSWORD)).status_code == 303
