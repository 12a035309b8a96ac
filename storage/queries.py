"""Read-only queries for staff views, NLU training and the gazetteer; no business decisions."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.directory import Grid, Place
from storage.directory_repository import SqlDirectoryRepository
from storage.models import CaseRow, OutboxRow


@dataclass(frozen=True)
class SentNotice:
    created_at: datetime
    status: str
    channel: str
    text: str
    attempts: int
    last_error: str | None


async def notifications_for_case(session: AsyncSession, number: str) -> list[SentNotice]:
    rows = (
        await session.execute(select(OutboxRow).where(OutboxRow.case_number == number).order_by(OutboxRow.id))
    ).scalars()
    return [SentNotice(r.created_at, r.status, r.channel, r.text, r.attempts, r.last_error) for r in rows]


async def closed_case_examples(session: AsyncSession) -> list[tuple[str, str | None, str | None]]:
    """(text, category, topic) of closed cases, the labels staff confirmed; either label may be missing."""
    query = (
        select(CaseRow.text, CaseRow.category, CaseRow.topic)
        .where(CaseRow.status == "closed", or_(CaseRow.category.is_not(None), CaseRow.topic.is_not(None)))
        .order_by(CaseRow.id)
    )
    return [(text, category, topic) for text, category, topic in (await session.execute(query)).all()]


async def load_gazetteer_rows(session: AsyncSession) -> tuple[list[Grid], list[Place]]:
    directory = SqlDirectoryRepository(session)
    return await directory.grids(), await directory.places()


async def count_by_status(session: AsyncSession, department: str | None = None) -> dict[str, int]:
    query = select(CaseRow.status, func.count()).group_by(CaseRow.status)
    if department:
        query = query.where(CaseRow.department == department)
    return {status: n for status, n in (await session.execute(query)).all()}
