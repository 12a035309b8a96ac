"""Building the Bot from config (token by environment variable, configurable API base) and polling it."""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from fastapi import APIRouter

from bot.limits import SenderGate
from bot.ports import Dialogue
from bot.telegram.dispatcher import build_dispatcher
from bot.telegram.settings import TelegramSettings
from bot.telegram.webhook import register_webhook, webhook_router

log = logging.getLogger(__name__)


def make_bot(config: TelegramSettings) -> Bot:
    """Replies are plain text: the Bot has no default parse_mode, so nothing a resident wrote is markup."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_base)) if config.api_base else AiohttpSession()
    return Bot(config.token, session=session)


async def poll(dispatcher: Dispatcher, bot: Bot, stop: asyncio.Event, timeout: int = 25, retry_seconds: float = 5) -> None:
    """Long-poll until `stop`; if the Bot API is unreachable at start-up, keep trying instead of dying.
    Updates are handled before the next poll confirms them, so a process that dies mid-turn gets
    them again from Telegram after its restart (aiogram would otherwise confirm them at once)."""
    while not stop.is_set():
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, polling_timeout=timeout, handle_signals=False, close_bot_session=False,
                                     handle_as_tasks=False)
        )
        stopped = asyncio.create_task(stop.wait())
        await asyncio.wait({polling, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if stopped.done():
            with suppress(RuntimeError):  # polling had not started yet
                await dispatcher.stop_polling()
            polling.cancel()
            with suppress(asyncio.CancelledError):
                await polling
            return
        stopped.cancel()
        if polling.exception() is not None:
            log.error("Telegram polling stopped: %r; retrying in %ss", polling.exception(), retry_seconds)
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), retry_seconds)


async def attach(config: TelegramSettings, bot: Bot, dialogue: Dialogue, gate: SenderGate,
                 ) -> tuple[list[APIRouter], list[Callable[[asyncio.Event], Awaitable[None]]]]:
    """The routes (webhook mode) or the loop (polling mode) that serve this bot in the server."""
    dispatcher = build_dispatcher(dialogue, gate)
    if config.mode == "webhook":
        await register_webhook(bot, config.webhook_url, config.webhook_secret)
        return [webhook_router(dispatcher, bot, config.webhook_path, config.webhook_secret)], []
    return [], [lambda stop: poll(dispatcher, bot, stop, config.polling_timeout)]
