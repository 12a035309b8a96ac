"""One resident turn on Telegram: hand the Inbound to the dialogue, send back what it answers."""

import logging

from aiogram import Bot

from bot.ports import Dialogue
from bot.telegram.render import outgoing
from flows.messages import Inbound, Reply

log = logging.getLogger(__name__)
CHANNEL = "telegram"
BROKEN = "抱歉，系统刚才出了点问题，您的这条消息没有处理成功，请稍后再发一次。"


def user_ref(chat_id: int) -> str:
    return f"tg:{chat_id}"


async def converse(bot: Bot, chat_id: int, inbound: Inbound, dialogue: Dialogue) -> None:
    """A failing dialogue still gets the resident an answer; the log gets the trace."""
    try:
        replies = await dialogue.handle(inbound)
    except Exception:  # noqa: BLE001 - answered below, never silence
        log.exception("dialogue failed on a Telegram message")
        replies = [Reply(BROKEN)]
    for message in outgoing(replies):
        await bot.send_message(chat_id, message.text, reply_markup=message.markup)
