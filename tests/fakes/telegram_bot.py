"""Our Telegram channel, polling the fake Bot API with aiogram's real HTTP client, for tests."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiogram import Bot

from bot.bootstrap import App
from bot.limits import Limits, SenderGate
from bot.ports import Dialogue
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.notifier import TelegramNotifier
from bot.telegram.runner import TelegramSettings, make_bot, poll
from tests.fakes.telegram_api import FakeBotApi

TOKEN = "123456:TEST-token"


@asynccontextmanager
async def polling_bot(app: App, dialogue: Dialogue, limits: Limits = Limits()) -> AsyncIterator[FakeBotApi]:
    """Starts the fake API and polls it; pushes for `telegram` go through it as well."""
    api = FakeBotApi()
    await api.start()
    bot = make_bot(TelegramSettings(token=TOKEN, api_base=api.base_url))
    app.notifiers["telegram"] = TelegramNotifier(bot)
    stop = asyncio.Event()
    polling = asyncio.create_task(poll(build_dispatcher(dialogue, SenderGate(limits)), bot, stop, timeout=1))
    try:
        yield api
    finally:
        stop.set()
        await polling
        await close_session(bot)
        await api.stop()


async def close_session(bot: Bot) -> None:
    """The bot's HTTP session closed without aiogram's 0.25 s wait for SSL connections to wind down:
    the fake Bot API is plain HTTP on loopback, and that wait was most of a Telegram test's teardown."""
    inner = getattr(bot.session, "_session", None)  # aiogram's AiohttpSession keeps its aiohttp session here
    if inner is not None:
        await inner.close()
    await bot.session.close()  # aiogram's own close, with nothing left open it does not wait
