"""One answer at each kind of confirmation the dialogue asks, through the pure router with the real
intent reader: did it confirm? Used by tests/unit/test_answers.py and bench/dialogue.py."""

from datetime import UTC, datetime

from flows import cases, contact, intake, location
from flows.state import Candidate, ConversationState
from flows.understanding import Understanding
from handlers.case import Case
from handlers.commands import CancelCase, FileCase
from handlers.status import Status
from nlu.intents import detect_intent
from tests.conversations.kit import at_step, context, turn, understood

KINDS = ("place", "classification", "summary", "cancel")
_OPEN = Case(number="MS-20261127-0001", text="楼道的灯坏了一个月没人修", channel="test", user_ref="resident-1",
             category="service", status=Status.DISPATCHED, department="C-QH01-C01",
             sign_deadline=datetime(2026, 11, 30, 15, 59, tzinfo=UTC))


def reading(text: str) -> Understanding:
    """The turn's understanding with the real intent reader (and no category or places)."""
    intent = detect_intent(text)
    return understood(intent.name, confidence=intent.confidence, rating=intent.rating)


def taken(kind: str, text: str) -> bool:
    """Whether `text` confirms at this kind of question (place, classification, summary, cancel)."""
    if kind == "cancel":
        ctx = context((_OPEN,))
        asked = turn(ConversationState(), "撤销", u=understood("cancel"), ctx=ctx)
        assert asked.state.step == cases.CANCEL_CONFIRM
        return any(isinstance(c, CancelCase) for c in turn(asked.state, text, u=reading(text), ctx=ctx).commands)
    state = {
        "place": lambda: at_step(ConversationState(), location.CONFIRM, class_done=True,
                                 candidates=(Candidate("QH01-C01-G01", "幸福里小区", 0.95),)),
        "classification": lambda: at_step(ConversationState(), intake.CONFIRM_CLASS, category="dispute",
                                          topic="城乡建设"),
        "summary": lambda: at_step(ConversationState(), contact.SUMMARY, class_done=True, location_done=True,
                                   contact_done=True),
    }[kind]()
    out = turn(state, text, u=reading(text))
    draft = out.state.draft
    if kind == "place":
        return draft is not None and draft.grid_code == "QH01-C01-G01"
    if kind == "classification":
        return draft is not None and draft.classification_confirmed and draft.class_done
    return any(isinstance(c, FileCase) for c in out.commands)
