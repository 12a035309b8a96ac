"""Status pushes to web residents: recorded in their history first, then shown live if they are online."""

from collections.abc import Sequence
from typing import Any, Protocol

from bot.web.hub import LiveHub
from handlers.ports import Notification

CHANNEL = "web"


class OutboundHistory(Protocol):
    async def append_outbound(
        self, channel: str, user_ref: str, text: str, choices: Sequence[Any], key: str
    ) -> Any: ...


class WebNotifier:
    """Idempotent on the notification key: the history keeps one line, and the page ignores a repeat."""

    def __init__(self, history: OutboundHistory, hub: LiveHub) -> None:
        self.history = history
        self.hub = hub

    async def send(self, notification: Notification) -> None:
        choices = [{"label": label, "value": label} for label in notification.choices]
        await self.history.append_outbound(CHANNEL, notification.recipient, notification.text, choices, notification.key)
        await self.hub.push(
            notification.recipient,
            {"type": "push", "key": notification.key, "text": notification.text, "choices": choices},
        )
