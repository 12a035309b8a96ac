"""Telegram end to end: aiogram's real HTTP stack polling a fake Bot API server on 127.0.0.1."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.limits import Limits
from handlers import commands as c
from storage.models import OutboxRow
from tests.fakes.dialogue import FakeDialogue
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.telegram_bot import polling_bot
from tests.support import FakeClock, seed_registry

CHAT = 5550001
sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # channel-only behaviour


@dataclass
class Telegram:
    api: FakeBotApi
    dialogue: FakeDialogue


@pytest.fixture
async def telegram(app: App) -> AsyncIterator[Telegram]:
    await seed_registry(app.sessions)
    dialogue = FakeDialogue(app.bus)
    async with polling_bot(app, dialogue, Limits(messages_per_minute=60, burst=5)) as api:
        yield Telegram(api, dialogue)


async def file_case_by_chat(tg: Telegram, chat: int = CHAT) -> str:
    """The whole conversation a resident has, button taps and map location included."""
    await tg.api.say(chat, "小区门口的路灯坏了一个多月了")
    [question] = await tg.api.wait_for_messages(chat, 1)
    assert "路灯坏了" in question.text
    assert [b["callback_data"] for b in question.buttons] == ["yes", "no"]
    await tg.api.tap(chat, "yes", on=question)
    ask_place = (await tg.api.wait_for_messages(chat, 2))[-1]
    assert ask_place.buttons[0].get("request_location") in (True, "true")
    await tg.api.share_location(chat, 31.2304, 121.4737)
    filed = (await tg.api.wait_for_messages(chat, 3))[-1]
    assert filed.text.startswith("已受理，编号 ")
    return filed.text.removeprefix("已受理，编号 ").rstrip("。")


async def deliver_all(app: App) -> None:
    """The outbox hands out one push per resident at a time, to keep them in order."""
    deliverer = app.deliverer()
    while (report := await deliverer.deliver_due()).sent:
        assert report.failed == 0


async def outbox(app: App) -> list[OutboxRow]:
    async with app.sessions() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


async def test_a_whole_conversation_files_a_case(app: App, telegram: Telegram) -> None:
    number = await file_case_by_chat(telegram)
    async with app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.user_ref, case.grid_code) == ("telegram", f"tg:{CHAT}", "T01-C01-G01")
    assert (case.latitude, case.longitude) == (31.2304, 121.4737)
    # the tapped button was taken away so it cannot be tapped twice, and the tap was answered
    assert telegram.api.sent(method="editMessageReplyMarkup")
    assert telegram.api.sent(method="answerCallbackQuery")
    assert all("parse_mode" not in call.params for call in telegram.api.sent())


async def test_a_staff_action_pushes_a_message_to_the_chat(app: App, telegram: Telegram) -> None:
    number = await file_case_by_chat(telegram)
    before = len(telegram.api.sent(CHAT))
    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number, handler="王师傅"))
    await deliver_all(app)
    pushed = [m.text for m in telegram.api.sent(CHAT)[before:]]
    assert any("已受理，编号" in t for t in pushed)
    assert pushed[-1] == f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。"


async def test_bot_api_failures_are_retried_and_nothing_is_lost_or_sent_twice(
    app: App, telegram: Telegram, clock: FakeClock
) -> None:
    number = await file_case_by_chat(telegram)
    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await app.bus.handle(c.AddNote(actor="staff:wang", number=number, note="已联系电工"))
    expected = [row.text for row in await outbox(app)]
    before = len(telegram.api.sent(CHAT))
    telegram.api.fail_next("sendMessage", 429, retry_after=120)
    deliverer = app.deliverer()

    report = await deliverer.deliver_due()
    assert report.sent == 0 and report.retried == 1  # the first push was refused; later ones wait behind it
    [first] = [r for r in await outbox(app) if r.last_error]
    assert "retry after" in first.last_error.lower()
    clock.advance(seconds=60)
    assert (await deliverer.deliver_due()).sent == 0  # Telegram asked for 120 s, not the 5 s backoff

    telegram.api.fail_next("sendMessage", 500, count=2)
    for _ in range(6):
        clock.advance(seconds=121)
        await deliverer.deliver_due()
    sent = [m.text for m in telegram.api.sent(CHAT)[before:]]
    assert sent == expected  # every push, in order, exactly once
    assert {row.status for row in await outbox(app)} == {"sent"}
    assert len(telegram.api.refused) == 3


async def test_a_resident_who_blocked_the_bot_is_marked_unreachable(app: App, telegram: Telegram) -> None:
    await file_case_by_chat(telegram)
    telegram.api.blocked.add(CHAT)
    report = await app.deliverer().deliver_due()
    assert report.failed >= 1 and report.retried == 0
    rows = await outbox(app)
    assert rows[0].status == "unreachable" and "屏蔽" in rows[0].last_error


@sqlite_only
async def test_commands_reach_the_dialogue_in_words(telegram: Telegram) -> None:
    for command in ("/start", "/help", "/status", "/cancel"):
        await telegram.api.say(CHAT, command)
    await telegram.api.wait_for_messages(CHAT, 4)
    assert [i.text for i in telegram.dialogue.inbound] == ["你好", "帮助", "查询我的诉求进度", "取消"]


@sqlite_only
async def test_a_script_in_a_complaint_goes_back_as_plain_text(telegram: Telegram) -> None:
    payload = "<script>alert('x')</script> & <b>楼道</b>漏水"
    await telegram.api.say(CHAT, payload)
    [reply] = await telegram.api.wait_for_messages(CHAT, 1)
    assert payload in reply.text and "parse_mode" not in reply.params


@sqlite_only
async def test_flooding_one_chat_is_throttled_politely_while_others_are_served(telegram: Telegram) -> None:
    flooder, neighbour = CHAT, CHAT + 1
    for i in range(12):
        await telegram.api.say(flooder, f"第{i}条：噪音扰民")
    await telegram.api.say(neighbour, "楼下餐馆油烟很大")
    await telegram.api.wait_for_messages(neighbour, 1)
    await telegram.api.wait_for(lambda: len(telegram.api.sent(flooder)) >= 6)
    await asyncio.sleep(0.3)
    texts = [m.text for m in telegram.api.sent(flooder)]
    assert len([t for t in texts if "噪音扰民" in t]) == 5  # the burst allowance
    assert len([t for t in texts if "稍等" in t]) == 1  # one polite answer, not one per message
    assert "油烟" in telegram.api.sent(neighbour)[0].text


@sqlite_only
async def test_an_over_long_message_gets_a_polite_answer(telegram: Telegram) -> None:
    await telegram.api.say(CHAT, "很" * 2500)
    [reply] = await telegram.api.wait_for_messages(CHAT, 1)
    assert "太长" in reply.text and telegram.dialogue.inbound == []


@sqlite_only
async def test_a_failing_dialogue_still_answers_the_resident(telegram: Telegram, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    async def broken(inbound):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(telegram.dialogue, "handle", broken)
    await telegram.api.say(CHAT, "路灯坏了")
    [reply] = await telegram.api.wait_for_messages(CHAT, 1)
    assert "出了点问题" in reply.text
