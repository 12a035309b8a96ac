"""一事一单: a message that says in so many words that it raises more than one matter may be filed as
one case per matter, so that each goes to the department responsible for it. The resident is asked.

「还有一件事，…」 and 「顺便反映一下…」 always ask; a numbered list (「一是…二是…」, 「1、…2、…」) asks
only when its items go to different queues (by topic or category), since the points of one grievance
are numbered too, and a list of four or more never does. 「另外」 or 「还有」 alone mostly adds to the same matter
(「路灯坏了，另外晚上特别黑」) and asks nothing, nor does a part too short to act on. Told more at the summary
or the place question with no such words (「我想反映楼上漏水的问题」 under a broken street light), the
resident is asked whether it is another matter when it reads as one for another queue.
"""

import re
from collections.abc import Sequence
from dataclasses import replace

from flows.choices import picked, shares_a_word
from flows.context import Context, Outcome, advance, ask, miss
from flows.messages import Inbound
from flows.state import ConversationState, Draft, with_contact_of
from flows.texts import ADDED_TO_STORY, gist
from flows.understanding import Understanding
from nlu.gazetteer import to_int
from nlu.guide import GuideRules

SPLIT = "split"  # 「要分开登记吗？」
OTHER = "other_matter"  # 「…听起来像是另一件事，要单独登记吗？」, asked at the summary or the place question
STEPS = (SPLIT, OTHER)
# Words that open a later matter or point: 「还有一件事」, 「另外还有个问题」, 「顺便问一下」, 「对了」.
_ANOTHER = re.compile(
    r"(?:对了[，,\s]*)?(?:(?:还有|另外(?:还有)?|另|再)(?:一)?(?:个|件)(?:事情?|问题)"
    r"|(?:另外再|另外还|顺便|顺带|另外|再|还)(?:想)?(?:反映|投诉|举报|说|提|问)(?:一下)?(?:一?[个件](?:事情?|问题))?)"
    r"|对了"
)
# Of those, the ones that say another matter follows (「再反映一个问题」), not another point of this one
# (「还有个问题是…」).
_MATTER_WORDS = re.compile(r"[件个]事|事情|另一件|(?:反映|投诉|举报)(?:一下)?一?[个件]问题")
# A later part that opens by pointing back at the first is more of the same matter.
_POINTS_BACK = re.compile(r"(?:他们|她们|它们|他家|她家|这个|那个|这些|那些|这件|那件|这里|那里|这|那|它|此|该|上述|上面|"
                          r"刚才|而且|并且|也|已经|还)")
# Enumerations: the later matters' numbers, counted only after the first one (「一是」 before 「二是」).
_NUMBERED = (
    (re.compile(r"一是"), re.compile(r"(?:[二三四五])是")),
    (re.compile(r"第一(?:件|个|点)?[，,：:、是]"), re.compile(r"第[二三四五](?:件事?|个问题|点)?[，,：:、是]")),
    (re.compile(r"(?:^|[\s，,。；;：:！!])1[、.．)）]"), re.compile(r"(?:^|[\s，,。；;！!])[2-5][、.．)）](?!\d)")),
    (re.compile(r"(?:^|[\s，,。；;：:！!])一[、.．]"), re.compile(r"(?:^|[\s，,。；;！!])[二三四五][、.．]")),
    (re.compile(r"[（(]1[)）]"), re.compile(r"[（(][2-5][)）]")),
    (re.compile(r"①"), re.compile(r"[②③④⑤]")),
)
# 「我反映两个问题：」 said before the first: true of the message, not of the first matter.
_COUNTED = re.compile(r"(?:我)?(?:想|要)?(?:反映|说|投诉|举报|咨询|问)?(?:一下)?[两三四五几2-5](?:个|件|点)(?:事情?|问题)[：:，,]?")
_NOT_APART = re.compile(r"(?:不用|不要|别|不必|无需|没必要|不)(?:分开|分别)")
_APART = re.compile(r"分开|分别|各自|一件一?件|一个一?个|逐[件个]|挨个|都登|都要登|单独|拆开|分两|各登|^要(?:的|啊|吧|呀)?$")
_ONE = re.compile(r"一件|一起|合并|同一")
_Answers = tuple[tuple[re.Pattern[str], str], ...]
_SPLIT_ANSWERS: _Answers = ((_NOT_APART, "one"), (_APART, "split"), (_ONE, "one"))
# A statement that opens as a complaint of its own: 「我想反映…」, 「我还要投诉…」, 「想咨询一下…」, 「我想说一下」
# (反应 and 投述 as typed for 反映 and 投诉); not 「我想反映的是小区门口」 or 「我想说一下，就在楼下」, which answer.
_OPENS_COMPLAINT = re.compile(r"(?:我们?)?(?:还|再)?(?:想|要)?(?:反映|反应|投诉|投述|举报|咨询|求助|问一?下|说一?下)"
                              r"(?![一个下]*[，,\s]*(?:的|就在|在|是))")
_UNANNOUNCED = 0.9  # the confidence from which a reading counts when nothing said a new matter begins
# At OTHER: 「算了」 drops the matter just told; 「不是一件事」, then 「不要单独登记」, 「不是另一件，是补充」 and
# 「补充到这件」, then 「单独登记」 or 「要」; then a plain yes or no.
_DROPS = re.compile(r"^(?:那就)?(?:算了|取消|不登了|不登记了|不要了|不用登记|别登记|先不登|不报了)")
_NOT_ONE = re.compile(r"不是(?:一件|一回事|同一件|同一个|补充)")
_NOT_OTHER = re.compile(r"(?:不要|不用|别|不必|无需|没必要|不)(?:单独|分开|另外|另登)")
_ADDS = re.compile(r"补充|加到|加进|放一起|一起|合并|是这件|这一件|同一件|同一个|算一件|(?<![另两])一件事|(?<!两)一回事|"
                   r"不是另|不是新|^(?:不用了?|没必要|不需要)")
_OTHER_MATTER = re.compile(r"另一件|另外一件|另外登|重新登|单独|分开|新的|两件|两回事|稍后|接着登|^(?:要|要的|需要|要啊|要吧)$")
_OTHER_ANSWERS: _Answers = ((_DROPS, "drop"), (_NOT_ONE, "later"), (_NOT_OTHER, "add"), (_ADDS, "add"),
                            (_OTHER_MATTER, "later"))
# 「第二件不用登记了」, 「红绿灯那件算了」, 「后面那件先不报了」: a waiting matter dropped, in a short message.
_DROP = re.compile(r"不用(?:再)?(?:登记|提交|反映|报|管|记|弄)?了|不要了|不登(?:记)?了|别(?:登记|登|报|提交)了?|算了|取消|删掉|去掉|"
                   r"撤掉|先不(?:登记|登|报|提交)")
_WHICH = re.compile(r"第([一二三四五2-5])[件个]|(下一件|后一件|后面[那的]?一?件|另一件|另外[那一]?件|剩下的?[那一]?件)|"
                    r"([\u4e00-\u9fa5A-Za-z0-9]{2,12}?)(?:那|这)一?件")
_DROP_AT_MOST = 24
_MEANINGFUL = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]")
_EDGES = "，,。.；;：:、！!？?\u3000 \n"
_MIN_MATTER = 5  # characters that say something: 「井盖丢了」 alone leaves what and where to ask
_MOST = 5
_MOST_LISTED = 3  # a longer list is the points of one letter (evidence, demands), not separate matters


def split(text: str) -> tuple[str, ...]:
    """The matters a message raises, in its order; the message alone when it raises one, or when a
    part would be too short to be a matter of its own."""
    announced = {m.start() for m in _ANOTHER.finditer(text)}
    listed = _enumerated(text)
    if len(listed) >= _MOST_LISTED:
        listed = set()
    cuts = sorted(c for c in announced | listed if c > 0)
    if not cuts or len(cuts) >= _MOST:
        return (text,)
    bounds = [0, *cuts, len(text)]
    parts = tuple(_trimmed(text[start:end]) for start, end in zip(bounds, bounds[1:], strict=False))
    parts = (_opening(parts[0]), *parts[1:])
    if any(len(_MEANINGFUL.findall(part)) < _MIN_MATTER for part in parts):
        return (text,)
    return parts


Reading = tuple[str | None, float | None]  # a label each part was read as, and the confidence of it


def worth_asking(text: str, parts: tuple[str, ...], topics: Sequence[Reading], categories: Sequence[Reading] = (),
                 floor: float = 0.0) -> bool:
    """Whether to ask at all: when the parts go to different queues by what each says (`topics` and
    `categories`, counted from `floor`: a fragment read on its own is often a guess; a dispute with the
    物业 and a broken street light of one topic still go apart), or when the resident said another
    matter follows (「还有一件事」) and no later part points back at the first (「还有一件事就是那个井盖
    旁边也没有警示牌」). Numbered points and 「还有个问题是…」 of one grievance, which go to one queue,
    are not asked about. Asking about one matter costs a tap; two filed as one sends one of them to the
    wrong queue."""
    if len(_sure(topics, floor)) > 1 or len(_sure(categories, floor)) > 1:
        return True
    said_another = any(_MATTER_WORDS.search(m.group()) for m in _ANOTHER.finditer(text))
    return said_another and not any(_POINTS_BACK.match(part) for part in parts[1:])


def _sure(read: Sequence[Reading], floor: float) -> set[str]:
    """The labels the parts were read as from `floor` on."""
    return {label for label, sure in read if label and (sure or 0.0) >= floor}


def announced(text: str) -> str | None:
    """The matter a message says is another one (「还有一件事，书香门第楼下垃圾三天没人收了」), said at
    the summary of the first: it waits its turn instead of joining the first's description."""
    opened = _ANOTHER.match(text.strip(_EDGES))
    if opened is None or not _MATTER_WORDS.search(opened.group()):
        return None
    rest = _trimmed(text)
    return rest if len(_MEANINGFUL.findall(rest)) >= _MIN_MATTER else None


def ask_split(state: ConversationState, matters: tuple[Draft, ...]) -> Outcome:
    """Asked, not done: 「还有个问题是晚上太黑」 may be more of the same matter. The drafts of the
    matters wait in `queued` for the answer; the whole message stays the draft if it is one matter."""
    listed = "\n".join(f"{n}. {gist(m.text)}" for n, m in enumerate(matters, 1))
    text = (f"您说的像是 {len(matters)} 件事：\n{listed}\n按“一事一单”，分开登记能让每件事交给负责的部门办理，"
            "提交一件后接着登记下一件。要分开登记吗？")
    return ask(replace(state, queued=matters), SPLIT, text, (("分开登记", "split"), ("算一件事", "one")))


def another(draft: Draft, said: Draft, floor: float, guide: GuideRules) -> bool:
    """Whether `said`, told at the summary of `draft`, reads as a matter for another queue by topic or
    category without pointing back at it (「那个路灯…」). Opened as a complaint of its own (「我想反映…」)
    each reading counts from `floor`, and a side it names that the draft has not (「…楼上漏水的问题」: a
    neighbour) gives its category as the guide does; otherwise only a near-certain reading counts: more
    of the same problem read on its own is often a guess (「晚上特别黑，有个老人在这里摔倒了」 as 民政 at
    0.55, 「物业也不管」 as a dispute at 0.75). A confirmed reading of the draft is certain."""
    opened = said.text.strip(_EDGES)
    if _POINTS_BACK.match(opened):
        return False
    announced = opens_complaint(opened)
    side = guide.implied(said.party, said.want) if announced and said.party not in (None, draft.party) else None
    confirmed = 1.0 if draft.classification_confirmed else None
    topics = (draft.topic, confirmed or draft.topic_confidence), (said.topic, said.topic_confidence)
    categories = ((draft.category, confirmed or draft.category_confidence),
                  (side, 1.0) if side else (said.category, said.category_confidence))
    return worth_asking("", (draft.text, said.text), topics, categories, floor if announced else _UNANNOUNCED)


def opens_complaint(text: str) -> bool:
    return bool(_OPENS_COMPLAINT.match(text.strip(_EDGES)))


def ask_other(state: ConversationState, said: Draft) -> Outcome:
    """Asked, not done: more of the same problem in other words joins its description. The matter
    waits last in `queued` for the answer."""
    text = (f"“{gist(said.text)}”听起来像是另一件事。按“一事一单”，可以在这件提交后单独登记，交给负责的部门办理。"
            "要单独登记吗？")
    return ask(replace(state, queued=(*state.queued, said)), OTHER, text,
               (("单独登记", "later"), ("补充到这一件", "add")))


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    if state.step == OTHER:
        return _on_other(state, inbound, u, ctx)
    answer = picked(inbound, state.offered) or _answer(inbound.text, u, ctx.config.intent_confidence, _SPLIT_ANSWERS,
                                                       "split", "one")
    if answer == "one":
        return advance(replace(state, queued=()), "好的，按一件事登记。")
    if answer == "split":  # a phone or anonymity said at this question is the first matter's too
        first, *rest = state.queued
        return advance(replace(state, draft=with_contact_of(first, state.draft), queued=tuple(rest)),
                       "好的，先登记第 1 件。")
    return miss(state, "分开登记请回复“分开”，按一件事登记请回复“一件”。")


def answers_other(inbound: Inbound, u: Understanding, threshold: float) -> bool:
    """Whether a turn at OTHER answers it, so that 「算了」 or 「补充进去」 are not read as calling off the
    intake or adding to a filed case first."""
    return bool(inbound.choice) or _answer(inbound.text, u, threshold, _OTHER_ANSWERS, "later", "add") is not None


def _on_other(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    *kept, said = state.queued
    answer = picked(inbound, state.offered) or _answer(inbound.text, u, ctx.config.intent_confidence, _OTHER_ANSWERS,
                                                       "later", "add")
    if answer == "drop":
        return advance(replace(state, queued=tuple(kept)), f"好的，“{gist(said.text)}”这件不登记了。")
    if answer == "later":
        return advance(state, f"好的，这件提交后接着登记：“{gist(said.text)}”。")
    if answer == "add":
        assert state.draft is not None, "asked in the middle of an intake"
        draft = replace(state.draft, parts=(*state.draft.parts, said.text))
        return advance(replace(state, draft=draft, queued=tuple(kept)), ADDED_TO_STORY)
    return miss(state, "单独登记请回复“单独”，补充到这件事里请回复“补充”。")


def _answer(text: str, u: Understanding, threshold: float, words: _Answers, yes: str, no: str) -> str | None:
    """The first answer whose words the text says, in the order given (「不用分开」 before 「分开」,
    「一件一件登记吧」 before 「一件」), then a plain yes or no."""
    for said, answer in words:
        if said.search(text):
            return answer
    if u.is_intent("affirm", threshold):
        return yes
    return no if u.is_intent("deny", threshold) else None


def drop(state: ConversationState, text: str) -> tuple[ConversationState, Draft] | None:
    """A matter still waiting its turn, dropped in words (by its number, as the next one, or by what it
    is about): the state without it and the dropped draft; None when the words drop none of them."""
    said = text.strip()
    if not state.queued or len(said) > _DROP_AT_MOST or not _DROP.search(said):
        return None
    which = _WHICH.search(said)
    if which is None:
        return None
    number, following, about = which.groups()
    if number:
        chosen = [d for d in state.queued if _number(d) == to_int(number)]
    elif following:
        chosen = list(state.queued[:1])
    else:
        chosen = [d for d in state.queued if shares_a_word(about, d.text)]
    if len(chosen) != 1:
        return None
    return replace(state, queued=tuple(d for d in state.queued if d is not chosen[0])), chosen[0]


def _number(draft: Draft) -> int:
    """A matter's place in its message, from its filing key (`origin#2` for the second)."""
    _, mark, number = draft.origin.rpartition("#")
    return int(number) if mark and number.isdigit() else 1


def waiting(state: ConversationState) -> str:
    """What the summary says of the matters still to come: 「提交后接着登记下一件：“…”（之后还有 1 件）」."""
    if not state.queued:
        return ""
    more = f"（之后还有 {len(state.queued) - 1} 件）" if len(state.queued) > 1 else ""
    return f"提交后接着登记下一件：“{gist(state.queued[0].text)}”{more}。"


def _enumerated(text: str) -> set[int]:
    """Where the second and later items of an enumeration begin, if its first item comes before them."""
    cuts: set[int] = set()
    for first, later in _NUMBERED:
        opened = first.search(text)
        if opened is not None:
            cuts |= {m.start() for m in later.finditer(text, opened.end())}
    return cuts


def _opening(first: str) -> str:
    """The first matter without the count of matters or its own number (「一是」, 「1、」)."""
    first = _COUNTED.sub("", first, count=1)
    for opening, _ in _NUMBERED:
        # 「，1、」: the mark before the number stays, the number goes
        first = opening.sub(lambda m: m.group(0)[0] if m.group(0)[0] in _EDGES else "", first, count=1)
    return first.strip(_EDGES)


def _trimmed(part: str) -> str:
    """A matter without the words that announced it (「还有一件事，」, 「二是」) or its edge punctuation."""
    part = part.strip(_EDGES)
    for pattern in (_ANOTHER, *(later for _, later in _NUMBERED)):
        announced = pattern.match(part)
        if announced is not None:
            part = part[announced.end():]
    return part.lstrip(_EDGES).removeprefix("就是").removeprefix("是").strip(_EDGES)
