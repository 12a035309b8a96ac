"""Our WeChat channel, configured from the registry as `minsheng serve` does, served on loopback
against the fake WeChat (tests/fakes/wechat_api.py). Written for this project."""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from typing import Any

from bot.bootstrap import App
from bot.channels import Live, Stage
from bot.limits import Limits, SenderGate
from bot.ports import Dialogue
from bot.web.app import create_web_app, web_deps
from bot.web.hub import LiveHub
from bot.wechat import channel
from storage.conversation_store import SqlConversationStore
from tests.fakes.servers import serving
from tests.fakes.wechat_api import AES_KEY, APP_ID, SECRET, TOKEN, FakeWeChat

ENV = {"MINSHENG_WECHAT_APP_ID": APP_ID, "MINSHENG_WECHAT_SECRET": SECRET,
       "MINSHENG_WECHAT_TOKEN": TOKEN, "MINSHENG_WECHAT_AES_KEY": AES_KEY}
TEMPLATE = {"id": "TPL-case-progress", "number": "character_string1", "status": "phrase2", "time": "time3",
            "note": "thing4"}


@contextmanager
def wechat_env() -> Iterator[None]:

    saved = {k: os.environ.get(k) for k in ENV}
    os.environ.update(ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@asynccontextmanager
async def wechat_server(app: App, dialogue: Dialogue, fake: FakeWeChat, limits: Limits = Limits(),
                        **section: Any) -> AsyncIterator[channel.WeChatChannel]:
    """The app's web edge with the WeChat channel on; its pushes go through the fake's API."""
    wechat = {"encryption": fake.encryption, "api_base": fake.api_base, "template": TEMPLATE} | section
    settings = replace(app.settings, raw={**app.settings.raw, "wechat": wechat})
    store = SqlConversationStore(app.sessions)
    with wechat_env():
        served = channel.configure(Stage(settings, store, LiveHub(), app.policies.clock))
    assert served is not None
    app.notifiers["wechat"] = served.notifier  # type: ignore[assignment]
    attached = await served.attach(Live(app, dialogue, SenderGate(limits)))
    web = create_web_app(web_deps(app, dialogue, store, LiveHub()), attached.routers)
    try:
        async with serving(web) as url:
            fake.server_url = url + served.config.path
            yield served
    finally:
        await served.close()
