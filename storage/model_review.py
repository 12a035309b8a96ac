"""What the administrators' models page reads from the cases: the words of the held-out cases a
classifier got wrong (the model folder keeps only their numbers, never residents' texts)."""

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import CaseRow


async def texts_by_number(sessions: async_sessionmaker[AsyncSession], numbers: Collection[str]) -> dict[str, str]:
    if not numbers:
        return {}
    async with sessions() as session:
        rows = await session.execute(select(CaseRow.number, CaseRow.text).where(CaseRow.number.in_(list(numbers))))
        return {number: text for number, text in rows.all()}
