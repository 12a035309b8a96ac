"""Case numbers glued with WORD JOINERs for Telegram (bot/telegram/render.py) and read back through them
(nlu/entities.py): a resident copies what they see, and invisible characters come along."""

import pytest

from bot.telegram.render import message_texts, unbroken
from bot.web.staff.search import CaseQuery, parse_query
from nlu.entities import extract_entities
from nlu.intents import detect_intent

WJ = "\u2060"
NUMBER = "MS-20261204-0001"


def test_each_hyphen_of_a_case_number_is_glued_and_nothing_else_changes() -> None:
    text = f"您的诉求已受理，编号 {NUMBER}。请拨打 12345-6 咨询，时间 2026-12-04。"
    glued = unbroken(text)
    assert glued == text.replace(NUMBER, f"MS{WJ}-{WJ}20261204{WJ}-{WJ}0001")
    assert glued.replace(WJ, "") == text


def test_every_piece_of_a_long_message_is_glued() -> None:
    pieces = message_texts(f"{NUMBER}\n" + "字" * 30 + f"\n{NUMBER}", limit=24)
    assert len(pieces) > 1 and all(NUMBER not in p for p in pieces)
    assert sum(p.count(f"MS{WJ}-{WJ}") for p in pieces) == 2


@pytest.mark.parametrize("copied", [
    unbroken(NUMBER),  # as our Telegram reply sends it
    "MS\u200b-20261204-\u200b0001",  # zero-width spaces from another app
    f"\ufeffMS-20261204{WJ}-0001",  # a byte-order mark in front, one joiner left
    f"ms{WJ}20261204{WJ}0001",
])
def test_a_copied_number_with_invisible_joiners_is_still_the_number(copied: str) -> None:
    said = f"{copied} 到哪一步了"
    intent = detect_intent(said)
    assert (intent.name, intent.case_number) == ("ask_status", NUMBER)
    found = [e for e in extract_entities(said) if e.type == "case_number"]
    assert [e.value for e in found] == [NUMBER] and said[found[0].start:found[0].end].endswith("0001")


@pytest.mark.parametrize("not_a_number", [f"MS{WJ}-{WJ}2026120-0001", f"XMS{WJ}-20261204-0001", "MS--20261204-0001"])
def test_joiners_do_not_make_a_number_of_what_is_not_one(not_a_number: str) -> None:
    assert detect_intent(f"{not_a_number} 到哪一步了").case_number is None


def test_staff_search_finds_a_number_pasted_from_a_telegram_chat() -> None:
    assert parse_query(f" {unbroken(NUMBER)} ") == CaseQuery(number=NUMBER)
