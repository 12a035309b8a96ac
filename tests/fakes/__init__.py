"""Local stand-ins for services the tests cannot reach: the Telegram Bot API, an SMS gateway."""
