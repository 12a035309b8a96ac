"""wechatpy's client with its access_token kept in the database, so that every worker on every
machine uses one token and only one of them fetches a new one.

WeChat hands out a limited number of tokens a day and each fetch invalidates the one before: two
workers refreshing on their own would keep knocking each other's token out. wechatpy stores the
token through a `SessionStorage` and refreshes it itself (at expiry, and once on 40001/42001);
this module gives it a storage in our database and serialises the refresh. wechatpy is
synchronous (requests), so the channel calls it from worker threads.
"""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session
from wechatpy import WeChatClient
from wechatpy.session import SessionStorage

from storage.wechat_models import WeChatTokenRow

EARLY_SECONDS = 60  # a token this close to expiry is treated as expired, as wechatpy does
_REFRESH_LOCK = 0x6D73_7778  # "msxw": the PostgreSQL advisory lock that serialises refreshes
_REFRESHING = threading.Lock()  # and within one process, across threads and clients


class SharedTokens(SessionStorage):  # type: ignore[misc]
    """wechatpy's key/value storage on the `wechat_tokens` table; an expired value reads as absent.
    Values are also kept in memory until they expire, so a send costs no query; a token another
    worker replaced is found when WeChat rejects ours (SharedTokenClient.fetch_access_token)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._memory: dict[str, tuple[str, int]] = {}

    def get(self, key: str, default: Any = None) -> Any:
        value, expires_at = self._memory.get(key) or ("", 0)
        if expires_at - EARLY_SECONDS <= time.time():
            row = self.row(key)
            if row is None or row.expires_at - EARLY_SECONDS <= time.time():
                return default
            value = self.remember(row)
        return value

    def remember(self, row: WeChatTokenRow) -> str:
        self._memory[row.key] = (row.value, row.expires_at)
        return row.value

    def row(self, key: str) -> WeChatTokenRow | None:
        with Session(self.engine) as session:
            return session.scalar(select(WeChatTokenRow).where(WeChatTokenRow.key == key))

    def set(self, key: str, value: Any, ttl: int | None = None) -> None:
        now = int(time.time())
        with Session(self.engine) as session, session.begin():
            row = session.get(WeChatTokenRow, key) or WeChatTokenRow(key=key)
            row.value, row.expires_at, row.fetched_at = str(value), now + int(ttl or 7200), now
            session.add(row)
            self.remember(row)

    def delete(self, key: str) -> None:
        self._memory.pop(key, None)
        with Session(self.engine) as session, session.begin():
            session.execute(delete(WeChatTokenRow).where(WeChatTokenRow.key == key))

    @contextmanager
    def refreshing(self) -> Iterator[None]:
        """Held while one worker fetches: a PostgreSQL advisory lock across processes (SQLite
        serves one process, where the module's lock suffices)."""
        with self.engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _REFRESH_LOCK})
            try:
                yield
            finally:
                if connection.dialect.name == "postgresql":
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _REFRESH_LOCK})
                connection.commit()


class SharedTokenClient(WeChatClient):  # type: ignore[misc]
    """A WeChatClient whose API address is configurable (a local fake in tests, a proxy in a
    locked-down network) and whose token refresh is done once for all workers."""

    def __init__(self, app_id: str, secret: str, api_base: str, tokens: SharedTokens, timeout: float = 10) -> None:
        super().__init__(app_id, secret, session=tokens, timeout=timeout)
        self.API_BASE_URL = api_base
        self.tokens = tokens
        self._handed = threading.local()  # the token this thread's request carries

    def fetch_access_token(self) -> dict[str, Any]:
        """Called by wechatpy when the token is missing or expired, and once when WeChat rejected the
        token this thread sent (40001/42001). If another worker has stored a different valid token
        meanwhile, that one is taken; otherwise this worker fetches, holding the lock."""
        rejected = getattr(self._handed, "token", None)
        with _REFRESHING, self.tokens.refreshing():
            row = self.tokens.row(self.access_token_key)
            now = time.time()
            if row is not None and row.value != rejected and row.expires_at - EARLY_SECONDS > now:
                self.tokens.remember(row)
                self.expires_at = row.expires_at
                return {"access_token": row.value, "expires_in": int(row.expires_at - now)}
            return self._fetch_access_token(
                url=f"{self.API_BASE_URL}token",
                params={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret},
            )

    @property
    def access_token(self) -> str:
        """The stored token while it is valid (whoever fetched it), else a fresh one. wechatpy's own
        check trusts a token it did not fetch forever; ours reads the shared expiry."""
        token = self.session.get(self.access_token_key)
        if not token:
            self.fetch_access_token()
            token = self.session.get(self.access_token_key)
        self._handed.token = token
        return str(token)
