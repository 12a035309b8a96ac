"""Early-warning flags (滚动排查、预警): one row per thing worth a look, keyed so that a scan that finds
the same surge again updates its row instead of adding one, and acknowledged by a supervisor."""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class WarningFlagRow(Base):
    __tablename__ = "warning_flags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    week: Mapped[date] = mapped_column(Date)
    grid_code: Mapped[str | None] = mapped_column(String(32))
    community_code: Mapped[str | None] = mapped_column(String(32))
    street_code: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(160))
    count: Mapped[int] = mapped_column(Integer)
    baseline: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[int | None] = mapped_column(Integer)
    cases: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_warning_flags_open", "acknowledged_at", "week"),
        Index("ix_warning_flags_week", "week", "grid_code"),
    )
