"""Bot replies as Telegram messages: plain text (never parse_mode), inline keyboards for choices.

A resident's words come back inside our replies, so nothing is ever sent as HTML or Markdown.
A case number is glued with WORD JOINERs (U+2060) at its hyphens: Telegram's apps break a line
after a hyphen (「MS-20261204-」/「0001」) and plain text has no other way to forbid it. A resident
who copies the number back sends the joiners too; nlu.entities reads the number through them.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from flows.messages import Choice, Reply
from flows.texts import split_text

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
SHARE_LOCATION = "📍 发送我的位置"
LOCATION_HINT = "也可以点下方按钮，直接发送您所在的位置。"
WORD_JOINER = "\u2060"
CASE_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Z]{1,8}-\d{8}-\d{4,}(?!\d)")

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


@dataclass(frozen=True)
class Outgoing:
    text: str
    markup: Markup = None


def outgoing(replies: Sequence[Reply]) -> list[Outgoing]:
    """One or more messages per reply; the keyboard rides on the last piece of a long text."""
    messages: list[Outgoing] = []
    for reply in replies:
        pieces = message_texts(reply.text)
        keyboard = choice_keyboard(reply.choices)
        for piece in pieces[:-1]:
            messages.append(Outgoing(piece))
        if reply.request_location and keyboard is not None:
            messages.append(Outgoing(pieces[-1], keyboard))
            messages.append(Outgoing(LOCATION_HINT, location_keyboard()))
        elif reply.request_location:
            messages.append(Outgoing(pieces[-1], location_keyboard()))
        else:
            messages.append(Outgoing(pieces[-1], keyboard))
    return messages


def choice_keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup | None:
    usable = [c for c in choices if 0 < len(c.value.encode()) <= MAX_CALLBACK_BYTES]
    if not usable:
        return None
    rows = [[InlineKeyboardButton(text=c.label, callback_data=c.value)] for c in usable]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def location_keyboard() -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=SHARE_LOCATION, request_location=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def unbroken(text: str) -> str:
    """The text with every case number glued at its hyphens (MS⁠-⁠20261204⁠-⁠0001), so no line breaks inside it."""
    joined = f"{WORD_JOINER}-{WORD_JOINER}"
    return CASE_NUMBER.sub(lambda m: m.group().replace("-", joined), text)


def message_texts(text: str, limit: int = MAX_TEXT) -> list[str]:
    """What one reply or push is sent as: its case numbers unbroken, in pieces Telegram accepts."""
    return split_text(unbroken(text), limit)
