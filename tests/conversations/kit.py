"""Building blocks for dialogue tests: the sample district as the steps see it, hand-built
understandings, and one-line turns through the pure router."""

from dataclasses import replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from flows.context import Context, DialogueConfig, Outcome
from flows.district import DistrictMap
from flows.messages import Inbound, Location
from flows.router import step
from flows.state import ConversationState
from flows.understanding import Emergency, Guess, PlaceGuess, Understanding
from handlers.case import Case
from storage.db import make_engine, session_factory
from storage.importers.district import validate_district
from storage.importers.registry import import_district

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_district"
SAMPLE_FILES = (SAMPLE / "grids.geojson", SAMPLE / "places.csv", SAMPLE / "departments.csv")
NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)
LIMITS = {"service": "5 个工作日", "dispute": "15 天", "petition": "60 天"}


@lru_cache(maxsize=1)
def sample_district() -> DistrictMap:
    grids, places, departments = validate_district(*SAMPLE_FILES, district_code="QH")
    return DistrictMap(grids, places, departments)


async def load_sample_district(url: str) -> None:
    """Import the sample district into a migrated database, as `minsheng district import` does."""
    engine = make_engine(url)
    async with session_factory(engine)() as session:
        await import_district(session, *SAMPLE_FILES, district_code="QH")
    await engine.dispose()


def understood(
    intent: str = "other",
    *,
    confidence: float = 0.9,
    category: str | None = None,
    category_confidence: float = 0.8,
    topic: str | None = None,
    topic_confidence: float = 0.8,
    places: tuple[tuple[str, str, float], ...] = (),
    phones: tuple[str, ...] = (),
    case_number: str | None = None,
    rating: int | None = None,
    emergency: str | None = None,
) -> Understanding:
    """An Understanding as the NLU would give it, written in one line."""
    return Understanding(
        intent=intent,
        intent_confidence=confidence,
        category=Guess(category, category_confidence) if category else None,
        topic=Guess(topic, topic_confidence) if topic else None,
        places=tuple(PlaceGuess(*p) for p in places),
        phones=phones,
        case_number=case_number,
        rating=rating,
        emergency=Emergency("unnamed", emergency) if emergency else None,  # a kind with no words of its own
    )


# The steps' tests read hand-built confidences of 0.7–0.85 as "sure enough to confirm, not to say":
# the confirmation band is held where those tests put it, whatever the shipped threshold is.
STEP_TEST_CONFIG = {"confirm_class_below": 0.9}


def context(cases: tuple[Case, ...] = (), now: datetime = NOW, **config: object) -> Context:
    settings = DialogueConfig(**{**STEP_TEST_CONFIG, **config})  # type: ignore[arg-type]
    return Context(sample_district(), settings, now, cases, LIMITS)


def turn(
    state: ConversationState,
    text: str = "",
    *,
    choice: str | None = None,
    location: tuple[float, float] | None = None,
    u: Understanding | None = None,
    ctx: Context | None = None,
) -> Outcome:
    """One resident turn through the pure router; `u` defaults to a reading with no intent or category."""
    point = Location(*location) if location else None
    inbound = Inbound("test", "resident-1", "m", text=text, location=point, choice=choice)
    return step(state, inbound, u or understood(), ctx or context())


def said(outcome: Outcome) -> str:
    """Everything the bot said this turn, as one string to search."""
    return "\n".join(r.text for r in outcome.replies)


def values(outcome: Outcome) -> list[str]:
    """The values of the choices on the last reply."""
    return [c.value for c in outcome.replies[-1].choices] if outcome.replies else []


def at_step(state: ConversationState, step_name: str, **draft: object) -> ConversationState:
    """A state in the middle of an intake, with the draft fields given."""
    base = state.draft or turn(ConversationState(), "楼上邻居天天半夜装修，吵得睡不着觉",
                               u=understood(category="dispute", topic="城乡建设")).state.draft
    assert base is not None
    return replace(state, step=step_name, draft=replace(base, **draft), updated_at=NOW.isoformat())
