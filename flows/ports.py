"""What the dialogue runner needs from storage, as a protocol of plain data (storage knows no flows)."""

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from flows.understanding import Understanding

Understand = Callable[[str], Awaitable[Understanding]]


class Claim(Protocol):
    """What claiming a message id found. `attempt` > 0: this delivery holds the turn, with the
    resident's `state` and its `version` (`attempt` > 1: the turn's first process died, and this
    is a re-run); `outbox_mark` is the newest outbox row when the turn first ran. `attempt` 0:
    `replies` are the finished turn's, or None while another delivery holds a live lease."""

    @property
    def attempt(self) -> int: ...
    @property
    def state(self) -> dict[str, Any] | None: ...
    @property
    def version(self) -> int: ...
    @property
    def outbox_mark(self) -> int: ...
    @property
    def replies(self) -> list[dict[str, Any]] | None: ...


class ConversationStore(Protocol):
    async def begin(self, channel: str, message_id: str, user_ref: str, now: datetime, lease: timedelta) -> Claim:
        """Claim the message id (a new one, or one whose turn did not finish within `lease`) and
        read the state; or find the replies of its finished turn; or find it still running."""
        ...

    async def release(self, channel: str, message_id: str, attempt: int) -> None:
        """Drop the claim `attempt` holds, so that the channel's retry runs the turn afresh."""
        ...

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
