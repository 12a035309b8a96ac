"""The real dialogue (flows/) with a keyword `understand` in place of the NLU, for channel end-to-end
tests that must not wait for model training: what is tested is the channel around the dialogue."""

import re

from bot.bootstrap import App
from bot.dialogue_root import build_dialogue
from flows.dialogue import Dialogue
from flows.understanding import Guess, PlaceGuess, Understanding

INTENTS = [("affirm", ("是的", "对", "确认", "没错", "好的")), ("deny", ("不对", "不是")), ("cancel", ("取消", "撤销")),
           ("ask_status", ("查询", "进度", "到哪一步")), ("help", ("帮助",)), ("greet", ("你好", "您好"))]
PLACES = {"一网格": "T01-C01-G01", "二网格": "T01-C01-G02"}
PHONE = re.compile(r"1[3-9]\d{9}")


async def keyword_understanding(text: str) -> Understanding:
    intent = next((name for name, words in INTENTS if any(w in text for w in words) and len(text) <= 12), "other")
    complaint = len(text) > 6 and intent == "other"
    return Understanding(
        intent=intent,
        intent_confidence=0.95 if intent != "other" else 0.0,
        category=Guess("service", 0.92) if complaint else None,
        topic=Guess("城乡建设", 0.9) if complaint else None,
        places=tuple(PlaceGuess(code, name, 0.95, name) for name, code in PLACES.items() if name in text),
        phones=tuple(PHONE.findall(text)),
    )


async def keyword_dialogue(app: App) -> Dialogue:
    return await build_dialogue(app, understand=keyword_understanding)
