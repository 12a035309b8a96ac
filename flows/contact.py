"""Intake, second half: the summary (which also offers a contact phone or anonymity), edits, and
the FileCase command the confirmation produces.

The phone is not a question of its own: every resident would pay a turn for what most answer
「不留」 (bench/dialogue.py). The summary says none is left and how to add one; a number typed at
any point is taken, and 修改 → 联系方式 asks for it explicitly."""

import re
from dataclasses import replace

from flows import intake, location, matters
from flows.choices import han_count, normalise, picked
from flows.context import Context, Outcome, advance, ask, called_off, miss, repeat
from flows.messages import Inbound
from flows.state import ConversationState, Draft
from flows.texts import ADDED_TO_STORY, ANONYMOUS_EXPLAINED, PHONE_EXPLAINED, category_plain
from flows.understanding import Understanding
from handlers.commands import FileCase
from handlers.phones import SEPARATORS, SHAPE, mask_phone, phone_digits
from nlu.transcripts import without_phones

CONTACT, SUMMARY, EDIT, SUBMITTED = "contact", "summary", "edit", "submitted"
STEPS = (CONTACT, SUMMARY, EDIT)
_PHONE = re.compile(rf"(?<!\d)({SHAPE.pattern})(?!\d)")  # a number inside a message, separators dropped
_DIGITS = re.compile(r"\d{5,}")
# 「我电话1381234567」: said as a phone, a mobile number a digit short or long, which find_phone rightly leaves
_NEAR_MOBILE = re.compile(r"(?:电话|手机|号码|联系方式)\D{0,4}?(?<!\d)(1\d{9}|1\d{11})(?!\d)")
_QUESTION = re.compile(r"[?？]|(?:吗|么|呢)[\s。.!！]*$")
_STORY_MIN_HAN = 6
# The edit menu's fields in the words residents use for them; 「不改地址，改电话」 names the last one not denied.
_FIELD_WORDS = {"描述": "text", "内容": "text", "分类": "category", "类别": "category", "类型": "category", "主题": "topic",
                "部门": "topic", "地址": "location", "位置": "location",
                "地点": "location", "地方": "location", "电话": "contact", "手机": "contact", "号码": "contact",
                "联系方式": "contact"}
_FIELD = re.compile(rf"(不|别)?(?:修改|改)?(?:一下|下)?({'|'.join(_FIELD_WORDS)})")
_SUBMIT = re.compile(r"提交|登记|上报|交吧|发吧")  # said at the edit menu: file as summed up
_EDIT = re.compile(r"(?:我)?(?:要|想|需要|得)?(?:修改|改)(?:一下|下|改|一改)?(?:吧|啊|呀)?")  # 「改一下」 at the summary
NO_PHONE = ("不留", "不方便", "不想留", "没有电话", "不用了", "不用联系", "不要联系", "别联系", "不用打电话", "不要打电话",
            "别打电话")
# Anonymity asked for in the resident's words: 「我不想暴露身份」, 「别让物业知道是我反映的」.
# A question about the number itself: why it is wanted, who will see it (「为什么要电话？」, 「电话会告诉对方吗」).
_ABOUT_THE_PHONE = re.compile(r"(?:为什么|为啥|干嘛|干什么|有什么用).{0,4}(?:电话|手机|号码)|"
                              r"(?:电话|手机|号码).{0,6}(?:告诉|给|泄露|透露|公开|看到|知道|有什么用|干嘛|保密|安全)")
_ANONYMOUS = re.compile(r"匿名|不想暴露|不要暴露|不暴露|身份保密|保密身份|不留名|不留姓名|(?:不要|不想|别|不能)让.{0,8}知道")
WRONG_NUMBER = "这个号码好像不对：手机号是 11 位数字，座机请带区号。请再输入一次，或选择下面的选项。"


def ask_contact(state: ConversationState, prefix: str = "") -> Outcome:
    text = (
        f"{prefix}为了方便办理人员联系您核实情况，请留下手机号码。\n"
        "不方便的话，也可以选择“匿名反映”（办理部门看不到您的身份，也不会回访）或“不留电话”。"
    )
    return ask(state, CONTACT, text, (("匿名反映", "anonymous"), ("不留电话", "skip")))


def find_phone(text: str) -> str | None:
    """A valid Chinese mobile or landline number in the text, digits only."""
    for match in _PHONE.finditer(SEPARATORS.sub("", text)):
        if number := phone_digits(match.group(1)):
            return number
    return None


def summary_text(draft: Draft, ctx: Context) -> str:
    topic = f"（{draft.topic}）" if draft.topic else ""
    mistyped = _NEAR_MOBILE.search(SEPARATORS.sub("", draft.text))
    if draft.anonymous:
        contact = "匿名反映"
    elif draft.phone:
        contact = mask_phone(draft.phone)
    elif mistyped:
        contact = (f"未留电话（您写的“{mistyped.group(1)}”是 {len(mistyped.group(1))} 位，手机号是 11 位数字；"
                   "想留的话，直接回复正确的号码即可）")
    elif draft.contact_done:
        contact = "未留电话（进度在这里通知您）"
    else:
        contact = "未留电话（进度在这里通知您；想让办理人员打电话核实的话，直接回复手机号即可）"
    body = draft.text if len(draft.text) <= 200 else draft.text[:199] + "…"
    return (
        "请核对您要反映的内容：\n"
        f"问题：{body}\n"
        f"类别：{category_plain(draft.category, draft.party, draft.party_words)}{topic}\n"
        f"地点：{location.where_label(draft, ctx)}\n"
        f"联系方式：{contact}"
    )


def ask_summary(state: ConversationState, ctx: Context, prefix: str = "") -> Outcome:
    assert state.draft is not None
    later = f"\n{matters.waiting(state)}" if state.queued else ""
    text = f"{summary_text(state.draft, ctx)}{later}\n确认无误请点“确认提交”。"
    offered = (("确认提交", "submit"), ("修改", "edit"), ("取消", "cancel"))
    if not (state.draft.anonymous or state.draft.phone or state.draft.contact_done):
        offered = (*offered[:1], ("匿名反映", "anonymous"), *offered[1:])
    return ask(state, SUMMARY, text, offered, note=prefix)


def file_command(draft: Draft, channel: str, user_ref: str, ctx: Context) -> FileCase:
    address = draft.address if draft.grid_code else location.manual_address(draft, ctx)
    return FileCase(
        actor="resident:anonymous" if draft.anonymous else f"resident:{channel}:{user_ref}",
        text=draft.text,
        channel=channel,
        user_ref=user_ref,
        category=draft.category,
        topic=draft.topic,
        category_confidence=draft.category_confidence,
        topic_confidence=draft.topic_confidence,
        classification_confirmed=draft.classification_confirmed,
        grid_code=draft.grid_code,
        address=address or None,
        latitude=draft.latitude,
        longitude=draft.longitude,
        phone=None if draft.anonymous else draft.phone,
        anonymous=draft.anonymous,
        intake_key=draft.origin or None,
        attachments=draft.attachments,
        model_version=draft.model_version,
        emergency=draft.emergency,
    )


def with_phone(draft: Draft, phone: str) -> Draft:
    return replace(draft, phone=phone, anonymous=False, contact_done=True)


def on_turn(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    return {CONTACT: _on_contact, SUMMARY: _on_summary, EDIT: _on_edit}[state.step](state, inbound, u, ctx)


def _on_contact(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    answered = _contact_answer(state, inbound, u, ctx)
    if answered is not None:
        draft, note = answered
        return advance(replace(state, draft=draft), note)
    if _ANONYMOUS.search(normalise(inbound.text)):
        return ask_contact(state, ANONYMOUS_EXPLAINED + "\n")
    if _ABOUT_THE_PHONE.search(normalise(inbound.text)):
        return ask_contact(state, PHONE_EXPLAINED + "\n")
    if _DIGITS.search(inbound.text):
        return miss(state, WRONG_NUMBER)
    return miss(state, "请输入手机号码，或选择下面的选项。")


def _contact_answer(state: ConversationState, inbound: Inbound, u: Understanding,
                    ctx: Context) -> tuple[Draft, str] | None:
    """A phone, anonymity or 「不留」 in the answer, at the phone question or at the summary; None
    when it is none of them (or a question about what 匿名 means)."""
    draft = _draft(state)
    choice = picked(inbound, state.offered)
    plain = normalise(inbound.text)
    phone = (u.phones[0] if u.phones else None) or find_phone(inbound.text)
    if phone and choice is None:
        return with_phone(draft, phone), f"好的，已记下电话 {mask_phone(phone)}。"
    if _ANONYMOUS.search(plain) and ("什么" in plain or "意思" in plain or _QUESTION.search(inbound.text)):
        return None  # 「匿名是什么意思」, 「不想暴露身份的话会影响处理吗」: asked about, not chosen
    if choice == "anonymous" or (choice is None and _ANONYMOUS.search(plain)):
        return replace(draft, anonymous=True, phone=None, contact_done=True), f"好的，按匿名反映登记。{ANONYMOUS_EXPLAINED}"
    if choice == "skip" or any(w in plain for w in NO_PHONE) or (
            state.step == CONTACT and u.is_intent("deny", ctx.config.intent_confidence)):
        return (replace(draft, anonymous=False, phone=None, contact_done=True),
                "好的，不留电话也可以受理，办理进度会在这里通知您。")
    return None


def _on_summary(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    choice = picked(inbound, state.offered)
    if choice == "submit" or (choice is None and u.is_intent("affirm", ctx.config.intent_confidence)):
        return _submitted(state, inbound, ctx)
    if choice == "cancel":
        return called_off(state)
    answered = _contact_answer(state, inbound, u, ctx)
    if answered is not None:
        draft, note = answered
        rest = told_with_phone(inbound.text) if draft.phone else ""
        if u.intent in ("other", "give_location") and rest:  # 「我想反映…，电话138…」
            return told_more(replace(state, draft=draft), inbound, rest, u, ctx, note)
        return ask_summary(replace(state, draft=draft), ctx, note + "\n")
    denied = u.is_intent("deny", ctx.config.intent_confidence)
    if (field := _field_named(inbound.text)) and ("改" in inbound.text or denied):  # 「先别提交，改下地址」, 「电话写错了」
        return _on_edit(_ask_edit(state).state, replace(inbound, choice=field), u, ctx)
    if choice == "edit" or denied or _EDIT.fullmatch(normalise(inbound.text)):
        return _ask_edit(state)
    if _ANONYMOUS.search(normalise(inbound.text)):
        return ask_summary(state, ctx, ANONYMOUS_EXPLAINED + "\n")
    if _ABOUT_THE_PHONE.search(normalise(inbound.text)):
        return ask_summary(state, ctx, PHONE_EXPLAINED + "\n")
    if u.intent in ("other", "give_location") and adds_to_the_story(inbound.text):  # as 「补充…」 is (flows/router.py)
        return told_more(state, inbound, inbound.text, u, ctx)  # 「打了好几次12345都没用」 is no phone mistyped
    if _DIGITS.search(inbound.text):
        return miss(state, WRONG_NUMBER)
    return miss(state, "确认无误请回复“确认”，需要改动请回复“修改”。")


def told_more(state: ConversationState, inbound: Inbound, text: str, u: Understanding, ctx: Context,
              note: str = "") -> Outcome:
    """Words told at the summary or the place question: another matter (asked whether to file it apart)
    or more of this one, after which the question on screen comes back."""
    if (asked := other_matter(state, inbound, text, u, ctx)) is not None:
        return asked.prefixed(note)
    more = replace(state, draft=intake.add_words(_draft(state), text, u))
    said_back = "".join(f"{line}\n" for line in (note, ADDED_TO_STORY) if line)
    return ask_summary(more, ctx, said_back) if state.step == SUMMARY else repeat(more, said_back.rstrip())


def _field_named(text: str) -> str | None:
    named = [_FIELD_WORDS[word] for denied, word in _FIELD.findall(normalise(text)) if not denied]
    return named[-1] if named else None


def _submitted(state: ConversationState, inbound: Inbound, ctx: Context) -> Outcome:
    command = file_command(_draft(state), inbound.channel, inbound.user_ref, ctx)
    return Outcome(replace(state, step=SUBMITTED, offered=(), question=""), (), (command,))


def other_matter(state: ConversationState, inbound: Inbound, text: str, u: Understanding,
                 ctx: Context) -> Outcome | None:
    """The question whether `text` is another matter (flows/matters.py), or None when it reads as this one."""
    said = intake.absorb(Draft(origin=inbound.key), text, u)
    if matters.another(_draft(state), said, ctx.config.classification_confidence, ctx.config.guide):
        return matters.ask_other(state, said)
    return None


def told_with_phone(text: str) -> str:
    """More of the story said with a phone number (「已经一个星期没人修，我电话138…」), without the number
    or what led to it; "" when the words are only about the number (「电话写错了，应该是139…」)."""
    rest = without_phones(text).strip(" ，,。；;、")
    return rest if adds_to_the_story(rest) and _field_named(rest) != "contact" else ""


def adds_to_the_story(text: str) -> bool:
    """A statement of some length at the summary tells more of the problem (「他家还在楼道堆东西」,
    「想让他别再半夜装修」): residents add what they forgot when they see it summed up. A question
    is not: it gets the summary's usual 「没太明白」."""
    stripped = text.strip()
    return han_count(stripped) >= _STORY_MIN_HAN and not _QUESTION.search(stripped)


def _ask_edit(state: ConversationState, prefix: str = "") -> Outcome:
    offered = (("问题描述", "text"), ("类别", "category"), ("主管部门", "topic"), ("地点", "location"),
               ("联系方式", "contact"))
    return ask(state, EDIT, f"{prefix}请问要修改哪一项？", offered)


def _on_edit(state: ConversationState, inbound: Inbound, u: Understanding, ctx: Context) -> Outcome:
    draft = _draft(state)
    choice = picked(inbound, state.offered)
    if choice == "text":
        draft = replace(draft, parts=(), class_done=False, classification_confirmed=False,
                        category=None, category_confidence=None, topic=None, topic_confidence=None)
        return ask(replace(state, draft=draft), intake.DESCRIBE, "好的，请重新描述一下您的问题：")
    if choice == "category":
        draft = replace(draft, class_done=False, classification_confirmed=False, party=None, party_words="", want=None)
        return intake.ask_party(replace(state, draft=draft), "好的。")
    if choice == "topic":
        return intake.ask_topic(replace(state, draft=replace(draft, class_done=False)), ctx)
    if choice == "location":
        return location.ask_where(location.cleared(state), ctx)
    if choice == "contact":
        return ask_contact(replace(state, draft=replace(draft, contact_done=False, phone=None, anonymous=False)))
    if choice is None and (field := _field_named(inbound.text)):
        return _on_edit(state, replace(inbound, choice=field), u, ctx)  # 「地址」, 「改电话」: the field in other words
    threshold = ctx.config.intent_confidence
    if u.is_intent("affirm", threshold) and _SUBMIT.search(normalise(inbound.text)):
        return _submitted(state, inbound, ctx)  # 「可以 提交吧」: nothing to change after all
    if u.is_intent("affirm", threshold) or u.is_intent("deny", threshold):
        return ask_summary(state, ctx, "好的，不改了。\n")  # 「不用改了」, 「没问题」
    return miss(state, "请选择要修改的项目，回复序号就可以。")


def _draft(state: ConversationState) -> Draft:
    assert state.draft is not None, "a contact step without a draft"
    return state.draft
