"""Dialogue tables: one conversation per resident, the inbound ids already handled, and the
message history the web page and the terminal show back to a resident."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ConversationRow(Base):
    """The persisted dialogue state of one resident on one channel; `version` guards races."""

    __tablename__ = "conversations"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_ref: Mapped[str] = mapped_column(String(128), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime]


class ProcessedInboundRow(Base):
    """A channel message id claimed for a turn: a lease while the turn runs (`finished_at` empty),
    then the replies it got, so a redelivery repeats them. A lease older than the configured
    timeout belongs to a process that died, and the next delivery takes it over (`attempt` + 1);
    `outbox_mark` is the newest outbox row when the turn first ran, so a re-run still knows
    which pushes its replies already say."""

    __tablename__ = "processed_inbound"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[str] = mapped_column(String(128))
    user_ref: Mapped[str] = mapped_column(String(128))
    replies: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    taken_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    outbox_mark: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("channel", "message_id", name="uq_processed_inbound_channel_message"),
        Index("ix_processed_inbound_created", "created_at"),
    )


class ConversationMessageRow(Base):
    """One line of a resident's chat history, either direction; `key` dedupes status pushes."""

    __tablename__ = "conversation_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_ref: Mapped[str] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    choices: Mapped[list[Any]] = mapped_column(default=list)
    key: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime]

    __table_args__ = (Index("ix_conversation_messages_user", "channel", "user_ref", "id"),)
