"""Check-ins (regievoering): every few weeks three short questions, the recomputed dates, and,
with a separate consent, the regievoerder's view in the inbox ("Voortgang").

`channels.app.wire` wraps the deadlines payload handler with `offering_checkins` (the offer after
a deadline answer) and puts `CheckinCommands` among the interceptors; the scheduler calls
`CheckinService.send_due`; `gateway.checkins.inbox` adds the inbox pages. See `service` for the
flow, `models` for the tables.
"""

from __future__ import annotations

from gateway.checkins.handlers import CheckinCommands, offering_checkins
from gateway.checkins.service import COMMAND, CheckinService

__all__ = ["COMMAND", "CheckinCommands", "CheckinService", "offering_checkins"]
