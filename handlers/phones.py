"""The one phone rule: a mainland mobile or landline number, kept as the digits dialled inside China,
and shown masked wherever it is not needed whole.

A phone reaches a case from a resident's message, the operator's form and an Open311 client; all of
them read it here, so a number one channel takes is a number every other accepts, and the SMS
gateway is never handed what is not a phone. Every page, export and reply that shows a phone masks
it with `mask_phone`, and a number typed into free text with `mask_phones_in`.
"""

import re

import phonenumbers

SEPARATORS = re.compile(r"[\s\-—()（）]")
SHAPE = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}")  # mobile, or landline with its area code
# A number inside words, as people write it: 13812345678, 138 1234 5678, 138-1234-5678, 0571-88886666.
IN_TEXT = re.compile(r"(?<!\d)(?:1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}|0\d{2,3}[\s-]?\d{7,8})(?!\d)")


def phone_digits(raw: str | None) -> str | None:
    """The number's digits ('13812345678', '01012345678'); '' when none was given; None when what
    was given is not a valid mainland number (shape, then the numbering plan's own ranges)."""
    digits = SEPARATORS.sub("", raw or "")
    digits = digits.removeprefix("+86").removeprefix("0086")
    if not digits:
        return ""
    if not SHAPE.fullmatch(digits):
        return None
    try:
        valid = phonenumbers.is_valid_number(phonenumbers.parse(digits, "CN"))
    except phonenumbers.NumberParseException:
        return None
    return digits if valid else None


def mask_phone(phone: str | None) -> str:
    """138****5678 for a mobile, 05****66 for a landline: enough to recognise one's own number, not to dial it."""
    if not phone:
        return ""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else phone[:2] + "****" + phone[-2:]


def mask_phones_in(text: str) -> str:
    """The text with every phone-shaped number in it masked: residents type their number into the
    complaint itself, and the text is shown (and kept for statistics) where the number may not be."""
    return IN_TEXT.sub(lambda found: mask_phone(SEPARATORS.sub("", found.group())), text)
