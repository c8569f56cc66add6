"""Telegram: public channels and chats, comments under channel posts, and a live listener (telethon).

``config`` (the source model) is light; ``collector`` and ``check`` load telethon and register
themselves when a scan or a check needs them (``collectors.base``)."""
