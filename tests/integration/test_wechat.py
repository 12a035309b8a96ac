"""The WeChat channel end to end: the fake platform posts signed (and encrypted) messages to our
server address, wechatpy's real client talks to the fake API over HTTP on 127.0.0.1."""

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from bot.bootstrap import App
from bot.wechat.channel import WeChatChannel
from bot.wechat.inbound import VOICE_UNHEARD, WELCOME
from flows.messages import Inbound, Reply
from handlers import commands as c
from tests.fakes.understanding import keyword_dialogue
from tests.fakes.wechat_api import FakeWeChat, reply_text
from tests.fakes.wechat_channel import wechat_server
from storage.dialogue_models import ConversationMessageRow
from storage.models import GridRow, OutboxRow
from tests.fakes.web_stack import SQUARE
from tests.support import FakeClock, seed_registry

OPEN_ID = "oResident0000000000000000001"
NUMBER = re.compile(r"MS-\d{8}-\d{4}")


@dataclass
class Rig:
    app: App
    fake: FakeWeChat
    channel: WeChatChannel


@pytest.fixture(params=["safe", "plain"])
async def rig(request: pytest.FixtureRequest, app: App) -> AsyncIterator[Rig]:
    await seed_registry(app.sessions)
    async with app.sessions() as session:  # a map square for 一网格, so a shared location finds it
        await session.execute(update(GridRow).where(GridRow.code == "T01-C01-G01").values(polygon=SQUARE))
        await session.commit()
    fake = FakeWeChat(encryption=request.param)
    await fake.start()
    try:
        async with wechat_server(app, await keyword_dialogue(app), fake) as served:
            yield Rig(app, fake, served)
    finally:
        await fake.stop()


async def deliver_all(app: App) -> None:
    deliverer = app.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass


async def file_a_case(rig: Rig) -> str:
    """Subscribe, complain, give a phone, confirm with the 菜单消息's option: the resident's whole intake."""
    welcome = reply_text(await rig.fake.post(rig.fake.message(OPEN_ID, "event", Event="subscribe")))
    assert welcome.startswith(WELCOME.split("{", 1)[0])
    first = reply_text(await rig.fake.say(OPEN_ID, "一网格的小区门口路灯坏了一个多月了"))
    assert "便民服务" in first
    summary = await rig.fake.wait_for(lambda: [p for p in rig.fake.to(OPEN_ID) if "确认提交" in p.options])
    assert "直接回复手机号" in summary[-1].text
    await rig.fake.say(OPEN_ID, "13812345678")
    await rig.fake.wait_for(lambda: [p for p in rig.fake.to(OPEN_ID) if "138****5678" in p.text and p.options])
    before = len(rig.fake.to(OPEN_ID))
    answer = reply_text(await rig.fake.tap(OPEN_ID, "确认提交"))
    shown = answer + "".join(p.text for p in rig.fake.to(OPEN_ID)[before:])
    return NUMBER.findall(shown)[0]


async def test_the_address_check_answers_the_echo_only_when_signed(rig: Rig) -> None:
    import httpx

    from tests.fakes.wechat_api import TOKEN
    from wechatpy.utils import WeChatSigner

    signer = WeChatSigner()
    signer.add_data(TOKEN, "1700000000", "abc")
    async with httpx.AsyncClient() as client:
        good = await client.get(rig.fake.server_url, params={
            "signature": signer.signature, "timestamp": "1700000000", "nonce": "abc", "echostr": "echo-42"})
        forged = await client.get(rig.fake.server_url, params={
            "signature": "0" * 40, "timestamp": "1700000000", "nonce": "abc", "echostr": "echo-42"})
    assert (good.status_code, good.text) == (200, "echo-42")
    assert forged.status_code == 403 and "echo-42" not in forged.text


async def test_a_resident_files_in_wechat_and_hears_each_move_once(rig: Rig, clock: FakeClock) -> None:
    number = await file_a_case(rig)
    async with rig.app.uow() as uow:
        case = await uow.cases.get(number)
    assert (case.channel, case.user_ref, case.phone) == ("wechat", f"wx:{OPEN_ID}", "13812345678")

    await rig.app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver_all(rig.app)
    accepted = f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。"
    texts = [p.text for p in rig.fake.to(OPEN_ID)]
    assert texts.count(accepted) == 1 and rig.fake.to(OPEN_ID)[-1].kind == "text"

    clock.advance(hours=49)  # the 48-hour window has closed: the next push is a template message
    rig.fake.window_closed.add(OPEN_ID)
    await rig.app.bus.handle(c.ResolveCase(actor="staff:wang", number=number, reply="路灯已换新"))
    await deliver_all(rig.app)
    template = rig.fake.to(OPEN_ID)[-1]
    assert template.kind == "template" and template.body["template_id"] == "TPL-case-progress"
    fields = {k: v["value"] for k, v in template.body["data"].items()}
    assert fields["character_string1"] == number and fields["phrase2"] == "已办结"
    assert len(fields["thing4"]) <= 20 and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", fields["time3"])


async def test_an_unfollowed_resident_is_marked_unreachable_with_the_reason(rig: Rig) -> None:
    number = await file_a_case(rig)
    assert await rig.fake.post(rig.fake.message(OPEN_ID, "event", Event="unsubscribe")) == "success"
    sent = len(rig.fake.pushed)
    await rig.app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver_all(rig.app)
    async with rig.app.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).where(OutboxRow.case_number == number))).all()
    refused = [r for r in rows if r.status == "unreachable"]
    assert refused and "取消关注" in (refused[-1].last_error or "") and len(rig.fake.pushed) == sent


async def test_a_rejected_token_is_fetched_again_once_and_the_push_goes_out(rig: Rig) -> None:
    number = await file_a_case(rig)
    fetched = rig.fake.token_fetches
    rig.fake.expire_tokens()
    await rig.app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver_all(rig.app)
    assert rig.fake.token_fetches == fetched + 1
    assert sum(number in p.text and "签收" in p.text for p in rig.fake.to(OPEN_ID)) == 1


async def test_voice_is_heard_through_its_recognition_and_without_it_the_resident_is_asked_to_type(rig: Rig) -> None:
    heard = reply_text(await rig.fake.post(rig.fake.message(
        OPEN_ID, "voice", MediaId="m1", Format="amr", Recognition="一网格小区门口路灯坏了。")))
    assert "便民服务" in heard
    unheard = reply_text(await rig.fake.post(rig.fake.message(OPEN_ID, "voice", MediaId="m2", Format="amr")))
    assert unheard == VOICE_UNHEARD


async def test_a_shared_location_places_the_complaint(rig: Rig) -> None:
    await rig.fake.say(OPEN_ID, "小区门口路灯坏了一个多月了")
    asked = await rig.fake.wait_for(lambda: [p for p in rig.fake.to(OPEN_ID) if "「位置」" in p.text])
    assert "试验街道" in asked[-1].options
    placed = reply_text(await rig.fake.post(rig.fake.message(
        OPEN_ID, "location", Location_X="31.23", Location_Y="121.47", Scale="15", Label="试验小区")))
    assert "一网格" in placed + "".join(p.text for p in rig.fake.to(OPEN_ID)[len(asked):])


class Slow:
    """The real dialogue behind a delay on its first turn: a turn that outlasts WeChat's wait."""

    def __init__(self, inner: object, delay: float) -> None:
        self.inner, self.delay, self.turns = inner, delay, 0

    async def handle(self, inbound: Inbound) -> list[Reply]:
        self.turns += 1
        await asyncio.sleep(self.delay if self.turns == 1 else 0)
        return await self.inner.handle(inbound)  # type: ignore[attr-defined]


async def test_a_post_redelivered_while_its_turn_runs_has_its_effect_once(app: App) -> None:
    await seed_registry(app.sessions)
    fake = FakeWeChat(encryption="safe", timeout=1.5)  # the platform gives up before the turn ends
    await fake.start()
    # Tries at 0, 1.5 and 3 s. The turn ends after the second try has given up, leaving its real work
    # 1.25 s before the third gives up at 4.5 s; the first try's handler waits until 3.5 s before it
    # would send the replies as 客服消息, leaving the third try 0.5 s to join the turn on a busy machine.
    slow = Slow(await keyword_dialogue(app), delay=3.25)
    try:
        async with wechat_server(app, slow, fake, answer_within_seconds=3.5):
            message = fake.message(OPEN_ID, "text", Content="一网格的小区门口路灯坏了一个多月了")
            answer = reply_text(await fake.post(message))  # the third try joins the turn
            assert (fake.deliveries, slow.turns) == (3, 1) and "便民服务" in answer
            again = reply_text(await fake.post(message, redeliver=False))  # much later: the claim answers
            assert again == answer
            await fake.wait_for(lambda: [p for p in fake.to(OPEN_ID) if "确认提交" in p.options])
    finally:
        await fake.stop()
    async with app.sessions() as session:
        said = (await session.scalars(select(ConversationMessageRow.text).where(
            ConversationMessageRow.user_ref == f"wx:{OPEN_ID}", ConversationMessageRow.direction == "in"))).all()
    assert said == ["一网格的小区门口路灯坏了一个多月了"]
    assert len([p for p in fake.to(OPEN_ID) if "确认提交" in p.options]) == 1  # the summary's menu, once


async def test_a_slow_turn_answers_success_in_time_and_replies_by_customer_message(app: App) -> None:
    await seed_registry(app.sessions)
    fake = FakeWeChat(encryption="plain")
    await fake.start()
    try:
        async with wechat_server(app, Slow(await keyword_dialogue(app), delay=0.6), fake, answer_within_seconds=0.2):
            assert await fake.say(OPEN_ID, "一网格的小区门口路灯坏了一个多月了") == "success"
            assert fake.deliveries == 1
            await fake.wait_for(lambda: [p for p in fake.to(OPEN_ID) if "便民服务" in p.text])
    finally:
        await fake.stop()


async def test_without_the_menu_permission_choices_arrive_as_numbered_text_and_the_number_works(rig: Rig) -> None:
    rig.fake.menu_refused = True
    await rig.fake.say(OPEN_ID, "一网格的小区门口路灯坏了一个多月了")
    summary = await rig.fake.wait_for(lambda: [p for p in rig.fake.to(OPEN_ID) if "1. 确认提交" in p.text])
    assert summary[-1].kind == "text" and "回复序号" in summary[-1].text
    answer = reply_text(await rig.fake.say(OPEN_ID, "1"))
    shown = answer + "".join(p.text for p in rig.fake.to(OPEN_ID))
    assert NUMBER.search(shown)


async def test_a_photo_is_kept_with_the_complaint_and_filed_with_the_case(rig: Rig) -> None:
    picture = "http://mmbiz.qpic.cn/mmbiz_jpg/street-light/0"
    asked = reply_text(await rig.fake.post(rig.fake.message(OPEN_ID, "image", PicUrl=picture, MediaId="media-1")))
    assert "收到图片" in asked and "用文字" in asked
    await rig.fake.say(OPEN_ID, "一网格的小区门口路灯坏了一个多月了")
    await rig.fake.wait_for(lambda: [p for p in rig.fake.to(OPEN_ID) if "确认提交" in p.options])
    again = reply_text(await rig.fake.post(rig.fake.message(OPEN_ID, "image", MediaId="media-2")))
    assert "收到图片" in again
    await rig.fake.wait_for(lambda: len([p for p in rig.fake.to(OPEN_ID) if "确认提交" in p.options]) == 2)
    await rig.fake.tap(OPEN_ID, "匿名反映")  # the summary comes back, now anonymous
    await rig.fake.wait_for(lambda: len([p for p in rig.fake.to(OPEN_ID) if "确认提交" in p.options]) == 3)
    before = len(rig.fake.to(OPEN_ID))
    shown = reply_text(await rig.fake.tap(OPEN_ID, "确认提交")) + "".join(p.text for p in rig.fake.to(OPEN_ID)[before:])
    async with rig.app.uow() as uow:
        case = await uow.cases.get(NUMBER.findall(shown)[0])
    assert case.attachments == (picture, "wechat-media:media-2")


async def test_a_redelivered_confirmation_files_one_case(rig: Rig) -> None:
    await rig.fake.say(OPEN_ID, "一网格的小区门口路灯坏了一个多月了")
    await rig.fake.wait_for(lambda: [p for p in rig.fake.to(OPEN_ID) if "确认提交" in p.options])
    confirm = rig.fake.message(OPEN_ID, "text", Content="确认提交", bizmsgmenuid="1")
    first = reply_text(await rig.fake.post(confirm, redeliver=False))
    again = reply_text(await rig.fake.post(confirm, redeliver=False))  # WeChat's retry after a lost answer
    async with rig.app.uow() as uow:
        filed = await uow.cases.find(channel="wechat", user_ref=f"wx:{OPEN_ID}")
    assert len(filed) == 1 and filed[0].number in first and again == first


async def test_the_menu_buttons_ask_what_residents_would_type(rig: Rig) -> None:
    helped = reply_text(await rig.fake.post(rig.fake.message(OPEN_ID, "event", Event="CLICK", EventKey="help")))
    status = reply_text(await rig.fake.post(rig.fake.message(OPEN_ID, "event", Event="CLICK", EventKey="status")))
    assert helped.startswith("我可以帮您") and "查询进度" in helped
    assert status.startswith("您还没有在这里反映过问题")  # 查询进度, from a resident with no case yet
    link = await rig.fake.post(rig.fake.message(OPEN_ID, "event", Event="VIEW", EventKey="https://example.cn"))
    assert link == "success"  # a menu link opens a page: nothing to answer


async def test_a_window_wechat_says_is_closed_falls_back_to_the_template(rig: Rig) -> None:
    number = await file_a_case(rig)
    rig.fake.window_closed.add(OPEN_ID)  # our note says they wrote recently; WeChat answers 45015
    await rig.app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver_all(rig.app)
    last = rig.fake.to(OPEN_ID)[-1]
    assert last.kind == "template" and last.body["data"]["character_string1"]["value"] == number


async def test_a_resident_wechat_says_does_not_follow_is_unreachable(rig: Rig) -> None:
    number = await file_a_case(rig)
    rig.fake.not_following.add(OPEN_ID)  # 43004 for 客服消息 and template alike
    await rig.app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver_all(rig.app)
    async with rig.app.sessions() as session:
        rows = (await session.scalars(select(OutboxRow).where(OutboxRow.case_number == number))).all()
    refused = [r for r in rows if r.status == "unreachable"]
    assert refused and "未关注公众号" in (refused[-1].last_error or "")
