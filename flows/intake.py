"""Intake, first half: the resident describes the problem, we restate it and settle its category
and topic (the resident may correct either)."""

import re
from dataclasses import replace

from flows.choices import normalise, picked
from flows.context import Context, Outcome, advance, ask, miss
from flows.messages import Inbound
from flows.state import Candidate, ConversationState, Draft
from flows.texts import CATEGORY_HINTS, CATEGORY_NOUNS, CATEGORY_WORDS, TOPIC_WORDS, category_label, gist
from flows.understanding import Understanding

DESCRIBE, CONFIRM_CLASS, PICK_CATEGORY, PICK_TOPIC = "describe", "confirm_class", "pick_category", "pick_topic"
STEPS = (DESCRIBE, CONFIRM_CLASS, PICK_CATEGORY, PICK_TOPIC)
UNKNOWN = "unknown"
_MEANINGFUL = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]")
_MIN_DESCRIPTION = 8
_NEGATED = re.compile(r"不是|不对|错了|不归|不该|有误")
_CATEGORY_WRONG = re.compile(r"(?:类别|分类|类型|性质)")
_TOPIC_WRONG = re.compile(r"(?:方面|部门|领域|归口|管的|来管)")


def start(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """A new complaint: keep what it says, and ask for more only if it says too little to act on."""
    draft = absorb(Draft(origin=f"{inbound.channel}/{inbound.user_ref}/{inbound.message_id}"), inbound.text, u)
    state = replace(state, draft=draft, paused=None)
    if too_short(inbound.text):
        return ask(
            state,
            DESCRIBE,
            "好的，我来帮您登记。请具体说说遇到了什么问题：发生了什么事、在哪里、持续多久了？",
        )
    return advance(state)


def absorb(draft: Draft, text: str, u: Understanding) -> Draft:
    """Add one more message to the description; a more confident reading replaces a weaker one,
    unless the resident already confirmed the classification."""
    changes: dict[str, object] = {"parts": (*draft.parts, text.strip())}
    if u.model_version and (u.category or u.topic):
        changes["model_version"] = u.model_version
    if not draft.classification_confirmed:
        if u.category and u.category.confidence >= (draft.category_confidence or 0.0):
            changes.update(category=u.category.label, category_confidence=u.category.confidence)
        if u.topic and u.topic.confidence >= (draft.topic_confidence or 0.0):
            changes.update(topic=u.topic.label, topic_confidence=u.topic.confidence)
    if u.places:
        known = {c.grid_code for c in draft.candidates}
        extra = tuple(Candidate(p.grid_code, p.name, p.score, p.mention) for p in u.places if p.grid_code not in known)
        changes["candidates"] = draft.candidates + extra
    if u.phones and draft.phone is None:
        changes["phone"] = u.phones[0]
    return replace(draft, **changes)


def sure_enough(draft: Draft, ctx: Context) -> bool:
    """Both readings so confident that asking would only cost the resident a turn."""
    floor = ctx.config.confirm_class_below
    return bool(draft.category and draft.topic and not draft.classification_confirmed
                and (draft.category_confidence or 0.0) >= floor and (draft.topic_confidence or 0.0) >= floor)


def filed_as(draft: Draft) -> str:
    topic = f"{draft.topic}方面的" if draft.topic else ""
    return f"好的，我按{topic}{CATEGORY_NOUNS[draft.category or 'service']}为您登记（不对的话随时告诉我）。"


def ask_classification(state: ConversationState, ctx: Context, prefix: str = "") -> Outcome:
    """Restate in the resident's words; a confident reading is confirmed, a weak one chosen."""
    draft = _draft(state)
    said = gist(max(draft.parts, key=len, default=""))
    confident = (draft.category_confidence or 0.0) >= ctx.config.classification_confidence
    if draft.category and (confident or draft.classification_confirmed):
        topic = f"{draft.topic}方面的" if draft.topic else ""
        text = f"{prefix}我理解一下：您反映的是“{said}”，属于{topic}{CATEGORY_NOUNS[draft.category]}，对吗？"
        offered = (("对，没错", "yes"), ("类别不对", "fix_category"), ("主管部门不对", "fix_topic"))
        return ask(state, CONFIRM_CLASS, text, offered)
    return ask_category(state, f"{prefix}我理解一下：您反映的是“{said}”。")


def ask_category(state: ConversationState, prefix: str = "") -> Outcome:
    lines = "\n".join(f"{i}. {category_label(c)}：{hint}" for i, (c, hint) in enumerate(CATEGORY_HINTS.items(), 1))
    offered = (*((category_label(c), c) for c in CATEGORY_HINTS), ("说不清", UNKNOWN))
    return ask(state, PICK_CATEGORY, f"{prefix}请问这件事更接近哪一类？\n{lines}", offered)


def ask_topic(state: ConversationState, ctx: Context, prefix: str = "") -> Outcome:
    offered = (*((t, t) for t in ctx.district.topics), ("说不清", UNKNOWN))
    return ask(state, PICK_TOPIC, f"{prefix}这件事主要归哪方面的部门管？", offered)


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    handler = {
        DESCRIBE: _on_describe,
        CONFIRM_CLASS: _on_confirm,
        PICK_CATEGORY: _on_category,
        PICK_TOPIC: _on_topic,
    }[state.step]
    return handler(state, inbound, u, ctx)


def category_named(text: str) -> str | None:
    """The category a correction names ("不对，是邻里纠纷"; in "不是纠纷，是信访" the last one)."""
    plain = normalise(text)
    for part in (plain.rsplit("是", 1)[-1], plain):
        named = {c for c, words in CATEGORY_WORDS.items() if any(w in part for w in words)}
        if len(named) == 1:
            return named.pop()
    return None


def corrected(state: ConversationState, text: str, ctx: Context) -> Outcome | None:
    """A category or topic corrected in the resident's words at any point of the intake:
    「类别不对」, 「不是环保的事，是交通」, 「不是环保吧，是邻居之间的事」 (no topic named: ask which)."""
    plain = normalise(text)
    place = ctx.district.match_address(text)
    if not _NEGATED.search(plain) or place.grids or place.community_code or place.street_code:
        return None  # 「不是在学校，是在幸福里小区」 corrects the place, not the topic
    named = category_named(text)
    if named is not None and _NEGATED.match(plain):
        return ask_classification(_set_category(state, named), ctx, "好的，类别已更正。")
    mentioned = [t for t in ctx.district.topics if any(w in plain for w in TOPIC_WORDS.get(t, (t,)))]
    if not mentioned and not _TOPIC_WRONG.search(plain):
        return ask_category(state, "好的，请帮我纠正一下。") if _CATEGORY_WRONG.search(plain) else None
    after = plain.rsplit("是", 1)[-1] if "是" in plain else ""
    chosen = [t for t in mentioned if any(w in after for w in TOPIC_WORDS.get(t, (t,)))]
    if len(chosen) == 1:
        draft = replace(_draft(state), topic=chosen[0], topic_confidence=None, classification_confirmed=True)
        return _settled(replace(state, draft=draft), confirmed=True, note=f"好的，改为由{chosen[0]}方面的部门办理。")
    return ask_topic(state, ctx, "好的，")


def _on_describe(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    if not _MEANINGFUL.search(inbound.text):
        return miss(state, "请用文字描述一下您遇到的问题。")
    return advance(replace(state, draft=absorb(_draft(state), inbound.text, u)))


def _on_confirm(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered)
    if choice == "yes" or (choice is None and u.is_intent("affirm", ctx.config.intent_confidence)):
        return _settled(state, confirmed=True)
    if choice == "fix_category":
        return ask_category(state)
    if choice == "fix_topic":
        return ask_topic(state, ctx)
    named = category_named(inbound.text)
    if named is not None:
        return ask_classification(_set_category(state, named), ctx, "好的。")
    fixed = corrected(state, inbound.text, ctx)
    if fixed is not None:
        return fixed
    if u.is_intent("deny", ctx.config.intent_confidence):
        return ask_category(state, "好的，请帮我纠正一下。")
    if len(_MEANINGFUL.findall(inbound.text)) >= _MIN_DESCRIPTION:
        state = replace(state, draft=absorb(_draft(state), inbound.text, u))
        return ask_classification(state, ctx, "好的，已补充。")
    return miss(state, "请回复“对”或“不对”，也可以直接点选下面的选项。", lambda s: ask_classification(s, ctx))


def _on_category(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered) or category_named(inbound.text)
    if choice == UNKNOWN:
        return _settled(state, confirmed=False, note="没关系，工作人员会帮您判断类别。")
    if choice is None and len(_MEANINGFUL.findall(inbound.text)) >= _MIN_DESCRIPTION:
        state = replace(state, draft=absorb(_draft(state), inbound.text, u))
        return ask_classification(state, ctx, "好的，已补充。")
    if choice not in CATEGORY_HINTS:
        return miss(state, "请从下面的类别中选一个，回复序号就可以。", ask_category)
    state = _set_category(state, choice)
    draft = _draft(state)
    if draft.topic and (draft.topic_confidence or 0.0) >= ctx.config.classification_confidence:
        return _settled(state, confirmed=True, note=f"好的，已改为{category_label(choice)}。")
    return ask_topic(state, ctx, f"好的，已改为{category_label(choice)}。")


def _on_topic(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered)
    if choice == UNKNOWN:
        return _settled(state, confirmed=False, note="没关系，工作人员会帮您确定。")
    if choice is None:
        return miss(state, "请从下面选一个方面，回复序号就可以。", lambda s: ask_topic(s, ctx))
    draft = replace(_draft(state), topic=choice, topic_confidence=None)
    return _settled(replace(state, draft=draft), confirmed=True, note=f"好的，由{choice}方面的部门办理。")


def _settled(state: ConversationState, *, confirmed: bool, note: str = "") -> Outcome:
    draft = _draft(state)
    draft = replace(draft, class_done=True, classification_confirmed=confirmed or draft.classification_confirmed)
    return advance(replace(state, draft=draft), note)


def _set_category(state: ConversationState, category: str) -> ConversationState:
    draft = _draft(state)
    if category != draft.category:
        draft = replace(draft, category=category, category_confidence=None)
    return replace(state, draft=replace(draft, classification_confirmed=True))


def too_short(text: str) -> bool:
    """Too little to act on: fewer than a handful of characters that carry meaning."""
    return len(_MEANINGFUL.findall(text)) < _MIN_DESCRIPTION


def _draft(state: ConversationState) -> Draft:
    assert state.draft is not None, "an intake step without a draft"
    return state.draft
