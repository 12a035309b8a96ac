"""A resident's conversation as plain data: what step we are at and the complaint being drafted.

It round-trips through a JSON dict, so it is persisted after every turn and a restart in the
middle of an intake resumes exactly where the resident was.
"""

from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from typing import Any, Self

IDLE = "idle"


@dataclass(frozen=True)
class Candidate:
    """A grid offered to the resident, with the place name that led to it and the words used."""

    grid_code: str
    name: str
    score: float
    mention: str = ""


@dataclass(frozen=True)
class Draft:
    """The complaint as collected so far; the `*_done` flags say which questions are answered."""

    parts: tuple[str, ...] = ()
    origin: str = ""  # the message that started it; files the case at most once
    category: str | None = None
    category_confidence: float | None = None
    topic: str | None = None
    topic_confidence: float | None = None
    classification_confirmed: bool = False
    party: str | None = None  # the other side (nlu.guide.PARTIES), from the resident's words or answer
    party_words: str = ""  # the resident's words that showed it, to say back
    want: str | None = None  # what the resident wants done (nlu.guide.ASKS), likewise
    model_version: str | None = None
    class_done: bool = False
    candidates: tuple[Candidate, ...] = ()
    grid_code: str | None = None
    street_code: str | None = None
    community_code: str | None = None
    address: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    location_tries: int = 0
    location_by: str | None = None
    location_done: bool = False
    earlier_grid_code: str | None = None  # where the matter before it (flows/matters.py) was placed, to offer
    earlier_address: str | None = None
    phone: str | None = None
    anonymous: bool = False
    contact_done: bool = False
    attachments: tuple[str, ...] = ()  # photos sent with the complaint, filed with it
    emergency: str | None = None  # the emergency line the resident was given while telling it (110, 119…)

    @property
    def text(self) -> str:
        return "\n".join(self.parts)


def with_contact_of(draft: Draft, said_by: Draft | None) -> Draft:
    """A resident's next matter with what they already said of themself: a phone, anonymity."""
    if said_by is None:
        return draft
    return replace(draft, phone=draft.phone or said_by.phone, anonymous=draft.anonymous or said_by.anonymous,
                   contact_done=draft.contact_done or said_by.contact_done)


@dataclass(frozen=True)
class ConversationState:
    """`question` and `offered` are what is on screen (choices as label, value), so a typed
    number means the same thing after a restart; `paused` keeps the intake question to return
    to after a side errand such as rating a case."""

    step: str = IDLE
    draft: Draft | None = None
    question: str = ""
    offered: tuple[tuple[str, str], ...] = ()
    request_location: bool = False
    case_number: str | None = None
    rating: int | None = None
    paused: dict[str, Any] | None = None
    misses: int = 0
    updated_at: str | None = None
    dropped: Draft | None = None  # the intake called off last turn, kept so that 「点错了」 can bring it back
    queued: tuple[Draft, ...] = ()  # the other matters one message raised, filed one after another (flows/matters.py)
    carried: str = ""  # words said with an errand whose case is still to be chosen (「补充一下…」 with several open)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Self:
        """Rebuild a stored state; unknown keys (from a newer version) are ignored."""
        if not data:
            return cls()
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        for kept in ("draft", "dropped"):
            if values.get(kept) is not None:
                values[kept] = _draft(values[kept])
        values["offered"] = tuple((str(label), str(value)) for label, value in values.get("offered", ()))
        values["queued"] = tuple(_draft(d) for d in values.get("queued", ()))
        return cls(**values)

    @property
    def in_intake(self) -> bool:
        return self.draft is not None

    def pause(self) -> Self:
        """Set the current question aside (keeping it only if it belongs to an intake)."""
        if self.draft is None or self.paused is not None:
            return self
        screen = {"step": self.step, "question": self.question, "offered": [list(o) for o in self.offered],
                  "request_location": self.request_location, "misses": self.misses}
        return replace(self, paused=screen)

    def unpaused(self) -> Self:
        if self.paused is None:
            return replace(self, step=IDLE, question="", offered=(), request_location=False, case_number=None,
                           carried="")
        screen = dict(self.paused)
        screen["offered"] = tuple((str(label), str(value)) for label, value in screen["offered"])
        return replace(self, paused=None, case_number=None, rating=None, carried="", **screen)

    def next_matter(self) -> Self | None:
        """The next matter of the same message taken up (flows/matters.py), with what the resident said
        of themself (a phone, anonymity) carried over and the last matter's grid kept to offer (matters
        of one message are often in one place); None when none waits."""
        if not self.queued:
            return None
        following, *rest = self.queued
        draft = with_contact_of(following, self.draft)
        if self.draft is not None and self.draft.grid_code:
            draft = replace(draft, earlier_grid_code=self.draft.grid_code, earlier_address=self.draft.address)
        return type(self)(draft=draft, queued=tuple(rest))

    def touched(self, now: datetime) -> Self:
        return replace(self, updated_at=now.isoformat())

    def age_minutes(self, now: datetime) -> float:
        if self.updated_at is None:
            return 0.0
        return (now - datetime.fromisoformat(self.updated_at)).total_seconds() / 60


def _draft(data: dict[str, Any]) -> Draft:
    known = {f.name for f in fields(Draft)}
    values = {k: v for k, v in data.items() if k in known}
    values["parts"] = tuple(values.get("parts", ()))
    values["attachments"] = tuple(values.get("attachments", ()))
    values["candidates"] = tuple(Candidate(**c) for c in values.get("candidates", ()))
    return Draft(**values)

