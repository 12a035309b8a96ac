"""Hotline callers hear about their case by SMS through the configured webhook; failures are retried."""

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.bootstrap import App
from bot.sms import SmsNotifier
from bot.sms_settings import SmsSettings
from handlers import commands as c
from storage.models import OutboxRow
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.support import FakeClock, seed_registry

PHONE = "13812345678"


@pytest.fixture
async def gateway(app: App) -> AsyncIterator[FakeSmsGateway]:
    await seed_registry(app.sessions)
    fake = FakeSmsGateway()
    await fake.start()
    notifier = SmsNotifier(SmsSettings(webhook_url=fake.url, token="sms-secret"))
    app.notifiers["hotline"] = notifier
    yield fake
    await notifier.close()
    await fake.stop()


async def file_hotline_case(app: App, user_ref: str = f"hotline:{PHONE}") -> str:
    case = await app.bus.handle(c.FileCase(
        actor="staff:operator", text="幸福里3号楼漏水", channel="hotline", user_ref=user_ref,
        phone=user_ref.partition(":")[2] or None, category="service", topic="城乡建设",
        classification_confirmed=True, grid_code="T01-C01-G01"))
    return case.number


async def statuses(app: App) -> list[str]:
    async with app.sessions() as session:
        return [r.status for r in (await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars()]


async def test_a_staff_action_reaches_the_caller_by_sms(app: App, gateway: FakeSmsGateway) -> None:
    number = await file_hotline_case(app)
    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    deliverer = app.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass
    assert [m["to"] for m in gateway.received] == [PHONE] * len(gateway.received)
    assert gateway.received[-1]["text"] == f"【民声】您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。"
    assert [h["idempotency-key"] for h in gateway.headers] == [m["key"] for m in gateway.received]
    assert gateway.headers[0]["authorization"] == "Bearer sms-secret"


async def test_a_busy_gateway_is_retried_after_its_delay_and_nothing_is_sent_twice(
    app: App, gateway: FakeSmsGateway, clock: FakeClock
) -> None:
    await file_hotline_case(app)
    gateway.answer_next(429, **{"Retry-After": "300"})
    gateway.answer_next(500)
    deliverer = app.deliverer()
    assert (await deliverer.deliver_due()).retried == 1
    clock.advance(seconds=200)
    assert (await deliverer.deliver_due()).retried == 0  # still inside the gateway's 300 s
    for _ in range(4):
        clock.advance(seconds=301)
        await deliverer.deliver_due()
    keys = [m["key"] for m in gateway.received]
    assert len(keys) == len(set(keys)) == len(await statuses(app))
    assert set(await statuses(app)) == {"sent"}


async def test_a_number_the_gateway_rejects_is_marked_unreachable(app: App, gateway: FakeSmsGateway) -> None:
    await file_hotline_case(app)
    gateway.answer_next(422)
    report = await app.deliverer().deliver_due()
    assert report.failed == 1 and (await statuses(app))[0] == "unreachable"


async def test_a_caller_who_left_no_number_gets_no_sms(app: App, gateway: FakeSmsGateway) -> None:
    await file_hotline_case(app, user_ref="")
    await app.deliverer().deliver_due()
    assert gateway.received == [] and await statuses(app) == []


async def test_a_recipient_that_is_not_a_phone_by_the_one_rule_is_never_sent(app: App, gateway: FakeSmsGateway) -> None:
    await file_hotline_case(app, user_ref="hotline:12345")
    await app.deliverer().deliver_due()
    assert gateway.received == [] and (await statuses(app))[0] == "unreachable"
