"""What the dialogue runner needs from storage, as a protocol of plain data (storage knows no flows)."""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, Protocol

from flows.understanding import Understanding

Understand = Callable[[str], Awaitable[Understanding]]


class ConversationStore(Protocol):
    async def begin(
        self, channel: str, message_id: str, user_ref: str, now: datetime
    ) -> tuple[list[dict[str, Any]] | None, dict[str, Any] | None, int]:
        """Claim the message id and read the state: (None, state, version) if the id is new,
        else (the replies it already got, None, 0)."""
        ...

    async def release(self, channel: str, message_id: str) -> None: ...

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

    async def outbox_mark(self) -> int:
        """A watermark: the outbox rows a command queues after this call lie above it."""
        ...

    async def mark_answered(self, case_number: str, after_id: int, now: datetime) -> int:
        """The resident was just told in the dialogue what the case's new pushes say: mark them sent."""
        ...
