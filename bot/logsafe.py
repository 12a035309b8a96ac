"""Log records that cannot forge lines.

Residents and staff type what ends up in log messages (a phone number, a case number in an
address, an exception's text). A CR or LF in such a value would start what looks like a new,
separate record. Escaping happens in the record itself, so every handler and formatter (ours,
uvicorn's, a test's) writes one record per line whatever it was configured with.
"""

import logging
import re
from typing import Any

# C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidi overrides that
# could make a line read differently from what it holds.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """`text` with every control character written as its escape (CR as \\r, ESC as \\x1b)."""
    if not _CONTROL.search(text):
        return text
    return _CONTROL.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match[0]
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


class SafeLogRecord(logging.LogRecord):
    """A record whose message, and the text of any exception it carries, keep to their own lines."""

    def getMessage(self) -> str:  # noqa: N802 - logging's name
        return escape_controls(super().getMessage())

    @property
    def exc_text(self) -> str | None:
        return self._exc_text

    @exc_text.setter
    def exc_text(self, text: str | None) -> None:
        """A formatter caches the formatted traceback here: the exceptions' own words are escaped in it,
        while the traceback keeps its real line breaks."""
        self._exc_text = _safe_traceback(text, self.exc_info) if text else text


def _safe_traceback(text: str, exc_info: Any) -> str:
    for said in _exception_texts(exc_info[1] if isinstance(exc_info, tuple) else None):
        text = text.replace(said, escape_controls(said))
    return "\n".join(escape_controls(line) for line in text.split("\n"))


def _exception_texts(exc: BaseException | None) -> list[str]:
    """What each exception in the chain says (its str and notes), longest first, so a message that
    contains another is escaped whole."""
    seen: set[int] = set()
    texts: list[str] = []
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        try:
            texts += [str(exc), *map(str, getattr(exc, "__notes__", []) or [])]
        except Exception:  # noqa: BLE001 - an exception whose __str__ fails is printed as such by traceback
            pass
        exc = exc.__cause__ or exc.__context__
    return sorted((t for t in texts if _CONTROL.search(t)), key=len, reverse=True)


def install() -> None:
    """Make every record logged from now on a SafeLogRecord. Called by the composition root; idempotent."""
    if logging.getLogRecordFactory() is not SafeLogRecord:
        logging.setLogRecordFactory(SafeLogRecord)

