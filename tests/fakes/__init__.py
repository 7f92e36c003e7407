"""Local fakes of the platforms' HTTP APIs (Telegram Bot API, WhatsApp Graph API) for offline tests."""
