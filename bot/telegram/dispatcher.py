"""The one place the Telegram routers are composed and their dependencies handed in."""

from aiogram import Dispatcher

from bot.limits import SenderGate
from bot.ports import Dialogue
from bot.telegram import choices, commands, conversation
from bot.telegram.middleware import SeenUpdates, SenderLimits


def build_dispatcher(dialogue: Dialogue, gate: SenderGate) -> Dispatcher:
    """Handlers receive `dialogue` and `gate` by name from the dispatcher's workflow data."""
    dispatcher = Dispatcher(dialogue=dialogue, gate=gate)
    dispatcher.update.outer_middleware(SeenUpdates())
    limits = SenderLimits()
    dispatcher.message.outer_middleware(limits)
    dispatcher.callback_query.outer_middleware(limits)
    dispatcher.include_routers(commands.router(), choices.router(), conversation.router())
    return dispatcher
