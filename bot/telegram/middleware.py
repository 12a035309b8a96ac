"""Dispatcher middlewares: an update seen twice has its effect once; floods get a polite answer."""

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, Message, TelegramObject, Update

from bot.limits import SenderGate
from bot.telegram.turns import user_ref

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class SeenUpdates(BaseMiddleware):
    """Drops an update_id handled recently (polling restarts, webhook redeliveries, two workers)."""

    def __init__(self, remember: int = 10_000) -> None:
        self.remember = remember
        self._seen: OrderedDict[int, None] = OrderedDict()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        if isinstance(event, Update):
            if event.update_id in self._seen:
                return None
            self._seen[event.update_id] = None
            if len(self._seen) > self.remember:
                self._seen.popitem(last=False)
        return await handler(event, data)


class SenderLimits(BaseMiddleware):
    """Per-chat rate and size limits, answered in Chinese, before any handler runs."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        gate: SenderGate = data["gate"]
        if isinstance(event, Message):
            passed, answer = gate.screen(user_ref(event.chat.id), event.text or event.caption or "")
            if not passed:
                if answer:
                    await event.answer(answer)
                return None
        elif isinstance(event, CallbackQuery):
            passed, answer = gate.screen(user_ref(event.from_user.id), event.data or "")
            if not passed:
                await event.answer(answer or "", show_alert=bool(answer))
                return None
        return await handler(event, data)
