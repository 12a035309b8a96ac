"""A keyword-matching stand-in for the NLU behind the operator console (no model, no jieba)."""

import re

from bot.web.suggestions import Mark, Matter, Option, Span, Suggestion
from flows.matters import split

SPEAKER = re.compile(r"^\s*(?:\[[\d:]+\]\s*)?(坐席|话务员|市民|来电人|A|B)\s*[:：]\s*", re.M)
PHONE = re.compile(r"1[3-9]\d{9}")
PLACES = {"幸福里": "T01-C01-G01", "和平街": "T01-C01-G02"}
TOPICS = {"漏水": "城乡建设", "工资": "劳动和社会保障", "路灯": "城乡建设"}


class FakeTranscriptAnalyzer:
    def __init__(self) -> None:
        self.seen: list[str] = []

    async def suggest(self, transcript: str) -> Suggestion:
        self.seen.append(transcript)
        caller = _caller_text(transcript)
        grids = tuple(Option(code, name, 0.82, _spans(caller, name)) for name, code in PLACES.items() if name in caller)
        topics = tuple(
            Option(topic, topic, 0.71, _spans(caller, word)) for word, topic in TOPICS.items() if word in caller
        )
        phones = tuple(Option(m.group(), m.group(), 0.99, (Span(m.start(), m.end()),)) for m in PHONE.finditer(caller))
        marks = tuple(Mark("time", Span(m.start(), m.end())) for m in re.finditer(r"\d+天", caller))
        complaint = PHONE.sub("", caller).strip("，。 ")  # the real reading drops courtesy too (nlu/transcripts.py)
        parts = split(complaint)
        return Suggestion(
            text=caller,
            complaint=complaint,
            said=PHONE.sub(lambda m: m.group()[:3] + "****" + m.group()[-4:], caller),
            categories=(Option("service", "便民服务", 0.3 if "拿不准" in caller else 0.64), Option("dispute", "矛盾纠纷", 0.21)),
            topics=topics[:1] + (Option("劳动和社会保障", "劳动和社会保障", 0.12),) if topics else (),
            grids=grids,
            phones=phones,
            address=next((name for name in PLACES if name in caller), ""),
            emergency="来电提到起火，请立即转 119。" if "起火" in caller else "",
            emergency_line="119" if "起火" in caller else "",
            marks=marks,
            model_version="0007-fake",
            matters=tuple(Matter(part, _topic(part), 0.71) for part in parts) if len(parts) > 1 else (),
        )


def _caller_text(transcript: str) -> str:
    parts, speaker = [], None
    for line in transcript.splitlines():
        match = SPEAKER.match(line)
        if match:
            speaker = match.group(1)
            line = line[match.end() :]
        if speaker in ("市民", "来电人", "B") and line.strip():
            parts.append(line.strip())
    return "".join(parts) or transcript.strip()


def _topic(text: str) -> str:
    return next((topic for word, topic in TOPICS.items() if word in text), "")


def _spans(text: str, word: str) -> tuple[Span, ...]:
    return tuple(Span(m.start(), m.end()) for m in re.finditer(re.escape(word), text))
