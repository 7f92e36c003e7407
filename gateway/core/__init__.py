"""Shared gateway core: settings, database, engine client and the conversation service."""
