"""Residents who filed through a Rasa assistant hear about their case in that conversation, through
Rasa's trigger_intent endpoint (a fake Rasa server on a loopback port); failures are retried."""

import socket
from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App
from bot.rasa_notifier import RasaNotifier
from bot.rasa_settings import RasaPush
from flows.rasa_actions import CHANNEL
from handlers import commands as c
from handlers.ports import Notification
from tests.fakes.rasa_api import FakeRasa
from tests.support import FakeClock, seed_registry, enqueue, outbox_rows as rows

SENDER = "c0ffee-42"  # the resident's Rasa sender_id, which the actions file as the case's user_ref
TOKEN = "rasa-secret"


@pytest.fixture
async def rasa() -> AsyncIterator[FakeRasa]:
    fake = FakeRasa(token=TOKEN, channels={SENDER: "socketio"})
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def notifier(rasa: FakeRasa) -> AsyncIterator[RasaNotifier]:
    sender = RasaNotifier(RasaPush(server_url=rasa.url, token=TOKEN))
    yield sender
    await sender.close()


@pytest.fixture
async def wired(app: App, notifier: RasaNotifier) -> App:
    await seed_registry(app.sessions)
    app.notifiers[CHANNEL] = notifier
    return app


def push(key: str = "MS-1/1", recipient: str = SENDER, text: str = "您的诉求 MS-1 已派至 试验社区居委会。") -> Notification:
    return Notification(key, key.split("/")[0], CHANNEL, recipient, text)


async def file_rasa_case(app: App) -> str:
    case = await app.bus.handle(c.FileCase(
        actor=f"resident:{CHANNEL}:{SENDER}", text="幸福里3号楼楼道灯坏了一个月", channel=CHANNEL, user_ref=SENDER,
        category="service", topic="城乡建设", classification_confirmed=True, grid_code="T01-C01-G01"))
    return case.number


async def test_a_push_triggers_the_external_intent_and_rasa_utters_our_text(
    rasa: FakeRasa, notifier: RasaNotifier
) -> None:
    await notifier.send(push())
    [trigger] = rasa.triggers
    assert trigger.conversation_id == SENDER
    assert trigger.query == {"output_channel": "latest", "token": TOKEN}
    assert trigger.body == {"name": "EXTERNAL_case_update",
                            "entities": {"case_update_text": "您的诉求 MS-1 已派至 试验社区居委会。", "case_number": "MS-1"}}
    assert [(u.conversation_id, u.channel, u.text) for u in rasa.uttered] == [
        (SENDER, "socketio", "您的诉求 MS-1 已派至 试验社区居委会。")]


async def test_a_sender_id_with_slashes_and_chinese_reaches_its_own_conversation(
    rasa: FakeRasa, notifier: RasaNotifier
) -> None:
    rasa.channels["网格/张三 1"] = "telegram"
    await notifier.send(push(recipient="网格/张三 1"))
    assert [u.conversation_id for u in rasa.uttered] == ["网格/张三 1"]


async def test_a_case_filed_in_rasa_hears_each_step_in_its_conversation(wired: App, rasa: FakeRasa) -> None:
    number = await file_rasa_case(wired)
    await wired.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    deliverer = wired.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass
    assert {r.status for r in await rows(wired)} == {"sent"}
    texts = [u.text for u in rasa.uttered]
    assert len(texts) == len(await rows(wired)) >= 2
    assert texts[0].startswith(f"您的诉求已受理，编号 {number}")
    assert texts[-1] == f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。"
    assert {t.body["entities"]["case_number"] for t in rasa.triggers} == {number}


async def test_a_server_error_is_retried_with_backoff_and_delivered_once(
    wired: App, rasa: FakeRasa, clock: FakeClock
) -> None:
    await enqueue(wired, push())
    rasa.answer_next(500)
    deliverer = wired.deliverer()
    assert (await deliverer.deliver_due()).retried == 1
    assert (await deliverer.deliver_due()).sent == 0  # not before the backoff
    clock.advance(seconds=wired.settings.outbox_retry.backoff_seconds + 1)
    assert (await deliverer.deliver_due()).sent == 1
    [row] = await rows(wired)
    assert (row.status, row.attempts, len(rasa.uttered)) == ("sent", 2, 1)


async def test_a_rasa_server_that_is_down_is_retried(wired: App) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    down = RasaNotifier(RasaPush(server_url=f"http://127.0.0.1:{closed_port}"))
    wired.notifiers[CHANNEL] = down
    await enqueue(wired, push())
    report = await wired.deliverer().deliver_due()
    await down.close()
    [row] = await rows(wired)
    assert report.retried == 1 and row.status == "pending"
    assert row.last_error is not None and "Rasa 服务无法连接：ConnectError" in row.last_error


async def test_a_wrong_token_is_retried_and_says_which_setting_to_check(wired: App, rasa: FakeRasa) -> None:
    wrong = RasaNotifier(RasaPush(server_url=rasa.url, token="stale"))
    wired.notifiers[CHANNEL] = wrong
    await enqueue(wired, push())
    report = await wired.deliverer().deliver_due()
    await wrong.close()
    [row] = await rows(wired)
    assert report.retried == 1 and row.status == "pending" and rasa.triggers == []
    assert "401" in (row.last_error or "") and "token_env" in (row.last_error or "")


async def test_a_conversation_whose_channel_cannot_push_is_unreachable(wired: App, rasa: FakeRasa) -> None:
    rasa.channels[SENDER] = "rest"
    await enqueue(wired, push())
    report = await wired.deliverer().deliver_due()
    [row] = await rows(wired)
    assert report.failed == 1 and row.status == "unreachable" and rasa.uttered == []
    assert "不能主动推送" in (row.last_error or "")


async def test_without_a_rasa_server_configured_pushes_wait_in_the_outbox(app: App) -> None:
    assert RasaPush.from_settings(app.settings) is None and CHANNEL not in app.notifiers
    await seed_registry(app.sessions)
    await file_rasa_case(app)
    assert (await app.deliverer().deliver_due()).sent == 0
    assert {r.status for r in await rows(app)} == {"pending"}
