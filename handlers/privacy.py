"""Residents' personal information on a case (PIPL): which fields identify a person, how a finished
case is erased of them, and how long it keeps them (config.toml [privacy]).

Erasure keeps what a case says, where, in which category and topic and how it was handled, so the
statistics and retraining never lose a case; it removes the phone, the caller's name, the channel
account that reaches the resident (and the message ids built from it), the photos the resident sent,
and phone numbers typed into the words. It is the one change that rewrites earlier events of the file
(一案一档 stays otherwise append-only): the rewritten events hold nothing personal, and an appended
`personal_erased` event says when, by whom and why.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Self

from handlers.case import CATEGORY_LABELS, PATROL, Case, Event
from handlers.phones import mask_phones_in
from handlers.status import TRANSITIONS

# The case's fields that identify a resident, and what each becomes once erased.
PERSONAL_FIELDS: dict[str, Any] = {"phone": None, "contact_name": None, "user_ref": "", "intake_key": None}
# The words kept for statistics, with any phone number in them masked.
WORDS = ("text", "original_text", "reply", "rating_comment")
ERASABLE = TRANSITIONS["erase_personal"][0]
RESIDENT_ACTOR, ANONYMOUS_ACTOR = "resident:", "resident:anonymous"
SECTION = "[privacy]"
BY_CATEGORY = "[privacy.retention_days_by_category]"
_CATEGORY_CODES = {label: code for code, label in CATEGORY_LABELS.items()}


@dataclass(frozen=True)
class RetentionPolicy:
    """How many days a finished case (已归档, 已撤销) keeps personal fields, per category where the
    district says so, and how often the scheduler looks for cases past their period."""

    retention_days: int = 365
    by_category: Mapping[str, int] = field(default_factory=dict)
    purge_hours: float = 24

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> Self:
        """[privacy] from config.toml; every mistake is refused with what is wrong and what would do."""
        known = {"retention_days", "retention_days_by_category", "purge_hours"}
        unknown = sorted(set(section) - known)
        if unknown:
            raise ValueError(f"{SECTION} 没有设置项 {'、'.join(unknown)}（可用：{'、'.join(sorted(known))}）")
        by_category = section.get("retention_days_by_category", {})
        if not isinstance(by_category, Mapping):
            raise ValueError(f"{BY_CATEGORY} 应是一个表，每行一个类别，例如 petition = 730")
        days = {_category(key): _days(value, f"{BY_CATEGORY} {key}") for key, value in by_category.items()}
        hours = section.get("purge_hours", 24)
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours <= 0:
            raise ValueError(f"{SECTION} purge_hours 应是大于 0 的小时数（如 24），而不是 {hours!r}")
        return cls(_days(section.get("retention_days", 365), f"{SECTION} retention_days"), days, float(hours))

    def days_for(self, category: str | None) -> int:
        return self.by_category.get(category or "", self.retention_days)

    @property
    def longest_days(self) -> int:
        """How long a resident's chat lines are kept: they belong to no one case, so the longest period."""
        return max([self.retention_days, *self.by_category.values()])

    def cutoffs(self, now: datetime) -> dict[str | None, datetime]:
        """Each category with its own period → the moment before which its cases are due; None → every other."""
        limits: dict[str | None, datetime] = {code: now - timedelta(days=d) for code, d in self.by_category.items()}
        limits[None] = now - timedelta(days=self.retention_days)
        return limits


def holds_personal(case: Case) -> bool:
    """Whether anything of PERSONAL_FIELDS is still on the case (an erased one holds none)."""
    return any(getattr(case, name) != erased for name, erased in PERSONAL_FIELDS.items())


def erase(case: Case, at: datetime, actor: str, note: str) -> list[Event]:
    """Record the erasure on `case` and answer its earlier events that changed, rewritten without
    personal data, for the repository to write over the stored ones. The case in memory is the
    erased one (its file, its attachments), as a replay of the stored file will be."""
    scrubbed = [_scrubbed(event, case) for event in case.events]
    rewritten = [new for new, old in zip(scrubbed, case.events, strict=True) if new != old]
    words = {name: mask_phones_in(value) for name in WORDS if isinstance(value := getattr(case, name), str)}
    case.events[:] = scrubbed
    case.record("erase_personal", at, actor, note, **PERSONAL_FIELDS,
                **{name: value for name, value in words.items() if value != getattr(case, name)})
    return rewritten


def _scrubbed(event: Event, case: Case) -> Event:
    """One event without what identifies the resident: their fields, the message ids that name their
    account, their photos (a grid worker's patrol photos are work records and stay)."""
    changes = {name: _scrub_value(name, value) for name, value in event.changes.items() if name != "request"}
    if event.seq == 1 and case.source != PATROL:
        changes.pop("attachments", None)
    return replace(event, changes=changes, actor=_resident(event.actor, case.channel), note=mask_phones_in(event.note))


def _resident(actor: str, channel: str) -> str:
    """A resident's actor id names their account (resident:web:web:<id>); erased, only the channel stays."""
    return RESIDENT_ACTOR + channel if actor.startswith(RESIDENT_ACTOR) and actor != ANONYMOUS_ACTOR else actor


def _scrub_value(name: str, value: Any) -> Any:
    if name in PERSONAL_FIELDS:
        return PERSONAL_FIELDS[name]
    if name in WORDS and isinstance(value, str):
        return mask_phones_in(value)
    return value


def _days(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} 应是不少于 1 的整数天数（如 365），而不是 {value!r}")
    return value


def _category(key: str) -> str:
    """A category by its code or its Chinese name (信访事项 = petition)."""
    code = key if key in CATEGORY_LABELS else _CATEGORY_CODES.get(key)
    if code is None:
        choices = "、".join(f"{code}（{label}）" for code, label in CATEGORY_LABELS.items())
        raise ValueError(f"{BY_CATEGORY} 没有类别 {key!r}，可选：{choices}")
    return code
