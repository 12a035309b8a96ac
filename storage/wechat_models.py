"""WeChat tables: the residents who follow the 公众号 (for the 48-hour reply window and unfollows)
and the access_token every worker shares (WeChat allows a limited number of fetches a day, and a
fetch invalidates the token other workers hold)."""

from datetime import datetime

from sqlalchemy import Boolean, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class WeChatFollowerRow(Base):
    __tablename__ = "wechat_followers"

    open_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_inbound_at: Mapped[datetime]
    following: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime]


class WeChatTokenRow(Base):
    __tablename__ = "wechat_tokens"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(String(1024))
    expires_at: Mapped[int] = mapped_column(Integer)  # epoch seconds, as WeChat's expires_in counts
    fetched_at: Mapped[int] = mapped_column(Integer)
