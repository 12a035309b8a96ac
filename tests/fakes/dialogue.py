"""A tiny scripted dialogue for channel tests: complaint → confirm → location → filed case.

It stands in for flows/ so the channel adapters are tested on their own; it files real cases
through the message bus and answers a redelivered message id with the replies it gave before.
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from flows.messages import Choice, Inbound, Reply
from handlers import commands as c
from handlers.bus import MessageBus
from storage.dialogue_models import ConversationMessageRow

YES_NO = (Choice("是的", "yes"), Choice("不对", "no"))


@dataclass
class FakeDialogue:
    bus: MessageBus
    grid_code: str = "T01-C01-G01"
    seen: dict[tuple[str, str], list[Reply]] = field(default_factory=dict)
    drafts: dict[str, str] = field(default_factory=dict)
    inbound: list[Inbound] = field(default_factory=list)
    history: async_sessionmaker[AsyncSession] | None = None  # when given, both sides are kept in the history

    async def handle(self, inbound: Inbound) -> list[Reply]:
        key = (inbound.channel, inbound.message_id)
        if key in self.seen:
            return self.seen[key]
        self.inbound.append(inbound)
        replies = await self._turn(inbound)
        self.seen[key] = replies
        if self.history is not None:
            await self._record(inbound, replies)
        return replies

    async def _record(self, inbound: Inbound, replies: list[Reply]) -> None:
        """Both sides of the turn as chat history lines, as the real dialogue keeps them."""
        labels = {choice.value: choice.label for choice in YES_NO}
        said = inbound.text or labels.get(inbound.choice or "", inbound.choice or "") or "[位置]"
        lines = [("in", said, [])] + [
            ("out", r.text, [{"label": ch.label, "value": ch.value} for ch in r.choices]) for r in replies
        ]
        async with self.history() as session:
            session.add_all(
                ConversationMessageRow(channel=inbound.channel, user_ref=inbound.user_ref, direction=direction,
                                       text=text, choices=choices, key=None, created_at=datetime.now(UTC))
                for direction, text, choices in lines
            )
            await session.commit()

    async def _turn(self, inbound: Inbound) -> list[Reply]:
        who = inbound.user_ref
        if inbound.text in ("你好", "帮助"):
            return [Reply("您好！请直接描述您遇到的问题。")]
        if inbound.text == "取消":
            self.drafts.pop(who, None)
            return [Reply("好的，已取消。")]
        if inbound.text.startswith("查询"):
            return [Reply("您目前没有办理中的诉求。")]
        if inbound.choice == "no":
            self.drafts.pop(who, None)
            return [Reply("请重新描述您的问题。")]
        if inbound.choice == "yes" and who in self.drafts:
            return [Reply("请告诉我问题发生的位置，或直接发送定位。", request_location=True)]
        if inbound.location is not None and who in self.drafts:
            case = await self.bus.handle(
                c.FileCase(actor=who, text=self.drafts.pop(who), channel=inbound.channel, user_ref=who,
                           category="service", topic="城乡建设", category_confidence=0.9, topic_confidence=0.9,
                           grid_code=self.grid_code, latitude=inbound.location.latitude,
                           longitude=inbound.location.longitude)
            )
            return [Reply(f"已受理，编号 {case.number}。")]
        if inbound.text:
            self.drafts[who] = inbound.text
            return [Reply(f"您反映的是：{inbound.text}，对吗？", choices=YES_NO)]
        return [Reply("请先描述您的问题。")]
