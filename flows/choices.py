"""Buttons that also work typed: a tapped button, its number, or (part of) its text all count."""

import re
import unicodedata
from collections.abc import Sequence

from flows.messages import Choice, Inbound

_PUNCT = re.compile(r"[\s，。！？、,.!?；;：:~～（）()“”\"'《》【】\[\]]+")
_ORDINAL = re.compile(r"^(?:第|选|选择)?\s*(\d{1,2})\s*(?:个|项|号|条|\.|、)?$")


def normalise(text: str) -> str:
    """Full-width digits and letters folded, punctuation and spaces dropped."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", text)).lower()


def as_choices(offered: Sequence[tuple[str, str]]) -> tuple[Choice, ...]:
    return tuple(Choice(label, value) for label, value in offered)


def picked(inbound: Inbound, offered: Sequence[tuple[str, str]]) -> str | None:
    """The value of the offered choice this turn selects, or None if it selects none (or several)."""
    values = [value for _, value in offered]
    if inbound.choice is not None and inbound.choice in values:
        return inbound.choice
    text = normalise(inbound.choice or inbound.text)
    if not text or not offered:
        return None
    ordinal = _ORDINAL.match(text)
    if ordinal:
        index = int(ordinal.group(1)) - 1
        return values[index] if 0 <= index < len(values) else None
    labels = [(normalise(label), value) for label, value in offered]
    exact = [value for label, value in labels if label == text]
    if exact:
        return exact[0]
    partial = {
        value
        for label, value in labels
        if (len(text) >= 2 and label.startswith(text)) or (label in text and len(text) - len(label) <= 2)
    }
    return partial.pop() if len(partial) == 1 else None
