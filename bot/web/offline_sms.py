"""Web residents hear about their case after they close the page: a push that finds no open tab
also goes by SMS to the phone they left (through the [sms] gateway), and stays in their page history
for when they come back. `[web] sms_when_offline` turns it off.

The hub knows the tabs open on this worker only: with several web workers a resident whose tab is
on another one may get the SMS as well.
"""

import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.sms import SmsNotifier
from bot.web.hub import LiveHub
from bot.web.notifier import WebNotifier
from handlers.ports import Notification, RecipientUnreachable

log = logging.getLogger(__name__)


class SmsWhenOffline:
    """A failing gateway retries the whole push (the history and the page ignore a repeated key); a
    number the gateway refuses is logged, since the push reached the history all the same."""

    def __init__(self, web: WebNotifier, hub: LiveHub, sms: SmsNotifier,
                 phone_of: Callable[[str], Awaitable[str | None]]) -> None:
        self.web = web
        self.hub = hub
        self.sms = sms
        self.phone_of = phone_of

    async def send(self, notification: Notification) -> None:
        await self.web.send(notification)
        if self.hub.online(notification.recipient):
            return
        phone = await self.phone_of(notification.case_number)
        if not phone:
            return
        try:
            await self.sms.send(replace(notification, recipient=f"sms:{phone}"))
        except RecipientUnreachable as exc:
            log.warning("no SMS for web push %s: %s", notification.key, exc)
