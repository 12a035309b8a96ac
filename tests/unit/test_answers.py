"""A yes is a yes however a resident says it, at every kind of confirmation; a near-miss never is."""

import pytest

from flows import cases, contact, intake, location
from flows.state import Candidate, ConversationState
from handlers.commands import CancelCase, FileCase
from nlu.answers import read_answer
from nlu.intents import detect_intent
from tests.conversations.everyday_answers import CORRECTIONS, NO, NOT_YES, YES
from tests.conversations.kit import at_step, context, turn, understood
from tests.unit.test_flow_cases import DISPATCHED


def test_the_set_is_big_enough_to_mean_something() -> None:
    assert len(YES) + len(NO) + len(CORRECTIONS) >= 60 and len(NOT_YES) >= 15


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert read_answer(text).kind == "yes" and detect_intent(text).name == "affirm"


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert read_answer(text).kind == "no" and detect_intent(text).name == "deny"


@pytest.mark.parametrize(("text", "rest"), CORRECTIONS)
def test_a_no_keeps_the_correction_that_follows(text: str, rest: str) -> None:
    answer = read_answer(text)
    assert (answer.kind, answer.pure, answer.rest) == ("no", False, rest)


@pytest.mark.parametrize("text", NOT_YES)
def test_near_misses_are_not_a_yes(text: str) -> None:
    assert read_answer(text).kind != "yes" and detect_intent(text).name != "affirm"


def _reading(text: str):  # type: ignore[no-untyped-def]
    """The turn's understanding with the real intent reader (and no category or places)."""
    intent = detect_intent(text)
    return understood(intent.name, confidence=intent.confidence, rating=intent.rating)


def confirmations() -> dict[str, ConversationState]:
    place = Candidate("QH01-C01-G01", "幸福里小区", 0.95)
    return {
        "place": at_step(ConversationState(), location.CONFIRM, candidates=(place,), class_done=True),
        "classification": at_step(ConversationState(), intake.CONFIRM_CLASS, category="dispute", topic="城乡建设"),
        "summary": at_step(ConversationState(), contact.SUMMARY, class_done=True, location_done=True,
                           contact_done=True),
    }


@pytest.mark.parametrize("text", YES)
def test_every_yes_is_taken_at_every_confirmation(text: str) -> None:
    for kind, state in confirmations().items():
        out = turn(state, text, u=_reading(text))
        draft = out.state.draft
        if kind == "place":
            assert draft is not None and draft.grid_code == "QH01-C01-G01", (kind, text)
        elif kind == "classification":
            assert draft is not None and draft.classification_confirmed and draft.class_done, (kind, text)
        else:
            assert any(isinstance(c, FileCase) for c in out.commands), (kind, text)
    ctx = context((DISPATCHED,))
    ask = turn(ConversationState(), "撤销", u=understood("cancel"), ctx=ctx)
    assert ask.state.step == cases.CANCEL_CONFIRM
    assert any(isinstance(c, CancelCase) for c in turn(ask.state, text, u=_reading(text), ctx=ctx).commands), text


@pytest.mark.parametrize("text", NOT_YES + NO)
def test_no_near_miss_confirms_anything(text: str) -> None:
    for kind, state in confirmations().items():
        out = turn(state, text, u=_reading(text))
        draft = out.state.draft
        assert not out.commands, (kind, text)
        if kind == "place":
            assert draft is None or draft.grid_code is None, (kind, text)
        if kind == "classification":
            assert draft is None or not draft.classification_confirmed, (kind, text)
