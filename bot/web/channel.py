"""The web chat as a channel: always served (the console lives on the same app), pushing into the
resident's history and any tab they have open, and by SMS when no tab is open and the resident left
a phone (`bot.web.offline_sms`). Its page and socket are `bot.web.resident`."""

from dataclasses import dataclass

from sqlalchemy.engine import make_url

from bot.channels import Attachment, Live, Stage
from bot.sms import SmsNotifier
from bot.sms_settings import SmsSettings
from bot.web.notifier import WebNotifier
from bot.web.offline_sms import SmsWhenOffline
from bot.web.relay import PostgresRelay
from bot.web.settings import WebSettings
from handlers.ports import Notifier
from storage.uow import SqlUnitOfWork

OFF = ""


@dataclass
class WebChannel:
    notifier: Notifier
    status: str = ""
    sms: SmsNotifier | None = None
    relay: PostgresRelay | None = None

    async def attach(self, live: Live) -> Attachment:
        """The resident routes are part of every web app (bot.web.app); on PostgreSQL this worker
        also listens for pushes other workers send (bot.web.relay)."""
        return Attachment(loops=[self.relay.listen] if self.relay is not None else [])

    async def close(self) -> None:
        if self.sms is not None:
            await self.sms.close()


def configure(stage: Stage) -> WebChannel:
    sessions = stage.store.sessions
    relay = None
    if make_url(stage.settings.database_url).get_backend_name() == "postgresql":
        relay = PostgresRelay(stage.settings.database_url, sessions, stage.hub, stage.store.pushed)
    web = WebNotifier(stage.store, relay or stage.hub)
    sms_settings = SmsSettings.from_settings(stage.settings)
    if sms_settings is None or not WebSettings.from_settings(stage.settings).sms_when_offline:
        return WebChannel(web, relay=relay)

    async def phone_of(number: str) -> str | None:
        async with SqlUnitOfWork(sessions) as uow:
            return (await uow.cases.get(number)).phone

    sms = SmsNotifier(sms_settings)
    return WebChannel(SmsWhenOffline(web, stage.hub, sms, phone_of), "网页群众离开页面后，进度通知同时以短信发送。", sms,
                      relay)
