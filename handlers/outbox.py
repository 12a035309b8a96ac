"""Delivering status pushes: at least once, in order per resident, retried with backoff.

The outbox hands out at most one pending row per recipient at a time (the oldest), so a
failed push holds back the later ones to the same resident instead of overtaking them.

Each notification carries an idempotency key (case number / event seq); the outbox holds one
row per key, and channels that can deduplicate on it do, so one event never reaches a resident
twice.
"""

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta

from handlers.ports import Clock, Delivery, Notifier, RecipientUnreachable, UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 12
    backoff_seconds: float = 5
    max_backoff_seconds: float = 3600
    lease_seconds: float = 60

    def delay(self, attempt: int) -> timedelta:
        return timedelta(seconds=min(self.backoff_seconds * 2 ** (attempt - 1), self.max_backoff_seconds))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


class OutboxDeliverer:
    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        notifiers: Mapping[str, Notifier],
        clock: Clock,
        retry: RetryPolicy = RetryPolicy(),
    ) -> None:
        self.uow_factory = uow_factory
        self.notifiers = notifiers
        self.clock = clock
        self.retry = retry

    async def deliver_due(self, limit: int = 50) -> DeliveryReport:
        """Claim what is due, send it, and record each outcome in its own small transaction."""
        async with self.uow_factory() as uow:
            deliveries = await uow.outbox.claim(
                self.clock.now(), limit, self.retry.lease_seconds, self.notifiers.keys()
            )
            await uow.commit()
        report = DeliveryReport()
        for delivery in deliveries:
            outcome = await self._send(delivery)
            setattr(report, outcome, getattr(report, outcome) + 1)
        return report

    async def run(self, stop: asyncio.Event, poll_seconds: float = 2) -> None:
        """Deliver until `stop` is set; a failing database only delays delivery, never loses it."""
        while not stop.is_set():
            try:
                report = await self.deliver_due()
            except Exception:  # noqa: BLE001 - keep the loop alive; the rows stay in the outbox
                log.exception("outbox delivery round failed; retrying")
                report = DeliveryReport()
            if report.sent == 0:
                try:
                    await asyncio.wait_for(stop.wait(), poll_seconds)
                except TimeoutError:
                    pass

    async def _send(self, delivery: Delivery) -> str:
        notification = delivery.notification
        try:
            await self.notifiers[notification.channel].send(notification)
        except RecipientUnreachable as exc:
            await self._finish(delivery, "unreachable", str(exc) or "群众无法接收（可能已屏蔽机器人）")
            return "failed"
        except Exception as exc:  # noqa: BLE001 - any channel failure is retried
            log.warning("delivery %s attempt %s failed: %s", notification.key, delivery.attempt, exc)
            if delivery.attempt >= self.retry.max_attempts:
                await self._finish(delivery, "failed", repr(exc))
                return "failed"
            await self._retry(delivery, repr(exc), getattr(exc, "retry_after", None))
            return "retried"
        async with self.uow_factory() as uow:
            await uow.outbox.mark_sent(delivery.id, self.clock.now())
            await uow.commit()
        return "sent"

    async def _retry(self, delivery: Delivery, error: str, retry_after: float | None = None) -> None:
        delay = self.retry.delay(delivery.attempt)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        async with self.uow_factory() as uow:
            when = self.clock.now() + delay
            await uow.outbox.mark_retry(delivery.id, when, error)
            await uow.commit()

    async def _finish(self, delivery: Delivery, status: str, error: str) -> None:
        async with self.uow_factory() as uow:
            await uow.outbox.mark_failed(delivery.id, status, error)
            await uow.commit()
