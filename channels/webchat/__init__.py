"""The built-in web chat: one page and a small JSON API."""
