"""What the dialogue runner needs from storage, as a protocol of plain data (storage knows no flows)."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from flows.understanding import Understanding

Understand = Callable[[str], Awaitable[Understanding]]


class ConversationStore(Protocol):
    async def claim(self, channel: str, message_id: str, user_ref: str, now: datetime) -> list[dict[str, Any]] | None:
        """None if this message id is new (and now ours); else the replies it already got."""
        ...

    async def release(self, channel: str, message_id: str) -> None: ...

    async def load(self, channel: str, user_ref: str) -> tuple[dict[str, Any] | None, int]: ...

    async def finish(
        self,
        *,
        channel: str,
        user_ref: str,
        message_id: str,
        state: dict[str, Any],
        version: int,
        said: str,
        replies: list[dict[str, Any]],
        at: datetime,
    ) -> bool:
        """Save the state (unless another turn saved first: then False), the replies, the history."""
        ...

    async def mark_answered(self, case_number: str, since: datetime, now: datetime) -> int: ...
