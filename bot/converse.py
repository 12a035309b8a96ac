"""What every channel does around `dialogue.handle`: the sender's rate and size gate, text that can
be stored, an answer even when the dialogue fails, and the trace in the log. Channels only render
the outcome."""

import logging
import re
from dataclasses import dataclass, replace
from typing import Literal

from bot.limits import SenderGate
from bot.ports import Dialogue
from flows.messages import Inbound, Reply

log = logging.getLogger(__name__)
BROKEN = "抱歉，系统刚才出了点问题，您的这条消息没有处理成功，请稍后再发一次。"
Outcome = Literal["answered", "refused", "failed"]
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")  # half of a UTF-16 pair: no database can store it


@dataclass(frozen=True)
class Turn:
    outcome: Outcome
    replies: list[Reply]


async def converse(dialogue: Dialogue, inbound: Inbound, gate: SenderGate | None = None,
                   shown: str | None = None) -> Turn:
    """One resident message. `gate` is None where the channel screened the message already (Telegram's
    middleware screens commands too); `shown` is what is size-checked (the text as typed)."""
    inbound = _storable(inbound)
    if gate is not None:
        passed, answer = gate.screen(inbound.user_ref, _said(inbound) if shown is None else shown)
        if not passed:
            return Turn("refused", [Reply(answer)] if answer else [])
    try:
        return Turn("answered", await dialogue.handle(inbound))
    except Exception:  # noqa: BLE001 - the resident gets an answer, the log gets the trace
        log.exception("the dialogue failed on a %s message", inbound.channel)
        return Turn("failed", [Reply(BROKEN)])


def _storable(inbound: Inbound) -> Inbound:
    """The message without lone surrogates (a JSON "\\ud83d" or a cut emoji), dropped here once for every
    channel: kept, they fail the history's write after the turn has acted, e.g. filed the case."""
    text, choice = LONE_SURROGATE.sub("", inbound.text), inbound.choice and LONE_SURROGATE.sub("", inbound.choice)
    return inbound if (text, choice) == (inbound.text, inbound.choice) else replace(inbound, text=text, choice=choice)


def _said(inbound: Inbound) -> str:
    return inbound.text or inbound.choice or ""
