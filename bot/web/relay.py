"""Live pushes across web workers: a status push reaches the resident's open tab whichever worker
holds it.

PostgreSQL's LISTEN/NOTIFY carries them: the database every worker already shares, with no broker
to run (Redis pub/sub would add one, and a push is already a database write). The sender records
the push in the resident's history, then NOTIFYs the resident and the push's key; every worker
LISTENs on one connection of its own, and the one holding a tab of that resident reads the line by
its key and sends it. NOTIFY is delivered on commit and only to live listeners: a worker that was
reconnecting misses it, and the page finds the line in its history on its next reconnect, as today.
SQLite serves one process, where the push goes straight to this worker's tabs.
"""

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.leases import pause
from bot.web.hub import LiveHub
from storage.conversation_store import HistoryEntry

log = logging.getLogger(__name__)
CHANNEL = "minsheng_live_push"
RECONNECT_SECONDS = 2.0


def push_payload(key: str, text: str, choices: Any) -> dict[str, Any]:
    """A status push as the chat page draws it."""
    return {"type": "push", "key": key, "text": text, "choices": list(choices)}


class Relay(Protocol):
    async def publish(self, recipient: str, key: str, payload: dict[str, Any]) -> None: ...


class LocalRelay:
    """One process (SQLite): straight to this worker's tabs."""

    def __init__(self, hub: LiveHub) -> None:
        self.hub = hub

    async def publish(self, recipient: str, key: str, payload: dict[str, Any]) -> None:
        await self.hub.push(recipient, payload)


class PostgresRelay:
    def __init__(self, database_url: str, sessions: async_sessionmaker[AsyncSession], hub: LiveHub,
                 pushed: Callable[[str], Awaitable[HistoryEntry | None]]) -> None:
        self.dsn = make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.sessions = sessions
        self.hub = hub
        self.pushed = pushed
        self._relaying: set[asyncio.Task[None]] = set()
        self.listening = asyncio.Event()  # set while the listening connection is up

    async def publish(self, recipient: str, key: str, payload: dict[str, Any]) -> None:
        note = json.dumps({"to": recipient, "key": key}, ensure_ascii=False)
        async with self.sessions() as session:
            await session.execute(select(func.pg_notify(CHANNEL, note)))
            await session.commit()

    async def listen(self, stop: asyncio.Event) -> None:
        """The worker's listening connection, reconnected whenever it drops, until `stop`."""
        while not stop.is_set():
            try:
                connection = await asyncpg.connect(self.dsn, timeout=10)
            except (OSError, asyncpg.PostgresError) as exc:
                log.warning("live-push listener cannot connect (%s); retrying", exc)
                await pause(stop, RECONNECT_SECONDS)
                continue
            lost = asyncio.Event()
            connection.add_termination_listener(lambda _: lost.set())
            try:
                await connection.add_listener(CHANNEL, self._heard)
                self.listening.set()
                await asyncio.wait({asyncio.create_task(stop.wait()), asyncio.create_task(lost.wait())},
                                  return_when=asyncio.FIRST_COMPLETED)
            finally:
                self.listening.clear()
                if not connection.is_closed():
                    await connection.close()

    def _heard(self, _connection: object, _pid: int, _channel: str, note: str) -> None:
        try:
            data = json.loads(note)
            recipient, key = str(data["to"]), str(data["key"])
        except (ValueError, KeyError, TypeError):
            log.warning("an unreadable live-push notice was ignored")
            return
        if not self.hub.online(recipient):
            return
        task = asyncio.get_running_loop().create_task(self._relay(recipient, key))
        self._relaying.add(task)
        task.add_done_callback(self._relaying.discard)

    async def _relay(self, recipient: str, key: str) -> None:
        entry = await self.pushed(key)
        if entry is not None:
            await self.hub.push(recipient, push_payload(key, entry.text, entry.choices))

