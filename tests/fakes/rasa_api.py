"""A fake Rasa server on 127.0.0.1 answering `trigger_intent` as Rasa Open Source 3 does.

Like Rasa it checks `?token=` (401) and knows only the intents of our rasa/domain.yml (404). It runs
the rule rasa/data/rules.yml gives the intent (entities fill the slots mapped from them, and the
response is rendered from the slots), then sends the reply on the conversation's latest input
channel or, when that channel cannot push (rest, an unknown conversation), returns it under
"messages" instead. It can also fail on cue.
"""

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web

from tests.fakes.servers import start_fake

RASA = Path(__file__).resolve().parents[2] / "rasa"
PUSHING_CHANNELS = {"socketio", "telegram", "callback"}


@dataclass
class Trigger:
    conversation_id: str
    query: dict[str, str]
    body: dict[str, Any]


@dataclass
class Uttered:
    conversation_id: str
    channel: str
    text: str


@dataclass
class FakeRasa:
    token: str = ""
    channels: dict[str, str] = field(default_factory=dict)  # conversation id → latest input channel
    triggers: list[Trigger] = field(default_factory=list)
    uttered: list[Uttered] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)  # queued error statuses for the next requests
    port: int = 0

    def __post_init__(self) -> None:
        domain = yaml.safe_load((RASA / "domain.yml").read_text(encoding="utf-8"))
        rules = yaml.safe_load((RASA / "data" / "rules.yml").read_text(encoding="utf-8"))["rules"]
        self.intents = {i if isinstance(i, str) else next(iter(i)) for i in domain["intents"]}
        self.responses: dict[str, str] = {name: variants[0]["text"] for name, variants in domain["responses"].items()}
        self.slot_mappings = [
            (slot, mapping) for slot, spec in domain["slots"].items()
            for mapping in spec["mappings"] if mapping["type"] == "from_entity"
        ]
        self.reactions = {
            rule["steps"][0]["intent"]: rule["steps"][1]["action"]
            for rule in rules
            if "condition" not in rule and "intent" in rule["steps"][0]
        }

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/conversations/{conversation_id:.+}/trigger_intent", self._trigger)
        self._runner, self.port = await start_fake(app)

    async def stop(self) -> None:
        await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def answer_next(self, *statuses: int) -> None:
        self.answers.extend(statuses)

    async def _trigger(self, request: web.Request) -> web.Response:
        if self.token and request.query.get("token") != self.token:
            return _error(401, "NotAuthenticated", "User is not authenticated.")
        if self.answers:
            return _error(self.answers.pop(0), "ConversationError", "An unexpected error occurred.")
        conversation_id, body = request.match_info["conversation_id"], await request.json()
        self.triggers.append(Trigger(conversation_id, dict(request.query), body))
        intent = body.get("name")
        if not intent:
            return _error(400, "BadRequest", "Name of the intent not provided in request body.")
        if intent not in self.intents:
            return _error(404, "NotFound", f"The intent {intent} does not exist in the domain.")
        replies = [self._render(body.get("entities") or {}, intent)]
        channel = self.channels.get(conversation_id, "")
        if request.query.get("output_channel") == "latest" and channel in PUSHING_CHANNELS:
            self.uttered.extend(Uttered(conversation_id, channel, text) for text in replies)
            return web.json_response({"tracker": {"sender_id": conversation_id}})
        return web.json_response({"tracker": {"sender_id": conversation_id},
                                  "messages": [{"recipient_id": conversation_id, "text": t} for t in replies]})

    def _render(self, entities: dict[str, str], intent: str) -> str:
        slots = {
            slot: entities[mapping["entity"]]
            for slot, mapping in self.slot_mappings
            if mapping["entity"] in entities and mapping.get("intent", intent) == intent
        }
        return self.responses[self.reactions[intent]].format(**slots)


def _error(status: int, reason: str, message: str) -> web.Response:
    return web.json_response({"version": "3.6.21", "status": "failure", "reason": reason, "message": message,
                              "code": status}, status=status)
