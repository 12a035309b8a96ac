"""Which finished cases are past their retention period and still hold personal fields, and the
outbox rows of erased cases that still name their resident (handlers/privacy.py decides what is due)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from handlers.erasure import PENDING
from handlers.ports import ErasureRequest
from handlers.privacy import RetentionPolicy
from handlers.status import FINAL, Status
from storage.db import from_db, to_utc
from storage.erasure_repository import to_request
from storage.models import CaseRow, OutboxRow
from storage.privacy_models import ErasureRequestRow

_FINAL = [s.value for s in FINAL]


@dataclass(frozen=True)
class DueCase:
    """A case the next purge erases: what it holds, and since when its period runs."""

    number: str
    category: str | None
    status: Status
    finished_at: datetime
    phone: bool
    name: bool
    account: bool


async def due_cases(session: AsyncSession, policy: RetentionPolicy, now: datetime,
                    limit: int | None = None) -> list[DueCase]:
    """Finished cases (已归档, 已撤销) whose category's period has run out since they ended, and the
    duplicates merged into such a case (已并单 ends with its main case), oldest first."""
    main = aliased(CaseRow)
    own_end = func.coalesce(CaseRow.closed_at, CaseRow.updated_at)
    main_end = func.coalesce(main.closed_at, main.updated_at)
    columns = (CaseRow.number, CaseRow.category, CaseRow.status, CaseRow.phone, CaseRow.contact_name,
               CaseRow.user_ref)
    own = (select(*columns, own_end.label("ended"))
           .where(CaseRow.status.in_(_FINAL), _holds_personal(CaseRow), _past(policy, now, CaseRow.category, own_end)))
    merged = (select(*columns, main_end.label("ended"))
              .join(main, main.number == CaseRow.duplicate_of)
              .where(CaseRow.status == Status.MERGED.value, _holds_personal(CaseRow), main.status.in_(_FINAL),
                     _past(policy, now, main.category, main_end)))
    query = own.union_all(merged).order_by("ended")
    rows = (await session.execute(query.limit(limit) if limit else query)).all()
    return [DueCase(number, category, Status(status), from_db(ended), bool(phone), bool(name), bool(account))
            for number, category, status, phone, name, account, ended in rows]


async def erasure_requests(session: AsyncSession, decided: int = 50) -> list[ErasureRequest]:
    """Every request still waiting, oldest first, then the `decided` latest decisions."""
    waiting = select(ErasureRequestRow).where(ErasureRequestRow.status == PENDING).order_by(ErasureRequestRow.id)
    done = (select(ErasureRequestRow).where(ErasureRequestRow.status != PENDING)
            .order_by(ErasureRequestRow.decided_at.desc(), ErasureRequestRow.id.desc()).limit(decided))
    rows = [*(await session.execute(waiting)).scalars(), *(await session.execute(done)).scalars()]
    return [to_request(row) for row in rows]


async def forget_delivered(session: AsyncSession) -> int:
    """Pushes of erased cases that went out (or were given up) since the erasure stop naming their
    resident; one still pending keeps its recipient until it goes out (the erasure's own outcome)."""
    erased = select(CaseRow.number).where(CaseRow.user_ref == "", CaseRow.phone.is_(None))
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.status != "pending", OutboxRow.recipient != "", OutboxRow.case_number.in_(erased))
        .values(recipient="")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0


def _holds_personal(case: type[CaseRow]) -> ColumnElement[bool]:
    return or_(case.phone.is_not(None), case.contact_name.is_not(None), case.user_ref != "",
               case.intake_key.is_not(None))


def _past(policy: RetentionPolicy, now: datetime, category: ColumnElement[str | None],
          ended: ColumnElement[datetime]) -> ColumnElement[bool]:
    """Ended before its category's cutoff (the default cutoff for categories without their own)."""
    cutoffs = policy.cutoffs(now)
    default = cutoffs.pop(None)
    own = [and_(category == code, ended < to_utc(cutoff)) for code, cutoff in cutoffs.items()]
    others = or_(category.is_(None), category.not_in(list(cutoffs)))
    return or_(*own, and_(others, ended < to_utc(default)))
