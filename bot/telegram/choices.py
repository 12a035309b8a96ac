"""Inline keyboard taps: the chosen value goes to the dialogue and the buttons are taken away."""

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, Message

from bot.ports import Dialogue
from bot.telegram.turns import CHANNEL, converse, user_ref
from flows.messages import Inbound


def router() -> Router:
    choices = Router(name="choices")
    choices.callback_query.register(on_choice)
    return choices


async def on_choice(callback: CallbackQuery, dialogue: Dialogue) -> None:
    await callback.answer()
    message = callback.message
    if not isinstance(message, Message) or message.chat.type != "private" or not callback.data:
        return
    try:
        await message.edit_reply_markup(reply_markup=None)
    except TelegramBadRequest:
        pass  # already edited (a double tap); the dialogue dedupes the choice itself
    inbound = Inbound(CHANNEL, user_ref(message.chat.id), f"cb:{callback.id}", choice=callback.data)
    await converse(callback.bot, message.chat.id, inbound, dialogue)
