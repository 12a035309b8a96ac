"""What every step receives besides the turn itself, and what every step returns."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any, NoReturn, Self

from flows.choices import as_choices
from flows.district import DistrictMap
from flows.messages import Reply
from flows.state import ConversationState
from flows.texts import ANOTHER_WAY, CANCELLED_DRAFT, CANCELLED_MATTER, NOT_UNDERSTOOD, PERSON, next_matter_text
from handlers.case import Case
from handlers.commands import Command
from nlu.guide import GuideRules

ADVANCE = "advance"


@dataclass(frozen=True)
class DialogueConfig:
    """The `[dialogue]` section of config.toml."""

    draft_ttl_minutes: float = 120
    max_location_tries: int = 2
    place_confidence: float = 0.9
    classification_confidence: float = 0.5
    confirm_class_below: float = 0.6
    intent_confidence: float = 0.6
    max_choices: int = 6
    status_cases: int = 5
    # A turn not finished after this long was lost with its process: a redelivery runs it again.
    turn_lease_seconds: float = 20
    # A message whose turn died with its process this many times is answered without running it
    # again: a message that kills the process would otherwise take every worker down in turn.
    max_turn_attempts: int = 3
    timezone: str = "Asia/Shanghai"
    # The `[category]` section: how an answer to 「和谁之间的问题？」 maps to a category.
    guide: GuideRules = field(default_factory=GuideRules)

    @classmethod
    def from_section(
        cls, section: Mapping[str, Any], timezone: str = "Asia/Shanghai", guide: GuideRules | None = None
    ) -> Self:
        known = {f.name for f in fields(cls)} - {"guide"}
        unknown = set(section) - known
        if unknown:
            raise ValueError(f"[dialogue] 中有未知配置项：{', '.join(sorted(unknown))}")
        values = {"timezone": timezone, **section}
        if int(values.get("max_location_tries", 2)) < 1:
            raise ValueError("[dialogue] max_location_tries 至少为 1")
        if not float(values.get("turn_lease_seconds", 20)) > 0:
            raise ValueError("[dialogue] turn_lease_seconds 应是大于 0 的秒数")
        if int(values.get("max_turn_attempts", 3)) < 1:
            raise ValueError("[dialogue] max_turn_attempts 至少为 1")
        return cls(**values, guide=guide or GuideRules())


class CasesNeeded(Exception):
    """A step looked at the resident's cases while they were `UNREAD_CASES`: the runner reads them
    and runs the step again, which is safe because steps are pure."""


class _Unread(tuple):  # type: ignore[type-arg]
    """The resident's cases before anyone has read them: looking at them in any way raises
    CasesNeeded. Most turns of an intake never look, and reading them for every turn was a fifth of
    a turn's work (bench/turn_profile.py)."""

    def _needed(self, *_: object) -> NoReturn:
        raise CasesNeeded

    __len__ = __bool__ = __iter__ = __reversed__ = __getitem__ = __contains__ = index = count = _needed


UNREAD_CASES: tuple[Case, ...] = _Unread()


@dataclass(frozen=True)
class Context:
    """Read-only facts for one turn: the district, settings, the time, the resident's own cases
    (UNREAD_CASES until a step needs them, where the runner reads them on demand)."""

    district: DistrictMap
    config: DialogueConfig = field(default_factory=DialogueConfig)
    now: datetime = field(default_factory=datetime.now)
    cases: tuple[Case, ...] = ()
    time_limits: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    state: ConversationState
    replies: tuple[Reply, ...] = ()
    commands: tuple[Command, ...] = ()

    def then(self, other: "Outcome") -> "Outcome":
        """This outcome's replies and commands followed by another's, ending in the other's state."""
        return Outcome(other.state, self.replies + other.replies, self.commands + other.commands)

    def prefixed(self, *texts: str) -> "Outcome":
        return replace(self, replies=tuple(Reply(t) for t in texts if t) + self.replies)


def ask(
    state: ConversationState,
    step: str,
    text: str,
    offered: tuple[tuple[str, str], ...] = (),
    *,
    request_location: bool = False,
    note: str = "",
    **changes: Any,
) -> Outcome:
    """Put a question on screen: move to `step` and remember the choices it offers. A `note` ahead
    of it in the same message (「好的，联系电话改为…」) is said this once, not again with the question
    when an answer is not understood.

    Moving to another step clears the count of answers we did not understand."""
    changes.setdefault("misses", state.misses if step == state.step else 0)
    new = replace(state, step=step, question=text, offered=offered, request_location=request_location, **changes)
    return Outcome(new, (Reply(note + text, as_choices(offered), request_location),))


def repeat(state: ConversationState, *texts: str) -> Outcome:
    """Say something, then put the question on screen again."""
    said = tuple(Reply(t) for t in texts if t)
    if not state.question:
        return Outcome(state, said)
    return Outcome(state, (*said, Reply(state.question, as_choices(state.offered), state.request_location)))


def advance(state: ConversationState, *texts: str) -> Outcome:
    """This answer is settled: the router asks whatever the draft still lacks next."""
    return say(replace(state, step=ADVANCE, offered=()), *texts)


def called_off(state: ConversationState) -> Outcome:
    """The intake called off: nothing is filed, and the draft is kept for one more turn so that a
    resident who pressed 取消 by mistake (「点错了」) gets it back. With other matters of the same
    message waiting (flows/matters.py), only this one goes and the next is taken up."""
    following = state.next_matter()
    if following is None:
        return Outcome(ConversationState(dropped=state.draft)).prefixed(CANCELLED_DRAFT)
    return advance(replace(following, dropped=state.draft), CANCELLED_MATTER + next_matter_text(state.queued[0].text))


def say(state: ConversationState, *texts: str) -> Outcome:
    return Outcome(state, tuple(Reply(t) for t in texts if t))


def miss(
    state: ConversationState, hint: str, again: Callable[[ConversationState], Outcome] | None = None
) -> Outcome:
    """An answer we could not use: say so, say what would work, and ask again. From the second
    miss at the same question the bot changes tack instead of repeating itself: the options as
    numbers with the exact words it takes, then also a person to turn to."""
    state = replace(state, misses=state.misses + 1)
    if state.misses >= 2:  # the question put another way is now the one on screen
        state = replace(state, question=another_way(state, hint))
        return Outcome(state, (Reply(state.question, as_choices(state.offered), state.request_location),))
    if again is None:
        return repeat(state, f"{NOT_UNDERSTOOD}{hint}")
    return again(state).prefixed(f"{NOT_UNDERSTOOD}{hint}")


def another_way(state: ConversationState, hint: str) -> str:
    """The question put differently, alternating between two wordings so no miss repeats the last."""
    numbered = "\n".join(f"{i}. {label}" for i, (label, _) in enumerate(state.offered, 1))
    options = f"请直接回复序号：\n{numbered}\n也可以回复选项里的文字。" if numbered else ""
    if state.misses % 2 == 0:
        return "\n".join(part for part in (f"{ANOTHER_WAY}{hint}", options) if part)
    return "\n".join(part for part in ("抱歉，还是没能明白。" + (options or hint), PERSON) if part)
