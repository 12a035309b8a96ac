"""What crosses the channel edge: one normalised inbound message, and the bot's replies."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Reporter:
    """A grid worker the channel knows as staff (a signed-in web session): their turns are patrol
    reports (flows.patrol), filed as `actor`, placed in the first of `grids` unless they say otherwise."""

    actor: str
    grids: tuple[str, ...]


@dataclass(frozen=True)
class Inbound:
    """A resident's turn from any channel; `message_id` makes a redelivered message count once."""

    channel: str
    user_ref: str
    message_id: str
    text: str = ""
    location: Location | None = None
    choice: str | None = None
    attachment: str | None = None  # a photo the resident sent, as the channel can find it again (its address)
    reporter: Reporter | None = None  # set only by a channel that identified a grid worker

    @property
    def key(self) -> str:
        """The message as a key: what a filing or an errand is keyed by, so it happens once however
        often the channel delivers the message."""
        return f"{self.channel}/{self.user_ref}/{self.message_id}"


@dataclass(frozen=True)
class Choice:
    label: str
    value: str


@dataclass(frozen=True)
class Reply:
    text: str
    choices: tuple[Choice, ...] = field(default_factory=tuple)
    request_location: bool = False
