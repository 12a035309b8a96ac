"""Staff accounts and their web sessions: argon2 password hashes, random session tokens.

The cookie carries a random token; the database keeps only its SHA-256 digest and a per-session
CSRF token that every staff form must echo back.
"""

import asyncio
import hashlib
import secrets
from functools import cache
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.staff_models import (
    StaffRow,
    StaffSessionRow,
    drop_expired_sessions,
    drop_session,
    grids_of,
    session_with_staff,
    set_grids,
    staff_by_name,
)

ROLES = {"operator": "话务坐席", "clerk": "部门办理人员", "dispatcher": "分拨员", "supervisor": "督办人员",
         "admin": "系统管理员", "grid_worker": "网格员"}
GRID_WORKER = "grid_worker"
CONSOLE_ROLES = frozenset({"operator", "supervisor", "admin"})
MIN_PASSWORD = 10
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a wrong name costs as long as a wrong
    password; made at the first sign-in, not at import, which every CLI command would pay for."""
    return _hasher.hash(secrets.token_hex(16))


class AccountError(ValueError):
    """A refused account change, said in Chinese. `field` is what it is about (username, password,
    role, department, grids): the accounts page marks that field, the CLI names its option."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class AccountExists(AccountError):
    def __init__(self, username: str) -> None:
        super().__init__(f"用户名 {username} 已被使用。", "username")
        self.username = username


@dataclass(frozen=True)
class StaffMember:
    id: int
    username: str
    role: str
    department: str | None
    grids: tuple[str, ...] = ()  # the grids a grid worker patrols (staff_grids)

    @property
    def patrols(self) -> bool:
        """A grid worker with grids: the web chat offers them 巡查上报 instead of a resident's intake."""
        return self.role == GRID_WORKER and bool(self.grids)

    @property
    def actor(self) -> str:
        return f"staff:{self.username}"

    @property
    def role_label(self) -> str:
        return ROLES.get(self.role, self.role)


@dataclass(frozen=True)
class StaffSession:
    staff: StaffMember
    csrf_token: str
    token_digest: str


def on_duty(session: StaffSession, dispatch_centre: str) -> StaffSession:
    """The session as its member works: a clerk of the dispatch centre ([routing] dispatcher) is a
    dispatcher, since that department's only queue is the 统一分拨 list, not cases to 签收."""
    staff = session.staff
    if staff.role == "clerk" and staff.department == dispatch_centre:
        return replace(session, staff=replace(staff, role="dispatcher"))
    return session


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def member_of(session: AsyncSession, row: StaffRow) -> StaffMember:
    grids = await grids_of(session, row.id) if row.role == GRID_WORKER else ()
    return StaffMember(row.id, row.username, row.role, row.department, grids)


def checked_username(username: str) -> str:
    """The username as stored (surrounding blanks dropped), or why it cannot be one."""
    username = username.strip()
    if not username or len(username) > 64 or any(ch.isspace() for ch in username):
        raise AccountError("用户名不能为空、不能含空格，且不超过 64 个字符。", "username")
    return username


def check_password(password: str) -> None:
    """The one password rule, for the CLI, the accounts page and a reset alike."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 个字符。", "password")


def check_role(role: str, grids: Sequence[str]) -> None:
    if role not in ROLES:
        raise AccountError(f"角色必须是 {' / '.join(ROLES)} 之一。", "role")
    if (role == GRID_WORKER) != bool(grids):
        raise AccountError("网格员需要指定所负责的网格，其他角色不能指定网格。", "grids")


async def hash_password(password: str) -> str:
    """argon2 in a thread: hashing takes tens of milliseconds, too long for the event loop."""
    check_password(password)
    return await asyncio.to_thread(_hasher.hash, password)


async def store_staff(
    session: AsyncSession, username: str, hashed: str, role: str, department: str | None, now: datetime,
    *, reset: bool = False, grids: Sequence[str] = (),
) -> StaffRow:
    """Writes the account in the caller's transaction (enabled); AccountExists unless `reset`."""
    row = await staff_by_name(session, username)
    if row is not None and not reset:
        raise AccountExists(username)
    if row is None:
        row = StaffRow(username=username, created_at=now, active=True)
        session.add(row)
    row.password_hash, row.role, row.department, row.active = hashed, role, department, True
    try:
        await session.flush()
    except IntegrityError as exc:  # the same name created a moment ago by someone else
        raise AccountExists(username) from exc
    await set_grids(session, row.id, grids)
    return row


async def add_staff(
    sessions: async_sessionmaker[AsyncSession], username: str, password: str, role: str,
    department: str | None, now: datetime, *, reset: bool = False, grids: Sequence[str] = (),
) -> StaffMember:
    """Create an account, or with `reset` replace an existing one's password, role, department and grids."""
    username = checked_username(username)
    check_role(role, grids)
    hashed = await hash_password(password)
    async with sessions() as session:
        row = await store_staff(session, username, hashed, role, department, now, reset=reset, grids=grids)
        try:
            await session.commit()
        except IntegrityError as exc:
            raise AccountExists(username) from exc
        return await member_of(session, row)


class AccountDisabled(Exception):
    """The right password for an account an administrator disabled: its holder is told so, as no one
    without the password is."""


async def authenticate(sessions: async_sessionmaker[AsyncSession], username: str, password: str) -> StaffMember | None:
    async with sessions() as session:
        row = await staff_by_name(session, username.strip())
        member = await member_of(session, row) if row is not None and row.active else None
    stored = row.password_hash if row is not None else _dummy_hash()
    try:
        await asyncio.to_thread(_hasher.verify, stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is not None and not row.active:
        raise AccountDisabled(row.username)
    return member


async def open_session(
    sessions: async_sessionmaker[AsyncSession], staff: StaffMember, now: datetime, hours: float
) -> tuple[str, StaffSession]:
    token = secrets.token_urlsafe(32)
    record = StaffSessionRow(
        token_digest=digest(token), staff_id=staff.id, csrf_token=secrets.token_urlsafe(32),
        created_at=now, expires_at=now + timedelta(hours=hours),
    )
    async with sessions() as session:
        await drop_expired_sessions(session, now)
        session.add(record)
        await session.commit()
    return token, StaffSession(staff, record.csrf_token, record.token_digest)


async def find_session(sessions: async_sessionmaker[AsyncSession], token: str, now: datetime) -> StaffSession | None:
    async with sessions() as session:
        found = await session_with_staff(session, digest(token))
        if found is None:
            return None
        record, row = found
        if record.expires_at.replace(tzinfo=record.expires_at.tzinfo or now.tzinfo) <= now or not row.active:
            return None
        return StaffSession(await member_of(session, row), record.csrf_token, record.token_digest)


async def close_session(sessions: async_sessionmaker[AsyncSession], token_digest: str) -> None:
    async with sessions() as session:
        await drop_session(session, token_digest)
        await session.commit()
