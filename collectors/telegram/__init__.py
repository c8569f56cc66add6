"""Telegram: public channels and chats, comments under channel posts, and a live listener (telethon)."""
from collectors.telegram.check import check_source
from collectors.telegram.collector import TelegramCollector
from collectors.telegram.errors import ChatDeferred

__all__ = ["ChatDeferred", "TelegramCollector", "check_source"]
