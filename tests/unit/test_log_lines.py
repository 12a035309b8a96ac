"""A value typed by a resident or a clerk cannot forge log lines: whatever the handler and its
formatter, one record is one line (plus its traceback's own lines), with CR, LF and other controls
written as escapes."""

import io
import logging
from collections.abc import Iterator

import pytest
from uvicorn.logging import DefaultFormatter

from bot import logsafe

FORGED = "13800138000\r\n2026-12-06 16:00:00,000 INFO bot.web.auth: admin signed in\x1b[2K\u2028ok"
SERVE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"  # bot/cli/serve.py's


@pytest.fixture
def written() -> Iterator[tuple[logging.Logger, io.StringIO, io.StringIO]]:
    """A logger writing through serve.py's format and through uvicorn's own formatter."""
    previous = logging.getLogRecordFactory()
    logsafe.install()
    plain, colourless = io.StringIO(), io.StringIO()
    logger = logging.getLogger("tests.log_lines")
    handlers = [logging.StreamHandler(plain), logging.StreamHandler(colourless)]
    handlers[0].setFormatter(logging.Formatter(SERVE_FORMAT))
    handlers[1].setFormatter(DefaultFormatter("%(levelprefix)s %(message)s", use_colors=False))
    for handler in handlers:
        logger.addHandler(handler)
    try:
        yield logger, plain, colourless
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
        logging.setLogRecordFactory(previous)


def test_a_phone_number_with_line_breaks_stays_on_its_record_s_line(
    written: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, plain, colourless = written
    logger.warning("联系电话 %s 无法送达", FORGED)
    logger.warning(FORGED)
    for output in (plain.getvalue(), colourless.getvalue()):
        lines = output.splitlines()
        assert len(lines) == 2, output
        assert all("\\r\\n2026-12-06 16:00:00,000 INFO" in line for line in lines)
        assert "\\x1b[2K\\u2028ok" in lines[0] and "\x1b" not in output and "\u2028" not in output


def test_an_exception_s_words_are_escaped_but_its_traceback_keeps_its_lines(
    written: tuple[logging.Logger, io.StringIO, io.StringIO],
) -> None:
    logger, plain, _ = written
    try:
        try:
            raise KeyError(FORGED)
        except KeyError as inner:
            raise ValueError(f"未找到诉求编号 MS-1\r\nINFO forged {inner}") from inner
    except ValueError:
        logger.exception("staff action failed")
    lines = plain.getvalue().splitlines()
    assert lines[0].endswith("staff action failed") and lines[1] == "Traceback (most recent call last):"
    assert sum(line.startswith("20") for line in lines) == 1, lines  # only the record's own line starts with a time
    assert not any(line.startswith(("INFO", "2026-12-06")) for line in lines[1:])
    assert any(line.startswith("ValueError: 未找到诉求编号 MS-1\\r\\nINFO forged") for line in lines)


def test_clean_messages_are_left_as_they_are() -> None:
    assert logsafe.escape_controls("诉求 MS-20261206-0001 已签收") == "诉求 MS-20261206-0001 已签收"
    assert logsafe.escape_controls("a\tb\x00c\x85") == "a\\tb\\x00c\\x85"
