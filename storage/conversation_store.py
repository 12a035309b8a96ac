"""Conversations in SQL: per-resident dialogue state, the inbound ids claimed or handled, and the
message history a channel shows back (the web chat page, the terminal).

Each method is its own short transaction, so the dialogue never holds a lock while the NLU or
a case command runs.
"""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import conflict_dialect, dialect_insert, from_db, to_utc
from storage.dialogue_models import ConversationMessageRow, ConversationRow, ProcessedInboundRow
from storage.models import OutboxRow
from storage.outbox_repository import SqlOutboxRepository

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InboundClaim:
    """What `begin` found for a message id. `attempt` > 0: this call holds the turn (with the
    resident's `state` and its `version`; `attempt` > 1 when it took over a dead one). Otherwise
    `replies` is what the finished turn answered, or None while another delivery still runs it."""

    attempt: int = 0
    state: dict[str, Any] | None = None
    version: int = 0
    outbox_mark: int = 0
    replies: list[dict[str, Any]] | None = None


@dataclass(frozen=True)
class HistoryEntry:
    """One line of a resident's chat: `direction` is "in" (the resident) or "out" (the bot);
    `choices` are {"label", "value"} dicts; `key` is the push's outbox key (None for replies)."""

    direction: str
    text: str
    choices: tuple[dict[str, str], ...]
    at: datetime
    key: str | None = None


class SqlConversationStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def begin(
        self, channel: str, message_id: str, user_ref: str, now: datetime, lease: timedelta
    ) -> InboundClaim:
        """Start a turn in one transaction: claim the channel message id and read the resident's
        state. A new id, or one whose turn has not finished within `lease` (its process died),
        is held by this call; a finished one gives back its replies; one whose lease is still
        live gives neither, and the caller waits or says it is still working."""
        at = to_utc(now)
        key = {"b_channel": channel, "b_message_id": message_id}
        async with self.sessions() as session:
            turn = _turn_statements(session)
            held = (await session.execute(turn.claim, {**key, "b_user_ref": user_ref, "b_at": at})).one_or_none()
            if held is None:
                held = await self._take_over(session, turn, key, at, lease)
            if held is None:
                replies, finished = (await session.execute(turn.outcome, key)).one()
                await session.commit()
                return InboundClaim(replies=list(replies or []) if finished is not None else None)
            found = (await session.execute(turn.state, {"b_channel": channel, "b_user_ref": user_ref})).one_or_none()
            state, version = (dict(found[0]), found[1]) if found is not None else (None, 0)
            await session.commit()
            return InboundClaim(state=state, version=version, attempt=held[0], outbox_mark=held[1])

    async def _take_over(
        self, session: AsyncSession, turn: "_TurnStatements", key: dict[str, str], at: datetime, lease: timedelta
    ) -> Row[tuple[int, int]] | None:
        """Hold an unfinished turn whose lease ran out; one statement, so two redeliveries cannot both."""
        held = (await session.execute(turn.take_over, {**key, "b_at": at, "b_lapsed": at - lease})).one_or_none()
        if held is not None:
            log.warning("message %s/%s: its turn did not finish within %s; running it again (attempt %d)",
                        key["b_channel"], key["b_message_id"], lease, held[0])
        return held

    async def release(self, channel: str, message_id: str, attempt: int) -> None:
        """Forget a claim whose turn failed, so the channel's retry is handled afresh; only while
        it is still this attempt's and unfinished, so a slow failing turn cannot drop a later one's."""
        async with self.sessions() as session:
            await session.execute(
                delete(ProcessedInboundRow).where(
                    ProcessedInboundRow.channel == channel,
                    ProcessedInboundRow.message_id == message_id,
                    ProcessedInboundRow.attempt == attempt,
                    ProcessedInboundRow.finished_at.is_(None),
                )
            )
            await session.commit()

    async def forget_processed(self, before: datetime) -> int:
        """Drop message ids claimed before `before`: no channel redelivers a message that late,
        and the table would otherwise grow with every message ever received."""
        return await self._delete_before(ProcessedInboundRow, before)

    async def forget_history(self, before: datetime) -> int:
        """Drop chat lines older than `before`: the retention job's for what residents typed, phone
        numbers included, which no case erasure reaches."""
        return await self._delete_before(ConversationMessageRow, before)

    async def _delete_before(self, model: type[ProcessedInboundRow | ConversationMessageRow], before: datetime) -> int:
        async with self.sessions() as session:
            result = await session.execute(delete(model).where(model.created_at < to_utc(before)))
            await session.commit()
            return result.rowcount

    async def finish(
        self,
        *,
        channel: str,
        user_ref: str,
        message_id: str,
        state: dict[str, Any],
        version: int,
        said: str,
        replies: list[dict[str, Any]],
        at: datetime,
    ) -> bool:
        """Write a finished turn in one transaction: the new state (if `version` is still the
        stored one), the replies a redelivery of `message_id` gets, both sides of the history.
        False if another turn of the same resident saved first: this state is then dropped."""
        at = to_utc(at)
        resident = {"b_channel": channel, "b_user_ref": user_ref}
        async with self.sessions() as session:
            turn = _turn_statements(session)
            if version == 0:
                saved = await session.execute(turn.first_state, {**resident, "b_state": state, "b_at": at})
            else:
                saved = await session.execute(turn.next_state, {**resident, "b_state": state, "b_at": at,
                                                                 "b_version": version})
            await session.execute(turn.finished, {"b_channel": channel, "b_message_id": message_id,
                                                  "b_replies": replies, "b_at": at})
            lines = [("in", said, [])] if said else []
            lines += [("out", r["text"], _choices(r.get("choices", []))) for r in replies]
            if lines:
                await session.execute(
                    turn.history,
                    [{**resident, "b_direction": d, "b_text": text, "b_choices": choices, "b_at": at}
                     for d, text, choices in lines],
                )
            await session.commit()
            return saved.rowcount == 1

    async def take_pushes(self, channel: str, recipient: str, now: datetime) -> list[HistoryEntry]:
        """For a channel that polls instead of being pushed to (the terminal): hand over the
        resident's queued status pushes in order, taken from the outbox and recorded in the
        history in one transaction."""
        async with self.sessions() as session:
            pending = await SqlOutboxRepository(session).take_pending(channel, recipient, now)
            for key, text, choices in pending:
                await _record_outbound(session, channel, recipient, text, choices, key, now)
            await session.commit()
        return [HistoryEntry("out", text, tuple(_choices(choices)), to_utc(now), key) for key, text, choices in pending]

    async def history(self, channel: str, user_ref: str, limit: int = 50) -> list[HistoryEntry]:
        """The resident's last `limit` lines on this channel, oldest first (both directions)."""
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(ConversationMessageRow)
                    .where(ConversationMessageRow.channel == channel, ConversationMessageRow.user_ref == user_ref)
                    .order_by(ConversationMessageRow.id.desc())
                    .limit(limit)
                )
            ).scalars().all()
            await session.commit()
        return [
            HistoryEntry(r.direction, r.text, tuple(_choices(r.choices or [])), from_db(r.created_at), r.key)
            for r in reversed(rows)
        ]

    async def pushed(self, key: str) -> HistoryEntry | None:
        """The history line of one status push, by its outbox key (a worker relaying it to a tab)."""
        async with self.sessions() as session:
            row = await session.scalar(select(ConversationMessageRow).where(ConversationMessageRow.key == key))
            await session.commit()
        if row is None:
            return None
        return HistoryEntry(row.direction, row.text, tuple(_choices(row.choices or [])), from_db(row.created_at), row.key)

    async def append_outbound(
        self, channel: str, user_ref: str, text: str, choices: Sequence[Any], key: str, now: datetime | None = None
    ) -> bool:
        """Record a status push in the history exactly once: `key` is the outbox notification
        key, so a retried delivery is not recorded twice. `choices` are labels or {"label",
        "value"} dicts. True if this call recorded it."""
        async with self.sessions() as session:
            recorded = await _record_outbound(session, channel, user_ref, text, choices, key, now or datetime.now(UTC))
            await session.commit()
            return recorded


async def _record_outbound(session: AsyncSession, channel: str, user_ref: str, text: str, choices: Sequence[Any],
                           key: str, now: datetime) -> bool:
    """One status push as a history line, unless its outbox key is recorded already."""
    stmt = (
        dialect_insert(session, ConversationMessageRow)
        .values(channel=channel, user_ref=user_ref, direction="out", text=text, choices=_choices(choices),
                key=key, created_at=to_utc(now))
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(ConversationMessageRow.id)
    )
    return (await session.execute(stmt)).scalar_one_or_none() is not None


def _choices(choices: Sequence[Any]) -> list[dict[str, str]]:
    """Buttons as stored: a bare label is its own value; a [label, value] pair or a dict is kept."""
    stored = []
    for choice in choices:
        if isinstance(choice, dict):
            stored.append({"label": str(choice["label"]), "value": str(choice.get("value", choice["label"]))})
        elif isinstance(choice, list | tuple):
            stored.append({"label": str(choice[0]), "value": str(choice[1])})
        else:
            stored.append({"label": str(choice), "value": str(choice)})
    return stored


class _TurnStatements:
    """A turn's statements, built once per dialect with named parameters: each turn then only
    binds its values, instead of building and cache-keying every statement anew, which was most
    of a turn's Python time (issue 16, bench/turn_profile.py)."""

    def __init__(self, dialect: Any) -> None:
        claims, talks = ProcessedInboundRow.__table__, ConversationRow.__table__
        lines = ConversationMessageRow.__table__
        by_key = (claims.c.channel == bindparam("b_channel"), claims.c.message_id == bindparam("b_message_id"))
        by_resident = (talks.c.channel == bindparam("b_channel"), talks.c.user_ref == bindparam("b_user_ref"))
        mark = select(func.coalesce(func.max(OutboxRow.id), 0)).scalar_subquery()
        self.claim = (
            dialect.insert(claims)
            .values(channel=bindparam("b_channel"), message_id=bindparam("b_message_id"),
                    user_ref=bindparam("b_user_ref"), replies=[], created_at=bindparam("b_at"),
                    taken_at=bindparam("b_at"), attempt=1, outbox_mark=mark)
            .on_conflict_do_nothing(index_elements=["channel", "message_id"])
            .returning(claims.c.attempt, claims.c.outbox_mark)
        )
        self.take_over = (
            update(claims)
            .where(*by_key, claims.c.finished_at.is_(None), claims.c.taken_at <= bindparam("b_lapsed"))
            .values(taken_at=bindparam("b_at"), attempt=claims.c.attempt + 1)
            .returning(claims.c.attempt, claims.c.outbox_mark)
        )
        self.outcome = select(claims.c.replies, claims.c.finished_at).where(*by_key)
        self.state = select(talks.c.state, talks.c.version).where(*by_resident)
        self.first_state = (
            dialect.insert(talks)
            .values(channel=bindparam("b_channel"), user_ref=bindparam("b_user_ref"), state=bindparam("b_state"),
                    version=1, updated_at=bindparam("b_at"))
            .on_conflict_do_nothing(index_elements=["channel", "user_ref"])
        )
        self.next_state = (
            update(talks)
            .where(*by_resident, talks.c.version == bindparam("b_version"))
            .values(state=bindparam("b_state"), version=talks.c.version + 1, updated_at=bindparam("b_at"))
        )
        self.finished = (
            update(claims).where(*by_key).values(replies=bindparam("b_replies"), finished_at=bindparam("b_at"))
        )
        self.history = insert(lines).values(
            channel=bindparam("b_channel"), user_ref=bindparam("b_user_ref"), direction=bindparam("b_direction"),
            text=bindparam("b_text"), choices=bindparam("b_choices"), key=None, created_at=bindparam("b_at"),
        )


@cache
def _statements_for(dialect_name: str) -> _TurnStatements:
    return _TurnStatements(conflict_dialect(dialect_name))


def _turn_statements(session: AsyncSession) -> _TurnStatements:
    return _statements_for(session.bind.dialect.name)
