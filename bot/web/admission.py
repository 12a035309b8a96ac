"""Who may talk to the resident chat: ids the server signed, a cap on new ids per address, and one
shared budget for the turns of residents whose id is new, so a flood of fresh ids cannot slow down
residents who were already here.

An id is `token.issued.signature`: the token is the resident's secret (their user_ref is a digest
of it), `issued` says when the server handed it out, and the signature says that it did. Tokens
from before ids were signed carry no signature; the chat page signs them once if the token already
has a conversation, so residents keep their history and cases, and an invented token gains nothing.
"""

import os
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from itsdangerous import BadSignature, Signer

from bot.limits import RateLimiter
from bot.settings import ConfigError, Settings

SECRET_ENV = "MINSHENG_WEB_SECRET"
SECRET_FILE = "web_secret"
MAX_COOKIE = 128
UNSIGNED = re.compile(r"[A-Za-z0-9_-]{20,64}")  # the shape of a token issued before ids were signed
ISSUED = re.compile(r"[0-9a-f]{1,12}")
NEWCOMER_BURSTS = 10  # the newcomers' budget may be spent a tenth of a minute's worth at once
KNOWN_BEFORE_SIGNING = 0  # `issued` of a token signed on migration: established, never new


@dataclass(frozen=True)
class ResidentId:
    token: str
    issued: int  # Unix seconds when the server issued the id; KNOWN_BEFORE_SIGNING for a migrated one


class ResidentIds:
    """Issues and checks the signed resident cookie."""

    def __init__(self, secret: bytes, clock: Callable[[], float] = time.time) -> None:
        self._signer = Signer(secret, salt="minsheng.resident")
        self.clock = clock

    def issue(self, token: str | None = None, issued: int | None = None) -> str:
        """A cookie value for a new resident, or for an existing `token` (migration keeps its user_ref)."""
        when = int(self.clock()) if issued is None else issued
        return self._signer.sign(f"{token or secrets.token_urlsafe(24)}.{when:x}").decode()

    def read(self, cookie: str | None) -> ResidentId | None:
        """The id in a cookie the server signed, else None."""
        if not cookie or len(cookie) > MAX_COOKIE:
            return None
        try:
            value = self._signer.unsign(cookie).decode()
        except BadSignature:
            return None
        token, _, issued = value.rpartition(".")
        if not UNSIGNED.fullmatch(token) or not ISSUED.fullmatch(issued):
            return None
        return ResidentId(token, int(issued, 16))


def unsigned_token(cookie: str | None) -> str | None:
    """A cookie from before ids were signed (a bare random token), else None."""
    return cookie if cookie and UNSIGNED.fullmatch(cookie) else None


@dataclass(frozen=True)
class AdmissionLimits:
    """The `[limits]` keys of admission; see config.toml for what each one is for."""

    new_residents_per_address: int = 30
    new_resident_minutes: float = 60
    new_resident_messages_per_minute: float = 120

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> "AdmissionLimits":
        known = {k: section[k] for k in cls.__dataclass_fields__ if k in section}
        limits = cls(**known)
        for name, value in vars(limits).items():
            if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                raise ConfigError(f"配置文件有误：[limits] {name} 应是大于 0 的数，而不是 {value!r}")
        return limits


class Admission:
    """The policy, on an injected clock (Unix seconds) so tests can move time."""

    NEWCOMERS = "new residents"

    def __init__(self, ids: ResidentIds, limits: AdmissionLimits, clock: Callable[[], float] = time.time) -> None:
        self.ids, self.limits, self.clock = ids, limits, clock
        per_address = limits.new_residents_per_address
        self._addresses = RateLimiter(per_address / 60, per_address, clock=clock)  # refilled over an hour
        # A few seconds' worth at once, not a minute's: a flood's burst of turns would queue ahead of everyone's.
        self._newcomers = RateLimiter(limits.new_resident_messages_per_minute,
                                      max(1, int(limits.new_resident_messages_per_minute / NEWCOMER_BURSTS)), clock=clock)

    def may_issue(self, address: str) -> bool:
        """Spend one of this address's new ids, if it has one left."""
        return self._addresses.allow(address)

    def issue_wait(self, address: str) -> float:
        """Seconds until this address may be given a new id (0: now); spends nothing."""
        return self._addresses.wait(address)

    def is_new(self, resident: ResidentId) -> bool:
        return self.clock() - resident.issued < self.limits.new_resident_minutes * 60

    def admit(self, resident: ResidentId) -> bool:
        """May this resident's turn run now? Established residents always pass this gate (their own
        rate limit still applies); new ones share one budget."""
        return not self.is_new(resident) or self._newcomers.allow(self.NEWCOMERS)


def web_secret(settings: Settings) -> bytes:
    """The key that signs resident ids: MINSHENG_WEB_SECRET when set (several hosts must share it),
    else a random key kept in the data directory, created by the first process that needs it, so
    restarts and the workers of one host keep accepting the ids they issued."""
    configured = os.environ.get(SECRET_ENV, "")
    if configured:
        return configured.encode()
    path = settings.data_dir / SECRET_FILE
    try:
        if not path.exists():
            _create_secret(path)
        return path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"无法创建或读取网页端的签名密钥 {path}（{exc.strerror}）：请检查该目录的权限，"
                          f"或用环境变量 {SECRET_ENV} 提供密钥。") from exc


def _create_secret(path: Path) -> None:
    """Write the key under a temporary name, then link it into place: a racing process either wins
    or reads the winner's complete key, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_urlsafe(48))
    try:
        os.link(draft, path)
    except FileExistsError:
        pass
    finally:
        draft.unlink()
