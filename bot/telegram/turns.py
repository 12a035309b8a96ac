"""One resident turn on Telegram: hand the Inbound to the dialogue, send back what it answers."""

from aiogram import Bot

from bot.channels import channel
from bot.converse import converse as dialogue_turn
from bot.ports import Dialogue
from bot.telegram.render import outgoing
from flows.messages import Inbound

CHANNEL = channel("telegram").code


def user_ref(chat_id: int) -> str:
    return channel("telegram").user_ref(str(chat_id))


async def converse(bot: Bot, chat_id: int, inbound: Inbound, dialogue: Dialogue) -> None:
    """The dispatcher's middleware has screened the sender already; a failing dialogue still answers."""
    turn = await dialogue_turn(dialogue, inbound)
    for message in outgoing(turn.replies):
        await bot.send_message(chat_id, message.text, reply_markup=message.markup)
