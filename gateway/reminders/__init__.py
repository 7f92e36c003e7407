"""Opt-in reminders at dates from the deadline engine, stored and sent by the gateway's scheduler.

`channels.app.wire` wraps the deadlines payload handler with `offering_reminders` (the offer
after a deadline answer) and puts `ReminderCommands` first among the interceptors. See
`service` for what is sent when, `scheduler` for the jobs.
"""

from __future__ import annotations

from gateway.reminders.handlers import COMMAND, ReminderCommands, offering_reminders
from gateway.reminders.service import ReminderService

__all__ = ["COMMAND", "ReminderCommands", "ReminderService", "offering_reminders"]
