"""The ports the lifecycle talks through; storage and bot/ provide the real adapters."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, Protocol, Self

from handlers.case import Case, Event
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


@dataclass(frozen=True)
class ErasureRequest:
    """删除我的信息: a resident's request to erase their contact details from finished cases, and the
    administrator's decision (status pending → executed | rejected)."""

    id: int | None
    channel: str
    user_ref: str
    cases: tuple[str, ...]
    status: str
    requested_at: datetime
    request: str | None = None  # the message that asked: asked again after a crash, it is one request
    decided_at: datetime | None = None
    decided_by: str | None = None
    reason: str | None = None
    erased: tuple[str, ...] = ()


class Notifier(Protocol):
    async def send(self, notification: Notification) -> None: ...


class CaseRepository(Protocol):
    async def add(self, case: Case) -> None: ...

    async def get(self, number: str) -> Case: ...

    async def get_by_intake_key(self, key: str) -> Case | None: ...

    async def reporters(self, numbers: Sequence[str]) -> list[Reporter]: ...

    async def next_sequence(self, day: str) -> int: ...

    async def rewrite(self, number: str, events: Sequence[Event]) -> None:
        """Write `events` over the stored ones of the same seq: erasure of personal data only."""

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

    async def forget_recipients(self, case_number: str) -> None:
        """The case's pushes already sent (or given up) no longer name the resident they went to."""

    async def newest_id(self) -> int:
        """A watermark: the rows a command queues after this call lie above it."""
        ...

    async def mark_answered(self, case_number: str, after_id: int, now: datetime) -> int:
        """The resident was just told in the dialogue what the case's pushes above `after_id` say."""
        ...


class ErasureRepository(Protocol):
    async def add(self, request: ErasureRequest) -> None: ...

    async def get(self, request_id: int) -> ErasureRequest: ...

    async def by_request(self, request: str) -> ErasureRequest | None: ...

    async def pending_for(self, channel: str, user_ref: str) -> ErasureRequest | None: ...

    async def save(self, request: ErasureRequest) -> None: ...


class AuditLog(Protocol):
    """The administrators' audit log, written in the unit of work's transaction: a change is logged
    if and only if it is written."""

    def add(self, at: datetime, actor: str, area: str, action: str, subject: str | None = None,
            reason: str | None = None, details: dict[str, Any] | None = None) -> None: ...


class UnitOfWork(Protocol):
    """One transaction: what a handler changes is committed whole or not at all."""

    cases: CaseRepository
    directory: DirectoryRepository
    outbox: OutboxRepository
    erasures: ErasureRepository
    audit: AuditLog

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...
