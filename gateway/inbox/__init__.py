"""Handoff to a regievoerder: tickets, the consultant inbox, notifications and statistics.

The gateway (`channels.app`) includes the pages with `include_inbox(app, settings)` (routes,
session middleware), builds the service with `make_handoff(service)`, registers its payload
handler (`{"wegwijs": {"type": "handoff", ...}}`) and its interceptor (the bot stays quiet while a
person owns the conversation) in its one wiring list, and starts it with `start_inbox`.
"""

from gateway.inbox.main import include_inbox, make_handoff, start_inbox, stop_inbox
from gateway.inbox.service import KIND as HANDOFF_KIND

__all__ = ["HANDOFF_KIND", "include_inbox", "make_handoff", "start_inbox", "stop_inbox"]
