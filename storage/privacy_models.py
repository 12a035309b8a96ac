"""Residents' requests to erase their personal information (删除我的信息): one row per request, from
the message that asked to the administrator's decision. An executed request keeps which cases it
erased, not who asked: its channel account is cleared with the cases' own."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ErasureRequestRow(Base):
    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(32))
    user_ref: Mapped[str] = mapped_column(String(128))
    cases: Mapped[list[Any]] = mapped_column(default=list)
    status: Mapped[str] = mapped_column(String(16))
    request: Mapped[str | None] = mapped_column(String(200), unique=True)
    requested_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    erased: Mapped[list[Any]] = mapped_column(default=list)

    __table_args__ = (
        Index("ix_erasure_requests_status", "status", "requested_at"),
        Index("ix_erasure_requests_resident", "channel", "user_ref", "status"),
    )
