"""The ports the lifecycle talks through; storage and bot/ provide the real adapters."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Protocol, Self

from handlers.case import Case
from handlers.directory import Department, Grid
from handlers.status import Status


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass(frozen=True)
class Notification:
    """A message for the resident, keyed by case and event so it can never be queued twice."""

    key: str
    case_number: str
    channel: str
    recipient: str
    text: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Delivery:
    """A claimed outbox row on its way out."""

    id: int
    notification: Notification
    attempt: int


class DeliveryError(Exception):
    """A channel could not deliver now; the outbox retries later (not before `retry_after` seconds)."""

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RecipientUnreachable(DeliveryError):
    """The resident cannot be reached on this channel (blocked the bot, no such chat): stop retrying."""


@dataclass(frozen=True)
class Reporter:
    """Who reported a case and where a push reaches them: how a main case's pushes find the
    residents of its duplicates (并单)."""

    number: str
    channel: str
    user_ref: str


class Notifier(Protocol):
    async def send(self, notification: Notification) -> None: ...


class CaseRepository(Protocol):
    async def add(self, case: Case) -> None: ...

    async def get(self, number: str) -> Case: ...

    async def get_by_intake_key(self, key: str) -> Case | None: ...

    async def reporters(self, numbers: Sequence[str]) -> list[Reporter]: ...

    async def next_sequence(self, day: str) -> int: ...

    async def find(
        self,
        *,
        statuses: Sequence[Status] | None = None,
        department: str | None = None,
        channel: str | None = None,
        user_ref: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Case]: ...


class DirectoryRepository(Protocol):
    async def grids(self) -> list[Grid]: ...

    async def departments(self) -> list[Department]: ...


class OutboxRepository(Protocol):
    async def add(self, notification: Notification, now: datetime) -> None: ...

    async def claim(
        self, now: datetime, limit: int, lease_seconds: float, channels: Collection[str]
    ) -> list[Delivery]: ...

    async def mark_sent(self, delivery_id: int, now: datetime) -> None: ...

    async def mark_retry(self, delivery_id: int, when: datetime, error: str) -> None: ...

    async def mark_failed(self, delivery_id: int, status: str, error: str) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: what a handler changes is committed whole or not at all."""

    cases: CaseRepository
    directory: DirectoryRepository
    outbox: OutboxRepository

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
