"""Fakes of the external services, one module each.

``http``: a small HTTP server in a thread (routes, a request log, conditional GET);
``vk``: the VK API on top of it (``/method/…``, VKScript ``execute``), answering from recordings
or from a subclass; ``feeds``: RSS 2.0 documents; ``telegram_bot``: the Telegram Bot API with
Telegram's HTML checks; ``telegram_client``: real Telethon objects behind a fake ``TelegramClient``.
"""
