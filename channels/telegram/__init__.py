"""Telegram channel (python-telegram-bot 22): webhook route, long polling, sender.

`bot.py` wires the PTB application and its handlers, `webhook.py` the secret-checked route,
`client.py` sends text/keyboards/photos/documents, `mapping.py` holds texts and conversions.
"""
