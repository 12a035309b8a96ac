"""CATEGORY_GUIDE.md's decision as data: who the other side is and what is asked decide the category.

The same rule answers two questions: what a message's cues imply (the analyzer), and what a
resident's answer to 「这件事主要是和谁之间的问题？」 implies (the dialogue). A district that decides a
borderline differently (say, a state-owned utility counts as a public body) changes the
`[category]` section of config.toml, not code.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Self

PARTIES = ("person", "company", "government", "none")
ASKS = ("information", "repair", "help", "mediation", "payment", "enforcement", "correction", "policy")
CATEGORIES = ("dispute", "service", "petition")

# The guide: a public body on the other side makes a grievance a petition; a company or a private
# person makes it a dispute; with nobody on the other side it is a service. What is asked can
# override the party: enforcement against illegal activity, a correction or a new policy needs a
# public body's decision (a petition) whoever the wrongdoer is.
DEFAULT_PARTY_CATEGORY = {"person": "dispute", "company": "dispute", "government": "petition", "none": "service"}
DEFAULT_ASK_CATEGORY = {"enforcement": "petition", "correction": "petition", "policy": "petition",
                        "information": "service", "repair": "service", "help": "service",
                        "mediation": "dispute", "payment": "dispute"}
# Asks that decide the category whatever the party (the rest only break a tie when no party is known).
DEFAULT_OVERRIDING_ASKS = ("enforcement", "correction", "policy")


@dataclass(frozen=True)
class Cue:
    """An explained signal: `kind` is "party" or "ask", `label` one of PARTIES or ASKS, and `text`
    the resident's words that showed it (characters start:end of the analysed text)."""

    kind: str
    label: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class GuideRules:
    """The `[category]` section of config.toml (defaults: the guide as shipped)."""

    party_category: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_PARTY_CATEGORY))
    ask_category: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_ASK_CATEGORY))
    overriding_asks: tuple[str, ...] = DEFAULT_OVERRIDING_ASKS

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> Self:
        unknown = set(section) - {"party_category", "ask_category", "overriding_asks"}
        if unknown:
            raise ValueError(f"[category] 中有未知配置项：{', '.join(sorted(unknown))}")
        party = {**DEFAULT_PARTY_CATEGORY, **dict(section.get("party_category", {}))}
        ask = {**DEFAULT_ASK_CATEGORY, **dict(section.get("ask_category", {}))}
        _check(party, PARTIES, "party_category")
        _check(ask, ASKS, "ask_category")
        overriding = tuple(section.get("overriding_asks", DEFAULT_OVERRIDING_ASKS))
        if bad := [a for a in overriding if a not in ASKS]:
            raise ValueError(f"[category] overriding_asks 中有未知的诉求类型：{', '.join(bad)}（可选：{', '.join(ASKS)}）")
        return cls(party, ask, overriding)

    def implied(self, party: str | None, ask: str | None = None) -> str | None:
        """The category the guide gives a message whose other side is `party` and which asks `ask`
        (either may be unknown: None); None when neither says anything."""
        if ask in self.overriding_asks:
            return self.ask_category[ask]
        if party is not None:
            return self.party_category[party]
        return self.ask_category.get(ask) if ask is not None else None


def _check(table: Mapping[str, str], keys: tuple[str, ...], name: str) -> None:
    if bad := [k for k in table if k not in keys]:
        raise ValueError(f"[category] {name} 中有未知的键：{', '.join(bad)}（可选：{', '.join(keys)}）")
    if bad := [v for v in table.values() if v not in CATEGORIES]:
        raise ValueError(f"[category] {name} 的取值必须是 {', '.join(CATEGORIES)} 之一，而不是：{', '.join(bad)}")
