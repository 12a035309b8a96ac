"""Writing and reading the audit log (storage/audit_models.py)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.audit_models import AuditRow
from storage.db import from_db


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str
    area: str
    action: str
    subject: str | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


async def record(sessions: async_sessionmaker[AsyncSession], entry: AuditEntry) -> None:
    """Kept in a transaction of its own: an action that happened is logged even if what follows fails."""
    async with sessions() as session:
        stage(session, entry)
        await session.commit()


def stage(session: AsyncSession, entry: AuditEntry) -> None:
    """Adds the entry to the caller's transaction, for a change that must be logged if and only if it is written."""
    session.add(AuditRow(at=entry.at, actor=entry.actor, area=entry.area, action=entry.action,
                         subject=entry.subject, reason=entry.reason, details=entry.details))


class SqlAuditLog:
    """The audit log as a unit of work sees it (handlers.ports.AuditLog): entries in its transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, at: datetime, actor: str, area: str, action: str, subject: str | None = None,
            reason: str | None = None, details: dict[str, Any] | None = None) -> None:
        stage(self.session, AuditEntry(at, actor, area, action, subject, reason, details or {}))


async def recent(sessions: async_sessionmaker[AsyncSession], area: str, limit: int = 50) -> list[AuditEntry]:
    """Newest first, times in UTC (SQLite hands them back without an offset, which a page would read as local)."""
    query = select(AuditRow).where(AuditRow.area == area).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    async with sessions() as session:
        rows = (await session.execute(query)).scalars().all()
    return [AuditEntry(from_db(r.at), r.actor, r.area, r.action, r.subject, r.reason, r.details or {}) for r in rows]
