"""删除我的信息 through a real channel edge (aiogram polling a local fake Bot API): the resident asks in
Telegram, an administrator executes the request, and the outcome reaches the same chat through the
outbox and the Telegram notifier, once; the case no longer names the chat."""

from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App
from handlers import commands as c
from handlers.erasure import decide_erasure
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.telegram_bot import polling_bot
from tests.fakes.understanding import keyword_dialogue
from tests.support import seed_registry

CHAT = 6660042
RESIDENT = f"tg:{CHAT}"


@pytest.fixture
async def api(app: App) -> AsyncIterator[FakeBotApi]:
    await seed_registry(app.sessions)
    async with polling_bot(app, await keyword_dialogue(app)) as fake:
        yield fake


async def test_the_outcome_of_an_erasure_request_reaches_the_resident_in_telegram(app: App, api: FakeBotApi) -> None:
    case = await app.bus.handle(c.FileCase(
        actor=f"resident:telegram:{RESIDENT}", text="一网格的小区门口路灯坏了一个多月了", channel="telegram",
        user_ref=RESIDENT, category="service", topic="城乡建设", classification_confirmed=True,
        grid_code="T01-C01-G01", phone="13812345678"))
    for command in (c.AcceptCase("staff:li", case.number), c.ResolveCase("staff:li", case.number, "已修好"),
                    c.CloseCase("staff:li", case.number)):
        await app.bus.handle(command)
    deliverer = app.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass
    before = len(api.sent(CHAT))

    await api.say(CHAT, "查询我的信息")
    held = (await api.wait_for_messages(CHAT, before + 1))[-1]
    assert "138****5678" in held.text and case.number in held.text and "13812345678" not in held.text
    await api.say(CHAT, "删除我的信息")
    asked = (await api.wait_for_messages(CHAT, before + 2))[-1]
    assert "已收到您删除个人信息的申请" in asked.text and case.number in asked.text

    async with app.uow() as uow:
        request = await uow.erasures.pending_for("telegram", RESIDENT)
    assert request is not None and request.cases == (case.number,)
    await decide_erasure(c.DecideErasure("staff:chief", request.id, True), app.uow(), app.policies)
    while (await deliverer.deliver_due()).sent:
        pass
    told = [m.text for m in api.sent(CHAT)[before + 2:]]
    assert told == [f"您申请删除个人信息的事已办好：诉求 {case.number} 中的联系电话、姓名和您的账号信息已删除；"
                    "诉求内容去掉联系方式后保留，仅用于统计。"]
    async with app.uow() as uow:
        erased = await uow.cases.get(case.number)
        assert await uow.cases.find(channel="telegram", user_ref=RESIDENT) == []
    assert (erased.phone, erased.user_ref, erased.text) == (None, "", case.text)
