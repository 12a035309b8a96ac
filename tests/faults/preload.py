"""Imported once by the fork server, so that each of the dozens of `minsheng serve` lives in a
fault run skips the seconds of imports (spaCy, FastAPI, uvicorn, and aiogram, which the Telegram
channel imports only once configured) and of reading jieba's dictionary. Each life still builds
everything else afresh: settings, database, NLU model, channels."""

import bot.cli.main  # noqa: F401
import bot.server  # noqa: F401
import bot.telegram.runner  # noqa: F401
from nlu.segment import base_dictionary

base_dictionary()
