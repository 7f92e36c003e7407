"""Handoff to a regievoerder: tickets, the consultant inbox, notifications and statistics.

The gateway (`channels.app.create_app`) wires this package in with `include_inbox(app, settings)`
(routes, session middleware) and, at start-up, `start_inbox(app, service)` (payload handler for
`{"wegwijs": {"type": "handoff", ...}}`, the interceptor that keeps the bot quiet while a person
owns the conversation, notifications).
"""

from inbox.main import include_inbox, start_inbox, stop_inbox

__all__ = ["include_inbox", "start_inbox", "stop_inbox"]
