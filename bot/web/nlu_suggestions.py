"""The NLU's reading of a pasted call transcript, as the operator console's suggestions.

Transcript parsing, classification and extraction are CPU-bound: they run in a worker thread.
"""

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from bot.web.suggestions import Mark, Option, Span, Suggestion
from handlers.case import CATEGORY_LABELS
from nlu.analyzer import Analyzer
from nlu.transcripts import parse_transcript


class NluTranscriptAnalyzer:
    def __init__(self, analyzer: Analyzer, parse: Callable[[str], Any] = parse_transcript) -> None:
        self.analyzer = analyzer
        self.parse = parse

    async def suggest(self, transcript: str) -> Suggestion:
        return await asyncio.to_thread(self.read, transcript)

    def read(self, transcript: str) -> Suggestion:
        text = (self.parse(transcript).caller_text or transcript).strip()
        analysis = self.analyzer.analyze(text)
        entities = list(analysis.entities)
        places = [e for e in entities if e.type == "place"]
        emergency = analysis.emergency
        return Suggestion(
            text=text,
            categories=_ranked(analysis.category, analysis.category_confidence, analysis.category_alternatives,
                               CATEGORY_LABELS),
            topics=_ranked(analysis.topic, analysis.topic_confidence, analysis.topic_alternatives, {}),
            grids=tuple(Option(c.grid_code, c.name, c.score, _spans(c)) for c in analysis.grid_candidates),
            phones=tuple(Option(str(e.value or e.text), e.text, None, _spans(e)) for e in entities if e.type == "phone"),
            address=places[0].text if places else "",
            emergency=f"来电可能涉及紧急情况（{emergency.kind}），请立即提示来电人拨打 {emergency.number}。"
            if emergency is not None else "",
            marks=tuple(Mark(e.type, span) for e in entities if e.type != "phone" for span in _spans(e)),
        )


def _ranked(best: str | None, confidence: float | None, alternatives: Iterable[tuple[str, float]],
            labels: dict[str, str]) -> tuple[Option, ...]:
    ranked = [(best, confidence)] if best else []
    ranked += [(label, score) for label, score in alternatives if label != best]
    return tuple(Option(label, labels.get(label, label), score) for label, score in ranked if label)


def _spans(found: Any) -> tuple[Span, ...]:
    """Where in the text something was found: `spans` [(start, end)…], one `span`, or `start`/`end`."""
    pairs = getattr(found, "spans", None) or ([found.span] if getattr(found, "span", None) else [])
    if not pairs and getattr(found, "start", None) is not None:
        pairs = [(found.start, found.end)]
    return tuple(Span(int(start), int(end)) for start, end in pairs)
