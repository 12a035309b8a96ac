"""What the analyzer says about one text: classification, places, entities, emergency."""

from dataclasses import dataclass, field

from nlu.emergency import Emergency
from nlu.entities import Entity
from nlu.gazetteer import GridCandidate
from nlu.guide import Cue


@dataclass(frozen=True)
class Analysis:
    category: str | None
    category_confidence: float
    topic: str | None
    topic_confidence: float
    category_alternatives: list[tuple[str, float]] = field(default_factory=list)
    topic_alternatives: list[tuple[str, float]] = field(default_factory=list)
    grid_candidates: list[GridCandidate] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    emergency: Emergency | None = None
    cues: list[Cue] = field(default_factory=list)  # who the other side is and what is asked (nlu.cues)

    def to_json(self) -> dict:
        """The `minsheng classify` record (the CLI adds `department` from the routing table)."""
        best = self.grid_candidates[0] if self.grid_candidates else None
        return {
            "category": self.category,
            "category_confidence": round(self.category_confidence, 4),
            "category_alternatives": [[label, round(p, 4)] for label, p in self.category_alternatives],
            "topic": self.topic,
            "topic_confidence": round(self.topic_confidence, 4),
            "topic_alternatives": [[label, round(p, 4)] for label, p in self.topic_alternatives],
            "department": None,
            "grid": _grid(best) if best else None,
            "grid_candidates": [_grid(c) for c in self.grid_candidates],
            "entities": [{"type": e.type, "text": e.text, "start": e.start, "end": e.end, "value": e.value}
                         for e in self.entities],
            "cues": [{"kind": c.kind, "label": c.label, "text": c.text, "start": c.start, "end": c.end}
                     for c in self.cues],
            "emergency": {"kind": self.emergency.kind, "number": self.emergency.number, "text": self.emergency.text,
                          "start": self.emergency.start, "end": self.emergency.end} if self.emergency else None,
        }


def _grid(candidate: GridCandidate) -> dict:
    return {"grid_code": candidate.grid_code, "name": candidate.name, "score": candidate.score,
            "start": candidate.start, "end": candidate.end}
