"""Free text and shared map locations: the body of every intake conversation."""

from aiogram import F, Router
from aiogram.types import Message, ReplyKeyboardRemove

from bot.ports import Dialogue
from bot.telegram.turns import CHANNEL, converse, user_ref
from flows.messages import Inbound, Location

UNSUPPORTED = "抱歉，目前只能处理文字和位置信息。请用文字描述您遇到的问题，或发送您所在的位置。"


def router() -> Router:
    conversation = Router(name="conversation")
    conversation.message.filter(F.chat.type == "private")
    conversation.message.register(on_location, F.location)
    conversation.message.register(on_text, F.text)
    conversation.message.register(on_other)
    return conversation


def _inbound(message: Message, **content: object) -> Inbound:
    return Inbound(CHANNEL, user_ref(message.chat.id), f"{message.chat.id}:{message.message_id}", **content)


async def on_text(message: Message, dialogue: Dialogue) -> None:
    await converse(message.bot, message.chat.id, _inbound(message, text=message.text or ""), dialogue)


async def on_location(message: Message, dialogue: Dialogue) -> None:
    where = Location(message.location.latitude, message.location.longitude)
    await converse(message.bot, message.chat.id, _inbound(message, location=where), dialogue)


async def on_other(message: Message) -> None:
    await message.answer(UNSUPPORTED, reply_markup=ReplyKeyboardRemove())
