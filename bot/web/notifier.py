"""Status pushes to web residents: recorded in their history first, then shown live if they are online."""

from collections.abc import Sequence
from typing import Any, Protocol

from bot.web.hub import LiveHub
from bot.web.relay import LocalRelay, Relay, push_payload
from handlers.ports import Notification

CHANNEL = "web"


class OutboundHistory(Protocol):
    async def append_outbound(
        self, channel: str, user_ref: str, text: str, choices: Sequence[Any], key: str
    ) -> Any: ...


class WebNotifier:
    """Idempotent on the notification key: the history keeps one line, and the page ignores a repeat.
    `live` takes the push to the resident's open tabs: this worker's hub, or every worker's through
    a relay (bot.web.relay)."""

    def __init__(self, history: OutboundHistory, live: LiveHub | Relay) -> None:
        self.history = history
        self.relay = LocalRelay(live) if isinstance(live, LiveHub) else live

    async def send(self, notification: Notification) -> None:
        choices = [{"label": label, "value": label} for label in notification.choices]
        await self.history.append_outbound(CHANNEL, notification.recipient, notification.text, choices, notification.key)
        await self.relay.publish(notification.recipient, notification.key,
                                 push_payload(notification.key, notification.text, choices))
