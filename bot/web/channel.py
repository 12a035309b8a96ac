"""The web chat as a channel: always served (the console lives on the same app), pushing into the
resident's history and any tab they have open. Its page and socket are `bot.web.resident`."""

from dataclasses import dataclass

from bot.channels import Attachment, Live, Stage
from bot.web.notifier import WebNotifier

OFF = ""


@dataclass
class WebChannel:
    notifier: WebNotifier
    status: str = ""

    async def attach(self, live: Live) -> Attachment:
        return Attachment()  # the resident routes are part of every web app (bot.web.app)

    async def close(self) -> None:
        return None


def configure(stage: Stage) -> WebChannel:
    return WebChannel(WebNotifier(stage.store, stage.hub))
