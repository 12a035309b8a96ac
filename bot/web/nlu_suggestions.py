"""The NLU's reading of a pasted call transcript, as the operator console's suggestions.

Transcript parsing, classification and extraction are CPU-bound: they run in a worker thread.
"""

import asyncio
from collections.abc import Callable, Iterable
from typing import Any

from bot.web.suggestions import Mark, Matter, Option, Span, Suggestion
from bot.wording import masked_phone
from flows import matters
from handlers.case import CATEGORY_LABELS
from nlu.analyzer import Analyzer
from nlu.entities import national, phones, place_with_detail
from nlu.transcripts import parse_transcript


ONLY_THE_OPERATOR = "这段通话记录里没有来电人说的话（只有坐席的话），以下按全部内容分析，请核对后再登记。"
EMERGENCIES = {"fire": "火情", "gas": "燃气泄漏", "power": "触电危险", "self_harm": "轻生危险", "domestic": "家庭暴力",
               "violence": "暴力侵害", "fraud": "诈骗", "medical": "急症或受伤", "danger": "人身危险"}


class NluTranscriptAnalyzer:
    def __init__(self, analyzer: Analyzer, parse: Callable[[str], Any] = parse_transcript) -> None:
        self.analyzer = analyzer
        self.parse = parse

    async def suggest(self, transcript: str) -> Suggestion:
        return await asyncio.to_thread(self.read, transcript)

    def read(self, transcript: str) -> Suggestion:
        notice, operator, name, read_back = "", False, "", ""
        try:
            parsed = self.parse(transcript)
            text, complaint, name = parsed.caller_text.strip(), parsed.complaint, parsed.caller_name
            operator, read_back = any(turn.speaker == "operator" for turn in parsed.turns), parsed.read_back
        except ValueError:
            text = complaint = ""
        if not text:  # speaker labels and nothing said, or only the operator spoke: analyse what was pasted
            text = complaint = transcript.strip()
            notice = ONLY_THE_OPERATOR if operator else ""
        analysis = self.analyzer.analyze(text, extract_chars=len(text))  # the phone and the place come last
        entities = list(analysis.entities)
        grids = tuple(Option(c.grid_code, c.name, c.score, _spans(c)) for c in analysis.grid_candidates)
        said_where = grids[0].spans[0] if grids and grids[0].spans else None
        emergency = analysis.emergency
        return Suggestion(
            text=text,
            complaint=complaint,
            said=_masked(text),
            categories=_ranked(analysis.category, analysis.category_confidence, analysis.category_alternatives,
                               CATEGORY_LABELS),
            topics=_ranked(analysis.topic, analysis.topic_confidence, analysis.topic_alternatives, {}),
            grids=grids,
            phones=tuple(Option(national(str(e.value or e.text)), e.text, None, _spans(e))
                         for e in entities if e.type == "phone")
            or tuple(Option(national(str(e.value)), e.text, None, ()) for e in phones(read_back)),
            address=place_with_detail(text, said_where.start, said_where.end) if said_where else "",
            emergency=f"来电可能涉及{EMERGENCIES.get(emergency.kind, '紧急情况')}，请立即提示来电人拨打 {emergency.number}！"
            if emergency is not None else "",
            emergency_line=emergency.number if emergency is not None else "",
            marks=tuple(Mark(e.type, span) for e in entities if e.type != "phone" for span in _spans(e)),
            model_version=self.analyzer.version or "",
            matters=self._matters(complaint),
            notice=notice,
            contact_name=name,
        )

    def _matters(self, complaint: str) -> tuple[Matter, ...]:
        """Each matter the complaint names, read on its own: whether they go to different queues (by
        topic or category) decides, with the words, whether the operator is asked to file them apart."""
        parts = matters.split(complaint)
        if len(parts) < 2:
            return ()
        read = [self.analyzer.analyze(part) for part in parts]
        found = [Matter(part, a.topic or "", a.topic_confidence or 0.0, a.category or "", a.category_confidence or 0.0,
                        a.emergency is not None) for part, a in zip(parts, read, strict=True)]
        return tuple(sorted(found, key=lambda m: not m.emergency))  # an emergency is filed first, the rest in order


def _ranked(best: str | None, confidence: float | None, alternatives: Iterable[tuple[str, float]],
            labels: dict[str, str]) -> tuple[Option, ...]:
    ranked = [(best, confidence)] if best else []
    ranked += [(label, score) for label, score in alternatives if label != best]
    return tuple(Option(label, labels.get(label, label), score) for label, score in ranked if label)


def _spans(found: Any) -> tuple[Span, ...]:
    """Where in the analysed text an entity or grid candidate was found (none if it was inferred)."""
    if found.start is None or found.end is None or found.end <= found.start:
        return ()
    return (Span(found.start, found.end),)


def _masked(text: str) -> str:
    """The words with each phone number masked as every staff page masks it; the number itself
    is kept, whole, in the case's phone field."""
    for phone in reversed(phones(text)):
        text = text[: phone.start] + masked_phone(national(str(phone.value))) + text[phone.end :]
    return text
