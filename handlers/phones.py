"""The one phone rule: a mainland mobile or landline number, kept as the digits dialled inside China.

A phone reaches a case from a resident's message, the operator's form and an Open311 client; all of
them read it here, so a number one channel takes is a number every other accepts, and the SMS
gateway is never handed what is not a phone.
"""

import re

import phonenumbers

SEPARATORS = re.compile(r"[\s\-—()（）]")
SHAPE = re.compile(r"1[3-9]\d{9}|0\d{2,3}\d{7,8}")  # mobile, or landline with its area code


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
