"""Finding a case the way staff remember it: its number, the resident's phone (whole or the last
digits) or words of what the resident said. Read-only; who may see what is the caller's to say."""

from collections.abc import Sequence

from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handlers.case import Case
from storage.case_repository import to_case
from storage.models import CaseEventRow, CaseRow


async def search_cases(
    session: AsyncSession,
    *,
    number: str | None = None,
    phone_tail: str | None = None,
    words: Sequence[str] = (),
    department: str | None = None,
    limit: int = 50,
) -> list[Case]:
    """Case snapshots (no logs), newest first, matching every criterion given.

    `phone_tail` matches the end of the stored phone, so the last 4 digits and a whole number find
    the same case whether it was stored as 139… or +86139…. `department` keeps the cases it holds or
    once held (any event that put the case there), the rule by which a clerk may open a file."""
    query = select(CaseRow).order_by(CaseRow.created_at.desc(), CaseRow.id.desc()).limit(limit)
    if number is not None:
        query = query.where(CaseRow.number == number)
    if phone_tail is not None:
        query = query.where(CaseRow.phone.endswith(phone_tail, autoescape=True))
    for word in words:
        query = query.where(or_(CaseRow.text.icontains(word, autoescape=True),
                                CaseRow.address.icontains(word, autoescape=True)))
    if department is not None:
        held = exists().where(CaseEventRow.case_id == CaseRow.id,
                              CaseEventRow.changes["department"].as_string() == department)
        query = query.where(or_(CaseRow.department == department, held))
    return [to_case(row, []) for row in (await session.execute(query)).scalars()]
