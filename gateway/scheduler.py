"""The gateway's scheduler (APScheduler 3, AsyncIOScheduler on the app's event loop).

Jobs:
- `reminders`: every `reminder_interval_s` seconds, and once right at start-up, so reminders
  that fell due while the gateway was down go out after a restart (catch-up);
- `retention`: every night at `retention_hour`:30 local time (`gateway.privacy.retention`);
- `pending_erasures`: every `PENDING_ERASURE_INTERVAL_S`, "delete my data" requests whose tracker
  part failed are tried again until they succeed (`gateway.privacy.erase.retry_pending_erasures`);
- `news`: every `news_interval_s` seconds and once at start-up (resuming a delivery a restart cut
  off), pending news deliveries go out at `news_messages_per_second` (`gateway.news.service`);
  the editor's "send" runs it at once;
- `checkins`: every `reminder_interval_s` seconds and once at start-up, so a check-in that fell
  due while the gateway was down goes out after a restart (`gateway.checkins.service`).
Off when `scheduler_enabled` is false (tests); then call the jobs yourself.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from gateway.checkins.service import CheckinService
from gateway.core.conversation import ConversationService
from gateway.news.service import NewsService
from gateway.reminders.service import ReminderService

log = logging.getLogger(__name__)

PENDING_ERASURE_INTERVAL_S = 600


def start_scheduler(
    service: ConversationService,
    reminders: ReminderService,
    *,
    news: NewsService | None = None,
    checkins: CheckinService | None = None,
) -> AsyncIOScheduler | None:
    settings = service.settings
    if not settings.scheduler_enabled:
        return None
    zone = ZoneInfo(settings.timezone)
    scheduler = AsyncIOScheduler(timezone=zone)

    def sending(job_id: str, send_due: Callable[[], Awaitable[int]], interval_s: float, what: str) -> None:
        """A job that sends what is due every `interval_s`, and once at start-up (catch-up after a restart)."""

        async def send() -> None:
            try:
                await send_due()
            except Exception:  # noqa: BLE001 - keep the scheduler alive; retried next interval
                log.exception("%s job failed", what)

        scheduler.add_job(
            send,
            IntervalTrigger(seconds=interval_s, timezone=zone),
            id=job_id,
            next_run_time=datetime.now(zone),
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def retention() -> None:
        from gateway.privacy.retention import run_retention

        try:
            run_retention(service.session_factory, settings)
        except Exception:  # noqa: BLE001
            log.exception("retention job failed")

    def pending_erasures() -> None:
        from gateway.privacy.erase import retry_pending_erasures

        try:
            retry_pending_erasures(service.session_factory)
        except Exception:  # noqa: BLE001
            log.exception("pending erasure job failed")

    scheduler.add_job(
        pending_erasures,
        IntervalTrigger(seconds=PENDING_ERASURE_INTERVAL_S, timezone=zone),
        id="pending_erasures",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    sending("reminders", reminders.send_due, settings.reminder_interval_s, "reminder")
    if news is not None:
        sending("news", news.send_due, settings.news_interval_s, "news")
    scheduler.add_job(
        retention,
        CronTrigger(hour=settings.retention_hour, minute=30, timezone=zone),
        id="retention",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    if checkins is not None:
        sending("checkins", checkins.send_due, settings.reminder_interval_s, "check-in")
    scheduler.start()
    log.info("scheduler started: reminders every %ss, retention at %02d:30", settings.reminder_interval_s, settings.retention_hour)
    return scheduler


def stop_scheduler(scheduler: AsyncIOScheduler | None) -> None:
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
