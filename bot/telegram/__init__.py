"""The Telegram channel: aiogram routers, polling or webhook, and status pushes via the Bot API."""
