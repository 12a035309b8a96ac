"""What administrators do to staff accounts, from the accounts page and `minsheng staff` alike: create
one, change its role, department or grids, disable or enable it, reset its password.

Each change is checked against the district registry and written in one transaction with its audit
entry (who, when, what; never a password), and a disabled account or a new password signs the member
out everywhere at once. The last enabled administrator cannot be disabled or demoted, so the district
is never left without someone who can open these pages.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.web.accounts import (
    GRID_WORKER,
    ROLES,
    AccountError,
    StaffMember,
    check_role,
    checked_username,
    hash_password,
    member_of,
    store_staff,
)
from storage.audit_log import AuditEntry, stage
from storage.db import from_db
from storage.directory_repository import SqlDirectoryRepository
from storage.staff_models import (
    StaffRow,
    active_admins,
    all_staff,
    end_sessions,
    grids_of,
    live_sessions,
    set_grids,
    staff_by_name,
)

AREA = "accounts"  # the audit log's area for account changes
ADMIN = "admin"
LAST_ADMIN = "至少要保留一个启用的系统管理员账号，否则没有人能再管理账号和名录。"


class AccountMissing(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(f"没有用户名为 {username} 的账号。", "username")


@dataclass(frozen=True)
class Assignment:
    """What an account may do and where: its role, department (clerks) and grids (grid workers)."""

    role: str
    department: str | None = None
    grids: tuple[str, ...] = ()

    def details(self) -> dict[str, Any]:
        return {"role": self.role, "department": self.department, "grids": list(self.grids)}


@dataclass(frozen=True)
class Account:
    """One row of the accounts page."""

    username: str
    assignment: Assignment
    active: bool
    created_at: datetime
    signed_in: int  # unexpired sessions: where the member is signed in right now

    @property
    def role_label(self) -> str:
        return ROLES.get(self.assignment.role, self.assignment.role)


async def accounts(sessions: async_sessionmaker[AsyncSession], now: datetime) -> list[Account]:
    async with sessions() as session:
        rows = await all_staff(session)
        online = await live_sessions(session, now)
        return [Account(row.username, await _assignment(session, row), row.active, from_db(row.created_at),
                        online.get(row.id, 0)) for row in rows]


async def check_assignment(sessions: async_sessionmaker[AsyncSession], assignment: Assignment) -> None:
    """The role's rules, and a department and grids the registry knows (a typo would leave a clerk
    with an empty queue and no one told why)."""
    check_role(assignment.role, assignment.grids)
    if assignment.role == "clerk" and not assignment.department:
        raise AccountError("部门办理人员需要指定所属部门。", "department")
    async with sessions() as session:
        directory = SqlDirectoryRepository(session)
        departments = {d.code for d in await directory.departments()}
        grids = {g.code for g in await directory.grids()}
    if assignment.department and assignment.department not in departments:
        raise AccountError(f"未找到部门 {assignment.department}，请核对部门代码，或先导入辖区名录。", "department")
    unknown = sorted(set(assignment.grids) - grids)
    if unknown:
        raise AccountError(f"未找到网格 {'、'.join(unknown)}，请核对网格代码，或先导入辖区名录。", "grids")


async def create_account(
    sessions: async_sessionmaker[AsyncSession], actor: str, username: str, password: str,
    assignment: Assignment, now: datetime, *, reset: bool = False,
) -> StaffMember:
    """A new account (AccountExists if the name is taken), or with `reset` (the CLI's way back into a
    locked-out district) an existing one replaced: new password, role, department and grids, enabled."""
    username = checked_username(username)
    await check_assignment(sessions, assignment)
    hashed = await hash_password(password)
    async with sessions() as session:
        existing = await staff_by_name(session, username)
        if reset and existing is not None:
            await _keep_an_admin(session, existing, assignment.role == ADMIN)
        row = await store_staff(session, username, hashed, assignment.role, assignment.department, now,
                                reset=reset, grids=assignment.grids)
        if existing is not None:
            await end_sessions(session, row.id)
        action = "replaced" if existing is not None else "created"
        stage(session, AuditEntry(now, actor, AREA, action, username, None, assignment.details()))
        await session.commit()
        return await member_of(session, row)


async def change_assignment(
    sessions: async_sessionmaker[AsyncSession], actor: str, username: str, assignment: Assignment, now: datetime,
) -> bool:
    """A new role, department or grids, in force from the member's next page; False if nothing changed."""
    await check_assignment(sessions, assignment)
    async with sessions() as session:
        row = await _row(session, username)
        before = await _assignment(session, row)
        if before == assignment:
            return False
        await _keep_an_admin(session, row, assignment.role == ADMIN)
        row.role, row.department = assignment.role, assignment.department
        await set_grids(session, row.id, assignment.grids)
        stage(session, AuditEntry(now, actor, AREA, "role_changed", username, None,
                                  {"from": before.details(), "to": assignment.details()}))
        await session.commit()
    return True


async def set_active(
    sessions: async_sessionmaker[AsyncSession], actor: str, username: str, active: bool, now: datetime,
) -> bool:
    """Disable (signed out everywhere at once) or enable an account; False if it already was."""
    async with sessions() as session:
        row = await _row(session, username)
        if row.active == active:
            return False
        if not active:
            if username == actor:
                raise AccountError("不能停用自己正在使用的账号。", "username")
            await _keep_an_admin(session, row, False)
            await end_sessions(session, row.id)
        row.active = active
        stage(session, AuditEntry(now, actor, AREA, "enabled" if active else "disabled", username))
        await session.commit()
    return True


async def reset_password(
    sessions: async_sessionmaker[AsyncSession], actor: str, username: str, password: str, now: datetime,
    *, keep: str | None = None,
) -> None:
    """A new password, and the member signed out everywhere but the session `keep` (an administrator
    resetting their own password stays signed in where they did it)."""
    hashed = await hash_password(password)
    async with sessions() as session:
        row = await _row(session, username)
        row.password_hash = hashed
        await end_sessions(session, row.id, keep)
        stage(session, AuditEntry(now, actor, AREA, "password_reset", username))
        await session.commit()


async def _row(session: AsyncSession, username: str) -> StaffRow:
    row = await staff_by_name(session, username)
    if row is None:
        raise AccountMissing(username)
    return row


async def _assignment(session: AsyncSession, row: StaffRow) -> Assignment:
    grids = await grids_of(session, row.id) if row.role == GRID_WORKER else ()
    return Assignment(row.role, row.department, grids)


async def _keep_an_admin(session: AsyncSession, row: StaffRow, stays_admin: bool) -> None:
    """Refuses a change that would leave no enabled administrator."""
    if row.role == ADMIN and row.active and not stays_admin and await active_admins(session) <= 1:
        raise AccountError(LAST_ADMIN, "role")


def assignment_of(role: str, department: str | None, grids: Sequence[str]) -> Assignment:
    """From a form or the CLI's options: blanks and repeats dropped, grids in code order as they are stored."""
    codes = tuple(sorted({code.strip() for code in grids if code.strip()}))
    return Assignment(role, (department or "").strip() or None, codes)
