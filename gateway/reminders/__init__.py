"""Opt-in reminders at dates from the deadline engine, stored and sent by the gateway's scheduler.

`install_reminders(service)` (called by `channels.app` after the deadlines handler is
registered) wraps the deadlines payload handler to offer reminders, and puts the reminder
command interceptor first. See `service` for what is sent when, `scheduler` for the jobs.
"""

from __future__ import annotations

from channels.core.conversation import ConversationService
from channels.reminders.handlers import COMMAND, ReminderCommands, offering_reminders
from channels.reminders.service import ReminderService

DEADLINES_KIND = "deadlines"


def install_reminders(service: ConversationService, reminders: ReminderService | None = None) -> ReminderService:
    from channels.media import deadlines as deadlines_media

    reminders = reminders or ReminderService(service)
    service.register_payload_handler(
        DEADLINES_KIND, offering_reminders(deadlines_media.handle_deadlines_payload, reminders)
    )
    service.interceptors.insert(0, ReminderCommands(reminders))
    return reminders


__all__ = ["COMMAND", "ReminderService", "install_reminders"]
