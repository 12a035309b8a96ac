"""一事一单: a message that says in so many words that it raises more than one matter may be filed as
one case per matter, so that each goes to the department responsible for it. The resident is asked.

「还有一件事，…」 and 「顺便反映一下…」 always ask; a numbered list (「一是…二是…」, 「1、…2、…」) asks
only when its items go to different departments, since the points of one grievance are numbered too,
and a list of four or more never does. 「另外」 or 「还有」 alone mostly adds to the same matter
(「路灯坏了，另外晚上特别黑」) and asks nothing, nor does a part too short to act on.
"""

import re
from dataclasses import replace

from flows.choices import picked
from flows.context import Context, Outcome, advance, ask, miss
from flows.messages import Inbound
from flows.state import ConversationState, Draft
from flows.texts import gist
from flows.understanding import Understanding

SPLIT = "split"  # 「要分开登记吗？」
STEPS = (SPLIT,)
# Words that open a later matter, said in so many words.
_ANOTHER = re.compile(
    r"(?:还有|另外(?:还有)?|另|再)(?:一)?(?:个|件)(?:事情?|问题)"  # 还有一件事, 另外还有个问题, 另一件事
    r"|(?:顺便|顺带|再|另外)(?:反映|投诉|举报|说|提)(?:一下|一个|一件)?"  # 顺便反映一下, 再反映一个
)
# Enumerations: the later matters' numbers, counted only after the first one (「一是」 before 「二是」).
_NUMBERED = (
    (re.compile(r"一是"), re.compile(r"(?:[二三四五])是")),
    (re.compile(r"第一(?:件|个|点)?[，,：:、是]"), re.compile(r"第[二三四五](?:件事?|个问题|点)?[，,：:、是]")),
    (re.compile(r"(?:^|[\s，,。；;：:！!])1[、.．)）]"), re.compile(r"(?:^|[\s，,。；;！!])[2-5][、.．)）](?!\d)")),
    (re.compile(r"[（(]1[)）]"), re.compile(r"[（(][2-5][)）]")),
    (re.compile(r"①"), re.compile(r"[②③④⑤]")),
)
# 「我反映两个问题：」 said before the first: true of the message, not of the first matter.
_COUNTED = re.compile(r"(?:我)?(?:想|要)?(?:反映|说|投诉|举报|咨询|问)?(?:一下)?[两三四五几2-5](?:个|件|点)(?:事情?|问题)[：:，,]?")
_SPLIT_WORDS = re.compile(r"分开|分别|各自")
_ONE_WORDS = re.compile(r"(?:不用|不要|别|不必|无需|没必要|不)(?:分开|分别)|一件|一起|合并|同一")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9]")
_EDGES = "，,。.；;：:、！!？?\u3000 \n"
_MIN_MATTER = 6  # characters that say something: 「井盖丢了」 alone leaves what and where to ask
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


def worth_asking(text: str, topics: list[str | None]) -> bool:
    """Whether to ask at all: always when the resident said another matter follows (「还有一件事」);
    for a numbered list, only when its items go to different departments by what each says: the
    items of one grievance are numbered too (「一是噪音大，二是影响休息」)."""
    return _ANOTHER.search(text) is not None or len(set(topics)) > 1


def ask_split(state: ConversationState, matters: tuple[Draft, ...]) -> Outcome:
    """Asked, not done: 「还有个问题是晚上太黑」 may be more of the same matter. The drafts of the
    matters wait in `queued` for the answer; the whole message stays the draft if it is one matter."""
    listed = "\n".join(f"{n}. {gist(m.text)}" for n, m in enumerate(matters, 1))
    text = (f"您说的像是 {len(matters)} 件事：\n{listed}\n按“一事一单”，分开登记能让每件事交给负责的部门办理，"
            "提交一件后接着登记下一件。要分开登记吗？")
    return ask(replace(state, queued=matters), SPLIT, text, (("分开登记", "split"), ("算一件事", "one")))


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered)
    threshold = ctx.config.intent_confidence
    one = choice == "one" or (choice is None and (_ONE_WORDS.search(inbound.text) is not None
                                                   or u.is_intent("deny", threshold)))
    if one:
        return advance(replace(state, queued=()), "好的，按一件事登记。")
    said_split = _SPLIT_WORDS.search(inbound.text) is not None or u.is_intent("affirm", threshold)
    if choice == "split" or (choice is None and said_split):
        first, *rest = state.queued
        return advance(replace(state, draft=first, queued=tuple(rest)), "好的，先登记第 1 件。")
    return miss(state, "分开登记请回复“分开”，按一件事登记请回复“一件”。")


def next_matter(state: ConversationState) -> ConversationState | None:
    """After a filing, the next matter waiting, with what the resident said of themself (a phone,
    anonymity) carried over: None when none waits."""
    if not state.queued or state.draft is None:
        return None
    filed, (following, *rest) = state.draft, state.queued
    following = replace(following, phone=following.phone or filed.phone, anonymous=filed.anonymous,
                        contact_done=filed.contact_done or following.contact_done)
    return ConversationState(draft=following, queued=tuple(rest))


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
