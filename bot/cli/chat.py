"""`minsheng chat`: a terminal channel. One resident line per input line, replies with numbered
choices; it reads piped standard input too, so a whole conversation can be scripted."""

import asyncio
import sys
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING

import typer
from rich.text import Text

from bot.channels import channel
from bot.cli.common import console, open_app, run_async
from flows.messages import Choice, Inbound, Location, Reply

if TYPE_CHECKING:
    from storage.conversation_store import HistoryEntry

CHANNEL = channel("terminal").code
_QUIT = ("退出", "/quit", "/exit", "exit", "quit")
_LOCATION_PREFIXES = ("/位置", "/loc")


def register(app: typer.Typer) -> None:
    app.command("chat", help="在终端里与机器人对话（也可用管道输入整段对话）")(chat)


@run_async
async def chat(
    ctx: typer.Context,
    user: str = typer.Option("local", "--user", "-u", help="群众标识（同一标识可接着上次的对话继续）"),
) -> None:
    from bot.converse import converse
    from bot.dialogue_root import build_dialogue  # the NLU stack loads only for a conversation
    from storage.conversation_store import SqlConversationStore

    async with open_app(ctx) as app:
        dialogue = await build_dialogue(app)
        store = SqlConversationStore(app.sessions)
        interactive = sys.stdin.isatty()
        if interactive:
            console.print("[dim]民声 终端对话。直接输入文字；回复序号可选择选项；“/位置 纬度,经度”发送定位；“退出”结束。[/]")
        while True:
            _show_pushes(await store.take_pushes(CHANNEL, user, app.policies.clock.now()))
            line = await asyncio.to_thread(_read_line, interactive)
            if line is None or line.strip() in _QUIT:
                break
            inbound = parse_line(line.strip(), user, lambda: uuid.uuid4().hex)
            if inbound is None:
                continue
            if not interactive:
                console.print(Text.assemble(("我：", "bold"), line.strip()), highlight=False, soft_wrap=True)
            for reply in (await converse(dialogue, inbound)).replies:
                print_reply(reply)


def parse_line(line: str, user: str, new_id: Callable[[], str]) -> Inbound | None:
    """A typed line as an Inbound; "/位置 28.2,112.9" shares a map point. Blank or malformed → None."""
    if not line:
        return None
    for prefix in _LOCATION_PREFIXES:
        if line.startswith(prefix):
            try:
                latitude, longitude = (float(x) for x in line[len(prefix) :].replace("，", ",").split(","))
            except ValueError:
                console.print("[red]定位格式：/位置 纬度,经度（例如 /位置 28.24,112.905）[/]")
                return None
            return Inbound(CHANNEL, user, new_id(), location=Location(latitude, longitude))
    return Inbound(CHANNEL, user, new_id(), text=line)


def print_reply(reply: Reply) -> None:
    """The bot's words as plain text (a resident's text may contain markup characters). The reply
    is wrapped by Rich at the terminal's width, between words, so that a case number (「诉求编号
    MS-20261204-0001」) moves to the next line whole instead of being cut by the terminal; off a
    terminal the console does not wrap at all (bot/cli/output.py)."""
    console.print(Text.assemble(("民声：", "bold cyan"), reply.text), highlight=False, soft_wrap=False)
    for number, choice in enumerate(reply.choices, 1):
        console.print(Text(f"    {number}. {choice.label}"), highlight=False, soft_wrap=True)
    if reply.request_location:
        console.print(Text("    （可输入“/位置 纬度,经度”发送定位）", style="dim"), highlight=False, soft_wrap=True)


def _show_pushes(pushes: list["HistoryEntry"]) -> None:
    for push in pushes:
        choices = tuple(Choice(c["label"], c["value"]) for c in push.choices)
        print_reply(Reply(f"【通知】{push.text}", choices))


def _read_line(interactive: bool) -> str | None:
    if interactive:
        try:
            return input("我：")
        except EOFError:
            return None
    line = sys.stdin.readline()
    return line.rstrip("\n") if line else None
