"""How uvicorn serves the web app, wherever it runs: `minsheng serve`, the tests' servers, the benches."""

from typing import Any

from bot.web.connection_lane import laned_http
from bot.web.resident import WS_MAX_BYTES


def uvicorn_options() -> dict[str, Any]:
    """uvicorn.Config's protocol options for one server. New connections start through a lane of
    their own (bot.web.connection_lane). No permessage-deflate: chat frames are a few hundred bytes
    of JSON, and a compressor per connection made every handshake, a refused one too, cost more than
    the frames it would save (bench/web.py's flood)."""
    return {"http": laned_http(), "ws": "websockets-sansio", "ws_max_size": WS_MAX_BYTES,
            "ws_per_message_deflate": False}
