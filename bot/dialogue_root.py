"""Wires the dialogue: the district from the registry, the NLU loaded once, the conversation store.

Channels call `dialogue = await build_dialogue(app)` once at start-up and then
`await dialogue.handle(inbound)` per message.
"""

import asyncio
import functools
import logging
from datetime import timedelta
from pathlib import Path

from bot.bootstrap import App
from flows import nlu_adapter
from flows.context import DialogueConfig
from flows.dialogue import Dialogue
from flows.district import DistrictMap
from flows.ports import Understand
from flows.understanding import Understanding
from handlers.directory import Grid, Place
from nlu.analyzer import Analyzer
from nlu.gazetteer import Gazetteer
from nlu.guide import GuideRules
from nlu.retrain import ensure_model
from storage.conversation_store import SqlConversationStore
from storage.directory_repository import Registry, read_registry

log = logging.getLogger(__name__)
PROCESSED_KEPT = timedelta(days=7)  # how long a message id is remembered against redelivery


async def build_dialogue(
    app: App, analyzer: Analyzer | None = None, *, understand: Understand | None = None,
    registry: Registry | None = None,
) -> Dialogue:
    """The dialogue for this process. Pass an `analyzer` to share one already loaded (tests and
    `minsheng serve` do); otherwise it is loaded here, off the event loop, from the configured
    models directory. `understand` replaces the NLU outright (a keyword stand-in in channel tests).
    `registry` is the one the analyzer was loaded with, if the caller read it already."""
    registry = registry or await read_registry(app.sessions)
    if understand is None:
        loaded = analyzer or await asyncio.to_thread(load_analyzer, app.settings.models_dir, registry.grids,
                                                     registry.places, with_textcat=app.settings.spacy_textcat)
        understand = functools.partial(_understand, loaded, app.settings.category_guide)
    store = SqlConversationStore(app.sessions)
    await store.forget_processed(app.policies.clock.now() - PROCESSED_KEPT)
    return Dialogue(
        store=store,
        bus=app.bus,
        uow_factory=app.uow,
        understand=understand,
        district=DistrictMap(registry.grids, registry.places, registry.departments),
        config=DialogueConfig.from_section(app.settings.section("dialogue"), app.settings.timezone,
                                           app.settings.category_guide),
        clock=app.policies.clock,
        time_limits={category: sla.resolve.label for category, sla in app.policies.sla.items()},
    )


async def _understand(analyzer: Analyzer, rules: GuideRules, text: str) -> Understanding:
    """The NLU is CPU-bound: run it in a worker thread so the event loop keeps serving."""
    return await asyncio.to_thread(nlu_adapter.understand, analyzer, text, rules)


def load_analyzer(models_dir: Path, grids: list[Grid], places: list[Place], *, with_textcat: bool = False) -> Analyzer:
    """jieba, the classifier and the gazetteer take a second or more: do this once per process.
    A fresh install has no model yet: the first start trains one from the shipped seed corpus."""
    ensure_model(models_dir, with_textcat=with_textcat,
                 report=lambda what, done: log.info("首次启动，正在用种子语料训练语义模型：%s（%.0f%%）", what, done * 100))
    return Analyzer.load(models_dir, Gazetteer.from_registry(grids, places))
