"""A web resident who closed the page hears of their case by SMS, and finds the push in the page
history when they come back; one with the page open is not texted."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from bot.bootstrap import App
from bot.channels import Stage
from bot.web import channel
from bot.web.hub import LiveHub
from bot.web.offline_sms import SmsWhenOffline
from handlers import commands as c
from storage.conversation_store import SqlConversationStore
from tests.fakes.sms_gateway import FakeSmsGateway
from tests.support import seed_registry

PHONE = "13812345678"
RESIDENT = "web:0123456789abcdef0123456789abcdef"


class Tab:
    """Stands in for an open WebSocket in the hub: it records what it is sent."""

    def __init__(self) -> None:
        self.seen: list[dict[str, object]] = []

    async def send_json(self, payload: dict[str, object]) -> None:
        self.seen.append(payload)


@pytest.fixture
async def gateway() -> AsyncIterator[FakeSmsGateway]:
    fake = FakeSmsGateway()
    await fake.start()
    yield fake
    await fake.stop()


def web_channel(app: App, gateway: FakeSmsGateway, hub: LiveHub, **web: object) -> channel.WebChannel:
    raw = {**app.settings.raw, "sms": {"webhook_url": gateway.url}, "web": {**app.settings.raw["web"], **web}}
    return channel.configure(Stage(replace(app.settings, raw=raw), SqlConversationStore(app.sessions), hub))


async def filed_with_phone(app: App, phone: str | None = PHONE) -> str:
    await seed_registry(app.sessions)
    case = await app.bus.handle(c.FileCase(
        actor=f"resident:web:{RESIDENT}", text="幸福里3号楼漏水", channel="web", user_ref=RESIDENT, phone=phone,
        category="service", topic="城乡建设", classification_confirmed=True, grid_code="T01-C01-G01"))
    return case.number


async def deliver(app: App) -> None:
    deliverer = app.deliverer()
    while (await deliverer.deliver_due()).sent:
        pass


async def test_a_push_to_a_closed_page_goes_by_sms_and_waits_in_the_history(app: App, gateway: FakeSmsGateway) -> None:
    hub = LiveHub()
    served = web_channel(app, gateway, hub)
    assert isinstance(served.notifier, SmsWhenOffline)
    app.notifiers["web"] = served.notifier
    number = await filed_with_phone(app)
    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver(app)
    accepted = f"您的诉求 {number} 已由 试验社区居委会 签收，正在安排办理。"
    assert [(m["to"], m["text"]) for m in gateway.received][-1] == (PHONE, f"【民声】{accepted}")
    history = await SqlConversationStore(app.sessions).history("web", RESIDENT, 50)
    assert [h.text for h in history].count(accepted) == 1
    await served.close()


async def test_a_resident_with_the_page_open_is_not_texted(app: App, gateway: FakeSmsGateway) -> None:
    hub, tab = LiveHub(), Tab()
    hub.join(RESIDENT, tab)  # type: ignore[arg-type]
    await hub.opened(tab)  # type: ignore[arg-type]  # the tab has its history
    served = web_channel(app, gateway, hub)
    app.notifiers["web"] = served.notifier
    stop = asyncio.Event()
    listening = [asyncio.create_task(loop(stop)) for loop in (await served.attach(None)).loops]  # type: ignore[arg-type]
    if served.relay is not None:  # PostgreSQL: the push reaches the tab through NOTIFY
        await asyncio.wait_for(served.relay.listening.wait(), 10)
    number = await filed_with_phone(app)
    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver(app)
    for _ in range(100):
        if any(number in str(p.get("text")) for p in tab.seen):
            break
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*listening)
    assert gateway.received == [] and any(number in str(p.get("text")) for p in tab.seen)
    await served.close()


async def test_no_phone_or_switched_off_means_no_sms(app: App, gateway: FakeSmsGateway) -> None:
    served = web_channel(app, gateway, LiveHub())
    app.notifiers["web"] = served.notifier
    number = await filed_with_phone(app, phone=None)
    await app.bus.handle(c.AcceptCase(actor="staff:wang", number=number))
    await deliver(app)
    assert gateway.received == []
    await served.close()
    off = web_channel(app, gateway, LiveHub(), sms_when_offline=False)
    assert not isinstance(off.notifier, SmsWhenOffline)
