"""The referent: the migrant shares her dates with the partner she came to join (issue 16, item 4).

`channels.app.wire` puts `ReferentCommands` among the interceptors (before the handoff one),
wraps the reminders interceptor with `offering_sharing` and the erase handler with `erasing`,
hooks `copying_reminders` into `ReminderService`, and serves `routes.router` (his picture).
See `service` for the codes, links and what he sees; `handlers` for the conversation.
"""

from __future__ import annotations

from gateway.referents.handlers import ReferentCommands, copying_reminders, erasing, offering_sharing
from gateway.referents.routes import router
from gateway.referents.service import ReferentService

__all__ = ["ReferentCommands", "ReferentService", "copying_reminders", "erasing", "offering_sharing", "router"]
