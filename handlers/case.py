"""The case aggregate (一案一档): every change is an event, and state is the fold of its events.

`Case.apply` is the only place a case's fields change, so replaying the stored event log
rebuilds exactly the case that is stored.
"""

from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from handlers.errors import IllegalTransition
from handlers.status import ACTION_LABELS, EVENT_KINDS, TRANSITIONS, Status

CATEGORY_LABELS = {"dispute": "矛盾纠纷", "service": "便民服务", "petition": "信访事项"}
# Where a case came from: a resident raised it (any channel, the hotline too) or a grid worker found it on patrol.
RESIDENT, PATROL = "resident", "patrol"
SOURCE_LABELS = {RESIDENT: "群众反映", PATROL: "巡查"}


@dataclass(frozen=True)
class Event:
    """One line of a case's file: who did what, when, and which fields it set."""

    kind: str
    at: datetime
    actor: str
    from_status: Status | None
    to_status: Status | None
    note: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    seq: int = 0


@dataclass
class Case:
    number: str
    text: str = ""
    channel: str = ""
    user_ref: str = ""
    phone: str | None = None
    contact_name: str | None = None  # how a caller asked to be called (hotline form); masked like the phone
    anonymous: bool = False
    category: str | None = None
    topic: str | None = None
    category_confidence: float | None = None
    topic_confidence: float | None = None
    classification_confirmed: bool = False
    grid_code: str | None = None
    community: str | None = None
    street: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    department: str | None = None
    level: str | None = None
    handler: str | None = None
    status: Status = Status.RECEIVED
    return_count: int = 0
    escalation_count: int = 0
    reopen_count: int = 0
    sign_deadline: datetime | None = None
    resolve_deadline: datetime | None = None
    reply: str | None = None
    rating: int | None = None
    rating_comment: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    intake_key: str | None = None
    original_text: str | None = None  # the resident's own words, where `text` is someone else's write-up of them
    suggested_category: str | None = None  # the model's reading at filing, whatever a person chose instead
    suggested_topic: str | None = None
    source: str = RESIDENT
    duplicate_of: str | None = None  # the main case this one was merged into (并单)
    reporters: int = 1  # residents who reported this problem: the case's own and its duplicates'
    emergency: str | None = None  # the line a resident telling it was pointed to (110, 119…): a person routes it
    events: list[Event] = field(default_factory=list)
    new_events: list[Event] = field(default_factory=list)
    version: int = 0

    def apply(self, event: Event) -> None:
        """Fold one event into the case; used both live and when replaying the log."""
        unknown = set(event.changes) - _SETTABLE - EVENT_FACTS
        if unknown:
            raise ValueError(f"event {event.kind} sets unknown fields {sorted(unknown)}")
        for name, value in event.changes.items():
            if name in _SETTABLE:
                setattr(self, name, _decode(name, value))
        if event.to_status is not None:
            self.status = event.to_status
        if self.created_at is None:
            self.created_at = event.at
        self.updated_at = event.at
        self.events.append(event)

    def record(
        self,
        action: str,
        at: datetime,
        actor: str,
        note: str = "",
        **changes: Any,
    ) -> Event:
        """Check `action` against the transition table, then record and apply its event."""
        allowed_from, to_status = TRANSITIONS[action]
        if self.status not in allowed_from:
            raise IllegalTransition(
                f"诉求 {self.number} 当前状态为「{self.status.label}」，不能{ACTION_LABELS[action]}。"
            )
        event = Event(
            kind=EVENT_KINDS[action],
            at=at,
            actor=actor,
            from_status=self.status,
            to_status=to_status,
            note=note,
            changes={name: _encode(value) for name, value in changes.items()},
            seq=len(self.events) + 1,
        )
        self.apply(event)
        self.new_events.append(event)
        return event

    @property
    def attachments(self) -> tuple[str, ...]:
        """The photos filed with the case: a fact of its filing event, not a field that changes."""
        return tuple(self.events[0].changes.get("attachments", ())) if self.events else ()

    @property
    def duplicates(self) -> tuple[str, ...]:
        """The cases merged into this one and not unmerged since, in the order they were linked."""
        linked: list[str] = []
        for event in self.events:
            number = event.changes.get("duplicate")
            if event.kind == "duplicate_linked":
                linked.append(number)
            elif event.kind == "duplicate_unlinked" and number in linked:
                linked.remove(number)
        return tuple(linked)

    @property
    def category_label(self) -> str:
        return CATEGORY_LABELS.get(self.category or "", "未分类")

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS.get(self.source, self.source)

    def snapshot(self) -> dict[str, Any]:
        """The case's fields without its log, for comparing a replay with the stored row."""
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in _SETTABLE | {"status"}}


def open_case(
    number: str, at: datetime, actor: str, status: Status = Status.RECEIVED, **changes: Any
) -> Case:
    """A new case whose first event carries everything the resident gave.

    Imported archive cases start in their archived state; their first event says so.
    """
    case = Case(number=number)
    event = Event(
        kind="filed" if status is Status.RECEIVED else "imported",
        at=at,
        actor=actor,
        from_status=None,
        to_status=status,
        changes={name: _encode(value) for name, value in changes.items()},
        seq=1,
    )
    case.apply(event)
    case.new_events.append(event)
    return case


def replay(number: str, events: list[Event]) -> Case:
    """Rebuild a case from its log alone."""
    case = Case(number=number)
    for event in sorted(events, key=lambda e: e.seq):
        case.apply(replace(event))
    return case


# What an event may record for the file without it being a field of the case; `internal` marks a
# note for staff only, which no template may push; `request` names the message that asked for it;
# `duplicate` names the case a main case gained or lost as a duplicate (并单).
EVENT_FACTS = frozenset({"requested_extension", "model_version", "internal", "request", "attachments", "duplicate",
                         "suggested_emergency"})
_NOT_SETTABLE = {"number", "status", "events", "new_events", "version", "created_at", "updated_at"}
_SETTABLE = {f.name for f in fields(Case)} - _NOT_SETTABLE
_DATETIMES = {"sign_deadline", "resolve_deadline", "closed_at"}


def _encode(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def _decode(name: str, value: Any) -> Any:
    if name in _DATETIMES and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value
