"""The audit log searched as the administrators' 操作日志 page filters it: by who, area, action, period
and case (the case's number as the entry's subject, or named in its details)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit_log import AuditEntry
from storage.audit_models import AuditRow
from storage.db import from_db, to_utc


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    area: str = ""
    action: str = ""
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    case: str = ""


async def search(session: AsyncSession, wanted: AuditFilter, limit: int) -> tuple[list[AuditEntry], int]:
    """The newest `limit` entries that match, and how many match in all."""
    conditions = _conditions(wanted)
    total = await session.scalar(select(func.count()).select_from(AuditRow).where(*conditions)) or 0
    query = select(AuditRow).where(*conditions).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    rows = (await session.execute(query)).scalars().all()
    entries = [AuditEntry(from_db(r.at), r.actor, r.area, r.action, r.subject, r.reason, r.details or {}) for r in rows]
    return entries, total


async def actors(session: AsyncSession) -> list[str]:
    """Everyone the log names, for the page's 操作人 choice."""
    return list((await session.execute(select(AuditRow.actor).distinct().order_by(AuditRow.actor))).scalars())


def _conditions(wanted: AuditFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    chosen = ((AuditRow.actor, wanted.actor), (AuditRow.area, wanted.area), (AuditRow.action, wanted.action))
    conditions.extend(column == value for column, value in chosen if value)
    if wanted.since is not None:
        conditions.append(AuditRow.at >= to_utc(wanted.since))
    if wanted.until is not None:
        conditions.append(AuditRow.at < to_utc(wanted.until))
    if wanted.case:
        conditions.append(or_(AuditRow.subject == wanted.case,
                              cast(AuditRow.details, String).contains(wanted.case, autoescape=True)))
    return conditions
