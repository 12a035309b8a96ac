"""The console's reading of the real NLU: ranked options with their spans, marks, emergency."""

from types import SimpleNamespace as NS

from bot.web.nlu_suggestions import NluTranscriptAnalyzer
from bot.web.suggestions import Span
from nlu.analysis import Analysis
from nlu.emergency import Emergency
from nlu.entities import Entity
from nlu.gazetteer import GridCandidate
from nlu.transcripts import parse_transcript

TEXT = "我住幸福里3号楼，楼上漏水10天了，电话13812345678"


class StubAnalyzer:
    """Stands in for the trained model; the record it returns is the NLU's own."""

    version = "0003-test"

    def analyze(self, text: str, *, extract_chars: int = 0) -> Analysis:
        assert text == TEXT and extract_chars == len(TEXT)  # a call is searched whole
        return Analysis(
            category="service", category_confidence=0.7, topic="城乡建设", topic_confidence=0.8,
            category_alternatives=[("service", 0.7), ("dispute", 0.2)], topic_alternatives=[("劳动和社会保障", 0.1)],
            grid_candidates=[GridCandidate("T01-C01-G01", "幸福里", 0.9, 2, 8)],
            entities=[Entity("phone", "13812345678", 20, 31, "13812345678"), Entity("time", "10天", 13, 16, "10天")],
            emergency=Emergency("fire", "119", "着火", 0, 0),
        )


async def test_a_transcript_becomes_ranked_options_with_spans() -> None:
    reader = NluTranscriptAnalyzer(StubAnalyzer())
    suggestion = await reader.suggest(f"[00:00:01] 坐席：您好，请讲。\n[00:00:03] 市民：{TEXT}")
    assert suggestion.text == TEXT
    assert [(o.value, o.label, o.confidence) for o in suggestion.categories] == [
        ("service", "便民服务", 0.7), ("dispute", "矛盾纠纷", 0.2)]
    assert [o.value for o in suggestion.topics] == ["城乡建设", "劳动和社会保障"]
    assert suggestion.grids[0].spans == (Span(2, 8),) and suggestion.phones[0].spans == (Span(20, 31),)
    assert suggestion.address == "幸福里3号楼" and [m.kind for m in suggestion.marks] == ["time"]
    assert "火情" in suggestion.emergency and "119" in suggestion.emergency
    assert suggestion.model_version == "0003-test"


async def test_labels_with_nothing_said_are_analysed_as_pasted() -> None:
    seen = []
    analyzer = NS(analyze=lambda text, **_: seen.append(text) or StubAnalyzer().analyze(TEXT, extract_chars=len(TEXT)),
                  version=None)
    reader = NluTranscriptAnalyzer(analyzer, parse=parse_transcript)
    await reader.suggest("坐席：\n市民：")
    assert seen == ["坐席：\n市民："]
