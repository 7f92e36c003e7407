"""News per municipality: users subscribe with one tap or one word, an editor in the inbox
writes and sends, the scheduler delivers on each subscriber's own channel.

`channels.app.wire` registers `NewsCommands` (interceptor) and `NewsOffer` (reply follower);
`gateway.scheduler` runs `NewsService.send_due`; `routes.page_router` is the editor under
/inbox/news.
"""

from __future__ import annotations

from gateway.news.handlers import COMMAND, NewsCommands, NewsOffer
from gateway.news.service import NewsService

__all__ = ["COMMAND", "NewsCommands", "NewsOffer", "NewsService"]
