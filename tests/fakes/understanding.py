"""The real dialogue (flows/) with a keyword `understand` in place of the NLU, for channel end-to-end
tests that must not wait for model training: what is tested is the channel around the dialogue."""

import re

from bot.bootstrap import App
from flows.context import DialogueConfig
from flows.dialogue import Dialogue
from flows.district import DistrictMap
from flows.understanding import Guess, PlaceGuess, Understanding
from storage.conversation_store import SqlConversationStore
from storage.directory_repository import SqlDirectoryRepository
from storage.queries import load_gazetteer_rows

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
    async with app.sessions() as session:
        grids, places = await load_gazetteer_rows(session)
        departments = await SqlDirectoryRepository(session).departments()
    return Dialogue(
        store=SqlConversationStore(app.sessions),
        bus=app.bus,
        uow_factory=app.uow,
        understand=keyword_understanding,
        district=DistrictMap(grids, places, departments),
        config=DialogueConfig.from_section(app.settings.section("dialogue"), app.settings.timezone),
        clock=app.policies.clock,
        time_limits={category: sla.resolve.label for category, sla in app.policies.sla.items()},
    )
