"""Telegram adapter (aiogram 3): updates → Inbound, Outgoing → Bot API calls. See app.py."""
