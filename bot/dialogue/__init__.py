"""Conversation logic only the engine uses: the deadline dialogue, language detection and
safety signals. Imported as `dialogue` (the engine runs with `bot/` on its path)."""
