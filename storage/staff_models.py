"""Staff tables: accounts (argon2 hashes, never passwords), the grids a grid worker
patrols, and staff web sessions.

Only digests of session tokens are stored, so a copy of the database opens no one's session.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage.db import to_utc
from storage.models import Base


class StaffRow(Base):
    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime]


class StaffGridRow(Base):
    """A grid worker's grid (一格多员, 一员多格 both occur). No foreign key to `grids`: reloading the
    registry replaces its rows, and a worker keeps their link to a grid code that comes back."""

    __tablename__ = "staff_grids"

    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True)
    grid_code: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class StaffSessionRow(Base):
    __tablename__ = "staff_sessions"

    token_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]


async def staff_by_name(session: AsyncSession, username: str) -> StaffRow | None:
    return (await session.execute(select(StaffRow).where(StaffRow.username == username))).scalar_one_or_none()


async def all_staff(session: AsyncSession) -> list[StaffRow]:
    return list((await session.execute(select(StaffRow).order_by(StaffRow.username))).scalars())


async def grids_of(session: AsyncSession, staff_id: int) -> tuple[str, ...]:
    query = select(StaffGridRow.grid_code).where(StaffGridRow.staff_id == staff_id).order_by(StaffGridRow.grid_code)
    return tuple((await session.execute(query)).scalars())


async def set_grids(session: AsyncSession, staff_id: int, codes: Sequence[str]) -> None:
    """Replace the member's grids with `codes` (none for every role but grid_worker)."""
    await session.execute(delete(StaffGridRow).where(StaffGridRow.staff_id == staff_id))
    session.add_all(StaffGridRow(staff_id=staff_id, grid_code=code) for code in dict.fromkeys(codes))


async def session_with_staff(session: AsyncSession, digest: str) -> tuple[StaffSessionRow, StaffRow] | None:
    query = (
        select(StaffSessionRow, StaffRow)
        .join(StaffRow, StaffRow.id == StaffSessionRow.staff_id)
        .where(StaffSessionRow.token_digest == digest)
    )
    row = (await session.execute(query)).one_or_none()
    return (row[0], row[1]) if row else None


async def drop_session(session: AsyncSession, digest: str) -> None:
    await session.execute(delete(StaffSessionRow).where(StaffSessionRow.token_digest == digest))


async def drop_expired_sessions(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(StaffSessionRow).where(StaffSessionRow.expires_at < now))


async def end_sessions(session: AsyncSession, staff_id: int, keep: str | None = None) -> None:
    """Sign the member out everywhere (a disabled account, a new password), but for the session `keep`:
    an administrator resetting their own password stays signed in where they did it."""
    query = delete(StaffSessionRow).where(StaffSessionRow.staff_id == staff_id)
    if keep is not None:
        query = query.where(StaffSessionRow.token_digest != keep)
    await session.execute(query)


async def live_sessions(session: AsyncSession, now: datetime) -> dict[int, int]:
    """Unexpired sessions per member, so an administrator sees who is signed in before disabling them."""
    query = (select(StaffSessionRow.staff_id, func.count()).where(StaffSessionRow.expires_at > to_utc(now))
             .group_by(StaffSessionRow.staff_id))
    return {staff_id: count for staff_id, count in (await session.execute(query)).all()}


async def active_admins(session: AsyncSession) -> int:
    query = select(func.count()).select_from(StaffRow).where(StaffRow.role == "admin", StaffRow.active.is_(True))
    return await session.scalar(query) or 0
