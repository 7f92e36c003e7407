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

    async def send_reminders() -> None:
        try:
            await reminders.send_due()
        except Exception:  # noqa: BLE001 - keep the scheduler alive; retried next interval
            log.exception("reminder job failed")

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
    scheduler.add_job(
        send_reminders,
        IntervalTrigger(seconds=settings.reminder_interval_s, timezone=zone),
        id="reminders",
        next_run_time=datetime.now(zone),  # catch-up at start-up
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    if news is not None:
        news_service = news

        async def send_news() -> None:
            try:
                await news_service.send_due()
            except Exception:  # noqa: BLE001 - keep the scheduler alive; retried next interval
                log.exception("news job failed")

        scheduler.add_job(
            send_news,
            IntervalTrigger(seconds=settings.news_interval_s, timezone=zone),
            id="news",
            next_run_time=datetime.now(zone),  # resume at start-up
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    scheduler.add_job(
        retention,
        CronTrigger(hour=settings.retention_hour, minute=30, timezone=zone),
        id="retention",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=3600,
    )
    if checkins is not None:
        checkin_service = checkins

        async def send_checkins() -> None:
            try:
                await checkin_service.send_due()
            except Exception:  # noqa: BLE001 - keep the scheduler alive; retried next interval
                log.exception("check-in job failed")

        scheduler.add_job(
            send_checkins,
            IntervalTrigger(seconds=settings.reminder_interval_s, timezone=zone),
            id="checkins",
            next_run_time=datetime.now(zone),  # catch-up at start-up
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    scheduler.start()
    log.info("scheduler started: reminders every %ss, retention at %02d:30", settings.reminder_interval_s, settings.retention_hour)
    return scheduler


def stop_scheduler(scheduler: AsyncIOScheduler | None) -> None:
    if scheduler is not None and scheduler.running:
        scheduler.shutdown(wait=False)
