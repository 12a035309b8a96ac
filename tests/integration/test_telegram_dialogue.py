"""Telegram with the real dialogue (flows/): a whole conversation files a case, /status finds it,
and a staff action reaches the chat through the outbox."""

import re
from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App
from handlers import commands as c
from tests.fakes.telegram_api import FakeBotApi, Sent
from tests.fakes.telegram_bot import polling_bot
from tests.fakes.understanding import keyword_dialogue
from tests.support import seed_registry

CHAT = 6660001
NUMBER = re.compile(r"MS-\d{8}-\d{4}")


@pytest.fixture
async def api(app: App) -> AsyncIterator[FakeBotApi]:
    await seed_registry(app.sessions)
    async with polling_bot(app, await keyword_dialogue(app)) as fake:
        yield fake


async def answer(api: FakeBotApi, count: int) -> Sent:
    return (await api.wait_for_messages(CHAT, count))[-1]


def button(message: Sent, label: str) -> str:
    return next(b["callback_data"] for b in message.buttons if b["text"] == label)


async def test_a_conversation_files_a_case_and_the_resident_hears_of_progress(app: App, api: FakeBotApi) -> None:
    await api.say(CHAT, "一网格的小区门口路灯坏了一个多月了")
    classified, placed = (await api.wait_for_messages(CHAT, 2))[:2]
    assert "便民服务诉求为您登记" in classified.text  # what is certain is said, not asked
    assert "地点记为：试验街道试验社区一网格" in placed.text
    offered = await api.wait_for(lambda: next((m for m in api.sent(CHAT) if "直接回复手机号" in m.text), None))
    assert "匿名反映" in str(offered.buttons)  # the phone is offered in the summary, not asked
    await api.say(CHAT, "13812345678")
    summary = await api.wait_for(lambda: next((m for m in api.sent(CHAT)
                                               if "138****5678" in m.text and "确认提交" in str(m.buttons)), None))
    await api.tap(CHAT, button(summary, "确认提交"), on=summary)
    filed = await api.wait_for(lambda: [n for m in api.sent(CHAT) for n in NUMBER.findall(m.text)])
    number = filed[0]
    async with app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.user_ref, case.phone, case.grid_code) == (
        "telegram", f"tg:{CHAT}", "13812345678", "T01-C01-G01")

    before = len(api.sent(CHAT))
    await api.say(CHAT, "/status")
    status = await answer(api, before + 1)
    assert number in status.text

    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    deliverer = app.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass
    accepted = f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。"
    texts = [m.text for m in api.sent(CHAT)]
    assert texts[-1] == accepted and texts.count(accepted) == 1
    assert not any(t.startswith("您的诉求已受理") for t in texts)  # the inline answer already said so
