"""One resident turn on Telegram: hand the Inbound to the dialogue, send back what it answers."""

from aiogram import Bot

from bot.ports import Dialogue
from bot.telegram.render import outgoing
from flows.messages import Inbound

CHANNEL = "telegram"


def user_ref(chat_id: int) -> str:
    return f"tg:{chat_id}"


async def converse(bot: Bot, chat_id: int, inbound: Inbound, dialogue: Dialogue) -> None:
    replies = await dialogue.handle(inbound)
    for message in outgoing(replies):
        await bot.send_message(chat_id, message.text, reply_markup=message.markup)
