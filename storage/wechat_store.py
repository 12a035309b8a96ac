"""Who follows the 公众号 and when they last wrote: WeChat lets a 公众号 send 客服消息 only within
48 hours of the resident's last message, and to nobody who has unfollowed it."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.db import dialect_insert, from_db, to_utc
from storage.wechat_models import WeChatFollowerRow


@dataclass(frozen=True)
class Follower:
    open_id: str
    last_inbound_at: datetime
    following: bool


class WeChatFollowers:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    async def heard(self, open_id: str, at: datetime, *, following: bool = True) -> None:
        """The resident wrote, tapped the menu, followed (following=True) or unfollowed (False)."""
        at = to_utc(at)
        async with self.sessions() as session:
            stmt = dialect_insert(session, WeChatFollowerRow).values(
                open_id=open_id, last_inbound_at=at, following=following, changed_at=at)
            await session.execute(stmt.on_conflict_do_update(
                index_elements=["open_id"], set_={"last_inbound_at": at, "following": following, "changed_at": at}))
            await session.commit()

    async def get(self, open_id: str) -> Follower | None:
        async with self.sessions() as session:
            row = await session.get(WeChatFollowerRow, open_id)
            return Follower(row.open_id, from_db(row.last_inbound_at), row.following) if row else None
