"""Bot replies as WeChat messages. WeChat has no buttons under a text: a reply with choices goes out
as a 菜单消息 (客服消息 `msgmenu`, whose options come back as a text with `bizmsgmenuid`) and, where
that cannot be sent, as text with numbered options; the typed number or words work either way.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from flows.messages import Reply
from flows.texts import split_text

MAX_TEXT = 600  # characters: WeChat takes 2,048 bytes of text, and a Chinese character is 3
TYPE_TO_CHOOSE = "（点选上面的选项，或直接回复序号）"
LOCATION_HINT = "如方便，可点输入框旁的「+」，选「位置」发送您所在的位置；也可以直接打字说地址。"


@dataclass(frozen=True)
class Outgoing:
    text: str
    options: tuple[str, ...] = ()  # the labels of a 菜单消息

    def as_text(self) -> str:
        """The message as plain text: the options numbered, for a passive reply or a fallback."""
        if not self.options:
            return self.text
        numbered = "\n".join(f"{i}. {label}" for i, label in enumerate(self.options, 1))
        return f"{self.text}\n{numbered}\n（回复序号即可）"

    def msgmenu(self) -> dict[str, object]:
        return {
            "head_content": self.text,
            "list": [{"id": str(i), "content": label} for i, label in enumerate(self.options, 1)],
            "tail_content": TYPE_TO_CHOOSE,
        }


def outgoing(replies: Sequence[Reply]) -> list[Outgoing]:
    """Replies without choices run together into as few messages as fit; a reply with choices is a
    message of its own, so that the text before it can be the passive reply and the options follow."""
    messages: list[Outgoing] = []
    pending: list[str] = []
    for reply in replies:
        text = f"{reply.text}\n{LOCATION_HINT}" if reply.request_location else reply.text
        if not reply.choices:
            pending.append(text)
            continue
        messages.extend(_texts(pending))
        pending = []
        *before, last = split_text(text, MAX_TEXT)
        messages.extend(Outgoing(piece) for piece in before)
        messages.append(Outgoing(last, tuple(choice.label for choice in reply.choices)))
    return messages + _texts(pending)


def _texts(texts: Sequence[str]) -> list[Outgoing]:
    return [Outgoing(piece) for piece in split_text("\n\n".join(texts), MAX_TEXT)] if texts else []
