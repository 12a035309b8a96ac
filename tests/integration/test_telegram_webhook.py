"""Telegram webhook mode: the secret header is checked, and an update posted twice acts once."""

from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from fastapi import FastAPI

from bot.bootstrap import App
from bot.limits import Limits, SenderGate
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.runner import TelegramSettings, make_bot
from bot.telegram.webhook import SECRET_HEADER, webhook_router
from tests.fakes.dialogue import FakeDialogue
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.telegram_bot import close_session

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
SECRET = "s3cret-token_for-tests"
CHAT = 7770001


@pytest.fixture
async def webhook(app: App) -> AsyncIterator[tuple[httpx.AsyncClient, FakeBotApi, FakeDialogue]]:
    api = FakeBotApi()
    await api.start()
    bot = make_bot(TelegramSettings(token="123456:TEST-token", api_base=api.base_url))
    dialogue = FakeDialogue(app.bus)
    web = FastAPI()
    web.include_router(webhook_router(build_dispatcher(dialogue, SenderGate(Limits())), bot, "/tg/hook", SECRET))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://test") as client:
        yield client, api, dialogue
    await close_session(bot)
    await api.stop()


async def test_an_update_posted_twice_has_its_effect_once(webhook) -> None:  # type: ignore[no-untyped-def]
    client, api, dialogue = webhook
    update = {"update_id": 9001, **api.message(CHAT, text="楼道灯不亮")}
    for _ in range(2):
        response = await client.post("/tg/hook", json=update, headers={SECRET_HEADER: SECRET})
        assert response.status_code == 200
    assert len(dialogue.inbound) == 1
    assert [m.text for m in api.sent(CHAT)] == ["您反映的是：楼道灯不亮，对吗？"]


@pytest.mark.parametrize("headers", [{}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: SECRET + "x"}])
async def test_a_post_without_the_secret_is_refused(webhook, headers: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    client, api, dialogue = webhook
    response = await client.post("/tg/hook", json={"update_id": 1, **api.message(CHAT, text="你好")}, headers=headers)
    assert response.status_code == 401
    assert dialogue.inbound == [] and api.sent() == []


def test_the_channel_is_configured_from_the_environment_and_config(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    section = {"token_env": "TG_TOKEN_FOR_TEST", "api_base": "http://127.0.0.1:8081", "mode": "webhook",
               "webhook_url": "https://example.org/tg", "webhook_secret_env": "TG_SECRET_FOR_TEST"}
    configured = replace(settings, raw={**settings.raw, "telegram": section})
    monkeypatch.delenv("TG_TOKEN_FOR_TEST", raising=False)
    assert TelegramSettings.from_settings(configured) is None  # no token: the channel is off
    monkeypatch.setenv("TG_TOKEN_FOR_TEST", "123456:abc")
    with pytest.raises(ValueError, match="webhook"):
        TelegramSettings.from_settings(configured)  # webhook mode without its secret
    monkeypatch.setenv("TG_SECRET_FOR_TEST", SECRET)
    telegram = TelegramSettings.from_settings(configured)
    assert telegram is not None and (telegram.api_base, telegram.webhook_secret) == ("http://127.0.0.1:8081", SECRET)
    assert make_bot(telegram).session.api.api_url("T", "getMe") == "http://127.0.0.1:8081/botT/getMe"
