"""The Telegram alert chat (aiogram 3): cards as HTML, the bot's handlers and the outbox delivery.

Imported only by ``mcu bot`` and the tests, so a scan never loads aiogram.
"""
