"""Building the Bot from config (token by environment variable, configurable API base) and polling it."""

import asyncio
import logging
import os
from contextlib import suppress
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TelegramSettings:
    token: str
    api_base: str = ""
    mode: str = "polling"
    webhook_url: str = ""
    webhook_path: str = "/telegram/webhook"
    webhook_secret: str = ""
    polling_timeout: int = 25

    @classmethod
    def from_settings(cls, settings: Settings) -> "TelegramSettings | None":
        """None when no token is configured: the Telegram channel is then simply off."""
        section = settings.section("telegram")
        token = os.environ.get(section.get("token_env", "MINSHENG_TELEGRAM_TOKEN"), "").strip()
        if not token:
            return None
        mode = section.get("mode", "polling")
        if mode not in ("polling", "webhook"):
            raise ValueError(f"[telegram] mode 只能是 polling 或 webhook，而不是 {mode!r}")
        secret = os.environ.get(section.get("webhook_secret_env", "MINSHENG_TELEGRAM_WEBHOOK_SECRET"), "")
        if mode == "webhook" and not (secret and section.get("webhook_url")):
            raise ValueError("[telegram] 使用 webhook 模式时必须设置 webhook_url 和 webhook 密钥环境变量")
        return cls(
            token=token,
            api_base=section.get("api_base", ""),
            mode=mode,
            webhook_url=section.get("webhook_url", ""),
            webhook_path=section.get("webhook_path", "/telegram/webhook"),
            webhook_secret=secret,
            polling_timeout=int(section.get("polling_timeout", 25)),
        )


def make_bot(config: TelegramSettings) -> Bot:
    """Replies are plain text: the Bot has no default parse_mode, so nothing a resident wrote is markup."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(config.api_base)) if config.api_base else AiohttpSession()
    return Bot(config.token, session=session)


async def poll(dispatcher: Dispatcher, bot: Bot, stop: asyncio.Event, timeout: int = 25, retry_seconds: float = 5) -> None:
    """Long-poll until `stop`; if the Bot API is unreachable at start-up, keep trying instead of dying."""
    while not stop.is_set():
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, polling_timeout=timeout, handle_signals=False, close_bot_session=False)
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
