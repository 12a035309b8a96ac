"""/start /help /status /cancel: each is a resident turn the dialogue already understands in words."""

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot.ports import Dialogue
from bot.telegram.turns import CHANNEL, converse, user_ref
from flows.messages import Inbound

# What a resident would type for each command; the dialogue's NLU takes it from there.
COMMAND_WORDS = {"start": "你好", "help": "帮助", "status": "查询我的诉求进度", "cancel": "取消"}


def router() -> Router:
    commands = Router(name="commands")
    commands.message.filter(F.chat.type == "private")
    commands.message.register(on_command, CommandStart())
    commands.message.register(on_command, Command("help", "status", "cancel"))
    return commands


async def on_command(message: Message, command: CommandObject, dialogue: Dialogue) -> None:
    words = COMMAND_WORDS[command.command]
    if command.args:
        words = f"{words} {command.args}"
    inbound = Inbound(CHANNEL, user_ref(message.chat.id), f"{message.chat.id}:{message.message_id}", text=words)
    await converse(message.bot, message.chat.id, inbound, dialogue)
