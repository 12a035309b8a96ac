"""Intake, first half: the resident describes the problem, we restate it and settle its category
and topic (the resident may correct either). An unsure category is asked the way a resident can
answer it: who is on the other side, and only if that does not decide, what they want done."""

import re
from dataclasses import replace

from flows import location, matters
from flows.choices import normalise, picked
from flows.context import Context, Outcome, advance, ask, miss, repeat
from flows.messages import Inbound
from flows.parties import (
    COMPANY, PARTY_WORDS, PERSON, affirmed, corrected_side, from_cues, read_ask, read_party, want_decides,
    want_disagrees,
)
from flows.state import Candidate, ConversationState, Draft
from flows.texts import (ASK_OPTIONS, ASK_QUESTION, CATEGORY_NOUNS, CATEGORY_WORDS, DONT_KNOW, PARTY_OPTIONS,
                         PARTY_QUESTION, TOPIC_WORDS, category_plain, gist)
from flows.understanding import Guess, Understanding
from nlu.answers import read_answer
from nlu.guide import ASKS, PARTIES, GuideRules

DESCRIBE, CONFIRM_CLASS, PICK_TOPIC = "describe", "confirm_class", "pick_topic"
PICK_PARTY, PICK_WANT = "pick_party", "pick_want"  # who is on the other side; what the resident wants done
PICK_CATEGORY = "pick_category"  # the old list of categories, still read if a stored conversation is at it
STEPS = (DESCRIBE, CONFIRM_CLASS, PICK_PARTY, PICK_WANT, PICK_CATEGORY, PICK_TOPIC)
CUE_CONFIDENCE = 0.5  # a party or request the NLU saw in the message is kept from this confidence
UNKNOWN = "unknown"
_MEANINGFUL = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]")
_MIN_DESCRIPTION = 8
_EMERGENCY_TOLD = 6  # characters: 「楼道里有煤气味」 says what happened; 「我被骗了」 is asked for more
_SIDE_ANSWER = 8  # characters: 「跟对面开超市的」 at 「…对吗？」 names the other side; a longer message tells more
# Words that point at a matter without saying what it is; a message of these alone is asked to say more.
_SAYS_NOTHING = re.compile(r"就是|那个|这个|那件|这件|你们?懂的|你们?知道的?|懂吧|懂的|嘛|啊|呀|吧|呢|哦|的|了|我们?|你们?|"
                           r"事情?|问题|情况|一下|反映|投诉|举报|想|要|说|有|个")
_MIN_CONTENT = 3
_NEGATED = re.compile(r"不是|不对|错了|不归|不该|有误")
# A neighbour's place corrected: 「不是楼上是楼下」, 「不是楼上的，是隔壁」.
_POSITION_FIX = re.compile(r"不是(?:楼上|楼下|隔壁|对门|对面)[^是]{0,4}(?:是|而是)(楼上|楼下|隔壁|对门|对面)")
# Asked to say more, a resident who will not or has nothing to add (not words of the complaint).
_NOTHING_MORE = re.compile(r"^(?:我|就)?(?:不想(?:多)?说|不多说了?|不方便说|不好说|没什么好说的?|没什么|就这些|就这样|就这么多|没了|没有了|"
                           r"说不清楚?|不知道怎么说)(?:了|啊|吧|呢|哦)*[。.!！]*$")
_NOT_THEIRS = re.compile(r"不是|不对|不归|不管|不关")  # 「应该不是交警的事」, 「劳动局不管这个」: that office is ruled out
_YES_THEN = re.compile(r"^(?:对的|是的|没错|好的|对|是|嗯)+(.+)$")
# 「对 我现在在我妈家 新桥小区」, 「嗯嗯对的 公司在金沙路200号」: a yes, a pause, then more of the story; not 「对 哦不对，…」
_YES_AND_MORE = re.compile(r"^(?:嗯+|对+|对的|对呀|对啊|是的|是滴|是啊|是呀|没错|好的)+[\s，,。.！!~～]+(?P<rest>\S.*)$", re.S)
_TAKES_IT_BACK = re.compile(r"不对|不是|错了|搞错|弄错|说错|不用|算了")
_DENIED_CLAUSE = re.compile(r"不是[^，,。；;]*")
_DENIED_THING = re.compile(r"不是([^是]{2,8}?)(?=是|$)")  # 「不是路灯是…」 (normalised: no marks or spaces)
_CATEGORY_WRONG = re.compile(r"(?:类别|分类|类型|性质)")
_TOPIC_WRONG = re.compile(r"(?:方面|部门|领域|归口|管的|来管)")
_SIDE_WORDS = PARTY_WORDS[PERSON] + PARTY_WORDS[COMPANY]  # 「物业管的」, 「房东管的」: a side, not a department


def start(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """A new complaint: keep what it says, and ask for more only if it says too little to act on.
    A message that raises several matters is asked whether to file them apart (flows/matters.py). An
    emergency in a few words (「楼道里有煤气味」) has said what happened: the intake goes on to where."""
    origin = inbound.key
    draft = absorb(Draft(origin=origin), inbound.text, u)
    state = replace(state, draft=draft, paused=None)
    if len(u.matters) > 1:
        several = _matter_drafts(origin, u)
        topics = [(d.topic, d.topic_confidence) for d in several]
        categories = [(d.category, d.category_confidence) for d in several]
        if matters.worth_asking(inbound.text, tuple(d.text for d in several), topics, categories,
                                ctx.config.classification_confidence):
            return matters.ask_split(state, several)
    if too_short(inbound.text) and (u.emergency is None or len(_MEANINGFUL.findall(inbound.text)) < _EMERGENCY_TOLD):
        return ask(
            state,
            DESCRIBE,
            "好的，我来帮您登记。请具体说说遇到了什么问题：发生了什么事、在哪里、持续多久了？",
        )
    return advance(state)


def _matter_drafts(origin: str, u: Understanding) -> tuple[Draft, ...]:
    """One draft per matter, each filed once under its own key. A phone said anywhere in the message
    is the resident's for all; a place is not (the first matter's street light and the second's
    unpaid wages are seldom in one spot), so a matter that names none is asked where."""
    phone = u.phones[0] if u.phones else None
    return tuple(absorb(Draft(origin=origin if n == 1 else f"{origin}#{n}", phone=phone), m.text, m.understanding)
                 for n, m in enumerate(u.matters, 1))


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
    if u.party and u.party.confidence >= CUE_CONFIDENCE and draft.party is None:
        changes.update(party=u.party.label, party_words=u.party_words)
    if u.ask and u.ask.confidence >= CUE_CONFIDENCE and draft.want is None:
        changes["want"] = u.ask.label
    if u.places:
        known = {c.grid_code for c in draft.candidates}
        extra = tuple(Candidate(p.grid_code, p.name, p.score, p.mention) for p in u.places if p.grid_code not in known)
        changes["candidates"] = draft.candidates + extra
    if u.phones and draft.phone is None:
        changes["phone"] = u.phones[0]
    return replace(draft, **changes)


def add_words(draft: Draft, text: str, u: Understanding) -> Draft:
    """More words of the same matter, said in passing (a correction, an addition, a place told early):
    kept with what they say of the place, phone or side, but a fragment's reading does not move the
    category or topic read from the whole."""
    return absorb(draft, text, replace(u, category=None, topic=None))


def sure_enough(draft: Draft, ctx: Context) -> bool:
    """Both readings so confident that asking would only cost the resident a turn."""
    floor = ctx.config.confirm_class_below
    return bool(draft.category and draft.topic and not draft.classification_confirmed
                and (draft.category_confidence or 0.0) >= floor and (draft.topic_confidence or 0.0) >= floor)


def filed_as(draft: Draft) -> str:
    topic = f"{draft.topic}方面的" if draft.topic else ""
    return f"好的，我按{topic}{CATEGORY_NOUNS[draft.category or 'service']}为您登记（不对的话随时告诉我）。"


def ask_classification(state: ConversationState, ctx: Context, prefix: str = "") -> Outcome:
    """Restate in the resident's words; a confident reading is confirmed. An unsure one is not put
    as a choice of categories but as what the resident knows: who is on the other side (and, only
    when that does not decide, what they want done). What the message already shows is not asked."""
    draft = _draft(state)
    restated = f"{prefix}我理解一下：您反映的是“{gist(max(draft.parts, key=len, default=''))}”"
    confident = (draft.category_confidence or 0.0) >= ctx.config.classification_confidence
    if draft.category and (confident or draft.classification_confirmed):
        return _confirm(state, restated)
    implied, want_asked = from_cues(draft, ctx.config.guide)
    if want_asked:
        return ask_want(state, f"{restated}。{_saw(draft)}")
    if implied is not None:  # the message names the other side: say the category it implies
        kept = draft.category_confidence if implied == draft.category else None
        draft = replace(draft, category=implied, category_confidence=kept)
        return _confirm(replace(state, draft=draft), restated)
    return ask_party(state, f"{restated}。")


def _confirm(state: ConversationState, restated: str) -> Outcome:
    """The category in plain words (「属于和楼上邻居之间的矛盾纠纷（环境保护方面）」), to confirm or correct."""
    draft = _draft(state)
    assert draft.category is not None
    topic = f"（{draft.topic}方面）" if draft.topic else ""
    what = f"{category_plain(draft.category, draft.party, draft.party_words)}{topic}"
    offered = (("对，没错", "yes"), ("类别不对", "fix_category"), ("主管部门不对", "fix_topic"))
    return ask(state, CONFIRM_CLASS, f"{restated}，属于{what}，对吗？", offered)


def ask_party(state: ConversationState, prefix: str = "") -> Outcome:
    """「这件事主要是和谁之间的问题？」: the question the guide decides by, in a resident's words."""
    offered = (*PARTY_OPTIONS, ("说不清", UNKNOWN))
    return ask(state, PICK_PARTY, f"{prefix}{PARTY_QUESTION}", offered)


ask_category = ask_party  # the category is always asked the resident's way (summary edits, 「类别不对」)


def ask_want(state: ConversationState, prefix: str = "") -> Outcome:
    """Asked only when the other side is a company or a person and the resident may want a public
    body to act (a polluting factory, a neighbour's illegal building): that makes it a petition."""
    offered = (*ASK_OPTIONS, ("说不清", UNKNOWN))
    return ask(state, PICK_WANT, f"{prefix}{ASK_QUESTION}", offered)


def _saw(draft: Draft) -> str:
    return f"您提到了“{draft.party_words}”，" if draft.party_words else ""


def ask_topic(state: ConversationState, ctx: Context, prefix: str = "") -> Outcome:
    offered = (*((t, t) for t in ctx.district.topics), ("说不清", UNKNOWN))
    return ask(state, PICK_TOPIC, f"{prefix}这件事主要归哪方面的部门管？", offered)


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    if state.step != DESCRIBE and picked(inbound, state.offered) is None:
        ahead = _place_ahead(state, inbound, u, ctx)
        if ahead is not None:
            return ahead
    handler = {
        DESCRIBE: _on_describe,
        CONFIRM_CLASS: _on_confirm,
        PICK_CATEGORY: _on_party,  # a question stored before the category was asked by the other side
        PICK_PARTY: _on_party,
        PICK_WANT: _on_want,
        PICK_TOPIC: _on_topic,
    }[state.step]
    return handler(state, inbound, u, ctx)


def category_named(text: str, guide: GuideRules | None = None) -> str | None:
    """The category a correction names ("不对，是邻里纠纷"; in "不是纠纷，是信访" the last one), or the
    one the other side it names gives ("不是纠纷，是要政府管"), unless those words name a topic."""
    plain = normalise(text)
    before, _, after = plain.rpartition("是")
    parts = ([] if before.endswith("不") else [after]) + [_DENIED_CLAUSE.sub("|", plain)]
    for part in parts:
        named = {c for c, words in CATEGORY_WORDS.items() if any(w in part for w in words)}
        if len(named) == 1:
            return named.pop()
    said_is = "是" in plain and not before.endswith("不")  # 「是要政府管」, not 「管的部门不对」
    party = read_party(after) if said_is and not _names_topic(after) else None
    return (guide or GuideRules()).implied(party) if party else None


def _corrects_the_party(text: str, topic: str | None) -> bool:
    """「不是邻居 是个店」, 「是店 不是人」: the other side corrected, with no category or topic named (those
    are read as such: 「不对，这是信访」, 「不是环保吧，是邻居之间的事」, 「管的部门不对」). A word of both, as
    邻居 or 物业 are, names the side when the resident says the category is wrong (「类别不对 是楼上邻居干的」)
    or when it names the topic the matter already has (「不对 是物业的问题」 of a 城乡建设 matter)."""
    said = affirmed(text)  # 「不是邻居」 denies the side; its 邻居 names no topic here
    plain = normalise(text)
    if not _NEGATED.search(plain) or read_party(text) is None or _names_category(said):
        return False
    if _CATEGORY_WRONG.search(plain):
        return True
    return not _names_topic(said, besides=topic) and not _department_wrong(said)


def _department_wrong(said: str) -> bool:
    """「管的部门不对」, 「这不是环保局管的」; not 「门禁是物业管的」, which names whose duty it is: the side."""
    return any(not said[: m.start()].endswith(_SIDE_WORDS) for m in _TOPIC_WRONG.finditer(said))


def corrects_the_story(draft: Draft, text: str) -> bool:
    """「不是路灯 是小区监控坏了」: a thing the description named is denied, not a category, topic or
    side; the correction belongs in the description, and the category stands."""
    return any(denied in draft.text and not _names_category(denied) and not _names_topic(denied)
               and read_party(denied) is None for denied in _DENIED_THING.findall(normalise(text)))


def _names_category(text: str) -> bool:
    return any(w in text for words in CATEGORY_WORDS.values() for w in words)


def _names_topic(text: str, besides: str | None = None, only: str | None = None) -> bool:
    return any(w in text for topic, words in TOPIC_WORDS.items() if topic != besides and only in (None, topic)
               for w in words)


def corrected(state: ConversationState, text: str, ctx: Context) -> Outcome | None:
    """A category or topic corrected in the resident's words at any point of the intake:
    「类别不对」, 「不是环保的事，是交通」, 「不是环保吧，是邻居之间的事」 (no topic named: ask which)."""
    plain = normalise(text)
    place = ctx.district.match_address(text)
    if not _NEGATED.search(plain) or place.grids or place.community_code or place.street_code:
        return None  # 「不是在学校，是在幸福里小区」 corrects the place, not the topic
    if (moved := neighbour_moved(state, text, ctx)) is not None:
        return moved
    named = category_named(text, ctx.config.guide)
    if named is not None and _NEGATED.match(plain):
        return ask_classification(_set_category(state, named), ctx, "好的，类别已更正。")
    side = corrected_side(text)
    if side is not None:  # 「不是邻居是物业」: the other side, and the category it gives
        draft = replace(_draft(state), party=side, party_words="")
        return _chosen(replace(state, draft=draft), ctx.config.guide.implied(side, draft.want) or "service", ctx)
    mentioned = _topics_in(plain, ctx)
    if not mentioned and not _TOPIC_WRONG.search(plain):
        return ask_party(state, "好的，请帮我纠正一下。") if _CATEGORY_WRONG.search(plain) else None
    after = plain.rsplit("是", 1)[-1] if "是" in plain else ""
    chosen = [t for t in mentioned if any(w in after for w in TOPIC_WORDS.get(t, (t,)))]
    if len(chosen) == 1:
        kept = chosen[0] == _draft(state).topic
        draft = replace(_draft(state), topic=chosen[0], topic_confidence=None, classification_confirmed=True)
        note = f"好的，按{chosen[0]}方面登记。" if kept else f"好的，改为{chosen[0]}方面。"
        return _settled(replace(state, draft=draft), confirmed=True, note=note)
    return ask_topic(state, ctx, "好的，")


def neighbour_moved(state: ConversationState, text: str, ctx: Context) -> Outcome | None:
    """「不是楼上是楼下」: the same kind of other side, elsewhere in the building, said back as corrected."""
    moved = _POSITION_FIX.search(normalise(text))
    if moved is None:
        return None
    draft = replace(_draft(state), party=PERSON, party_words=f"{moved.group(1)}邻居")
    return _chosen(replace(state, draft=draft), _draft(state).category or "dispute", ctx)


def _place_ahead(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome | None:
    """A place told before it is asked (「阳光花园」, or 「对，在幸福里小区」 at 「…对吗？」) joins the
    description, where the location question will find it; the question on screen is still
    answered by the yes, or asked again."""
    answer = read_answer(inbound.text)
    more = _YES_AND_MORE.match(inbound.text.strip())  # the words as said, when a pause follows the yes
    lead = _YES_THEN.match(normalise(inbound.text))  # 「对在阳光花园3栋」: more after the yes than read_answer takes
    rest = answer.rest if answer.kind == "yes" else (more["rest"] if more else lead.group(1) if lead else "")
    said = replace(inbound, text=rest) if rest and state.step == CONFIRM_CLASS else inbound
    if not said.text or not location.only_a_place(said, u, ctx):
        return None
    state = replace(state, draft=add_words(_draft(state), said.text, u))
    if said is not inbound:
        return _settled(state, confirmed=True)
    return repeat(state, "好的，地点记下了。")


def _on_describe(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    if not _MEANINGFUL.search(inbound.text):
        return miss(state, "请用文字描述一下您遇到的问题。")
    draft = _draft(state)
    if _NOTHING_MORE.match(normalise(inbound.text)):  # 「不想说」: what was told is filed as it is
        return advance(state)
    if location.only_where(inbound, u, ctx):  # 「在春晖苑旁边的商场后面」: where; the 商场 is no other side
        return advance(replace(state, draft=add_words(draft, inbound.text, replace(u, party=None, ask=None))))
    if all(too_short(part) for part in draft.parts):  # 「有个事想说一下」 said too little to be read: the story is
        draft = replace(draft, category=None, category_confidence=None, topic=None, topic_confidence=None)
    return advance(replace(state, draft=absorb(draft, inbound.text, u)))


def _on_confirm(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered)
    if choice == "yes" or (choice is None and u.is_intent("affirm", ctx.config.intent_confidence)):
        return _settled(state, confirmed=True)
    if choice == "fix_category":
        return ask_party(state, "好的。")
    if choice == "fix_topic":
        return ask_topic(state, ctx)
    if corrects_the_story(_draft(state), inbound.text):  # 「对 哦不对，不是扔垃圾，是楼上晾衣服滴水」: the story itself
        state = replace(state, draft=add_words(_draft(state), inbound.text, u))
        return ask_classification(state, ctx, "好的，已把您的更正补充到问题描述里。")
    if _corrects_the_party(inbound.text, (draft := _draft(state)).topic):
        if draft.topic and _names_topic(affirmed(inbound.text), only=draft.topic):  # 「门禁是物业管的」: 城乡建设 it is
            state = replace(state, draft=replace(draft, topic_confidence=1.0))
        return _on_party(state, inbound, u, ctx)  # as if the party question had been asked
    named = category_named(inbound.text, ctx.config.guide)
    if named is not None:
        return ask_classification(_set_category(state, named), ctx, "好的。")
    fixed = corrected(state, inbound.text, ctx)
    if fixed is not None:
        return fixed
    if u.is_intent("deny", ctx.config.intent_confidence):
        return ask_party(state, "好的，请帮我纠正一下。")
    side = read_party(inbound.text) if len(normalise(inbound.text)) <= _SIDE_ANSWER else None
    if side is not None:  # 「跟我老板」, 「房东」, 「居委会」: who it is with, the question 「…之间的…对吗？」 put
        return _settled(state, confirmed=True) if side == draft.party else _on_party(state, inbound, u, ctx)
    more = _YES_AND_MORE.match(inbound.text.strip())
    if more and not _TAKES_IT_BACK.search(more["rest"]):  # the yes answers; the rest joins the story, where the
        state = replace(state, draft=add_words(_draft(state), more["rest"], u))  # place question finds a place
        return _settled(state, confirmed=True, note="好的，已补充。")
    if len(_MEANINGFUL.findall(inbound.text)) >= _MIN_DESCRIPTION:
        state = replace(state, draft=absorb(_draft(state), inbound.text, u))
        return ask_classification(state, ctx, "好的，已补充。")
    return miss(state, "请回复“对”或“不对”，也可以直接点选下面的选项。", lambda s: ask_classification(s, ctx))


def _on_party(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """A button, its number or the resident's words (「跟楼上邻居」, 「街道办不管」); a category named
    outright (「是信访」) is taken as said."""
    draft = _draft(state)
    button = picked(inbound, state.offered)
    choice = button or _dont_know(inbound.text) or read_party(inbound.text)
    choice = choice or category_named(inbound.text, ctx.config.guide) or _cue(u.party, ctx)
    if choice == UNKNOWN:  # left unset, the case waits for a dispatcher (分类信息不完整), as promised
        unsure = replace(state, draft=replace(draft, category=None, category_confidence=None))
        return _settled(unsure, confirmed=False, note="没关系，工作人员会帮您判断类别。")
    if choice in CATEGORY_NOUNS:
        return _chosen(state, choice, ctx)
    if choice in PARTIES:  # what the answer itself asks (「跟房东，押金一直不退」) outranks a cue of the message
        said_want = read_ask(inbound.text)
        typed = button is None
        if typed and len(_MEANINGFUL.findall(inbound.text)) >= _MIN_DESCRIPTION:  # more of the story: kept
            draft = add_words(draft, inbound.text, u)
        words = u.party_words if typed and u.party is not None and u.party.label == choice else ""
        draft = replace(draft, party=choice, party_words=words, want=said_want or draft.want)
        state = replace(state, draft=draft)
        guide = ctx.config.guide
        if said_want is None and (want_decides(draft, guide) or want_disagrees(draft, guide)):
            return ask_want(state, "好的。")
        return _chosen(state, guide.implied(choice, said_want) or "service", ctx)  # a cue's request was asked above
    if len(_MEANINGFUL.findall(inbound.text)) >= _MIN_DESCRIPTION:
        state = replace(state, draft=absorb(draft, inbound.text, u))
        return ask_classification(state, ctx, "好的，已补充。")
    return miss(state, "请说说对方是谁，比如“邻居”“物业”“街道办”，或者回复序号。", ask_party)


def _on_want(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    draft = _draft(state)
    choice = picked(inbound, state.offered) or _dont_know(inbound.text) or read_ask(inbound.text) or _cue(u.ask, ctx)
    if choice == UNKNOWN:  # the other side alone decides, as the guide does by default
        return _chosen(state, ctx.config.guide.implied(draft.party, None) or "dispute", ctx)
    if choice in ASKS:
        state = replace(state, draft=replace(draft, want=choice))
        return _chosen(state, ctx.config.guide.implied(draft.party, choice) or "dispute", ctx)
    if len(_MEANINGFUL.findall(inbound.text)) >= _MIN_DESCRIPTION:
        state = replace(state, draft=absorb(draft, inbound.text, u))
        return ask_classification(state, ctx, "好的，已补充。")
    return miss(state, "是想让对方赔偿、改正，还是请有关部门来查处？回复序号就可以。", ask_want)


def _chosen(state: ConversationState, category: str, ctx: Context) -> Outcome:
    """The category the resident's answer gives: said back in plain words, then the topic if unsure."""
    state = _set_category(state, category)
    draft = _draft(state)
    note = f"好的，这属于{category_plain(category, draft.party, draft.party_words)}。"
    if draft.topic and (draft.topic_confidence or 0.0) >= ctx.config.classification_confidence:
        return _settled(state, confirmed=True, note=note)
    return ask_topic(state, ctx, note)


def _dont_know(text: str) -> str | None:
    plain = normalise(text)
    return UNKNOWN if plain and len(plain) <= 8 and any(w in plain for w in DONT_KNOW) else None


def _cue(guess: Guess | None, ctx: Context) -> str | None:
    return guess.label if guess is not None and guess.confidence >= ctx.config.classification_confidence else None


def _on_topic(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered) or _dont_know(inbound.text) or _topic_named(inbound.text, ctx)
    if choice == UNKNOWN:  # as for the category: a topic the resident turned down is not filed or shown
        unsure = replace(state, draft=replace(_draft(state), topic=None, topic_confidence=None))
        return _settled(unsure, confirmed=False, note="没关系，工作人员会帮您确定。")
    if choice is None:
        return miss(state, "请从下面选一个方面，回复序号就可以。", lambda s: ask_topic(s, ctx))
    draft = replace(_draft(state), topic=choice, topic_confidence=None)
    return _settled(replace(state, draft=draft), confirmed=True, note=f"好的，按{choice}方面登记。")


def _topic_named(text: str, ctx: Context) -> str | None:
    """The one topic an answer names in the words residents use for its offices (「劳动局」, 「找城管」,
    「卫健委」); None when it names none or several, or says it is not the one (「应该不是交警的事」)."""
    plain = normalise(text)
    named = _topics_in(plain, ctx)
    return named[0] if len(named) == 1 and not _NOT_THEIRS.search(plain) else None


def _topics_in(plain: str, ctx: Context) -> list[str]:
    """The district's topics whose words (flows/texts.TOPIC_WORDS) a normalised text uses."""
    return [t for t in ctx.district.topics if any(w in plain for w in TOPIC_WORDS.get(t, (t,)))]


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
    """Too little to act on: fewer than a handful of characters that carry meaning, or nothing but
    words that point at a matter without saying it (「就是那个嘛，你懂的」)."""
    return (len(_MEANINGFUL.findall(text)) < _MIN_DESCRIPTION
            or len(_MEANINGFUL.findall(_SAYS_NOTHING.sub("", text))) < _MIN_CONTENT)


def _draft(state: ConversationState) -> Draft:
    assert state.draft is not None, "an intake step without a draft"
    return state.draft
