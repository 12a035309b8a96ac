"""The outbox: notifications written with the case change, claimed by delivery workers with a lease.

A claim is one UPDATE … RETURNING over rows picked with FOR UPDATE SKIP LOCKED (PostgreSQL) or
under SQLite's single writer, so two workers never hold the same row; a worker that dies just
lets its lease run out, and the row is claimed again. A resident's pushes leave in order: a row
waits while an earlier one to the same recipient is still pending.
"""

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handlers.ports import Delivery, Notification
from storage.db import dialect_insert, to_utc
from storage.models import OutboxRow

_OUTBOX = OutboxRow.__table__  # Core statements on the turn's path: no ORM bulk-persistence pass


class SqlOutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, notification: Notification, now: datetime) -> None:
        stmt = (
            dialect_insert(self.session, _OUTBOX)
            .values(
                key=notification.key,
                case_number=notification.case_number,
                channel=notification.channel,
                recipient=notification.recipient,
                text=notification.text,
                choices=list(notification.choices),
                status="pending",
                attempts=0,
                next_attempt_at=to_utc(now),
                created_at=to_utc(now),
            )
            .on_conflict_do_nothing(index_elements=["key"])
        )
        await self.session.execute(stmt)

    async def newest_id(self) -> int:
        """A watermark: what a command queues after this call lies above it."""
        return int(await self.session.scalar(select(func.max(OutboxRow.id))) or 0)

    async def mark_answered(self, case_number: str, after_id: int, now: datetime) -> int:
        """The dialogue just told the resident what these pushes say (number, department, limit):
        mark the case's pushes queued after `after_id` and not yet tried as delivered, so the
        resident does not read the same thing twice."""
        result = await self.session.execute(
            update(_OUTBOX)
            .where(
                _OUTBOX.c.case_number == case_number,
                _OUTBOX.c.id > after_id,
                _OUTBOX.c.status == "pending",
                _OUTBOX.c.attempts == 0,
            )
            .values(**_sent(now))
        )
        return result.rowcount

    async def take_pending(self, channel: str, recipient: str, now: datetime) -> list[tuple[str, str, list[Any]]]:
        """For a channel that polls instead of being pushed to (the terminal): every push still
        pending for this recipient, marked delivered; (key, text, choices) in the order queued."""
        rows = (
            await self.session.execute(
                update(OutboxRow)
                .where(OutboxRow.channel == channel, OutboxRow.recipient == recipient, OutboxRow.status == "pending")
                .values(**_sent(now))
                .returning(OutboxRow.id, OutboxRow.key, OutboxRow.text, OutboxRow.choices)
            )
        ).all()
        return [(key, text, choices or []) for _, key, text, choices in sorted(rows)]

    async def claim(
        self, now: datetime, limit: int, lease_seconds: float, channels: Collection[str]
    ) -> list[Delivery]:
        """Due rows for the channels this worker can deliver; rows for other channels (a polling
        terminal, a Telegram worker elsewhere) stay pending for whoever can."""
        earlier = aliased(OutboxRow)
        blocked = (
            select(earlier.id)
            .where(
                earlier.channel == OutboxRow.channel,
                earlier.recipient == OutboxRow.recipient,
                earlier.status == "pending",
                earlier.id < OutboxRow.id,
            )
            .exists()
        )
        due = (
            select(OutboxRow.id)
            .where(
                OutboxRow.status == "pending",
                OutboxRow.next_attempt_at <= to_utc(now),
                OutboxRow.channel.in_(list(channels)),
                ~blocked,
            )
            .order_by(OutboxRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(OutboxRow)
            .where(OutboxRow.id.in_(due.scalar_subquery()))
            .values(
                next_attempt_at=to_utc(now) + timedelta(seconds=lease_seconds),
                attempts=OutboxRow.attempts + 1,
            )
            .returning(OutboxRow)
            .execution_options(synchronize_session=False)
        )
        rows = (await self.session.execute(stmt)).scalars().all()
        return sorted((_delivery(row) for row in rows), key=lambda d: d.id)

    async def mark_sent(self, delivery_id: int, now: datetime) -> None:
        await self._set(delivery_id, **_sent(now))

    async def mark_retry(self, delivery_id: int, when: datetime, error: str) -> None:
        await self._set(delivery_id, next_attempt_at=to_utc(when), last_error=error[:2000])

    async def mark_failed(self, delivery_id: int, status: str, error: str) -> None:
        await self._set(delivery_id, status=status, last_error=error[:2000])

    async def forget_recipients(self, case_number: str) -> None:
        """A case's pushes that are no longer pending stop naming their resident (erased personal data);
        one still pending keeps its recipient until it goes out."""
        await self.session.execute(
            update(OutboxRow)
            .where(OutboxRow.case_number == case_number, OutboxRow.status != "pending", OutboxRow.recipient != "")
            .values(recipient="")
        )

    async def _set(self, delivery_id: int, **values: object) -> None:
        await self.session.execute(update(OutboxRow).where(OutboxRow.id == delivery_id).values(**values))


def _sent(now: datetime) -> dict[str, object]:
    """A push's columns once it has reached the resident (delivered, or said by the dialogue itself)."""
    return {"status": "sent", "sent_at": to_utc(now), "last_error": None}


def _delivery(row: OutboxRow) -> Delivery:
    notification = Notification(
        key=row.key,
        case_number=row.case_number,
        channel=row.channel,
        recipient=row.recipient,
        text=row.text,
        choices=tuple(row.choices or ()),
    )
    return Delivery(id=row.id, notification=notification, attempt=row.attempts)

