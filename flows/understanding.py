"""What the dialogue needs to know about one resident turn, independent of how the NLU works.

Steps take an `Understanding`, so they can be tested with hand-built ones; the composition root
maps the NLU's own result onto it (see `flows.nlu_adapter`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Guess:
    """One label with the classifier's confidence (0–1)."""

    label: str
    confidence: float


@dataclass(frozen=True)
class PlaceGuess:
    """A grid the text points at: the registry's place `name`, and the words the resident used."""

    grid_code: str
    name: str
    score: float
    mention: str = ""


@dataclass(frozen=True)
class Emergency:
    """Danger to life or property: the number to call now (110 police, 119 fire, 120 ambulance)."""

    kind: str
    number: str
    words: str = ""  # what showed it (「着火了」): which of several matters in one message it belongs to
    called: bool = False  # they have called for help already (nlu/emergency.py)


@dataclass(frozen=True)
class Matter:
    """One of the matters a message raises (flows/matters.py), read on its own."""

    text: str
    understanding: "Understanding"


@dataclass(frozen=True)
class Understanding:
    """`intent` is one of affirm, deny, cancel, ask_status, give_location, rate, greet, help,
    emergency, other; the rest is what the text says about a complaint."""

    intent: str = "other"
    intent_confidence: float = 0.0
    category: Guess | None = None
    topic: Guess | None = None
    places: tuple[PlaceGuess, ...] = ()
    phones: tuple[str, ...] = ()
    case_number: str | None = None
    rating: int | None = None
    emergency: Emergency | None = None
    model_version: str | None = None  # the classifier that made the guesses, for accuracy by version
    party: Guess | None = None  # who the other side is (nlu.guide.PARTIES), from the resident's words
    party_words: str = ""  # the words that showed it, to say back ("您提到了物业")
    ask: Guess | None = None  # what is asked (nlu.guide.ASKS)
    ask_words: str = ""
    matters: tuple[Matter, ...] = ()  # when the message raises several, each read on its own

    def is_intent(self, name: str, threshold: float = 0.5) -> bool:
        return self.intent == name and self.intent_confidence >= threshold
