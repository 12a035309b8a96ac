"""A case number never breaks across lines in Telegram (issue 17: 「MS-20261204-」/「0001」): replies and
pushes go out as plain text (no parse_mode, no entities) with the number glued by WORD JOINERs, and a
resident who copies the glued number back is understood. aiogram's real HTTP client, fake Bot API."""

import re
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.bootstrap import App
from bot.dialogue_root import build_dialogue
from flows.understanding import Understanding
from handlers import commands as c
from nlu.intents import detect_intent
from tests.fakes.telegram_api import FakeBotApi, Sent
from tests.fakes.telegram_bot import polling_bot
from tests.fakes.understanding import keyword_understanding
from tests.support import seed_registry

CHAT = 6660017
WJ = "\u2060"
GLUED = re.compile(rf"MS{WJ}-{WJ}\d{{8}}{WJ}-{WJ}\d{{4}}")


async def understanding(text: str) -> Understanding:
    """Keywords for the rest, the real rule (nlu.intents) for what a case number in a turn asks."""
    read, intent = await keyword_understanding(text), detect_intent(text)
    return replace(read, intent="ask_status", case_number=intent.case_number) if intent.case_number else read


@pytest.fixture
async def api(app: App) -> AsyncIterator[FakeBotApi]:
    await seed_registry(app.sessions)
    async with polling_bot(app, await build_dialogue(app, understand=understanding)) as fake:
        yield fake


async def file_for_the_chat(app: App, text: str) -> str:
    return (await app.bus.handle(c.FileCase(
        actor=f"resident:telegram:tg:{CHAT}", text=text, channel="telegram", user_ref=f"tg:{CHAT}",
        category="service", topic="城乡建设", classification_confirmed=True, grid_code="T01-C01-G01"))).number


async def reply_to(api: FakeBotApi, said: str) -> Sent:
    before = len(api.sent(CHAT))
    await api.say(CHAT, said)
    return (await api.wait_for_messages(CHAT, before + 1))[-1]


def plain(message: Sent) -> bool:
    return "parse_mode" not in message.params and "entities" not in message.params


async def test_numbers_go_out_glued_and_come_back_understood(app: App, api: FakeBotApi) -> None:
    first = await file_for_the_chat(app, "小区门口路灯坏了一个多月")
    second = await file_for_the_chat(app, "楼道里堆满杂物没人清理")
    listing = await reply_to(api, "查询")
    assert "您最近的诉求" in listing.text and plain(listing)
    glued = GLUED.findall(listing.sent_text)
    assert [number.replace(WJ, "") for number in glued] == [second, first]  # newest first, each one glued
    assert first not in listing.sent_text  # no bare number left to break

    copied = glued[1]  # what a resident's copy of the first number holds, joiners and all
    detail = await reply_to(api, f"{copied} 到哪一步了")
    assert detail.text.startswith(f"诉求 {first}") and "当前状态" in detail.text and "没有找到" not in detail.text
    assert copied in detail.sent_text and plain(detail)


async def test_a_status_push_keeps_its_number_whole(app: App, api: FakeBotApi) -> None:
    number = await file_for_the_chat(app, "小区门口路灯坏了一个多月")
    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    deliverer = app.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass
    push = api.sent(CHAT)[-1]
    assert push.text == f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。" and plain(push)
    assert number.replace("-", f"{WJ}-{WJ}") in push.sent_text
