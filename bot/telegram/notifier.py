"""Status pushes through the Bot API, mapping Telegram's answers onto the outbox's retry rules."""

from collections import OrderedDict

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
)

from bot.telegram.render import choice_keyboard, message_texts
from flows.messages import Choice
from handlers.ports import DeliveryError, Notification, RecipientUnreachable

GONE = ("chat not found", "user not found", "bot was blocked", "user is deactivated", "bot was kicked")


class TelegramNotifier:
    """429 → retry after Telegram's delay; blocked or unknown chat → unreachable; anything else → retry."""

    def __init__(self, bot: Bot, remember: int = 10_000) -> None:
        self.bot = bot
        self.remember = remember
        self._sent: OrderedDict[str, None] = OrderedDict()

    async def send(self, notification: Notification) -> None:
        chat_id = _chat_id(notification.recipient)
        if notification.key in self._sent:
            return  # delivered by this process already; only recording it failed
        keyboard = choice_keyboard([Choice(label, label) for label in notification.choices])
        pieces = message_texts(notification.text)
        try:
            for i, piece in enumerate(pieces):
                await self.bot.send_message(chat_id, piece, reply_markup=keyboard if i == len(pieces) - 1 else None)
        except TelegramRetryAfter as exc:
            raise DeliveryError(exc.message, retry_after=exc.retry_after) from exc
        except TelegramForbiddenError as exc:
            raise RecipientUnreachable(f"群众已屏蔽机器人或无法接收：{exc.message}") from exc
        except TelegramBadRequest as exc:
            if any(reason in exc.message.lower() for reason in GONE):
                raise RecipientUnreachable(f"无法找到该 Telegram 会话：{exc.message}") from exc
            raise DeliveryError(exc.message) from exc
        except AiogramError as exc:
            raise DeliveryError(f"Telegram 暂时无法送达：{exc}") from exc
        self._sent[notification.key] = None
        if len(self._sent) > self.remember:
            self._sent.popitem(last=False)


def _chat_id(recipient: str) -> int:
    prefix, _, value = recipient.partition(":")
    if prefix != "tg" or not value.lstrip("-").isdigit():
        raise RecipientUnreachable(f"不是 Telegram 会话：{recipient}")
    return int(value)
