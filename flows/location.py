"""Intake, the grid location (三级网格): confirm the place the complaint named, choose among
several, or narrow down street → community → grid, take a typed address or a map point.

It never loops: after `max_location_tries` failed answers the case is filed with the address
as typed, and the dispatcher assigns the grid by hand.
"""

import re
from dataclasses import dataclass, replace

from flows.choices import han_count, normalise, picked, shares_a_word
from flows.context import Context, Outcome, advance, ask, miss
from flows.district import AddressMatch, misspelt_around
from flows.messages import Inbound, Reply
from flows.state import Candidate, ConversationState, Draft
from flows.texts import DONT_KNOW
from flows.understanding import PlaceGuess, Understanding
from nlu.answers import describes_place, read_answer, says_nothing

CONFIRM, PICK, ASK, COMMUNITY, GRID = (
    "location_confirm",
    "location_pick",
    "location_ask",
    "location_community",
    "location_grid",
)
STEPS = (CONFIRM, PICK, ASK, COMMUNITY, GRID)
UNKNOWN = "unknown"
SAME = "same"  # the place of the matter filed just before, from the same message
_TELLS_APART = 10  # characters, at most, of an answer that picks among places of one name by their area
_AREA_WORDS = re.compile(r"街道|社区|网格|第\d+|那边|这边|那里|附近")
_SAID_NO = re.compile(r"^(?:不对|不是|错了|都不是)[，,。.\s]*(?:是|在)?")
# 「地址是…」, 「地点改为…」, 「地点不对，是在…」, 「地址写错了 …」 at any step; nothing after: only said to be wrong
ADDRESS_FIX = re.compile(
    r"(?:地址|地点|位置|地方)(?:(?:应该|其实)?(?:是|在|改为|改成|为)"
    r"|(?:写|记|填|登记|说)?[得的]?(?:不对|错了|有误|搞错了|弄错了|不准确?)[，,。.！!\s]*(?:应该|其实)?(?:是|在|改为|改成|为)?)"
    r"[:：]?\s*(.*)"
)
_SAID_LAST = re.compile(r".*[是在]")  # 「幸福里是阳光花园」 (from 「不是幸福里，是阳光花园」): the place said last
_HOME = re.compile(r"我住|我家|住在|家住|我们住|我们家")
_AROUND_PLACE = 2  # characters beside a place name that still leave "only a place" (门口, 附近)
_UNIT = re.compile(r"[\d一二三四五六七八九十两]+(?:号楼|栋|幢|单元|楼|层|室|号|弄)")  # 「3栋2单元」 after the place
# Where in a place, said right after its name (「南门」, 「3-2-501」, 「8栋2单元」, 「地下停车场」, 「对面」): kept
# with the name for whoever goes there; 「阳光花园那边」 or 「阳光花园2个月了」 add nothing.
_DETAIL = re.compile(r"^(?:\d+(?:[-－—]\d+)+|[\d一二三四五六七八九十两]+(?:号楼|栋|幢|单元|楼|层|室|号|弄)|\d{3,4}(?!\w)|"
                     r"[东南西北]?(?:门口|大门|侧门|后门|正门)|[东南西北]门|地下(?:停车场|车库)|停车场|车库|地库|"
                     r"对面|旁边|附近|门前|后面|边上|[东南西北](?:侧|边|面))+")
# Words that place something by a place named (「…旁边那条路」, 「…门口」), saying nothing of what happens there.
_BY_A_PLACE = re.compile(r"旁边|附近|对面|后面|前面|里面|外面|那边|这边|边上|门口|路口|拐角|一带|周边|那儿|那里|这里|"
                         r"(?:那|这)(?:条|个|栋|片)(?:路|街|巷|楼|小区|地方)?|在|就|的|是|呢|啊|"
                         r"商场|超市|菜市场|市场|学校|医院|公园|广场|银行|车站|公交站|地铁站|桥|停车场")  # landmarks by it
# The way to it (「就是进大门往左走到底的那一栋」): more of where, not of what happens.
_DIRECTIONS = re.compile(r"往(?:左|右|前|里|东|西|南|北)|左转|右转|左拐|右拐|走到|进(?:大)?门|拐弯|尽头|最里面|"
                         r"第[一二三四五六七八九十\d]+(?:栋|个|家|排|幢)|那一?(?:栋|幢)")
TOO_BROAD = "范围比较大，请补充门牌号，或者附近的小区、学校名称。"
_SENTENCE = 8  # Chinese characters from which words that name no place are a sentence about the problem
_WEAKEST = 0.3  # below this a candidate is only "somewhere in that area"
# No place given: not known, or not to be said (「不想说」 was taken for a place name and not found).
_NO_PLACE = (*DONT_KNOW, "忘了", "不记得", "不想说", "不方便说", "不愿意说", "不愿说", "不留", "保密", "不告诉")
_PLAIN = 0.9  # a pure yes or no (nlu.answers) is no place name
# 「同上」, 「还是刚才那个小区」, 「跟上一件一样」: the earlier matter's place, in a short answer naming none
_SAME_PLACE = re.compile(r"同上|一样|同一[个处]?(?:地方|地点|位置|地址|小区|片)|刚才那|上一件|上面那|也是那|还是那|也在那|就在那")
_SAME_AT_MOST = 14
# 「地址要写到门牌号吗？」, 「位置怎么写」: a question about the answer, not a place that was not found.
_HOW_TO_ANSWER = re.compile(r"(?:地址|门牌|位置|地点|定位).*(?:[?？]|吗|怎么写|怎么填|怎么说|怎么发)")
HOW_TO_ANSWER = "写小区名称，或者路名加门牌号就可以；不清楚门牌的话，说附近的小区、学校或路口也行，也可以直接发送定位。"
_CHATTER = re.compile(r"^(?:就是|就在|是在|在|是)|(?:啊|呀|吧|呢|嘛|哦)?[，,。.！!\s]*(?:我刚才|我已经|我之前|刚才|我刚|已经|之前)(?:都)?(?:说|讲)(?:过)?了.*$")


def ask_location(state: ConversationState, ctx: Context) -> Outcome:
    """Start from what the description said about the place: a certain place is taken and said
    (the resident may still correct it), an uncertain one confirmed, a few offered, a street or
    community alone narrows the question, nothing asks where."""
    draft = _draft(state)
    places = tuple(PlaceGuess(c.grid_code, c.name, c.score, c.mention) for c in draft.candidates)
    found = _decide(places, ctx.district.match_address(draft.text), ctx)
    strong = found.strong
    if strong is not None and not misspelt_around(strong.name, strong.mention, draft.text):
        named = _named(draft.text, strong.mention or strong.name)
        outcome = _resolved(state, ctx, strong.grid_code, "text", address=named)
        return replace(outcome, replies=(Reply(f"{outcome.replies[0].text.rstrip('。')}（不对的话随时告诉我）。"),))
    if strong is not None:
        return _ask_confirm(state, ctx, strong, "问题发生在")
    broad = f"“{found.too_many}”{TOO_BROAD}" if found.too_many else ""  # 「青禾大道」 alone: which part of it
    return _narrow(state, ctx, found) or ask_where(state, ctx, broad)


def where_label(draft: Draft, ctx: Context) -> str:
    """The location as the summary states it."""
    if draft.grid_code:
        place = f"（{draft.address}）" if draft.address else ""
        return f"{ctx.district.label(draft.grid_code)}{place}"
    known = manual_address(draft, ctx)
    return f"{known or '未提供'}（具体网格由工作人员确定）"


def manual_address(draft: Draft, ctx: Context) -> str:
    """Everything the resident told us about the place, for a person to assign the grid."""
    area = ctx.district.streets.get(draft.street_code or "", "")
    area += ctx.district.communities.get(draft.community_code or "", ("", ""))[0]
    typed = draft.address or ""
    return " ".join(part for part in (area, "" if typed in area else typed) if part)


def moved_to(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Inbound | None:
    """The turn cut to the place it moves the draft to, when it corrects the place after the location
    questions: 「地址是…」, 「地点不对，是在阳光花园」, 「不是幸福里，是阳光花园」, 「是阳光花园」, or a place
    name alone. The text is empty when the place is only said to be wrong. Naming the place already
    taken moves nothing: 「对，就是幸福里小区」 confirms it; with a building's number (「和平新村2栋」) it
    says where in it."""
    fixed = ADDRESS_FIX.search(inbound.text)
    if fixed:
        return replace(inbound, text=fixed.group(1).strip(" ，,。.！!"))
    answer = read_answer(inbound.text)
    said = answer.rest if answer.kind else inbound.text
    if _HOME.search(said):
        return None  # 「没问题，我住阳光花园」: where the resident lives, not where the problem is
    last = _SAID_LAST.sub("", said)
    for text in dict.fromkeys(map(_bare, (last, said))):  # the place said last, else the whole of what was said
        match = ctx.district.match_address(text)
        named = _mentioned(text, u, match)
        area = bool(named or match.community_code or match.street_code)
        moves = area if answer.kind == "no" else _little_else(text, named)
        if text and moves:
            taken = any(g.grid_code == _draft(state).grid_code for g in named)
            return None if taken and not _UNIT.search(text) else replace(inbound, text=text)
    return None


def only_a_place(inbound: Inbound, u: Understanding, ctx: Context) -> bool:
    """Whether the text is a place name and little else (「阳光花园」, 「在幸福路120号」, 「幸福里小区门口」):
    a statement that merely mentions one (「幸福里小区门口也堆满了」) tells more of the problem instead."""
    text = _bare(inbound.text)
    return _little_else(text, _mentioned(text, u, ctx.district.match_address(text)))


def relocate(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """A correction such as "不对，地址是…": forget the old place and read the new one, with only the
    places the new words name (not the one 「不是幸福里，是阳光花园」 denies)."""
    if not inbound.text:
        return ask_where(cleared(state), ctx, "好的。")
    named = replace(u, places=tuple(g for g in u.places if (g.mention or g.name) in inbound.text))
    return _typed(replace(cleared(state), step=ASK, offered=()), inbound, named, ctx)


def cleared(state: ConversationState) -> ConversationState:
    """The draft with no location at all, as if the question had not been asked yet."""
    draft = replace(
        _draft(state),
        grid_code=None,
        street_code=None,
        community_code=None,
        address=None,
        latitude=None,
        longitude=None,
        location_tries=0,
        location_by=None,
        location_done=False,
        candidates=(),
    )
    return replace(state, draft=draft)


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    if inbound.location is not None:
        return _map_point(state, inbound, ctx)
    choice = picked(inbound, state.offered) or (_told_apart(inbound.text, state.offered) if state.step == PICK else None)
    if choice is None and _same_place(state, inbound, u, ctx):
        choice = SAME
    earlier = _draft(state)
    if choice == SAME and earlier.earlier_grid_code:
        return _resolved(state, ctx, earlier.earlier_grid_code, "choice", address=earlier.earlier_address)
    if choice is None and says_nothing(inbound.text):
        return miss(state, "请告诉我具体的地点，比如小区名称、路名加门牌号；不清楚的话可以回复“不清楚”。")
    if choice is None and any(w in normalise(inbound.text) for w in _NO_PLACE) and not names_place(inbound, u, ctx):
        choice = UNKNOWN  # 「具体门牌不清楚」 after 「在白溪那边」 still names a street
    if choice is None and state.step == CONFIRM and u.is_intent("affirm", ctx.config.intent_confidence):
        choice = "yes"
    if choice is None and state.step == CONFIRM and u.is_intent("deny", ctx.config.intent_confidence):
        choice = "no"
    if choice is None and u.is_intent("affirm", _PLAIN) and not u.places:
        return miss(state, "请告诉我具体的地点，比如小区名称、路名加门牌号；不清楚的话可以回复“不清楚”。")
    if choice is None and u.is_intent("deny", _PLAIN) and not u.places:
        choice = UNKNOWN
    if choice is None and _HOW_TO_ANSWER.search(inbound.text) and not names_place(inbound, u, ctx):
        return miss(state, HOW_TO_ANSWER)  # asked, not answered: no try is used up
    if choice is None:
        return _typed(state, inbound, u, ctx)
    if choice == "yes":
        best = max(_draft(state).candidates, key=lambda c: c.score)
        return _resolved(state, ctx, best.grid_code, "text", address=_draft(state).address or best.name)
    if choice in ("no", "none"):
        rest = _SAID_NO.sub("", inbound.text).strip()
        if len(rest) >= 2:
            return _typed(state, replace(inbound, text=rest), u, ctx)
        return ask_where(state, ctx, "好的。")
    kind, _, code = choice.partition(":")
    if kind == "grid":
        named = next((_with_unit(c) for c in _draft(state).candidates if c.grid_code == code), None)
        return _resolved(state, ctx, code, "choice", address=named)
    if kind == "street":
        return _ask_community(replace(state, draft=replace(_draft(state), street_code=code)), ctx)
    if kind == "community":
        street = ctx.district.communities[code][1]
        return _ask_grid(replace(state, draft=replace(_draft(state), community_code=code, street_code=street)), ctx)
    return _give_up(state, ctx, "没关系。")


def _typed(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """A typed address: a clear place is taken at once, the rest as when starting."""
    text = _bare(inbound.text)
    found = _decide(u.places, ctx.district.match_address(text), ctx)
    if found.strong is not None and misspelt_around(found.strong.name, found.strong.mention, text):
        found = _Found(several=(found.strong,))  # 「请禾嘉园」: confirm 青禾嘉园, don't assume it
    if found.strong is not None:  # the place as named, not the sentence around it
        return _resolved(state, ctx, found.strong.grid_code, "address",
                         address=_named(text, found.strong.mention) if found.strong.mention else text)
    narrowed = _narrow(state, ctx, found)  # a street or community alone is kept as codes, not words
    if narrowed is not None:
        return narrowed
    somewhere = describes_place(text)
    if somewhere and han_count(text) >= 2:  # kept for the person who assigns the grid; 「99」 says nothing
        state = replace(state, draft=replace(_draft(state), address=text))
    if found.too_many:
        return _failed(state, ctx, f"“{found.too_many}”{TOO_BROAD}")
    if text and not somewhere:
        return _failed(state, ctx, f"没有从“{text}”里看出是哪个地方。")
    return _failed(state, ctx, f"没有在本区找到“{text}”这个地方。" if text else "")


@dataclass(frozen=True)
class _Found:
    """What an answer pins down: one clear place, a few to choose from, or only an area."""

    strong: Candidate | None = None
    several: tuple[Candidate, ...] = ()
    community_code: str | None = None
    street_code: str | None = None
    too_many: str = ""


def _decide(places: tuple[PlaceGuess, ...], match: AddressMatch, ctx: Context) -> _Found:
    """The NLU's places first, our own registry match second. Many weak candidates (a whole
    street, a long road) are no answer: an area name narrows the question instead."""
    for guesses in (places, match.grids):
        ranked = _ranked(guesses, ctx)
        if not ranked:
            continue
        best, runner_up = ranked[0], (ranked[1].score if len(ranked) > 1 else 0.0)
        if best.score >= ctx.config.place_confidence and best.score - runner_up >= 0.15:
            return _Found(strong=best)
        if match.community_code or match.street_code:
            break
        if len(ranked) < ctx.config.max_choices and best.score >= _WEAKEST:
            return _Found(several=tuple(ranked))
        return _Found(too_many=best.mention or best.name)
    return _Found(community_code=match.community_code, street_code=match.street_code)


def _narrow(state: ConversationState, ctx: Context, found: _Found) -> Outcome | None:
    draft = _draft(state)
    if found.several:
        state = replace(state, draft=replace(draft, candidates=found.several))
        if len(found.several) == 1:
            return _ask_confirm(state, ctx, found.several[0], "您说的是")
        return _ask_pick(state, ctx, list(found.several))
    if found.community_code:
        draft = replace(draft, community_code=found.community_code, street_code=found.street_code)
        return _ask_grid(replace(state, draft=draft), ctx)
    if found.street_code:
        return _ask_community(replace(state, draft=replace(draft, street_code=found.street_code)), ctx)
    return None


def _told_apart(text: str, offered: tuple[tuple[str, str], ...]) -> str | None:
    """Among places of one name, the words that tell the one meant: in the name (「二期」, 「二期的」 for
    东方花园二期), or in a short answer, of its street or community (「青禾大道那个」, 「白溪那边的」)."""
    said = normalise(text).removesuffix("的").removesuffix("那个")
    if len(said) < 2:
        return None
    grids = [(label.partition("（"), value) for label, value in offered if value.startswith("grid:")]
    named = [value for (name, _, _), value in grids if said in normalise(name)]
    if len(named) == 1:
        return named[0]
    if len(said) > _TELLS_APART or _SAID_NO.match(said):
        return None
    said = _AREA_WORDS.sub("", said)  # every choice has 街道, 社区 and 网格: they tell none apart
    around = [value for (_, _, area), value in grids if shares_a_word(said, normalise(area))]
    return around[0] if len(around) == 1 else None


def _same_place(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> bool:
    """The resident says this matter is where the one before it was, without naming a place."""
    text = normalise(inbound.text)
    return (bool(_draft(state).earlier_grid_code) and len(text) <= _SAME_AT_MOST and bool(_SAME_PLACE.search(text))
            and not names_place(inbound, u, ctx))


def off_the_place(text: str) -> bool:
    """A sentence at the place question that describes no place and does not say it is unknown or
    secret (「晚上特别黑 老人都摔了」): the resident telling more of the problem, not a failed answer.
    A fragment (「跟老板之间的」) is still asked about."""
    plain = normalise(text)
    return han_count(plain) >= _SENTENCE and not describes_place(text) and not any(w in plain for w in _NO_PLACE)


def only_where(inbound: Inbound, u: Understanding, ctx: Context) -> bool:
    """A place and words that only say where by it (「在幸福菜市场旁边那条路」): where it happens, with
    nothing of what happens (「幸福里小区的电梯坏了」 says what)."""
    text = _bare(inbound.text)
    named = _mentioned(text, u, ctx.district.match_address(text))
    return any(not han_count(_BY_A_PLACE.sub("", _UNIT.sub("", text.replace(g.mention or g.name, "", 1))))
               for g in named)


def tells_more_beside(inbound: Inbound, u: Understanding, ctx: Context) -> bool:
    """A place answer that also tells more of the problem (「幸福里小区3栋，他们家还养了条大狗晚上一直叫」):
    what stands beside the place, its building's number aside, is a sentence that names no place."""
    text = _bare(inbound.text)
    if han_count(text) < _SENTENCE:  # too short for a sentence beside the place: the answer is not read twice
        return False
    named = _mentioned(text, u, ctx.district.match_address(text))
    rest = min((_UNIT.sub("", text.replace(g.mention or g.name, "", 1)) for g in named), key=len, default="")
    return han_count(rest) >= _SENTENCE and not describes_place(rest) and not _DIRECTIONS.search(rest)


def names_place(inbound: Inbound, u: Understanding, ctx: Context) -> bool:
    """Whether the text names somewhere in the district: then it is an answer to "where?"."""
    match = ctx.district.match_address(inbound.text)
    return bool(u.places or match.grids or match.community_code or match.street_code)


def _bare(text: str) -> str:
    """A typed answer without the chatter around the place: 「就在…」, 「…我刚才说了」, particles."""
    return _CHATTER.sub("", text.strip()).strip(" ，,。.！!啊呀吧")


def _mentioned(text: str, u: Understanding, match: AddressMatch) -> list[PlaceGuess]:
    """The places the text itself names: the NLU's (read from the whole message) and the registry's."""
    return [g for g in (*u.places, *match.grids) if (g.mention or g.name) in text]


def _little_else(text: str, named: list[PlaceGuess]) -> bool:
    """No more than a building's number (「3栋2单元」) and a word or two (门口, 附近) beside a place named."""
    around = min((len(_UNIT.sub("", text.replace(g.mention or g.name, "", 1))) for g in named), default=None)
    return around is not None and around <= _AROUND_PLACE


def _ranked(places: tuple[PlaceGuess, ...], ctx: Context) -> list[Candidate]:
    """One candidate per grid of this district, best first."""
    best: dict[str, Candidate] = {}
    for place in sorted(places, key=lambda p: -p.score):
        if ctx.district.grid(place.grid_code) and place.grid_code not in best:
            best[place.grid_code] = Candidate(place.grid_code, place.name, place.score, place.mention)
    return list(best.values())


def _map_point(state: ConversationState, inbound: Inbound, ctx: Context) -> Outcome:
    point = inbound.location
    assert point is not None
    grid = ctx.district.locate_point(point.latitude, point.longitude)
    draft = replace(_draft(state), latitude=point.latitude, longitude=point.longitude)
    state = replace(state, draft=draft)
    if grid is None:
        return _failed(state, ctx, "您发送的位置不在本区范围内。")
    if draft.grid_code not in (None, grid.code):
        state = replace(state, draft=replace(draft, address=None))  # the old place name no longer applies
    return _resolved(state, ctx, grid.code, "map")


def _with_unit(candidate: Candidate) -> str:
    """A place chosen from a list, with the building the resident gave (「锦绣家园3栋」 → 锦绣家园3栋)."""
    mention = candidate.mention or ""
    unit = _UNIT.search(mention)
    return candidate.name + unit.group() if unit and mention.endswith(unit.group()) else candidate.name


def _named(text: str, mention: str) -> str:
    """The place as named, with where in it when that follows the name (_DETAIL)."""
    at = text.find(mention)
    detail = _DETAIL.match(text[at + len(mention):]) if at >= 0 else None
    return mention + detail.group(0) if detail else mention


def _resolved(
    state: ConversationState, ctx: Context, grid_code: str, by: str, address: str | None = None
) -> Outcome:
    grid = ctx.district.grid(grid_code)
    assert grid is not None
    draft = replace(
        _draft(state),
        grid_code=grid_code,
        street_code=grid.street_code,
        community_code=grid.community_code,
        address=address if address is not None else _draft(state).address,
        location_by=by,
        location_done=True,
    )
    return advance(replace(state, draft=draft), f"好的，地点记为：{where_label(draft, ctx)}。")


def _failed(state: ConversationState, ctx: Context, why: str) -> Outcome:
    draft = replace(_draft(state), location_tries=_draft(state).location_tries + 1)
    state = replace(state, draft=draft)
    if draft.location_tries >= ctx.config.max_location_tries:
        return _give_up(state, ctx, why)
    return ask_where(state, ctx, f"{why}请换个说法试试，比如小区名称、路名加门牌号。\n")


def _give_up(state: ConversationState, ctx: Context, why: str) -> Outcome:
    draft = replace(_draft(state), grid_code=None, location_by="manual", location_done=True)
    said = manual_address(draft, ctx)
    note = f"我们会按您提供的地址“{said}”受理" if said else "我们会先受理您的诉求"
    return advance(
        replace(state, draft=draft),
        f"{why}暂时没能确定具体网格，不影响受理：{note}，由工作人员人工确定负责的网格。",
    )


def ask_where(state: ConversationState, ctx: Context, prefix: str = "") -> Outcome:
    """The open question, with streets to choose from and a map button, and the place of the matter
    filed just before when there is one; `prefix` (why the last answer did not do) is said once, not
    again when the question comes back after an errand."""
    earlier = _draft(state)
    same: tuple[tuple[str, str], ...] = ()
    if earlier.earlier_grid_code:
        place = earlier.earlier_address or ctx.district.label(earlier.earlier_grid_code)
        same = ((f"同上一件（{place}）", SAME),)
    text = (
        f"请告诉我{'这件事' if same else '问题'}发生在哪里：小区名称、道路和门牌号都可以，也可以直接发送定位。\n"
        + ("和上一件在同一个地方的话，选“同上一件”即可；" if same else "")
        + "不清楚具体地址的话，可以先选所在街道："
    )
    streets = tuple((name, f"street:{code}") for code, name in ctx.district.streets.items())
    return ask(state, ASK, text, (*same, *streets, ("不清楚", UNKNOWN)), request_location=True, note=prefix)


def _ask_confirm(state: ConversationState, ctx: Context, candidate: Candidate, lead: str) -> Outcome:
    text = f"{lead}{candidate.name}附近（{ctx.district.label(candidate.grid_code)}），对吗？"
    return ask(state, CONFIRM, text, (("对", "yes"), ("不对", "no")))


def _ask_pick(state: ConversationState, ctx: Context, candidates: list[Candidate]) -> Outcome:
    offered = tuple(
        (f"{c.name}（{ctx.district.label(c.grid_code)}）", f"grid:{c.grid_code}") for c in candidates
    )
    mentions = {c.mention for c in candidates}
    head = f"“{mentions.pop()}”有好几处，" if len(mentions) == 1 and "" not in mentions else ""
    return ask(state, PICK, f"{head}请问是下面哪一个？", (*offered, ("都不是", "none")))


def _ask_community(state: ConversationState, ctx: Context) -> Outcome:
    street = _draft(state).street_code or ""
    offered = tuple((name, f"community:{code}") for code, name in ctx.district.communities_of(street))
    text = f"在{ctx.district.streets.get(street, '')}的哪个社区？"
    return ask(state, COMMUNITY, text, (*offered, ("不清楚", UNKNOWN)))


def _ask_grid(state: ConversationState, ctx: Context) -> Outcome:
    community = _draft(state).community_code or ""
    offered = []
    for grid in ctx.district.grids_of(community):
        marks = "、".join(ctx.district.landmarks(grid.code))
        name = grid.name.removeprefix(grid.community)
        offered.append((f"{name}（{marks}）" if marks else name, f"grid:{grid.code}"))
    text = f"{ctx.district.communities[community][0]}分为以下几个网格，问题发生在哪一片？"
    return ask(state, GRID, text, (*offered, ("不清楚", UNKNOWN)))


def _draft(state: ConversationState) -> Draft:
    assert state.draft is not None, "a location step without a draft"
    return state.draft
