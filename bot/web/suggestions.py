"""What the operator console shows for a pasted transcript: suggestions with confidences and spans.

The console depends on this small protocol, not on nlu/ itself; an adapter maps the NLU's
analysis onto it, and tests hand in a fake.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Option:
    """One suggested value (a category, topic, grid or phone) and where in the text it came from."""

    value: str
    label: str
    confidence: float | None = None
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Mark:
    """Any other thing found in the text, highlighted for the operator (a time, an amount…)."""

    kind: str
    span: Span


@dataclass(frozen=True)
class Matter:
    """One of the matters a caller raised in so many words (flows/matters.py), with the topic and
    category it reads as on its own: the console asks whether to file them apart (一事一单)."""

    text: str
    topic: str = ""
    confidence: float = 0.0
    category: str = ""
    category_confidence: float = 0.0
    emergency: bool = False  # told with an emergency: reviewed and filed first


@dataclass(frozen=True)
class Suggestion:
    text: str  # the caller's words as analysed; every span indexes into it
    complaint: str  # their substance, without greetings, thanks or the phone number: the form's 诉求内容
    said: str  # their words as said with phone numbers masked: what the case keeps as the caller's own
    categories: tuple[Option, ...] = ()  # best first, then the alternatives
    topics: tuple[Option, ...] = ()
    grids: tuple[Option, ...] = ()
    phones: tuple[Option, ...] = ()
    address: str = ""
    emergency: str = ""  # the warning the operator reads out (「来电可能涉及火情，请立即提示来电人拨打 119！」)
    emergency_line: str = ""  # the number it names, which the filed case keeps: a dispatcher routes it
    marks: tuple[Mark, ...] = ()
    model_version: str = ""  # the classifier that made the suggestions, for accuracy by version
    matters: tuple[Matter, ...] = ()  # the complaint's matters where it names several, else empty
    notice: str = ""  # what the operator should know about the reading itself (no caller's words found)
    contact_name: str = ""  # how the caller asked to be called (「刘先生」), for the form's 来电人称呼


class TranscriptAnalyzer(Protocol):
    async def suggest(self, transcript: str) -> Suggestion: ...


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = ""
    title: str = ""


def segments(suggestion: Suggestion, kinds: dict[str, str]) -> list[Segment]:
    """The text cut into plain and highlighted pieces (first span wins where two overlap)."""
    found: list[tuple[Span, str, str]] = []
    for kind, options in (("grid", suggestion.grids), ("phone", suggestion.phones),
                          ("topic", suggestion.topics[:1]), ("category", suggestion.categories[:1])):
        found += [(span, kind, option.label) for option in options for span in option.spans]
    found += [(mark.span, mark.kind, "") for mark in suggestion.marks]
    text, pieces, cursor = suggestion.text, [], 0
    for span, kind, label in sorted(found, key=lambda f: (f[0].start, -f[0].end)):
        if span.start < cursor or not 0 <= span.start < span.end <= len(text):
            continue
        if span.start > cursor:
            pieces.append(Segment(text[cursor : span.start]))
        title = kinds.get(kind, kind) + (f"：{label}" if label else "")
        pieces.append(Segment(text[span.start : span.end], kind, title))
        cursor = span.end
    if cursor < len(text):
        pieces.append(Segment(text[cursor:]))
    return pieces


def best(options: Sequence[Option]) -> Option | None:
    return options[0] if options else None
