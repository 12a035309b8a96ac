"""The dialogue runner: load a resident's state, understand the turn, step, run the commands
the step issued, and save it all. Channels call `handle(inbound)` and render the replies.

A channel message id is claimed before anything happens, so a redelivered message has its
effect once and gets the first answer again. The claim is a lease: if the process dies mid-turn,
the next delivery of the message after `[dialogue] turn_lease_seconds` runs the turn again, and
the commands it issues are keyed by the message, so filing, rating, cancelling or adding words
happen once however often the turn runs. A message whose turn has died with its process
`[dialogue] max_turn_attempts` times is answered with an apology instead of being run again.
"""

import asyncio
import logging
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flows import intake, matters
from flows.context import UNREAD_CASES, CasesNeeded, Context, DialogueConfig
from flows.district import DistrictMap
from flows.messages import Choice, Inbound, Reply
from flows.ports import Claim, ConversationStore, Understand
from flows.results import after
from flows.router import step, with_resume
from flows.state import ConversationState
from flows.understanding import Matter, Understanding
from handlers.bus import MessageBus
from handlers.case import Case
from handlers.commands import CaseCommand, Command
from handlers.errors import DomainError
from handlers.ports import Clock, UnitOfWork

log = logging.getLogger(__name__)
STILL_WORKING = "已收到您的消息，正在处理，请稍候。"
GAVE_UP = "抱歉，这条消息几次都没能处理完，系统已记录下来。请换一种说法再发一次，也可以拨打 12345 热线反映。"
_RECENT_CASES = 20
_LEASE_POLLS = 8  # looks at a claim held elsewhere this many times per lease, at most every half second
T = TypeVar("T")


@dataclass
class Dialogue:
    store: ConversationStore
    bus: MessageBus
    uow_factory: Callable[[], UnitOfWork]
    understand: Understand
    district: DistrictMap
    config: DialogueConfig
    clock: Clock
    time_limits: Mapping[str, str]

    def __post_init__(self) -> None:
        self._locks: weakref.WeakValueDictionary[tuple[str, str], asyncio.Lock] = weakref.WeakValueDictionary()

    async def handle(self, inbound: Inbound) -> list[Reply]:
        """One resident turn; turns of the same resident run one at a time in this process."""
        key = (inbound.channel, inbound.user_ref)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        async with lock:
            claim = await self._claim(inbound)
            if not claim.attempt:
                return [reply_from_dict(r) for r in claim.replies or []] or [Reply(STILL_WORKING)]
            if claim.attempt > self.config.max_turn_attempts:
                return await self._give_up(inbound, claim)
            try:
                return await self._turn(inbound, claim)
            except BaseException:
                await self.store.release(inbound.channel, inbound.message_id, claim.attempt)
                raise

    async def _claim(self, inbound: Inbound) -> Claim:
        """A redelivery while another process holds the turn waits, for its replies or for its
        lease to lapse (that process died) to take it over; channels drop a message once it is
        answered, so answering "still working" at once would lose it. Only a lease held for a
        whole lease time more (taken over again elsewhere) is answered as still working: the time
        is read before each look, because a look that started inside that lease time, however
        long it took, did not yet see the lease lapse."""
        lease = timedelta(seconds=self.config.turn_lease_seconds)
        loop = asyncio.get_running_loop()
        until = loop.time() + lease.total_seconds()
        while True:
            looked_at = loop.time()
            claim = await self.store.begin(
                inbound.channel, inbound.message_id, inbound.user_ref, self.clock.now(), lease
            )
            if claim.attempt or claim.replies is not None or looked_at >= until:
                return claim
            await asyncio.sleep(min(0.5, lease.total_seconds() / _LEASE_POLLS))

    async def _turn(self, inbound: Inbound, claim: Claim) -> list[Reply]:
        now = self.clock.now()
        before = ConversationState.from_dict(claim.state)
        said = inbound.text or inbound.choice or ""
        understanding = await self._understand(said)
        if len(several := matters.split(said)) > 1:  # each read on its own, should it start an intake
            read = [Matter(m, await self._understand(m)) for m in several]
            understanding = replace(understanding, matters=tuple(read))
        if before.step == intake.DESCRIBE and before.draft is not None and before.draft.parts:
            story = await self._understand(f"{before.draft.text}\n{said}")  # asked for more: the story read whole
            understanding = replace(understanding, category=story.category, topic=story.topic)
        ctx = Context(self.district, self.config, now, UNREAD_CASES, self.time_limits)
        outcome, ctx = await self._with_cases(inbound, ctx, lambda c: step(before, inbound, understanding, c))
        state, replies = outcome.state, list(outcome.replies)
        for index, command in enumerate(outcome.commands):
            result: Case | DomainError
            try:
                result = await self.bus.handle(_keyed(command, inbound, index))
            except DomainError as exc:
                result = exc
            else:  # pushes queued since the turn first ran say what the reply says
                await self.answered(result.number, claim.outbox_mark)
            followed, ctx = await self._with_cases(inbound, ctx, lambda c: after(before, state, command, result, c))
            state, replies = followed.state, replies + list(followed.replies)
        replies = with_resume(state, replies)
        if not await self._finish(inbound, claim, before, state.touched(now), replies, now):
            log.warning("conversation %s/%s changed under this turn; its state was not saved",
                        inbound.channel, inbound.user_ref)
        return replies

    async def _give_up(self, inbound: Inbound, claim: Claim) -> list[Reply]:
        """Finish a message whose earlier turns all died with their process: its words are kept in
        the history, the resident's state is left as it was, and they are asked to say it again."""
        log.error("message %s/%s (resident %s): its turn died with its process %d times; not run again",
                  inbound.channel, inbound.message_id, inbound.user_ref, claim.attempt - 1)
        before = ConversationState.from_dict(claim.state)
        replies = [Reply(GAVE_UP)]
        await self._finish(inbound, claim, before, before, replies, self.clock.now())
        return replies

    async def _finish(self, inbound: Inbound, claim: Claim, before: ConversationState, state: ConversationState,
                      replies: list[Reply], now: datetime) -> bool:
        """Save the turn (store.finish): False if another turn of the resident saved first."""
        return await self.store.finish(channel=inbound.channel, user_ref=inbound.user_ref,
                                       message_id=inbound.message_id, state=state.to_dict(), version=claim.version,
                                       said=_said(inbound, before), replies=[reply_to_dict(r) for r in replies], at=now)

    async def answered(self, case_number: str, after_id: int) -> None:
        """The case's pushes queued above `after_id` say what the turn's reply says: delivered."""
        async with self.uow_factory() as uow:
            await uow.outbox.mark_answered(case_number, after_id, self.clock.now())
            await uow.commit()

    async def _understand(self, said: str) -> Understanding:
        """A failing NLU must not stop an intake: the steps then ask with choices instead."""
        if not said.strip():
            return Understanding()
        try:
            return await self.understand(said)
        except Exception:  # noqa: BLE001 - any NLU failure degrades to "understood nothing"
            log.exception("the NLU failed on a turn; carrying on without it")
            return Understanding()

    async def _with_cases(self, inbound: Inbound, ctx: Context, run: Callable[[Context], T]) -> tuple[T, Context]:
        """`run(ctx)`, with the resident's cases read first only if it turns out to look at them:
        the step is pure, so running it again with them leaves nothing of the first try behind."""
        try:
            return run(ctx), ctx
        except CasesNeeded:
            ctx = replace(ctx, cases=await self._cases(inbound))
            return run(ctx), ctx

    async def _cases(self, inbound: Inbound) -> tuple[Case, ...]:
        async with self.uow_factory() as uow:
            found = await uow.cases.find(channel=inbound.channel, user_ref=inbound.user_ref, limit=_RECENT_CASES)
        return tuple(found)


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    return {
        "text": reply.text,
        "choices": [[c.label, c.value] for c in reply.choices],
        "request_location": reply.request_location,
    }


def reply_from_dict(data: Mapping[str, Any]) -> Reply:
    choices = tuple(Choice(str(label), str(value)) for label, value in data.get("choices", ()))
    return Reply(str(data["text"]), choices, bool(data.get("request_location", False)))


def _keyed(command: Command, inbound: Inbound, index: int) -> Command:
    """A command on a filed case carries the message that issued it, so a re-run applies it once
    (a filing is keyed by its draft instead)."""
    if isinstance(command, CaseCommand):
        return replace(command, request=f"{inbound.key}#{index}")
    return command


def _said(inbound: Inbound, before: ConversationState) -> str:
    """The turn as the history shows it: a tapped button by its label, a map point by its coordinates."""
    if inbound.location is not None:
        return f"[位置] {inbound.location.latitude:.5f}, {inbound.location.longitude:.5f}"
    if inbound.attachment is not None:
        return "[图片]"
    if inbound.choice is not None and not inbound.text:
        return next((label for label, value in before.offered if value == inbound.choice), inbound.choice)
    return inbound.text
