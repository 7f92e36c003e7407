"""The statistics page: handoffs from the tickets, questions and fallbacks from Rasa's tracker store."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import timedelta
from pathlib import Path

from gateway.core.models import utcnow
from gateway.inbox.models import Ticket
from tests.support.fake_rasa import FakeRasa
from tests.support.inbox import (
    add_consultant,
    hand_off,
    login,
    make_settings,
    running,
    scripted_reply,
)


def make_tracker_store(path: Path) -> str:
    """A tracker store with the columns Rasa's SQLTrackerStore writes to its `events` table."""
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255), type_name VARCHAR(255), "
        "timestamp FLOAT, intent_name VARCHAR(255), action_name VARCHAR(255), data TEXT)"
    )
    now = time.time()

    def user(intent: str, key: str | None = None) -> tuple:
        parse = {"intent": {"name": intent}}
        if key:
            parse["response_selector"] = {"faq": {"response": {"intent_response_key": key}}}
        return ("s1", "user", now - 3600, intent, None, json.dumps({"event": "user", "parse_data": parse}))

    rows = [user("faq", "faq/wat_is_pip")] * 3 + [user("faq", "faq/niet_kunnen_betalen")] + [user("nlu_fallback")]
    rows += [("s1", "action", now - 3600, None, "action_listen", "{}")]
    connection.executemany(
        "INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data) VALUES (?,?,?,?,?,?)", rows
    )
    connection.commit()
    connection.close()
    return f"sqlite:///{path}"


async def test_the_stats_page_shows_handoffs_reply_times_and_tracker_questions(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, tracker_url=make_tracker_store(tmp_path / "trackers.db"))
    async with running(settings, FakeRasa(reply=scripted_reply)) as (app, client):
        add_consultant(app)
        await hand_off(client)
        with app.state.session_factory() as session:
            ticket = session.get(Ticket, 1)
            ticket.first_human_reply_at = ticket.created_at + timedelta(minutes=42)
            session.commit()
        await login(client)
        page = await client.get("/inbox/stats")

    assert page.status_code == 200
    html = page.text
    assert "42 min" in html
    assert "Vroeg om een mens" in html
    assert "<svg" in html and 'class="chart-bar"' in html
    assert "wat is pip" in html and "niet kunnen betalen" in html
    assert "20.0%" in html  # 1 fallback among 5 user messages
    assert "style=" not in html and "<script>" not in html  # passes the Content-Security-Policy


async def test_without_a_tracker_store_the_page_says_it_shows_ticket_figures_only(tmp_path: Path) -> None:
    # no tracker store at all (the test settings give one by default; a PostgreSQL engine without a URL has none)
    settings = make_settings(tmp_path, tracker_url=None, engine_tracker_dialect="postgresql")
    assert settings.rasa_tracker_url is None
    async with running(settings, FakeRasa(reply=scripted_reply)) as (app, client):
        add_consultant(app)
        await login(client)
        html = (await client.get("/inbox/stats")).text
    assert "niet ingesteld" in html and "alleen de ticketcijfers" in html


async def test_an_unreadable_tracker_store_does_not_break_the_page(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, tracker_url=f"sqlite:///{tmp_path / 'empty.db'}")
    async with running(settings, FakeRasa(reply=scripted_reply)) as (app, client):
        add_consultant(app)
        await login(client)
        page = await client.get("/inbox/stats")
    assert page.status_code == 200
    assert "kon niet worden gelezen" in page.text


def test_week_buckets_follow_amsterdam_time() -> None:
    from zoneinfo import ZoneInfo

    from gateway.inbox.stats import week_start

    sunday_late_utc = utcnow().replace(year=2026, month=11, day=22, hour=23, minute=30)
    assert week_start(sunday_late_utc, ZoneInfo("Europe/Amsterdam")).isoformat() == "2026-11-23"
