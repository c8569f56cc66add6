"""Telegram: public channels and chats, and comments under channel posts (telethon)."""
from collectors.telegram.collector import TelegramCollector

__all__ = ["TelegramCollector"]
