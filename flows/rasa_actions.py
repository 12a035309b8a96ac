"""The intake as Rasa custom actions, for districts that already run a Rasa assistant.

The actions do no dialogue management of their own: Rasa's form asks the questions, and the
validation reuses the same pieces as our own steps (NLU reading, district matching, phone
and category parsing, the FileCase command and the replies after it). Each action gets the
Dialogue from `provide()` at call time, because it is built inside the server's event loop.
"""

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from flows import cases, contact, intake
from flows.context import Context
from flows.dialogue import Dialogue
from flows.parties import read_party
from flows.results import filed_text
from flows.state import ConversationState, Draft
from flows.texts import ANONYMOUS_EXPLAINED, CATEGORY_NOUNS, DONT_KNOW, gist
from flows.understanding import Understanding
from handlers.errors import DomainError
from nlu.guide import PARTIES

CHANNEL = "rasa"
UNKNOWN = "unknown"
FORM_SLOTS = ("complaint", "category", "street", "community", "grid", "phone")
EXTRA_SLOTS = ("topic", "category_confidence", "topic_confidence", "address", "location_tries")
_DONT_KNOW = (*DONT_KNOW, UNKNOWN)
Slots = dict[str, Any]


class ValidatePetitionForm(FormValidationAction):
    def __init__(self, provide: Callable[[], Dialogue]) -> None:
        self.provide = provide

    def name(self) -> str:
        return "validate_petition_form"

    async def validate_complaint(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """Read the complaint once: keep a confident category and a single clear place."""
        dialogue = self.provide()
        text = str(value or "").strip()
        u = await dialogue.understand(text)
        if intake.too_short(text):
            dispatcher.utter_message(text="请具体说说遇到了什么问题：发生了什么事、在哪里、持续多久了？")
            return {"complaint": None}
        draft = intake.absorb(Draft(), text, u)
        slots: Slots = {"complaint": text}
        confident = (draft.category_confidence or 0.0) >= dialogue.config.classification_confidence
        if draft.category and confident:
            topic = f"{draft.topic}方面的" if draft.topic else ""
            dispatcher.utter_message(text=f"我理解您反映的是“{gist(text)}”，属于{topic}{CATEGORY_NOUNS[draft.category]}。")
            slots.update(category=draft.category, category_confidence=draft.category_confidence)
        if draft.topic:
            slots.update(topic=draft.topic, topic_confidence=draft.topic_confidence)
        strong = [c for c in draft.candidates if c.score >= dialogue.config.place_confidence]
        if len({c.grid_code for c in strong}) == 1:
            slots.update(_grid_slots(dialogue, strong[0].grid_code, strong[0].name))
        if draft.phone:
            slots["phone"] = draft.phone
        return slots

    def validate_category(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        """Asked as 「这件事主要是和谁之间的问题？」: a party (button or words) gives the category by the
        district's guide; a category named outright is taken as said."""
        text = str(value or "")
        if text in CATEGORY_NOUNS or text == UNKNOWN:
            return {"category": text, "category_confidence": None}
        party = text if text in PARTIES else read_party(text)
        named = self.provide().config.guide.implied(party) if party else intake.category_named(text)
        if named is None:
            dispatcher.utter_message(text="请说说对方是谁，比如“邻居”“物业”“街道办”；没有对方、只是办事或咨询的话，回复“没有对方”。")
            return {"category": None}
        return {"category": named, "category_confidence": None}

    def validate_street(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        dialogue = self.provide()
        text = str(value or "").strip()
        for code, name in dialogue.district.streets.items():
            if text in (code, name, name.removesuffix("街道")):
                return {"street": code}
        return self._typed(text, "street", dispatcher, tracker)

    def validate_community(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Slots:
        dialogue = self.provide()
        text = str(value or "").strip()
        street = tracker.get_slot("street") or ""
        for code, name in dialogue.district.communities_of(street):
            if text in (code, name, name.removesuffix("社区")):
                return {"community": code}
        return self._typed(text, "community", dispatcher, tracker)

    def validate_grid(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        dialogue = self.provide()
        text = str(value or "").strip()
        for grid in dialogue.district.grids_of(tracker.get_slot("community") or ""):
            if text in (grid.code, grid.name, grid.name.removeprefix(grid.community)):
                return {"grid": grid.code}
        return self._typed(text, "grid", dispatcher, tracker)

    def validate_phone(self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> Slots:
        text = str(value or "")
        phone = contact.find_phone(text)
        if phone:
            return {"phone": phone}
        if "匿名" in text or text == "anonymous":
            dispatcher.utter_message(text=ANONYMOUS_EXPLAINED)
            return {"phone": "anonymous"}
        if any(w in text for w in (*contact.NO_PHONE, "none")):
            return {"phone": "none"}
        dispatcher.utter_message(text="这个号码好像不对：手机号是 11 位数字。也可以回复“匿名”或“不留”。")
        return {"phone": None}

    def _typed(self, text: str, slot: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Slots:
        """An answer that is not a plain choice: a full address, "不清楚", or a miss (at most
        `max_location_tries`, then the address as typed goes to the dispatcher)."""
        dialogue = self.provide()
        if any(w in text for w in _DONT_KNOW):
            return _give_up(dispatcher, slot, tracker.get_slot("address"))
        match = dialogue.district.match_address(text)
        if len({p.grid_code for p in match.grids}) == 1:
            return _grid_slots(dialogue, match.grids[0].grid_code, match.grids[0].name)
        if match.community_code and slot in ("street", "community"):
            return {"street": match.street_code, "community": match.community_code, "address": text}
        if match.street_code and slot == "street":
            return {"street": match.street_code, "address": text}
        tries = int(tracker.get_slot("location_tries") or 0) + 1
        if tries >= dialogue.config.max_location_tries:
            return _give_up(dispatcher, slot, text) | {"location_tries": tries}
        dispatcher.utter_message(text=f"没有在本区找到“{text}”。请换个说法，比如小区名称、路名加门牌号。")
        return {slot: None, "location_tries": tries}


class SubmitCase(Action):
    def __init__(self, provide: Callable[[], Dialogue]) -> None:
        self.provide = provide

    def name(self) -> str:
        return "action_submit_case"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dialogue = self.provide()
        ctx = await _context(dialogue, tracker.sender_id)
        draft = draft_from_slots(tracker.current_slot_values())
        async with dialogue.uow_factory() as uow:
            mark = await uow.outbox.newest_id()
        try:
            case = await dialogue.bus.handle(contact.file_command(draft, CHANNEL, tracker.sender_id, ctx))
        except DomainError as exc:
            dispatcher.utter_message(text=exc.message)
            return []
        await dialogue.answered(case.number, mark)
        dispatcher.utter_message(text=filed_text(case, ctx))
        reset = [SlotSet(slot, None) for slot in (*FORM_SLOTS, *EXTRA_SLOTS)]
        return [*reset, SlotSet("case_number", case.number)]


class CaseStatus(Action):
    def __init__(self, provide: Callable[[], Dialogue]) -> None:
        self.provide = provide

    def name(self) -> str:
        return "action_case_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        dialogue = self.provide()
        text = str(tracker.latest_message.get("text") or "")
        u = await dialogue.understand(text) if text.strip() else None
        number = (u.case_number if u else None) or tracker.get_slot("case_number")
        ctx = await _context(dialogue, tracker.sender_id)
        named = replace(u, case_number=number) if u else Understanding(case_number=number)
        outcome = cases.show_status(ConversationState(), named, ctx)
        for reply in outcome.replies:
            dispatcher.utter_message(text=reply.text)
        return []


def actions(provide: Callable[[], Dialogue]) -> list[Action]:
    return [ValidatePetitionForm(provide), SubmitCase(provide), CaseStatus(provide)]


def draft_from_slots(slots: Slots) -> Draft:
    """The filled form as the same Draft our own intake files; "unknown" means not given."""

    def known(name: str) -> Any:
        value = slots.get(name)
        return None if value in (None, UNKNOWN, "none", "anonymous") else value

    return Draft(
        parts=(str(slots.get("complaint") or ""),),
        category=known("category"),
        category_confidence=slots.get("category_confidence"),
        topic=known("topic"),
        topic_confidence=slots.get("topic_confidence"),
        classification_confirmed=known("category") is not None and slots.get("category_confidence") is None,
        grid_code=known("grid"),
        street_code=known("street"),
        community_code=known("community"),
        address=slots.get("address"),
        phone=known("phone"),
        anonymous=slots.get("phone") == "anonymous",
    )


def _grid_slots(dialogue: Dialogue, code: str, name: str) -> Slots:
    grid = dialogue.district.grid(code)
    assert grid is not None
    return {"street": grid.street_code, "community": grid.community_code, "grid": code, "address": name}


def _give_up(dispatcher: CollectingDispatcher, slot: str, address: str | None) -> Slots:
    """Stop asking: this location slot and the finer ones become "unknown", coarser ones stay."""
    dispatcher.utter_message(text="暂时没能确定具体网格，不影响受理：由工作人员按您提供的地址人工确定。")
    levels = ("street", "community", "grid")
    return {name: UNKNOWN for name in levels[levels.index(slot) :]} | {"address": address}


async def _context(dialogue: Dialogue, sender_id: str) -> Context:
    async with dialogue.uow_factory() as uow:
        found = await uow.cases.find(channel=CHANNEL, user_ref=sender_id, limit=20)
    return Context(dialogue.district, dialogue.config, dialogue.clock.now(), tuple(found), dialogue.time_limits)
