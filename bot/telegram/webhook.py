"""Telegram webhook mode behind the web server, refusing any request without the shared secret."""

import hmac
import logging

from aiogram import Bot, Dispatcher
from fastapi import APIRouter, Request, Response

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def webhook_router(dispatcher: Dispatcher, bot: Bot, path: str, secret: str) -> APIRouter:
    router = APIRouter()

    @router.post(path, include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        offered = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(offered.encode(), secret.encode()):
            return Response(status_code=401)
        try:
            update = await request.json()
        except ValueError:
            return Response(status_code=400)
        await dispatcher.feed_webhook_update(bot, update)
        return Response(status_code=200)

    return router


async def register_webhook(bot: Bot, url: str, secret: str) -> None:
    """Tell Telegram where to post updates; done at start-up in webhook mode."""
    await bot.set_webhook(url, secret_token=secret, drop_pending_updates=False)
    log.info("Telegram webhook set to %s", url)
