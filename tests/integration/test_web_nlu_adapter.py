"""The console's reading of the NLU's analysis: ranked options with their spans, marks, emergency."""

from types import SimpleNamespace as NS

import pytest

pytest.importorskip("nlu.analyzer", reason="nlu/ not installed in this tree yet")

from bot.web.nlu_suggestions import NluTranscriptAnalyzer  # noqa: E402
from bot.web.suggestions import Span  # noqa: E402

TEXT = "我住幸福里3号楼，楼上漏水，电话13812345678"


class StubAnalyzer:
    def analyze(self, text: str) -> NS:
        assert text == TEXT
        return NS(
            category="service", category_confidence=0.7, category_alternatives=[("service", 0.7), ("dispute", 0.2)],
            topic="城乡建设", topic_confidence=0.8, topic_alternatives=[("劳动和社会保障", 0.1)],
            grid_candidates=[NS(grid_code="T01-C01-G01", name="一网格", score=0.9, span=(2, 5))],
            entities=[NS(type="phone", text="13812345678", value="13812345678", start=17, end=28),
                      NS(type="place", text="幸福里3号楼", value=None, start=2, end=8)],
            emergency=NS(kind="火灾", number="119"),
        )


async def test_the_analysis_becomes_ranked_options_with_spans() -> None:
    reader = NluTranscriptAnalyzer(StubAnalyzer(), parse=lambda t: NS(caller_text=TEXT))
    suggestion = await reader.suggest("坐席：您好\n市民：" + TEXT)
    assert [(o.value, o.label, o.confidence) for o in suggestion.categories] == [
        ("service", "便民服务", 0.7), ("dispute", "矛盾纠纷", 0.2)]
    assert [o.value for o in suggestion.topics] == ["城乡建设", "劳动和社会保障"]
    assert suggestion.grids[0].spans == (Span(2, 5),) and suggestion.phones[0].spans == (Span(17, 28),)
    assert suggestion.address == "幸福里3号楼" and [m.kind for m in suggestion.marks] == ["place"]
    assert "119" in suggestion.emergency
