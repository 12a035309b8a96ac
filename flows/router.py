"""One resident turn: (state, inbound, understanding, context) → outcome, with no I/O.

Order matters: an emergency is answered first; a stale draft is dropped with a note. Then the
question on screen reads the answer first: a button, or a plain yes or no at a confirmation, or a
score or praise at the rating question goes straight to its step. Only an answer that cannot be
one may be an errand (status, help, a correction) or, said in so many words, a new complaint.
"""

import re
from dataclasses import replace

from flows import cases, contact, intake, location, matters, patrol, privacy
from flows.choices import as_choices, names_its_subject, normalise, picked, shares_a_word
from flows.context import ADVANCE, Context, Outcome, ask, called_off, repeat, say
from flows.messages import Inbound, Reply
from flows.state import IDLE, ConversationState, Draft
from flows.texts import (
    ADDED_TO_STORY, ALREADY_CALLED, EMERGENCY_LINES, GREETING, HELP, HUMAN, NOT_CHINESE, NOT_UNDERSTOOD, PHOTO_DESCRIBE,
    PHOTO_KEPT, RESTORED_DRAFT, RESUME, WHO_WE_ARE, category_plain, gist,
)
from flows.understanding import Emergency, Understanding
from handlers.case import Case
from handlers.phones import IN_TEXT, mask_phone
from handlers.status import FINAL, Status
from nlu.answers import besides_still_there, read_praise, says_still_there
from nlu.intents import CHASE, DELAY, SINCE, STATUS

INTAKE_STEPS = frozenset(intake.STEPS + matters.STEPS + location.STEPS + contact.STEPS)
_SAID_NO = re.compile(r"^(?:不对|不是|错了|搞错了|说错了)")
# Nothing but a way to call the intake off (「算了，不反映了」, 「我要取消」, 「不登了」, 「先不弄了」, 「算了不说了」);
# 「不用取消」, 「算了不清楚」, 「不想说」 (where: not to be said) and 「不用了」 (at the phone question: no number) are not.
_CANCEL_INTAKE = re.compile(r"^(?:那|那就|还是|我|我说|我要|我想|要|帮我|请|先|就)*(?:取消|撤销|算了|"
                            r"撤了|(?:先|就)?不(?:想|用)?(?:(?:反映|登记|提交|投诉|举报)了?|(?:登|办|弄|搞|说|报|整)了))+"
                            r"(?:吧|了|啦|掉|这次|本次|反映|登记|一下|谢谢|谢了)*$")
# What may stand beside a clause that calls the intake off (「不用了，不登记了」, 「不想报了，怕被报复」,
# 「算了，我自己找物业」); 「不用了」 alone is a no to the question on screen.
_BESIDE_CALLING_OFF = re.compile(r"不用了|不要了|不需要了|好吧|行吧|谢谢|谢了|太麻烦了?|没必要|(?:怕|担心|害怕)\w{1,10}|"
                                 r"(?:回头|以后|改天|过两天)再说吧?|不麻烦(?:你们)?了|"
                                 r"我?自己(?:解决|处理|找\w{0,8})|私下(?:解决|处理)")
# 「要多久？」, 「多长时间能有答复」 asked during an intake: about the matter being told, whose time limit is known.
_HOW_LONG = re.compile(r"^(?:请问|那|大概|一般|你们)*(?:要|需要|得|要等|等)?(?:多久|多长时间|几天|多少天)(?:能|才能|可以|会)?"
                       r"(?:有人?|给|来人)?(?:管|答复|回复|结果|处理(?:好|完)?|办好|办完|解决好?|修好)?(?:啊|呀|呢|吗|啦)?$")
_CLAUSES = re.compile(r"[，,。.！!？?；;、\s]+")
# Said straight after filing, what the resident forgot: 「对了，…」, 「忘了说，…」, 「还有就是…」.
_AFTERTHOUGHT = re.compile(r"^(?:哦|噢|啊)?(?:对了|忘了说了?|忘记说了?|还有就是|再说一下|另外说一下)[，,。.：:！!\s]*")
AFTERTHOUGHT_HOURS = 2
_STILL_REST = 3  # characters beside 「还是不亮」 that still name nothing else (「灯啊」)
_ADD_MORE = re.compile(r"^(?:我)?(?:还)?(?:要|想|再)?补充(?:一下|一点|几句|一句|两句|说明|个情况)?[：:，,。.\s]*")
# The problem went away before anyone came: 「灯已经好了 不用来了」, 「不用管了 物业已经修好了」.
_SOLVED = re.compile(r"(?:已经|已|都)(?:修好|弄好|处理好|解决|好)了|不用(?:来|管|修|处理|办)了|自己(?:修|弄|处理)好了")
# Asking to withdraw a case filed before, in a sentence with a reason (「我想撤销之前那个狗的投诉，已经和邻居说好了」,
# 「工资那个事我想撤销，老板已经给了」); 「公交公司取消了23路」 asks nothing of the kind.
_WANTS_WITHDRAWAL = re.compile(r"(?:想|要|申请|帮我|请|麻烦)把?[^，。！？,.!?]{0,10}?(?:撤销|撤回|取消)(?!了\w)")
_EARLIER = re.compile(r"之前|上次|刚才|以前|前几天|反映过|投诉过|报过")
# 「路灯已经好了，但是电梯坏了」, 「…电梯又坏了」: a new matter follows
_BUT = re.compile(r"但|可是|不过|另外|还有|又坏|也坏|又不|也不(?!用|需)")
# With no intake going, only words that withdraw call a filed case off; 「算了」, 「不用了」 or 「不撤销」
# (after a status or the list of cases) say never mind, and a 「好」 to the question would withdraw it.
_WITHDRAW = re.compile(r"撤销|撤回|取消|不(?:用|想|要)?(?:办|反映|投诉|处理)了")
_KEEP_CASE = re.compile(r"(?:不|别|不要|不用)(?:撤销|撤回|取消)")
# Right after calling an intake off: it was a mistake (「点错了」, 「不取消了」, 「还是提交吧」).
_UNDO = re.compile(r"点错|按错|误点|不取消|别取消|不要取消|恢复|还是要?(?:提交|反映|登记)|要提交")
_THANKS = ("谢谢", "感谢", "多谢", "辛苦")
_MEANINGFUL = re.compile(r"[\u4e00-\u9fa5A-Za-z]")
_HAN = re.compile(r"[\u4e00-\u9fa5]")
_HUMAN = re.compile(r"人工|真人|客服")  # 「转人工」, 「我要找真人」
# Asked in a short message whatever the question on screen (「你们是机器人吗？能不能转人工」, 「不是！我要找人工客服」,
# 「你们是哪个部门的」); a longer one is a complaint that uses the words (「12345客服电话一直打不通」).
_WANTS_A_PERSON = re.compile(r"转人工|转(?:接)?(?:人工)?客服|(?:我要|我想|要|找|有没有|能不能|可以)(?:找|转|接)?(?:人工|真人)"
                             r"(?:客服|服务)?(?!费)|(?:你|你们)是(?:不是)?机器人|是机器人吗|是不是真人")
_ASIDE_REST = 6  # characters besides the question itself: 「你们是干什么的？路灯坏了半个月了」 is a complaint
_ASKS_WHO = re.compile(r"你们?是(?:谁|哪个部门|哪个单位|什么(?:部门|单位|机构)|干什么的|做什么的)")
_ASIDE = 20  # characters, at most, of a message that only asks who is answering
_PHONE_WORDS = re.compile(r"我的?|联系|电话|手机|号码?|方式|改成|改为|换成|换个|是|为|打|这个|吧|啊|呢|哦|一下")
_MIN_START = 4  # "确认", "好的" alone do not start a complaint
_THANKED_REST = 3  # 「路灯坏了谢谢」 says more than thanks; 「好的谢谢」 does not
_RATED_COMPLAINT = 6  # 「服务太差了」 alone may still rate; 「小区保安服务太差了」 says what is wrong
_LONG = 15  # a short message's length: praise or 「灯已经好了 不用来了」 say little more than that
# Words that point back at a case already reported, around a delay (「我反映的那个路灯修了没有」).
_ABOUT_IT = re.compile(r"我?(?:之前|上次|上回|前几天|前天|昨天|刚才)?(?:反映|投诉|报|说|提|登记)的|我?(?:之前|上次|上回|前几天|"
                       r"前天|昨天|刚才)|我那个|那个|这个|我的|的|事|情|啊|呀|呢|了|都|"
                       r"还|到底|究竟|问题|你们|人|来")
_PLAIN_STATUS = 0.8  # 「查询进度」, not 「咋还没人来修」 (nlu.intents): only that is a status question without a case
_LENIENT = frozenset({cases.RATE, cases.CANCEL_CONFIRM})
_YES_NO = frozenset({intake.CONFIRM_CLASS, matters.SPLIT, location.CONFIRM, contact.SUMMARY, cases.CANCEL_CONFIRM})
_PLAIN_ANSWER = 0.9  # a pure yes or no (nlu.answers): 「不对，地址是…」 is left to the corrections
_NEW_TOPIC = re.compile(r"反映新问题|新的?问题|我要(?:反映|投诉|举报)|我想(?:反映|投诉|举报)|还有(?:一)?(?:个|件)(?:问题|事)|"
                        r"另外(?:一)?(?:个|件)|再反映")


def step(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    notes: list[str] = []
    if u.emergency is not None:
        notes.append(_emergency_line(u.emergency))
    if state.step != IDLE and state.age_minutes(ctx.now) > ctx.config.draft_ttl_minutes:
        if state.in_intake:
            hours = round(ctx.config.draft_ttl_minutes / 60, 1)
            notes.append(f"您之前开始的反映超过 {hours:g} 小时没有完成，已自动作废（没有提交）。")
        state = ConversationState()
    if state.dropped is not None and _UNDO.search(normalise(inbound.text)):  # the next matter taken up waits again
        waiting = ((state.draft,) if state.draft else ()) + state.queued
        outcome = next_question(ConversationState(draft=state.dropped, queued=waiting), ctx).prefixed(RESTORED_DRAFT)
    elif u.emergency is not None and state.in_intake and state.step not in intake.STEPS:
        outcome = _beside_an_emergency(replace(state, dropped=None), inbound, u, ctx)
    else:
        outcome = _dispatch(replace(state, dropped=None), inbound, u, ctx)
    if outcome.state.step == ADVANCE:
        ask_next = patrol.next_question if inbound.reporter is not None else next_question
        outcome = outcome.then(ask_next(outcome.state, ctx))
    if u.emergency is not None:
        outcome = replace(outcome, state=_with_emergency(outcome.state, u.emergency))
    return replace(outcome.prefixed(*notes), state=outcome.state.touched(ctx.now))


def _emergency_line(emergency: Emergency) -> str:
    """What to do now; to a resident who has called already, to stay safe, with what a number alone
    does not say (the 12356 and 12338 lines, what to do about gas)."""
    lines = EMERGENCY_LINES
    line = lines.get(emergency.kind) or lines.get(emergency.number, lines["110"])
    if not emergency.called:
        return line
    return ALREADY_CALLED + (line if emergency.kind in _MORE_THAN_A_NUMBER else "")


_MORE_THAN_A_NUMBER = frozenset({"self_harm", "domestic", "gas"})


def _with_emergency(state: ConversationState, emergency: Emergency) -> ConversationState:
    """The matter the emergency was told in carries the first line given with it, so that its case goes
    to a dispatcher rather than wherever its words would route it (handlers/routing.route). Where one
    message raised several matters (「还有个事 楼下电动车充电着火了」), every one whose words hold it,
    waiting or not (the whole message too, while the resident decides whether to file it as one);
    otherwise the matter being told."""
    matters = ((state.draft,) if state.draft is not None else ()) + state.queued
    told_in = [d for d in matters if emergency.words and emergency.words in d.text] or [state.draft]

    def marked(draft: Draft) -> Draft:
        own = any(draft is d for d in told_in)
        return replace(draft, emergency=emergency.number) if own and not draft.emergency else draft

    return replace(state, draft=marked(state.draft) if state.draft is not None else None,
                   queued=tuple(marked(d) for d in state.queued))


def _beside_an_emergency(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    """An emergency told at the place or phone question or at the summary (the caller has put its line
    first). What the resident said joins the story: the case goes to a dispatcher (handlers/routing), who
    must read what happened. The message still answers the question when it names a place or gives a
    number outside the emergency's own clause (「幸福里小区3栋门口，对了楼道里好像着火了」, but not
    「隔壁阳光花园着火了」, which says where the fire is); otherwise the question is put again. A turn that
    calls the intake off in any clause (「不登了，楼下着火了」) does so, and one that raises a matter of its
    own (「还有个事，楼下有人拿刀打架了」) is taken as it is."""
    if any(_CANCEL_INTAKE.match(clause) for clause in _clauses(inbound.text)):
        return called_off(state)
    answered = _dispatch(state, inbound, u, ctx)
    draft = answered.state.draft
    assert state.draft is not None
    if draft is None or answered.state.queued != state.queued:
        return answered
    given = _ANSWER_OF.get(state.step)
    took = given is not None and given(draft) != given(state.draft) and not _in_its_clause(inbound.text, u)
    base = answered.state if took else state
    told = replace(base, draft=intake.add_words(replace(base.draft, parts=state.draft.parts), inbound.text, u))
    if state.step == contact.SUMMARY:
        return contact.ask_summary(told, ctx, "已把您刚才说的情况补充到诉求里。处理好紧急情况后，请再核对一下：\n")
    if took:
        return replace(answered, state=told)
    return repeat(told, "已把您刚才说的情况记下。处理好紧急情况后，我们可以接着登记。")


def _in_its_clause(text: str, u: Understanding) -> bool:
    """Whether a place or number the message gives is in the clause that tells the emergency."""
    words = u.emergency.words if u.emergency is not None else ""
    clause = next((c for c in _CLAUSES.split(text) if words and words in c), "")
    return any(p.mention and p.mention in clause for p in u.places) or any(n[-4:] in clause for n in u.phones)


def _place(draft: Draft) -> tuple:
    """Where the district's registry put it (the words typed are kept as the address even when it did not)."""
    return draft.grid_code, draft.candidates, draft.community_code, draft.street_code, draft.latitude


def _phone(draft: Draft) -> str | None:
    return draft.phone


# What an answer to the question on screen puts in the draft, at the questions after the story.
_ANSWER_OF = {**dict.fromkeys(location.STEPS, _place), **dict.fromkeys((contact.CONTACT, contact.SUMMARY), _phone)}


def next_question(state: ConversationState, ctx: Context) -> Outcome:
    """Ask for whatever the draft still lacks, in intake order; the summary when nothing is."""
    draft = state.draft
    assert draft is not None, "nothing to ask without a draft"
    if not draft.parts:
        return ask(state, intake.DESCRIBE, "请描述一下您遇到的问题：")
    if not draft.class_done:
        if intake.sure_enough(draft, ctx):  # said, not asked: the resident may still correct it
            settled = replace(state, draft=replace(draft, class_done=True))
            return next_question(settled, ctx).prefixed(intake.filed_as(draft))
        return intake.ask_classification(state, ctx)
    if not draft.location_done:
        asked = location.ask_location(state, ctx)
        return asked.then(next_question(asked.state, ctx)) if asked.state.step == ADVANCE else asked
    return contact.ask_summary(state, ctx)


def with_resume(state: ConversationState, replies: list[Reply]) -> list[Reply]:
    """After a side errand in the middle of an intake, put the intake's question back on screen;
    not when the last reply asked it (perhaps after a note, as 「好的，按匿名反映登记…」 does)."""
    if state.step not in INTAKE_STEPS or not state.question or (replies and replies[-1].text.endswith(state.question)):
        return replies
    again = Reply(f"{RESUME}\n{state.question}", as_choices(state.offered), state.request_location)
    return [*replies, again]


def _dispatch(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    if inbound.reporter is not None:  # a grid worker the channel identified: a patrol report, never an intake
        return patrol.on_turn(state, inbound, u, ctx)
    if state.step == contact.SUBMITTED:
        return contact.ask_summary(state, ctx, "刚才的提交没有完成，请再确认一次。\n")
    if inbound.attachment:
        return _photo(state, inbound)
    if state.step not in matters.STEPS and (dropped := matters.drop(state, inbound.text)) is not None:
        return _without_matter(*dropped, ctx)
    if state.in_intake and state.step not in matters.STEPS and (later := matters.announced(inbound.text)):
        return _with_matter(state, inbound, u, later, ctx)  # 「还有一件事，…」 at any question: its own case
    # A complaint opened at "where?" or at the category question may be another matter. At "where?", with no place
    # in it, it was an address not found (a try used up, and after the last the case's address); with a place
    # (「我想反映和平新村门口的垃圾桶满了」) the place was taken and the words lost: more of this matter joins its words,
    # and its place answers. At the category question 「想咨询一下低保怎么申请」 was read as "no other side".
    opened = state.step in (location.ASK, intake.CONFIRM_CLASS) and inbound.choice is None \
        and matters.opens_complaint(inbound.text) and contact.adds_to_the_story(inbound.text)
    if opened and state.step == location.ASK and not location.names_place(inbound, u, ctx):
        return contact.told_more(state, inbound, inbound.text, u, ctx)
    if opened and (asked := contact.other_matter(state, inbound, inbound.text, u, ctx)) is not None:
        return asked
    more_beside = state.step == location.ASK and inbound.choice is None and location.tells_more_beside(inbound, u, ctx)
    if (opened and state.step == location.ASK) or more_beside:
        state = replace(state, draft=intake.add_words(state.draft, inbound.text, u))
    choice = picked(inbound, state.offered)
    answered = choice is not None or _answers_question(state, inbound, u, ctx)
    if not answered and (state.step == cases.PICK_CASE or (state.step in _LENIENT and _is_new_topic(inbound, u, ctx))):
        state = state.unpaused()
    if inbound.location is None and not answered:
        errand = _errand(state, inbound, u, ctx)
        if errand is not None:
            return errand
    state = _phone_in_passing(state, inbound, u)
    if state.step in intake.STEPS:
        return intake.on_turn(state, inbound, u, ctx)
    if state.step in matters.STEPS:
        return matters.on_turn(state, inbound, u, ctx)
    if state.step in location.STEPS or (inbound.location is not None and state.step in contact.STEPS):
        return location.on_turn(state, inbound, u, ctx)  # a map point shared later moves the place
    if state.step in contact.STEPS:
        return contact.on_turn(state, inbound, u, ctx)
    if state.step in cases.STEPS:
        return cases.on_turn(state, inbound, u, ctx)
    return _idle(state, inbound, u, ctx)


def _without_matter(state: ConversationState, gone: Draft, ctx: Context) -> Outcome:
    """A waiting matter dropped: said, and the question put back (the summary says what still waits)."""
    return _carry_on(state, ctx, f"好的，“{gist(gone.text)}”这件不登记了。")


def _with_matter(state: ConversationState, inbound: Inbound, u: Understanding, later: str, ctx: Context) -> Outcome:
    """Another matter announced in the middle of an intake waits its turn instead of joining this one."""
    waiting = replace(state, queued=(*state.queued, intake.absorb(Draft(origin=inbound.key), later, u)))
    return _carry_on(waiting, ctx, f"好的，这件事提交后接着登记：“{gist(later)}”。")


def _photo(state: ConversationState, inbound: Inbound) -> Outcome:
    """A photo is kept with the complaint being written, whatever the question on screen; sent
    first, it starts one and the resident is asked to say in words what it shows."""
    assert inbound.attachment is not None
    if state.draft is not None:
        draft = replace(state.draft, attachments=(*state.draft.attachments, inbound.attachment))
        return repeat(replace(state, draft=draft), PHOTO_KEPT)
    draft = Draft(origin=inbound.key, attachments=(inbound.attachment,))
    return ask(replace(state, draft=draft, paused=None), intake.DESCRIBE, f"{PHOTO_KEPT}{PHOTO_DESCRIBE}")


def _errand(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome | None:
    """Requests that may come at any point and leave the intake where it was."""
    threshold = ctx.config.intent_confidence
    text = inbound.text or inbound.choice or ""
    plain = normalise(text)
    if state.in_intake and _calls_intake_off(text):
        return called_off(state)
    if state.in_intake and _HOW_LONG.match(plain):
        return repeat(state, _time_limit(state.draft, ctx))
    if (asked := privacy.asked(text)) is not None:  # before the intents: 「查询我的信息」 is not a status query
        return privacy.on_request(asked, state, inbound, ctx)
    if state.step in cases.STEPS and state.step != cases.CANCEL_CONFIRM and u.is_intent("cancel", threshold):
        return say(state.unpaused(), cases.LEFT[state.step])
    if _only_asks(_WANTS_A_PERSON, plain):
        return say(state, HUMAN if state.in_intake else f"{HUMAN}\n{HELP}")
    if _only_asks(_ASKS_WHO, plain):
        return say(state, WHO_WE_ARE)
    if u.is_intent("help", threshold):
        return say(state, f"{HUMAN}\n{HELP}" if _HUMAN.search(plain) else HELP)
    pressed = _chased(plain, ctx) if not state.in_intake and CHASE.search(plain) else ()
    if len(pressed) == 1:
        return cases.chase(state, pressed[0], text)
    if pressed:  # 「能不能催一下」 with two cases being worked on: which one, from the list
        return cases.show_status(state, u, ctx)
    if _asks_status(plain, u, ctx):
        return cases.show_status(state, u, ctx)
    if u.case_number and state.step not in cases.STEPS and not _names_errand(plain):
        return cases.show_status(state, u, ctx)
    if u.is_intent("greet", threshold) and len(plain) <= 6:
        return say(state, "您好！") if state.in_intake else say(state, GREETING)
    if state.in_intake and (state.step not in intake.STEPS or _only_a_phone(text)):
        return _correction(state, inbound, u, ctx, text)  # 「电话改成138…」 at the category question too
    return None


def _correction(
    state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context, text: str
) -> Outcome | None:
    """"不对，地址是…", a new phone number, "不是纠纷，是…", "补充…": fix the draft and carry on."""
    draft = state.draft
    assert draft is not None
    moved = location.moved_to(state, inbound, u, ctx) if state.step not in location.STEPS else None
    if moved is not None:
        return location.relocate(state, moved, u, ctx)
    phone = contact.find_phone(text)
    told_more = state.step == contact.SUMMARY and bool(contact.told_with_phone(text))
    if phone and state.step != contact.CONTACT and not told_more:  # the summary takes both (flows/contact.py)
        state = replace(state, draft=contact.with_phone(draft, phone))
        return _carry_on(state, ctx, f"好的，联系电话{'改为' if draft.phone else '记为'} {mask_phone(phone)}。")
    said_no = bool(_SAID_NO.match(normalise(text)))
    if said_no and intake.corrects_the_story(draft, text):
        fixed = intake.add_words(draft, text, u)
        return _carry_on(replace(state, draft=fixed), ctx, "好的，已把您的更正补充到问题描述里。")
    if (moved := intake.neighbour_moved(state, text, ctx)) is not None:
        return moved
    named = intake.category_named(text, ctx.config.guide)
    if named and said_no:
        fixed = replace(draft, category=named, category_confidence=None, classification_confirmed=True, class_done=True)
        return _carry_on(replace(state, draft=fixed), ctx, "好的，类别已更正。")
    reclassified = intake.corrected(state, text, ctx)
    if reclassified is not None:
        return reclassified
    more = _added(text) or (text if state.step in location.STEPS and location.off_the_place(text)
                            and contact.adds_to_the_story(text) else None)
    if more:
        fixed = intake.add_words(draft, more, u)
        return _carry_on(replace(state, draft=fixed), ctx, ADDED_TO_STORY)
    return None


def _only_a_phone(text: str) -> bool:
    """A phone number with nothing but the words that give it (「电话改成138…」, 「我手机是139…」)."""
    return bool(IN_TEXT.search(text)) and not _MEANINGFUL.search(_PHONE_WORDS.sub("", IN_TEXT.sub("", text)))


def _phone_in_passing(state: ConversationState, inbound: Inbound, u: Understanding) -> ConversationState:
    """A number given along with another answer (「阳光花园 我手机139…」) is kept, so the summary
    shows it; at the phone question it is that step's own answer."""
    if not state.in_intake or state.draft is None or state.step == contact.CONTACT:
        return state
    phone = (u.phones[0] if u.phones else None) or contact.find_phone(inbound.text)
    return replace(state, draft=contact.with_phone(state.draft, phone)) if phone else state


def _carry_on(state: ConversationState, ctx: Context, note: str) -> Outcome:
    """A note, then the question on screen again; the summary is said anew, since it shows the change."""
    if state.step == contact.SUMMARY:
        return contact.ask_summary(state, ctx, note + "\n")
    return repeat(state, note)


def _idle(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    text = inbound.text or inbound.choice or ""
    plain = normalise(text)
    threshold = ctx.config.intent_confidence
    if inbound.location is not None:
        return say(state, "收到您的位置。请先告诉我遇到了什么问题，我再帮您登记。")
    more = _added(text)
    if more is not None and not (len(_MEANINGFUL.findall(more)) >= _MIN_START
                                 and all(c.status in FINAL for c in ctx.cases)):  # 「补充医疗保险报销太慢」: a complaint
        return cases.start_add_info(state, u, ctx, more)
    late = _AFTERTHOUGHT.match(text.strip())
    forgot = text.strip()[late.end():] if late else ""
    if forgot and (told := _just_told(forgot, ctx)) is not None:
        return cases.start_add_info(state, Understanding(case_number=told.number), ctx, forgot)
    rating = cases.parse_rating(text) or u.rating
    scored = rating is not None and (u.is_intent("rate", threshold) or len(plain) <= 8)
    if (scored or u.is_intent("rate", threshold) or plain in ("评价", "我要评价")) and not _complains(plain, ctx):
        return cases.start_rating(state, u, ctx, rating if scored else None, cases.after_score(text) if scored else "")
    if u.is_intent("cancel", threshold) and (_KEEP_CASE.search(plain) or not _WITHDRAW.search(plain)):
        return say(state, "好的。还有什么需要帮忙的，直接告诉我就可以。")  # 「算了」 after a look at one's cases
    if u.is_intent("cancel", threshold):  # not 「快递柜撤销了…」, 「低保被撤销了」 (nlu.intents)
        return cases.start_cancel(state, u, ctx)
    if _asks_status(plain, u, ctx):
        return cases.show_status(state, u, ctx)
    praised = read_praise(text)
    if (praised is not None and len(plain) <= _LONG * 2 and not _only_thanks(plain) and not _new_matter_after(plain)
            and any(c.status is Status.RESOLVED for c in ctx.cases)):
        return cases.start_rating(state, u, ctx, praised, text)  # 「挺好的 修得很快 谢谢」 after 办结
    if says_still_there(text) and (unfixed := _still_there(plain, ctx)) is not None:
        return cases.start_rating(state, Understanding(case_number=unfixed.number), ctx, 1, text)
    thanked = any(w in plain for w in _THANKS) and (len(_MEANINGFUL.findall(_thanked(plain))) < _THANKED_REST
                                                    or u.is_intent("affirm") or u.is_intent("deny"))
    if _only_thanks(plain) or thanked:  # not 「路灯坏了谢谢」
        return say(state, "不客气！有需要随时找我。")
    if (_SOLVED.search(plain) and not _BUT.search(plain) and len(plain) <= _LONG + 5
            and any(c.status in cases.CANCELLABLE for c in ctx.cases)):
        return cases.start_cancel(state, u, ctx)  # 「灯已经好了 不用来了」: withdraw it, asked first
    if _WANTS_WITHDRAWAL.search(plain) and _names_own_case(plain, ctx):
        return cases.start_cancel(state, u, ctx, about=plain)  # asked first too
    if len(_MEANINGFUL.findall(text)) >= _MIN_START and not (u.is_intent("affirm", _PLAIN_ANSWER)
                                                            or u.is_intent("deny", _PLAIN_ANSWER)):
        started = intake.start(state, inbound, u, ctx)  # 「没有热水已经三天了」, 「嗯，楼上漏水」: not a yes or no
        return started if _HAN.search(text) else started.prefixed(NOT_CHINESE)
    if u.is_intent("affirm") or u.is_intent("deny"):
        return say(state, "好的。还有什么需要帮忙的，直接告诉我就可以。")
    return say(state, f"{NOT_UNDERSTOOD}您可以直接描述遇到的问题，或发送“帮助”看看我能做什么。")


def _answers_question(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> bool:
    """Whether the turn is plainly an answer to the question on screen, which then reads it first;
    「不登了」 at a yes-or-no question calls the intake off, it is no 「不」."""
    if state.step == matters.OTHER:  # 「算了」 there drops the matter just told, and a place moves no case
        return matters.answers_other(inbound, u, _PLAIN_ANSWER) or location.names_place(inbound, u, ctx)
    if state.in_intake and _calls_intake_off(inbound.text):
        return False
    if state.step in _YES_NO:
        return u.is_intent("affirm", _PLAIN_ANSWER) or u.is_intent("deny", _PLAIN_ANSWER)
    if state.step == cases.RATE:
        return cases.reads_as_rating(inbound.choice or inbound.text, u)
    if state.step in location.STEPS:
        return location.names_place(inbound, u, ctx)
    return False


def _only_asks(question: re.Pattern[str], plain: str) -> bool:
    """A short message that asks this and says little else."""
    return len(plain) <= _ASIDE and bool(question.search(plain)) and len(question.sub("", plain)) <= _ASIDE_REST


def _names_own_case(plain: str, ctx: Context) -> bool:
    """Whether a message points at a case of the resident's that can still be withdrawn: by saying
    it was told before, or by words of its own (read only when the message asks to withdraw)."""
    open_cases = [case for case in ctx.cases if case.status in cases.CANCELLABLE]
    return bool(open_cases) and (bool(_EARLIER.search(plain)) or any(shares_a_word(plain, c.text) for c in open_cases))


def _time_limit(draft: Draft | None, ctx: Context) -> str:
    category = draft.category if draft is not None else None
    limit = ctx.time_limits.get(category or "", "")
    then = "提交后，每一步进展都会在这里通知您。"
    if not limit:
        return f"办理时限要等工作人员确定类别后才知道。{then}"
    return f"按规定，{category_plain(category)}一般在 {limit}内办结。{then}"


def _clauses(text: str) -> list[str]:
    """The message clause by clause, normalised: a call-off is heard in one clause of several."""
    return [clause for clause in map(normalise, _CLAUSES.split(text or "")) if clause]


def _calls_intake_off(text: str) -> bool:
    """Whether the message calls the intake off: as a whole, or clause by clause with at most a soft
    no, thanks or a reason beside the clause that does."""
    if _CANCEL_INTAKE.match(normalise(text)):
        return True
    clauses = _clauses(text)
    return any(_CANCEL_INTAKE.match(clause) for clause in clauses) and all(
        _CANCEL_INTAKE.match(clause) or _BESIDE_CALLING_OFF.fullmatch(clause) for clause in clauses)


def _is_new_topic(inbound: Inbound, u: Understanding, ctx: Context) -> bool:
    """In a side question that offered buttons, another request moves on, and so does a new
    complaint announced as one; a long message alone does not (it may be the answer, in words)."""
    names = ("ask_status", "help", "greet", "rate")
    asks_other = any(u.is_intent(name, ctx.config.intent_confidence) for name in names)
    return asks_other or bool(_NEW_TOPIC.search(normalise(inbound.text)))


def _new_matter_after(plain: str) -> bool:
    """「修好了 不过阳光花园那边的路灯也坏了」: what follows 但/不过 says nothing of the handling (as
    「修好了 不过太慢了」 does), so it is a new matter, not a comment on the rating."""
    contrast = _BUT.search(plain)
    return contrast is not None and read_praise(plain[contrast.end():]) is None


def _asks_status(plain: str, u: Understanding, ctx: Context) -> bool:
    """A status question says little besides (「查询进度」, 「咋还没人来修」) or names something of the
    resident's case (「我反映的路灯修了没有」). Anything more is a complaint that uses the words: about
    the delay from a resident with no case (「路灯坏了怎么还没人修」), or another matter from one with a
    case (「阳光花园电梯坏了 什么时候来修」, 「修路工程进度太慢了」)."""
    if not u.is_intent("ask_status", ctx.config.intent_confidence):
        return False
    rest = _ABOUT_IT.sub("", STATUS.sub("", DELAY.sub("", plain)))
    if len(rest) <= 2:  # a plain one from someone with no case is told so; a delay word alone is a complaint
        return bool(ctx.cases) or u.is_intent("ask_status", _PLAIN_STATUS)
    return bool(ctx.cases) and any(shares_a_word(rest, case.text) for case in ctx.cases)


def _just_told(more: str, ctx: Context) -> Case | None:
    """The case 「对了，…」 adds to: the resident's newest, filed within AFTERTHOUGHT_HOURS and still being
    worked on, when the words name something of it (「对了，漏水的是楼上702那家」 after a leak); 「对了，
    电梯也坏了」 after a street light is another matter."""
    dated = [(c.created_at, c) for c in ctx.cases if c.created_at is not None]
    if not dated:
        return None
    filed, newest = max(dated, key=lambda pair: pair[0])
    recent = (ctx.now - filed).total_seconds() <= AFTERTHOUGHT_HOURS * 3600
    if newest.status in FINAL | {Status.RESOLVED} or not recent:
        return None
    return newest if names_its_subject(normalise(more), newest.text) else None


def _still_there(plain: str, ctx: Context) -> Case | None:
    """The resolved case 「灯还是不亮啊，根本没修」 says is not fixed: the only one, when the message names
    little else or names something of it; 「门口的水管照旧在漏」 after a street light is a new complaint."""
    resolved = [c for c in ctx.cases if c.status is Status.RESOLVED]
    if len(resolved) != 1:
        return None
    rest = besides_still_there(plain)
    names_little = len(_MEANINGFUL.findall(rest)) <= _STILL_REST
    return resolved[0] if names_little or names_its_subject(rest, resolved[0].text) else None


def _chased(plain: str, ctx: Context) -> tuple[Case, ...]:
    """The cases a 催办 may press: the resident's cases still being worked on, all of them when the
    message says nothing else (「都一个星期了还没人来修，能不能催一下」), else those it names something of;
    none for words of another matter (「麻烦催一下物业」 about a street light)."""
    working = tuple(c for c in ctx.cases if c.status not in FINAL | {Status.RESOLVED, Status.MERGED})
    rest = _ABOUT_IT.sub("", STATUS.sub("", DELAY.sub("", SINCE.sub("", CHASE.sub("", plain)))))
    return working if len(rest) <= 1 else tuple(c for c in working if names_its_subject(rest, c.text))


def _added(text: str) -> str | None:
    """What 「补充…」 (「我要补充一下：…」, 「再补充一点，…」) adds, "" if nothing yet; None if it adds nothing."""
    said = _ADD_MORE.match(text.strip())
    return text.strip()[said.end():] if said else None


def _complains(plain: str, ctx: Context) -> bool:
    """「小区保安服务太差了」, 「楼下一般晚上十点后还很吵」 from a resident with no case to rate: a complaint
    that uses a rating word, not a rating of nothing."""
    return (len(_MEANINGFUL.findall(plain)) >= _RATED_COMPLAINT
            and not any(c.status is Status.RESOLVED for c in ctx.cases))


def _only_thanks(plain: str) -> bool:
    return bool(plain) and not _thanked(plain)


def _thanked(plain: str) -> str:
    """What a message says besides thanks: 「好的」 in 「好的谢谢」, 「路灯坏了」 in 「路灯坏了谢谢」."""
    return re.sub(r"谢谢|感谢|多谢|辛苦|麻烦|你|您|啦|了|啊|哈|的|们|大家", "", plain)


def _names_errand(plain: str) -> bool:
    return any(w in plain for w in ("补充", "撤销", "评价", "取消"))
